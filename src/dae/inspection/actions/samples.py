"""The monthly re-review sample (抽样复审): the sampling defaults (``do_change_settings``, manager), the seeded draw
(``do_draw_sample``), the three comparisons per item (``do_review_item``) and closing the sample
(``do_complete_sample``). Each checks its input first, then writes in one transaction with its event."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, snapshot, user_or_none
from dae.core.models import Region
from dae.core.months import month_bounds
from dae.workdays.service import deadline, warning_dict

from .. import population, sampling
from ..codes import Code
from ..models import Comparison, Sample, SampleItem, SamplingSettings
from ..queries import settings_in_force
from .shared import locked_row

MAX_DEADLINE_DAYS = 120
#: The three comparisons, named in the refusals (plain Chinese: the messages are Chinese whatever the UI language).
COMPARISON_NAMES = {
    "system_vs_record": "系统明细与病历",
    "record_vs_bill": "病历与费用清单",
    "system_vs_bill": "系统明细与费用清单",
}


def _days(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DEADLINE_DAYS:
        raise InvalidInput(
            f"复审完成时限须为 1 到 {MAX_DEADLINE_DAYS} 个工作日",
            code=CoreCode.INVALID_DAYS,
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
            raise Conflict("抽样参数刚被他人修改，请刷新后重试", code=Code.SETTINGS_CHANGED) from None
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
    code = inputs.actor_region(actor, region)
    _first, last = month_bounds(str(month).strip())
    month = str(month).strip()
    on = on or timezone.localdate()
    if on <= last:
        raise InvalidInput(
            f"{month} 尚未结束，须在 {last} 之后抽样",
            code=CoreCode.MONTH_NOT_OVER,
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
                code=Code.SAMPLE_EXISTS,
                details={"sample": existing.pk},
            )
        result = sampling.draw(population.candidates(code, month), seed_value, inpatient, cross)
        if not result.population:
            raise Conflict(f"统筹区 {code} {month} 没有住院结算，无需抽样", code=CoreCode.EMPTY_POPULATION)
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
            raise Conflict(f"统筹区 {code} {month} 刚被他人抽样，请刷新", code=Code.SAMPLE_EXISTS) from None
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




def _refuse(message: str, problems: list[dict[str, str]], code: str = CoreCode.INVALID_INPUT) -> None:
    if problems:
        raise InvalidInput(message + "：" + "；".join(p["message"] for p in problems), code=code, details=problems)



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
        amount = inputs.clerk_amount(raw, field="not_payable", label="不予支付金额")
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
    _refuse("复审记录有误", problems, code=Code.INVALID_REVIEW)
    values.update(not_payable=amount, conclusion=conclusion, opinion=opinion)
    return values


def do_review_item(actor: Any, item: SampleItem, **data: Any) -> SampleItem:
    """病历复审: record the three comparisons (each 一致/不一致, a note when 不一致), the amount found not payable
    (≥ 0, at most the settlement's total) and the conclusion. A reviewed item may be corrected until the sample is
    completed (the event keeps what it was)."""
    unknown = set(data) - set(REVIEW_FIELDS)
    if unknown:
        raise InvalidInput(f"未知的复审字段：{'、'.join(sorted(unknown))}", code=Code.INVALID_REVIEW)
    item = SampleItem.objects.select_related("settlement", "sample").get(pk=item.pk)
    values = check_review(item, data)
    with transaction.atomic():
        locked = SampleItem.objects.select_for_update().select_related("sample").get(pk=item.pk)
        sample = Sample.objects.select_for_update().get(pk=locked.sample_id)
        if sample.status != Sample.Status.OPEN:
            raise Conflict("该抽样复审已完成，不能再修改复审记录", code=Code.SAMPLE_COMPLETED)
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
        locked = locked_row(Sample, sample)
        if locked.status == Sample.Status.COMPLETED:
            return locked
        pending = locked.items.filter(status=SampleItem.Status.PENDING).count()
        if pending:
            raise Conflict(f"还有 {pending} 份病历未复审，不能完成", code=Code.ITEMS_PENDING, details={"pending": pending})
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
