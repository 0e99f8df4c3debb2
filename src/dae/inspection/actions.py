"""The writes of inspection (稽核). Each ``do_*`` checks its input first (a refusal is a ``DaeError`` with a
Chinese message and nothing written), then runs in one transaction with its event (``inspection.*``).

- Sampling: ``do_change_settings`` (manager), ``do_draw_sample``, ``do_review_item`` (the three comparisons),
  ``do_complete_sample``.
- On-site inspections: ``do_create_inspection``, ``do_update_inspection``, ``do_add_finding``,
  ``do_remove_finding``, ``do_submit_inspection``, ``do_return_inspection``, ``do_confirm_inspection`` (each
  finding with an amount becomes a deduction through ``payments.deductions.record_deduction``).
- Documents: ``do_attach_document`` (JPEG, PNG or PDF, at most 10 MB, kept through ``core.uploads``).
- Remote investigations: ``do_create_investigation``, ``do_assign_investigation``, ``do_record_result``,
  ``do_feed_back``; deadlines through ``dae.workdays.service.deadline``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.accounts.models import User
from dae.accounts.permissions import writers
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, snapshot, user_or_none
from dae.core.models import Region
from dae.core.months import month_bounds
from dae.core.uploads import StoredUpload, discard, store_upload
from dae.payments.actions import do_record_deduction
from dae.workdays.service import deadline, warning_dict

from . import population, sampling
from .models import (
    FEEDBACK_DAYS,
    RESULT_DAYS,
    Comparison,
    Document,
    Finding,
    Inspection,
    Investigation,
    Sample,
    SampleItem,
    SamplingSettings,
)
from .queries import settings_in_force

MAX_AMOUNT = Decimal("99999999999999.99")
MAX_DEADLINE_DAYS = 120
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: Posts that go on site or review records (巡查人员, 承办人).
FIELD_POSTS = ("inspector", "reviewer", "manager")
#: A remote investigation is assigned to a post that records its result (``assignee_posts``, from the matrix).
#: The three comparisons, named in the refusals (plain Chinese: the messages are Chinese whatever the UI language).
COMPARISON_NAMES = {
    "system_vs_record": "系统明细与病历",
    "record_vs_bill": "病历与费用清单",
    "system_vs_bill": "系统明细与费用清单",
}
#: Accepted documents, recognised by their first bytes (never by the name or the browser's content type).
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", Document.Kind.IMAGE, ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", Document.Kind.IMAGE, ".png"),
    (b"%PDF-", "application/pdf", Document.Kind.PDF, ".pdf"),
)


# -- checks --------------------------------------------------------------------------------------------------


def _refuse(message: str, problems: list[dict[str, str]], code: str = "invalid_input") -> None:
    if problems:
        raise InvalidInput(message + "：" + "；".join(p["message"] for p in problems), code=code, details=problems)


def money(value: Any, what: str, path: str) -> Decimal:
    """An amount ≥ 0 to the fen, through the input layer (a float, exponent notation and absurd sums refused)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"请填写{what}", code="invalid_amount", details=[{"path": path, "message": f"请填写{what}"}])
    try:
        return inputs.amount(value, field=path, label=what, maximum=inputs.FUND_MAX)
    except InvalidInput as exc:  # worded as this app's clerks know it; too large keeps the input layer's words
        kind = inputs.refusal_kind(exc)
        if kind == "maximum":
            raise
        if kind == "format":
            raise InvalidInput(f"{what}格式错误，请填写如 1234.56 的数字", code="invalid_amount",
                               details=[{"path": path, "message": f"{what}格式错误"}]) from None
        raise InvalidInput(f"{what}须为不小于 0 的金额，精确到分", code="invalid_amount",
                           details=[{"path": path, "message": f"{what}须不小于 0 且精确到分"}]) from None


