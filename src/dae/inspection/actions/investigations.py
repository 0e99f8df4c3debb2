"""Remote investigations (异地协查): requested (``do_create_investigation``), assigned
(``do_assign_investigation``), answered (``do_record_result``) and fed back (``do_feed_back``), each deadline in
working days through ``dae.workdays.service.deadline``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.accounts.models import User
from dae.accounts.permissions import writers
from dae.claims.models import Settlement
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput
from dae.core.events import record_event, snapshot, user_or_none
from dae.core.models import Region
from dae.enrollment.models import Person
from dae.workdays.service import deadline, warning_dict

from ..codes import Code
from ..models import FEEDBACK_DAYS, RESULT_DAYS, Investigation
from .shared import clerk_text, locked_row, not_before, user_id


def assignee_posts() -> frozenset[str]:
    """The posts a remote investigation may be assigned to: those the matrix lets record its result."""
    return writers("inspection:investigation_result")


def _assignment(region: str, assignee: Any, assigned_region: Any) -> tuple[User | None, str | None]:
    branch = str(assigned_region.pk if isinstance(assigned_region, Region) else assigned_region or "").strip() or None
    if branch is not None and not Region.objects.filter(pk=branch).exists():
        raise InvalidInput(
            f"承办机构（统筹区）{branch} 不存在",
            code=inputs.InputCode.INVALID_REGION,
            details=[{"path": "assigned_region", "message": "统筹区不存在"}],
        )
    chosen = user_id(assignee)
    if assignee not in (None, "") and chosen is None:
        raise InvalidInput(
            "承办人不正确", code=Code.INVALID_ASSIGNEE, details=[{"path": "assignee", "message": "承办人不正确"}]
        )
    user = None
    if chosen is not None:
        user = (
            User.objects.filter(
                pk=chosen,
                is_active=True,
                post__in=assignee_posts(),
                regions__admdvs__in=[region] + ([branch] if branch else []),
            )
            .distinct()
            .first()
        )
        if user is None:
            raise InvalidInput(
                "承办人须为委托统筹区或承办机构在岗的稽核或管理人员",
                code=Code.INVALID_ASSIGNEE,
                details=[{"path": "assignee", "message": "承办人不符合条件"}],
            )
    return user, branch


def _subject(region: str, setl_id: Any, psn_no: Any) -> tuple[Settlement | None, str, str]:
    """The settlement and/or person the task is about (at least one), from the requesting region."""
    setl_id, psn_no = str(setl_id or "").strip(), str(psn_no or "").strip()
    if not setl_id and not psn_no:
        raise InvalidInput(
            "请填写协查对象：结算ID或人员编号",
            code=Code.NO_SUBJECT,
            details=[{"path": "setl_id", "message": "结算ID或人员编号至少填写一项"}],
        )
    settlement = None
    if setl_id:
        settlement = Settlement.objects.select_related("person").filter(setl_id=setl_id, region_id=region).first()
        if settlement is None:
            raise InvalidInput(
                f"结算 {setl_id} 不存在或不属于统筹区 {region}",
                code=Code.UNKNOWN_SETTLEMENT,
                details=[{"path": "setl_id", "message": "结算不存在"}],
            )
        if psn_no and psn_no != settlement.psn_no:
            raise InvalidInput(
                f"人员编号 {psn_no} 与结算 {setl_id} 的参保人不一致",
                code=Code.SUBJECT_MISMATCH,
                details=[{"path": "psn_no", "message": "人员编号与结算不一致"}],
            )
        return settlement, settlement.psn_no, settlement.person.psn_name
    person = Person.objects.filter(psn_no=psn_no, region_id=region).first()
    if person is None:
        raise InvalidInput(
            f"人员编号 {psn_no} 不是统筹区 {region} 的参保人",
            code=CoreCode.UNKNOWN_PERSON,
            details=[{"path": "psn_no", "message": "参保人不存在"}],
        )
    return None, person.psn_no, person.psn_name


def _due(start: dt.date, days: int) -> tuple[dt.date, list[dict[str, Any]]]:
    due = deadline(start, days)
    return due.due, [warning_dict(w) for w in due.warnings]


def _task(inv: Investigation) -> dict[str, Any]:
    return snapshot(
        inv,
        [
            "status",
            "assignee",
            "assigned_region",
            "due_on",
            "outcome",
            "amount",
            "result_on",
            "feedback_due",
            "feedback_on",
        ],
    )


def do_create_investigation(
    actor: Any,
    *,
    region: Region | str,
    subject: Any,
    setl_id: Any = "",
    psn_no: Any = "",
    hospital_name: Any = "",
    hospital_place: Any = "",
    assignee: Any = None,
    assigned_region: Any = None,
    created_on: Any = None,
) -> Investigation:
    """委托异地协查: the subject (a settlement and/or an insured person of the region, the hospital elsewhere, what
    to check), optionally assigned to a user or a branch; the result is due 5 working days after ``created_on``."""
    code = inputs.actor_region(actor, region)
    text = clerk_text(subject, "协查事项", "subject", max_length=1000)
    settlement, psn, name = _subject(code, setl_id, psn_no)
    hospital = clerk_text(hospital_name, "就医机构", "hospital_name", max_length=100, required=False)
    place = clerk_text(hospital_place, "就医地", "hospital_place", max_length=100, required=False)
    if settlement is not None:
        hospital = hospital or settlement.hospital.name[:100]
        place = place or str(settlement.hospital.region)[:100]
    user, branch = _assignment(code, assignee, assigned_region)
    created = inputs.done_date(created_on, field="created_on", label="委托日期", default=timezone.localdate())
    due_on, warnings = _due(created, RESULT_DAYS)
    with transaction.atomic():
        inv = Investigation.objects.create(
            region_id=code,
            settlement=settlement,
            psn_no=psn,
            psn_name=name,
            hospital_name=hospital,
            hospital_place=place,
            subject=text,
            assignee=user,
            assigned_region_id=branch,
            created_on=created,
            due_on=due_on,
            deadline_warnings=warnings,
            requested_by=user_or_none(actor),
        )
        record_event(
            actor,
            "inspection.investigation_created",
            inv,
            region_id=code,
            after={
                **_task(inv),
                "settlement": settlement.setl_id if settlement else "",
                "psn_no": psn,
                "created_on": created,
                "subject": text,
            },
        )
    return inv


def do_assign_investigation(
    actor: Any, inv: Investigation, *, assignee: Any = None, assigned_region: Any = None
) -> Investigation:
    """分派 an open task to a user and/or a branch (region)."""
    user, branch = _assignment(inv.region_id, assignee, assigned_region)
    if user is None and branch is None:
        raise InvalidInput(
            "请选择承办人或承办机构",
            code=Code.NO_ASSIGNEE,
            details=[{"path": "assignee", "message": "承办人或承办机构至少选择一项"}],
        )
    with transaction.atomic():
        locked: Investigation = locked_row(Investigation, inv)
        if locked.status != Investigation.Status.OPEN:
            raise Conflict("已出结果的协查不能再分派", code=Code.NOT_OPEN)
        before = _task(locked)
        locked.assignee, locked.assigned_region_id = user, branch
        locked.save(update_fields=["assignee", "assigned_region"])
        record_event(
            actor,
            "inspection.investigation_assigned",
            locked,
            region_id=locked.region_id,
            before=before,
            after=_task(locked),
        )
    return locked


def do_record_result(
    actor: Any, inv: Investigation, *, outcome: Any, result_text: Any, amount: Any, result_on: Any = None
) -> Investigation:
    """协查结果: the outcome (属实 / 部分属实 / 不属实 / 无法核实), what was found and the amount involved; the
    feedback to the requester is then due 3 working days after ``result_on``."""
    if str(outcome or "") not in Investigation.Outcome.values:
        raise InvalidInput(
            "请选择协查结论（属实、部分属实、不属实或无法核实）",
            code=CoreCode.INVALID_OUTCOME,
            details=[{"path": "outcome", "message": "协查结论不正确"}],
        )
    text = clerk_text(result_text, "协查结果", "result_text", max_length=1000)
    value = inputs.clerk_amount(amount, field="amount", label="涉及金额")
    day = inputs.done_date(result_on, field="result_on", label="结果日期", default=timezone.localdate())
    with transaction.atomic():
        locked: Investigation = locked_row(Investigation, inv)
        if locked.status != Investigation.Status.OPEN:
            raise Conflict("该协查已登记结果", code=Code.NOT_OPEN)
        not_before(day, locked.created_on, field="result_on", label="结果日期", earlier_label="委托日期")
        before = _task(locked)
        feedback_due, warnings = _due(day, FEEDBACK_DAYS)
        locked.status, locked.outcome, locked.result_text, locked.amount = (
            Investigation.Status.ANSWERED,
            str(outcome),
            text,
            value,
        )
        locked.result_on, locked.result_by = day, user_or_none(actor)
        locked.feedback_due, locked.feedback_warnings = feedback_due, warnings
        locked.save(
            update_fields=[
                "status",
                "outcome",
                "result_text",
                "amount",
                "result_on",
                "result_by",
                "feedback_due",
                "feedback_warnings",
            ]
        )
        record_event(
            actor,
            "inspection.investigation_answered",
            locked,
            region_id=locked.region_id,
            before=before,
            after={**_task(locked), "late": locked.result_overdue()},
            note=text,
        )
    return locked


def do_feed_back(actor: Any, inv: Investigation, *, feedback_text: Any, feedback_on: Any = None) -> Investigation:
    """反馈 the result to the requester (closes the task)."""
    text = clerk_text(feedback_text, "反馈内容", "feedback_text", max_length=1000)
    day = inputs.done_date(feedback_on, field="feedback_on", label="反馈日期", default=timezone.localdate())
    with transaction.atomic():
        locked: Investigation = locked_row(Investigation, inv)
        if locked.status != Investigation.Status.ANSWERED:
            raise Conflict("须先登记协查结果，且尚未反馈", code=Code.NOT_ANSWERED)
        assert locked.result_on is not None
        not_before(day, locked.result_on, field="feedback_on", label="反馈日期", earlier_label="结果日期")
        before = _task(locked)
        locked.status, locked.feedback_text, locked.feedback_on, locked.feedback_by = (
            Investigation.Status.CLOSED,
            text,
            day,
            user_or_none(actor),
        )
        locked.save(update_fields=["status", "feedback_text", "feedback_on", "feedback_by"])
        record_event(
            actor,
            "inspection.investigation_fed_back",
            locked,
            region_id=locked.region_id,
            before=before,
            after={**_task(locked), "late": locked.feedback_overdue()},
            note=text,
        )
    return locked
