"""On-site inspections (现场巡查): a draft with its inspectors and findings (``do_create_inspection``,
``do_update_inspection``, ``do_add_finding``, ``do_remove_finding``), submitted (``do_submit_inspection``), returned
or confirmed by the manager (``do_return_inspection``, ``do_confirm_inspection``: each finding with an amount
becomes a deduction through ``payments.actions.do_record_deduction``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.accounts.models import User
from dae.accounts.permissions import writers
from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, snapshot, user_or_none
from dae.payments.actions import do_record_deduction

from ..codes import Code
from ..models import Finding, Inspection
from .shared import clerk_text, locked_row, not_before, user_id


def field_posts() -> frozenset[str]:
    """The posts that go on site (巡查人员): those the matrix lets record an inspection or confirm one."""
    return writers("inspection:inspection_new") | writers("inspection:inspection_confirm")


def _inspectors(region: str, inspectors: Iterable[Any]) -> list[User]:
    ids = sorted({i for i in (user_id(v) for v in inspectors) if i is not None})
    if not ids:
        raise InvalidInput(
            "请至少选择一名巡查人员（通常为两人）",
            code=Code.NO_INSPECTORS,
            details=[{"path": "inspectors", "message": "至少一名巡查人员"}],
        )
    users = list(
        User.objects.filter(pk__in=ids, is_active=True, post__in=field_posts(), regions__admdvs=region).distinct()
    )
    if len(users) != len(ids):
        raise InvalidInput(
            "巡查人员须为本统筹区在岗的稽核、审核或管理人员",
            code=Code.INVALID_INSPECTORS,
            details=[{"path": "inspectors", "message": "巡查人员不符合条件"}],
        )
    return users


def _finding_values(data: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    return {
        "description": clerk_text(data.get("description"), "问题描述", f"{path}description", max_length=500),
        "basis": clerk_text(data.get("basis"), "违规依据", f"{path}basis", max_length=300),
        "amount": inputs.clerk_amount(data.get("amount", "0") or "0", field=f"{path}amount", label="扣款金额"),
    }


def _state(inspection: Inspection) -> dict[str, Any]:
    return {
        "hospital": inspection.hospital_id,
        "inspected_on": inspection.inspected_on,
        "kind": inspection.kind,
        "inspectors": sorted(inspection.inspectors.values_list("pk", flat=True)),
        "summary": inspection.summary,
        "status": inspection.status,
    }


def _header(
    actor: Any, hospital: Hospital, inspected_on: Any, kind: Any, inspectors: Iterable[Any], summary: Any
) -> dict[str, Any]:
    region = inputs.actor_region(actor, hospital.region_id)
    if str(kind or "") not in Inspection.Kind.values:
        raise InvalidInput(
            "请选择巡查类型（日常巡查、专项检查或驻点核查）",
            code=CoreCode.INVALID_KIND,
            details=[{"path": "kind", "message": "巡查类型不正确"}],
        )
    return {
        "region": region,
        "inspected_on": inputs.done_date(inspected_on, field="inspected_on", label="巡查日期"),
        "kind": str(kind),
        "inspectors": _inspectors(region, inspectors),
        "summary": clerk_text(summary, "巡查情况", "summary", max_length=2000, required=False),
    }


def do_create_inspection(
    actor: Any,
    *,
    hospital: Hospital,
    inspected_on: Any,
    kind: Any,
    inspectors: Iterable[Any],
    summary: Any = "",
    findings: Sequence[Mapping[str, Any]] = (),
) -> Inspection:
    """登记现场巡查 (a draft) with its inspectors and, optionally, its findings."""
    header = _header(actor, hospital, inspected_on, kind, inspectors, summary)
    rows = [_finding_values(f, f"findings[{i}].") for i, f in enumerate(findings)]
    with transaction.atomic():
        inspection = Inspection.objects.create(
            region_id=header["region"],
            hospital=hospital,
            inspected_on=header["inspected_on"],
            kind=header["kind"],
            summary=header["summary"],
            created_by=user_or_none(actor),
        )
        inspection.inspectors.set(header["inspectors"])
        for seq, row in enumerate(rows, start=1):
            Finding.objects.create(inspection=inspection, seq=seq, created_by=user_or_none(actor), **row)
        record_event(
            actor,
            "inspection.created",
            inspection,
            region_id=inspection.region_id,
            after={
                **_state(inspection),
                "findings": len(rows),
                "amount": sum((r["amount"] for r in rows), Decimal("0.00")),
            },
        )
    return inspection


def _draft(inspection: Inspection) -> Inspection:
    locked: Inspection = locked_row(Inspection, inspection)
    if locked.status != Inspection.Status.DRAFT:
        raise Conflict(f"巡查 {locked.number} 已{locked.get_status_display()}，只有草稿可以修改", code=CoreCode.NOT_DRAFT)
    return locked


def do_update_inspection(
    actor: Any, inspection: Inspection, *, inspected_on: Any, kind: Any, inspectors: Iterable[Any], summary: Any = ""
) -> Inspection:
    """修改草稿: date, kind, inspectors and the summary (the hospital stays)."""
    header = _header(actor, inspection.hospital, inspected_on, kind, inspectors, summary)
    with transaction.atomic():
        locked = _draft(inspection)
        before = _state(locked)
        locked.inspected_on, locked.kind, locked.summary = header["inspected_on"], header["kind"], header["summary"]
        locked.save(update_fields=["inspected_on", "kind", "summary"])
        locked.inspectors.set(header["inspectors"])
        after = _state(locked)
        if after != before:
            record_event(actor, "inspection.updated", locked, region_id=locked.region_id, before=before, after=after)
    return locked


def do_add_finding(actor: Any, inspection: Inspection, *, description: Any, basis: Any, amount: Any) -> Finding:
    """Add a finding to a draft inspection (amount 0 when nothing is to be deducted)."""
    values = _finding_values({"description": description, "basis": basis, "amount": amount})
    with transaction.atomic():
        locked = _draft(inspection)
        seq = (locked.findings.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
        finding = Finding.objects.create(inspection=locked, seq=seq, created_by=user_or_none(actor), **values)
        record_event(
            actor,
            "inspection.finding_added",
            finding,
            region_id=locked.region_id,
            after={"inspection": locked.pk, "seq": seq, **values},
        )
    return finding


def do_remove_finding(actor: Any, finding: Finding) -> None:
    """Remove a finding of a draft inspection (one without documents)."""
    with transaction.atomic():
        locked = _draft(finding.inspection)
        finding = Finding.objects.get(pk=finding.pk)
        if finding.documents.exists():
            raise Conflict("该问题已有附件，不能删除", code=Code.HAS_DOCUMENTS)
        before = snapshot(finding, ["inspection", "seq", "description", "basis", "amount"])
        record_event(actor, "inspection.finding_removed", finding, region_id=locked.region_id, before=before)
        finding.delete()


def do_submit_inspection(actor: Any, inspection: Inspection) -> Inspection:
    """提交: the draft goes to the manager for confirmation."""
    with transaction.atomic():
        locked = _draft(inspection)
        if not locked.inspectors.exists():
            raise InvalidInput("请至少选择一名巡查人员", code=Code.NO_INSPECTORS)
        locked.status, locked.submitted_by, locked.submitted_at = (
            Inspection.Status.SUBMITTED,
            user_or_none(actor),
            timezone.now(),
        )
        locked.return_reason = ""
        locked.save(update_fields=["status", "submitted_by", "submitted_at", "return_reason"])
        findings = locked.findings.all()
        record_event(
            actor,
            "inspection.submitted",
            locked,
            region_id=locked.region_id,
            before={"status": Inspection.Status.DRAFT},
            after={
                "status": locked.status,
                "findings": len(findings),
                "amount": sum((f.amount for f in findings), Decimal("0.00")),
            },
        )
    return locked


def do_return_inspection(actor: Any, inspection: Inspection, *, reason: str) -> Inspection:
    """退回: a submitted inspection goes back to draft with the reason."""
    reason = require_reason(reason, "退回原因")
    with transaction.atomic():
        locked: Inspection = locked_row(Inspection, inspection)
        if locked.status != Inspection.Status.SUBMITTED:
            raise Conflict("只有已提交的巡查可以退回", code=Code.NOT_SUBMITTED)
        locked.status, locked.return_reason = Inspection.Status.DRAFT, reason
        locked.save(update_fields=["status", "return_reason"])
        record_event(
            actor,
            "inspection.returned",
            locked,
            region_id=locked.region_id,
            note=reason,
            before={"status": Inspection.Status.SUBMITTED},
            after={"status": locked.status},
        )
    return locked


def do_confirm_inspection(actor: Any, inspection: Inspection, *, on: dt.date | None = None) -> Inspection:
    """确认 (manager; never one of its inspectors): each finding with an amount > 0 becomes a deduction
    (kind ``inspection``, source ``("inspection.finding", pk)``) taken from the hospital's next monthly statement.
    Confirming a confirmed inspection again changes nothing."""
    on = inputs.done_date(on, field="on", label="确认日期", default=timezone.localdate())
    with transaction.atomic():
        locked: Inspection = locked_row(Inspection, inspection)
        if locked.status == Inspection.Status.CONFIRMED:
            return locked
        if locked.status != Inspection.Status.SUBMITTED:
            raise Conflict("巡查须先提交，才能确认", code=Code.NOT_SUBMITTED)
        inputs.actor_region(actor, locked.region_id)
        user = user_or_none(actor)
        if user is not None and locked.inspectors.filter(pk=user.pk).exists():
            raise Conflict("巡查人员不能确认本人参与的巡查", code=Code.OWN_INSPECTION)
        not_before(on, locked.inspected_on, field="on", label="确认日期", earlier_label="巡查日期")
        deductions = []
        for finding in locked.findings.select_for_update().order_by("seq"):
            if finding.amount <= 0:
                continue
            deduction = do_record_deduction(
                locked.hospital,
                amount=finding.amount,
                kind="inspection",
                reason=f"现场巡查 {locked.number}（{locked.inspected_on}）问题 {finding.seq}：{finding.description}",
                source=("inspection.finding", finding.pk),
                confirmed_on=on,
                actor=actor,
            )
            finding.deduction = deduction
            finding.save(update_fields=["deduction"])
            deductions.append({"finding": finding.pk, "deduction": deduction.pk, "amount": finding.amount})
        locked.status, locked.confirmed_by, locked.confirmed_on = Inspection.Status.CONFIRMED, user, on
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_on", "confirmed_at"])
        record_event(
            actor,
            "inspection.confirmed",
            locked,
            region_id=locked.region_id,
            before={"status": Inspection.Status.SUBMITTED},
            after={"status": locked.status, "confirmed_on": on, "deductions": deductions},
        )
    return locked