def _text(value: Any, what: str, path: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and len(text) < 2:
        raise InvalidInput(f"请填写{what}", code="required", details=[{"path": path, "message": f"请填写{what}"}])
    if len(text) > max_length:
        raise InvalidInput(
            f"{what}不能超过 {max_length} 字", code="too_long", details=[{"path": path, "message": f"{what}过长"}]
        )
    return text


def _day(value: Any, what: str, path: str, *, default: dt.date | None = None, not_after_today: bool = True) -> dt.date:
    if value in (None, ""):
        if default is None:
            raise InvalidInput(f"请填写{what}", code="required", details=[{"path": path, "message": f"请填写{what}"}])
        return default
    if isinstance(value, dt.date) and not_after_today and value > timezone.localdate():
        raise InvalidInput(
            f"{what}不能晚于今天", code="future_date", details=[{"path": path, "message": f"{what}不能晚于今天"}]
        )
    try:
        day = inputs.date(value, field=path, label=what)
    except InvalidInput as exc:
        if inputs.refusal_kind(exc) != "format":
            raise
        raise InvalidInput(f"{what}格式应为 YYYY-MM-DD", code="invalid_date",
                           details=[{"path": path, "message": f"{what}格式错误"}]) from None
    if not_after_today and day > timezone.localdate():
        raise InvalidInput(
            f"{what}不能晚于今天", code="future_date", details=[{"path": path, "message": f"{what}不能晚于今天"}]
        )
    return day


def _region(region: Region | str, actor: Any) -> str:
    """An existing region among the actor's (a system actor may name any)."""
    code = str(region.pk if isinstance(region, Region) else region or "").strip()
    if not Region.objects.filter(pk=code).exists():
        raise InvalidInput(
            f"统筹区 {code or '（空）'} 不存在",
            code=inputs.InputCode.INVALID_REGION,
            details=[{"path": "region", "message": "统筹区不存在"}],
        )
    user = user_or_none(actor)
    if user is not None and getattr(user, "scope_kind", "") == "region" and code not in user.region_codes:
        raise InvalidInput(
            f"统筹区 {code} 不在本人负责的统筹区内",
            code=inputs.InputCode.INVALID_REGION,
            details=[{"path": "region", "message": "不是本人负责的统筹区"}],
        )
    return code


def _user_id(value: Any) -> int | None:
    if isinstance(value, User):
        return int(value.pk)
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def _locked(model: type[Any], obj: Any) -> Any:
    return model.objects.select_for_update().get(pk=obj.pk)


# -- sampling ------------------------------------------------------------------------------------------------


def _days(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DEADLINE_DAYS:
        raise InvalidInput(
            f"复审完成时限须为 1 到 {MAX_DEADLINE_DAYS} 个工作日",
            code="invalid_days",
            details=[{"path": "deadline_days", "message": "时限须为正整数"}],
        )
    return int(text)


def do_change_settings(
    actor: Any, *, inpatient_ratio: Any, cross_province_ratio: Any, deadline_days: Any, reason: str
) -> SamplingSettings:
    """Save a new version of the sampling defaults (manager), with the reason; the earlier versions stay as
    the history. Samples already drawn keep the ratios they were drawn with."""
    inpatient = sampling.check_ratio(inpatient_ratio, "住院结算抽样比例", "inpatient_ratio")
    cross = sampling.check_ratio(cross_province_ratio, "跨省异地住院抽样比例", "cross_province_ratio")
    days = _days(deadline_days)
    reason = require_reason(reason, "变更原因")
    with transaction.atomic():
        before = settings_in_force()
        try:
            with transaction.atomic():
                row = SamplingSettings.objects.create(
                    version=before.version + 1,
                    inpatient_ratio=inpatient,
                    cross_province_ratio=cross,
                    deadline_days=days,
                    reason=reason,
                    changed_by=user_or_none(actor),
                )
        except IntegrityError:
            raise Conflict("抽样参数刚被他人修改，请刷新后重试", code="settings_changed") from None
        record_event(
            actor,
            "inspection.settings_changed",
            row,
            note=reason,
            before={
                "version": before.version,
                "inpatient_ratio": before.inpatient_ratio,
                "cross_province_ratio": before.cross_province_ratio,
                "deadline_days": before.deadline_days,
            },
            after={
                "version": row.version,
                "inpatient_ratio": inpatient,
                "cross_province_ratio": cross,
                "deadline_days": days,
            },
        )
    return row


def do_draw_sample(
    actor: Any,
    region: Region | str,
    month: str,
    *,
    seed: Any = None,
    on: dt.date | None = None,
    inpatient_ratio: Any = None,
    cross_province_ratio: Any = None,
    deadline_days: Any = None,
) -> Sample:
    """抽样: draw the seeded sample of a region's inpatient settlements of ``month`` (once per region-month).
    Ratios and the deadline default to the settings in force and are stored on the sample; the seed, when not
    given, comes from ``secrets`` and is stored too, so the draw can be repeated (``replay``)."""
    code = _region(region, actor)
    _first, last = month_bounds(str(month).strip())
    month = str(month).strip()
    on = on or timezone.localdate()
    if on <= last:
        raise InvalidInput(
            f"{month} 尚未结束，须在 {last} 之后抽样",
            code="month_not_over",
            details=[{"path": "month", "message": "该月尚未结束"}],
        )
    in_force = settings_in_force()
    inpatient = sampling.check_ratio(
        in_force.inpatient_ratio if inpatient_ratio in (None, "") else inpatient_ratio,
        "住院结算抽样比例",
        "inpatient_ratio",
    )
    cross = sampling.check_ratio(
        in_force.cross_province_ratio if cross_province_ratio in (None, "") else cross_province_ratio,
        "跨省异地住院抽样比例",
        "cross_province_ratio",
    )
    days = _days(in_force.deadline_days if deadline_days in (None, "") else deadline_days)
    given = seed is not None and str(seed).strip() != ""
    seed_value = sampling.check_seed(seed) if given else secrets.randbelow(sampling.MAX_SEED + 1)
    with transaction.atomic():
        existing = Sample.objects.filter(region_id=code, month=month).first()
        if existing is not None:
            raise Conflict(
                f"统筹区 {code} {month} 已抽样（{existing.number}），每月只抽一次",
                code="sample_exists",
                details={"sample": existing.pk},
            )
        result = sampling.draw(population.candidates(code, month), seed_value, inpatient, cross)
        if not result.population:
            raise Conflict(f"统筹区 {code} {month} 没有住院结算，无需抽样", code="empty_population")
        due = deadline(on, days)
        try:
            with transaction.atomic():
                sample = Sample.objects.create(
                    region_id=code,
                    month=month,
                    seed=seed_value,
                    seed_source=Sample.SeedSource.GIVEN if given else Sample.SeedSource.SYSTEM,
                    inpatient_ratio=inpatient,
                    cross_province_ratio=cross,
                    settings_version=in_force.version,
                    population=result.population,
                    cross_population=result.cross_population,
                    required_total=result.required_total,
                    required_cross=result.required_cross,
                    drawn_on=on,
                    drawn_by=user_or_none(actor),
                    deadline_days=days,
                    due_on=due.due,
                    deadline_warnings=[warning_dict(w) for w in due.warnings],
                )
        except IntegrityError:
            raise Conflict(f"统筹区 {code} {month} 刚被他人抽样，请刷新", code="sample_exists") from None
        SampleItem.objects.bulk_create(
            [
                SampleItem(sample=sample, settlement_id=candidate.settlement_id, seq=seq, stratum=stratum)
                for seq, (candidate, stratum) in enumerate(result.picks, start=1)
            ]
        )
        record_event(
            actor,
            "inspection.sample_drawn",
            sample,
            region_id=code,
            after={
                "month": month,
                "seed": str(seed_value),
                "seed_source": sample.seed_source,
                "inpatient_ratio": inpatient,
                "cross_province_ratio": cross,
                "population": result.population,
                "cross_population": result.cross_population,
                "required_total": result.required_total,
                "required_cross": result.required_cross,
                "drawn": len(result.picks),
                "due_on": due.due,
                "setl_ids": result.setl_ids,
            },
        )
    return sample


def replay(sample: Sample) -> sampling.Draw:
    """Draw again with the sample's seed and ratios on today's data (a read: nothing is written)."""
    return sampling.draw(
        population.candidates(sample.region_id, sample.month),
        int(sample.seed),
        sample.inpatient_ratio,
        sample.cross_province_ratio,
    )


def replay_matches(sample: Sample) -> bool:
    """True when drawing again gives the stored sample, item for item and stratum for stratum."""
    again = [(c.setl_id, stratum) for c, stratum in replay(sample).picks]
    stored = list(sample.items.order_by("seq").values_list("settlement__setl_id", "stratum"))
    return again == [tuple(row) for row in stored]


REVIEW_FIELDS = (
    "system_vs_record",
    "system_vs_record_note",
    "record_vs_bill",
    "record_vs_bill_note",
    "system_vs_bill",
    "system_vs_bill_note",
    "not_payable",
    "conclusion",
    "opinion",
)


def check_review(item: SampleItem, data: Mapping[str, Any]) -> dict[str, Any]:
    """The review's values, or ``InvalidInput`` listing every problem (all found at once)."""
    problems: list[dict[str, str]] = []
    values: dict[str, Any] = {}
    for name, label in COMPARISON_NAMES.items():
        result = str(data.get(name) or "").strip()
        note = str(data.get(f"{name}_note") or "").strip()
        if result not in Comparison.values:
            problems.append({"path": name, "message": f"请选择“{label}”的比对结果（一致或不一致）"})
        elif result == Comparison.INCONSISTENT and len(note) < 2:
            problems.append({"path": f"{name}_note", "message": f"“{label}”不一致时须填写说明"})
        if len(note) > 500:
            problems.append({"path": f"{name}_note", "message": f"“{label}”说明不能超过 500 字"})
        values[name], values[f"{name}_note"] = result, note
    raw = data.get("not_payable")
    amount: Decimal | None = None
    try:
        amount = money(raw, "不予支付金额", "not_payable")
    except InvalidInput as exc:
        problems.append({"path": "not_payable", "message": exc.message})
    if amount is not None and amount > item.settlement.medfee_sumamt:
        problems.append(
            {
                "path": "not_payable",
                "message": f"不予支付金额不能超过该结算的医疗费总额 {item.settlement.medfee_sumamt:.2f} 元",
            }
        )
    conclusion = str(data.get("conclusion") or "").strip()
    opinion = str(data.get("opinion") or "").strip()
    if conclusion not in SampleItem.Conclusion.values:
        problems.append({"path": "conclusion", "message": "请选择审核结论（合规或存在违规）"})
    elif conclusion == SampleItem.Conclusion.COMPLIANT and amount is not None and amount > 0:
        problems.append({"path": "conclusion", "message": "有不予支付金额时审核结论不能为“合规”"})
    elif conclusion == SampleItem.Conclusion.NON_COMPLIANT and len(opinion) < 2:
        problems.append({"path": "opinion", "message": "审核结论为“存在违规”时须填写审核意见"})
    if len(opinion) > 500:
        problems.append({"path": "opinion", "message": "审核意见不能超过 500 字"})
    _refuse("复审记录有误", problems, code="invalid_review")
    values.update(not_payable=amount, conclusion=conclusion, opinion=opinion)
    return values


def do_review_item(actor: Any, item: SampleItem, **data: Any) -> SampleItem:
    """病历复审: record the three comparisons (each 一致/不一致, a note when 不一致), the amount found not payable
    (≥ 0, at most the settlement's total) and the conclusion. A reviewed item may be corrected until the sample is
    completed (the event keeps what it was)."""
    unknown = set(data) - set(REVIEW_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的复审字段：{'、'.join(sorted(unknown))}", code="invalid_review")
    item = SampleItem.objects.select_related("settlement", "sample").get(pk=item.pk)
    values = check_review(item, data)
    with transaction.atomic():
        locked = SampleItem.objects.select_for_update().select_related("sample").get(pk=item.pk)
        sample = Sample.objects.select_for_update().get(pk=locked.sample_id)
        if sample.status != Sample.Status.OPEN:
            raise Conflict("该抽样复审已完成，不能再修改复审记录", code="sample_completed")
        fields = [*REVIEW_FIELDS, "status", "reviewer", "reviewed_at"]
        before = snapshot(locked, fields)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.status = SampleItem.Status.REVIEWED
        locked.reviewer = user_or_none(actor)
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=fields)
        record_event(
            actor,
            "inspection.item_reviewed",
            locked,
            region_id=sample.region_id,
            before=before,
            after=snapshot(locked, fields),
            note=f"{sample.number} #{locked.seq}",
        )
    return locked


def do_complete_sample(actor: Any, sample: Sample, *, on: dt.date | None = None) -> Sample:
    """完成复审: every item reviewed; the sample is then closed to changes. Completing again changes nothing."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _locked(Sample, sample)
        if locked.status == Sample.Status.COMPLETED:
            return locked
        pending = locked.items.filter(status=SampleItem.Status.PENDING).count()
        if pending:
            raise Conflict(f"还有 {pending} 份病历未复审，不能完成", code="items_pending", details={"pending": pending})
        locked.status, locked.completed_on, locked.completed_by = Sample.Status.COMPLETED, on, user_or_none(actor)
        locked.save(update_fields=["status", "completed_on", "completed_by"])
        record_event(
            actor,
            "inspection.sample_completed",
            locked,
            region_id=locked.region_id,
            before={"status": Sample.Status.OPEN},
            after={"status": locked.status, "completed_on": on, "overdue": locked.is_overdue()},
        )
    return locked


# -- documents -----------------------------------------------------------------------------------------------


def _sniff(path: Path) -> tuple[str, str, str] | None:
    with path.open("rb") as handle:
        head = handle.read(8)
    for signature, content_type, kind, suffix in SIGNATURES:
        if head.startswith(signature):
            return content_type, kind, suffix
    return None


def do_attach_document(
    actor: Any,
    *,
    chunks: Iterable[bytes],
    name: str,
    sample_item: SampleItem | None = None,
    inspection: Inspection | None = None,
    finding: Finding | None = None,
    note: str = "",
) -> Document:
    """Attach a JPEG, PNG or PDF (at most 10 MB) to a sample item (病历扫描件; while its sample is open) or to an
    inspection or one of its findings (照片、材料; while the inspection is a draft). The type is read from the
    file's first bytes; anything else is refused and nothing is kept."""
    if finding is not None:
        inspection = finding.inspection
    if (sample_item is None) == (inspection is None):
        raise InvalidInput("附件须属于一份抽样病历或一次现场巡查", code="invalid_owner")
    note = _text(note, "说明", "note", max_length=200, required=False)
    display = Path(str(name or "")).name[:200] or "document"
    stored = store_upload(
        iter(chunks),
        name="upload.bin",
        folder="inspection",
        max_bytes=MAX_DOCUMENT_BYTES,
        too_large="文件超过 10 MB",
        empty="文件为空",
    )
    try:
        sniffed = _sniff(stored.path)
        if sniffed is None:
            raise InvalidInput(
                "只能上传 JPG、PNG 图片或 PDF 文件",
                code="invalid_file_type",
                details=[{"path": "file", "message": "文件类型不支持"}],
            )
        content_type, kind, suffix = sniffed
        target = stored.path.with_name(f"document{suffix}")
        stored.path.rename(target)
        stored = StoredUpload(target, stored.sha256, stored.size)
        with transaction.atomic():
            if sample_item is not None:
                item = SampleItem.objects.select_related("sample").get(pk=sample_item.pk)
                if Sample.objects.select_for_update().get(pk=item.sample_id).status != Sample.Status.OPEN:
                    raise Conflict("该抽样复审已完成，不能再上传附件", code="sample_completed")
                region, hospital = item.sample.region_id, None
            else:
                assert inspection is not None
                owner = _locked(Inspection, inspection)
                if owner.status != Inspection.Status.DRAFT:
                    raise Conflict("只有草稿状态的巡查可以上传附件", code="not_draft")
                region, hospital = owner.region_id, owner.hospital_id
            document = Document.objects.create(
                region_id=region,
                hospital_id=hospital,
                sample_item=sample_item,
                inspection=inspection,
                finding=finding,
                name=display,
                kind=kind,
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                path=str(stored.path),
                note=note,
                uploaded_by=user_or_none(actor),
            )
            record_event(
                actor,
                "inspection.document_attached",
                document,
                region_id=region,
                after={
                    "name": display,
                    "kind": kind,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "sample_item": sample_item.pk if sample_item else None,
                    "inspection": inspection.pk if inspection else None,
                    "finding": finding.pk if finding else None,
                },
            )
    except BaseException:
        discard(stored)
        raise
    return document


# -- on-site inspections -------------------------------------------------------------------------------------


def assignee_posts() -> frozenset[str]:
    """The posts a remote investigation may be assigned to: those the matrix lets record its result."""
    return writers("inspection:investigation_result")


def _inspectors(region: str, inspectors: Iterable[Any]) -> list[User]:
    ids = sorted({i for i in (_user_id(v) for v in inspectors) if i is not None})
    if not ids:
        raise InvalidInput(
            "请至少选择一名巡查人员（通常为两人）",
            code="no_inspectors",
            details=[{"path": "inspectors", "message": "至少一名巡查人员"}],
        )
    users = list(
        User.objects.filter(pk__in=ids, is_active=True, post__in=FIELD_POSTS, regions__admdvs=region).distinct()
    )
    if len(users) != len(ids):
        raise InvalidInput(
            "巡查人员须为本统筹区在岗的稽核、审核或管理人员",
            code="invalid_inspectors",
            details=[{"path": "inspectors", "message": "巡查人员不符合条件"}],
        )
    return users


def _finding_values(data: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    return {
        "description": _text(data.get("description"), "问题描述", f"{path}description", max_length=500),
        "basis": _text(data.get("basis"), "违规依据", f"{path}basis", max_length=300),
        "amount": money(data.get("amount", "0") or "0", "扣款金额", f"{path}amount"),
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
    region = _region(hospital.region_id, actor)
    if str(kind or "") not in Inspection.Kind.values:
        raise InvalidInput(
            "请选择巡查类型（日常巡查、专项检查或驻点核查）",
            code="invalid_kind",
            details=[{"path": "kind", "message": "巡查类型不正确"}],
        )
    return {
        "region": region,
        "inspected_on": _day(inspected_on, "巡查日期", "inspected_on"),
        "kind": str(kind),
        "inspectors": _inspectors(region, inspectors),
        "summary": _text(summary, "巡查情况", "summary", max_length=2000, required=False),
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
    locked: Inspection = _locked(Inspection, inspection)
    if locked.status != Inspection.Status.DRAFT:
        raise Conflict(f"巡查 {locked.number} 已{locked.get_status_display()}，只有草稿可以修改", code="not_draft")
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
            raise Conflict("该问题已有附件，不能删除", code="has_documents")
        before = snapshot(finding, ["inspection", "seq", "description", "basis", "amount"])
        record_event(actor, "inspection.finding_removed", finding, region_id=locked.region_id, before=before)
        finding.delete()


def do_submit_inspection(actor: Any, inspection: Inspection) -> Inspection:
    """提交: the draft goes to the manager for confirmation."""
    with transaction.atomic():
        locked = _draft(inspection)
        if not locked.inspectors.exists():
            raise InvalidInput("请至少选择一名巡查人员", code="no_inspectors")
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
        locked: Inspection = _locked(Inspection, inspection)
        if locked.status != Inspection.Status.SUBMITTED:
            raise Conflict("只有已提交的巡查可以退回", code="not_submitted")
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
    on = _day(on, "确认日期", "on", default=timezone.localdate())
    with transaction.atomic():
        locked: Inspection = _locked(Inspection, inspection)
        if locked.status == Inspection.Status.CONFIRMED:
            return locked
        if locked.status != Inspection.Status.SUBMITTED:
            raise Conflict("巡查须先提交，才能确认", code="not_submitted")
        _region(locked.region_id, actor)
        user = user_or_none(actor)
        if user is not None and locked.inspectors.filter(pk=user.pk).exists():
            raise Conflict("巡查人员不能确认本人参与的巡查", code="own_inspection")
        if on < locked.inspected_on:
            raise InvalidInput(
                "确认日期不能早于巡查日期",
                code="invalid_date",
                details=[{"path": "on", "message": "确认日期早于巡查日期"}],
            )
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


# -- remote investigations -----------------------------------------------------------------------------------


def _assignment(region: str, assignee: Any, assigned_region: Any) -> tuple[User | None, str | None]:
    branch = str(assigned_region.pk if isinstance(assigned_region, Region) else assigned_region or "").strip() or None
    if branch is not None and not Region.objects.filter(pk=branch).exists():
        raise InvalidInput(
            f"承办机构（统筹区）{branch} 不存在",
            code=inputs.InputCode.INVALID_REGION,
            details=[{"path": "assigned_region", "message": "统筹区不存在"}],
        )
    user_id = _user_id(assignee)
    if assignee not in (None, "") and user_id is None:
        raise InvalidInput(
            "承办人不正确", code="invalid_assignee", details=[{"path": "assignee", "message": "承办人不正确"}]
        )
    user = None
    if user_id is not None:
        user = (
            User.objects.filter(
                pk=user_id,
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
                code="invalid_assignee",
                details=[{"path": "assignee", "message": "承办人不符合条件"}],
            )
    return user, branch


def _subject(region: str, setl_id: Any, psn_no: Any) -> tuple[Settlement | None, str, str]:
    """The settlement and/or person the task is about (at least one), from the requesting region."""
    setl_id, psn_no = str(setl_id or "").strip(), str(psn_no or "").strip()
    if not setl_id and not psn_no:
        raise InvalidInput(
            "请填写协查对象：结算ID或人员编号",
            code="no_subject",
            details=[{"path": "setl_id", "message": "结算ID或人员编号至少填写一项"}],
        )
    settlement = None
    if setl_id:
        settlement = Settlement.objects.select_related("person").filter(setl_id=setl_id, region_id=region).first()
        if settlement is None:
            raise InvalidInput(
                f"结算 {setl_id} 不存在或不属于统筹区 {region}",
                code="unknown_settlement",
                details=[{"path": "setl_id", "message": "结算不存在"}],
            )
        if psn_no and psn_no != settlement.psn_no:
            raise InvalidInput(
                f"人员编号 {psn_no} 与结算 {setl_id} 的参保人不一致",
                code="subject_mismatch",
                details=[{"path": "psn_no", "message": "人员编号与结算不一致"}],
            )
        return settlement, settlement.psn_no, settlement.person.psn_name
    from dae.enrollment.models import Person

    person = Person.objects.filter(psn_no=psn_no, region_id=region).first()
    if person is None:
        raise InvalidInput(
            f"人员编号 {psn_no} 不是统筹区 {region} 的参保人",
            code="unknown_person",
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
    code = _region(region, actor)
    text = _text(subject, "协查事项", "subject", max_length=1000)
    settlement, psn, name = _subject(code, setl_id, psn_no)
    hospital = _text(hospital_name, "就医机构", "hospital_name", max_length=100, required=False)
    place = _text(hospital_place, "就医地", "hospital_place", max_length=100, required=False)
    if settlement is not None:
        hospital = hospital or settlement.hospital.name[:100]
        place = place or str(settlement.hospital.region)[:100]
    user, branch = _assignment(code, assignee, assigned_region)
    created = _day(created_on, "委托日期", "created_on", default=timezone.localdate())
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
            code="no_assignee",
            details=[{"path": "assignee", "message": "承办人或承办机构至少选择一项"}],
        )
    with transaction.atomic():
        locked: Investigation = _locked(Investigation, inv)
        if locked.status != Investigation.Status.OPEN:
            raise Conflict("已出结果的协查不能再分派", code="not_open")
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
            code="invalid_outcome",
            details=[{"path": "outcome", "message": "协查结论不正确"}],
        )
    text = _text(result_text, "协查结果", "result_text", max_length=1000)
    value = money(amount, "涉及金额", "amount")
    day = _day(result_on, "结果日期", "result_on", default=timezone.localdate())
    with transaction.atomic():
        locked: Investigation = _locked(Investigation, inv)
        if locked.status != Investigation.Status.OPEN:
            raise Conflict("该协查已登记结果", code="not_open")
        if day < locked.created_on:
            raise InvalidInput(
                "结果日期不能早于委托日期",
                code="invalid_date",
                details=[{"path": "result_on", "message": "结果日期早于委托日期"}],
            )
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
    text = _text(feedback_text, "反馈内容", "feedback_text", max_length=1000)
    day = _day(feedback_on, "反馈日期", "feedback_on", default=timezone.localdate())
    with transaction.atomic():
        locked: Investigation = _locked(Investigation, inv)
        if locked.status != Investigation.Status.ANSWERED:
            raise Conflict("须先登记协查结果，且尚未反馈", code="not_answered")
        assert locked.result_on is not None
        if day < locked.result_on:
            raise InvalidInput(
                "反馈日期不能早于结果日期",
                code="invalid_date",
                details=[{"path": "feedback_on", "message": "反馈日期早于结果日期"}],
            )
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
