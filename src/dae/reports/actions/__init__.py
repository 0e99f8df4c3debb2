"""Every write of the statistics system, one transaction each with its event: saved pivot views, the annual
hospital evaluation's workflow, and the analysis reports' sign-off chain (``reports/actions/signoff.py`` holds the report
writes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, NotFound, require_reason
from dae.core.events import record_event
from dae.core.inputs import text
from dae.credit.actions.violations import do_record_violation

from .. import evaluation as ev
from .. import indicator_data
from .. import indicators as engine
from ..codes import Code
from ..models import Evaluation, EvaluationScore, SavedView
from ..periods import Period, PeriodError
from ..queries import evaluation_scores

MAX_VIEWS = 50  # per person: saved views are capped (a BI instance with 8,000 saved pivots did not cope)


def do_save_view(user: Any, *, name: str, indicator: str, dims: tuple[str, ...], period: str) -> SavedView:
    name = text(name, field="name", label="视图名称", max_length=60)
    ind = engine.REGISTRY.get(indicator)
    if ind is None:
        raise InvalidInput(f"未知的统计指标: {indicator}", code=Code.BAD_INDICATOR)
    dims = tuple(d for d in dims if d)
    if not 1 <= len(dims) <= 2 or any(d not in ind.dims for d in dims):
        raise InvalidInput("分组维度不适用于该指标", code=Code.BAD_DIMENSION)
    try:
        Period.parse(period)
    except PeriodError as error:
        raise InvalidInput(str(error), code=Code.BAD_PERIOD) from error
    with transaction.atomic():
        if SavedView.objects.filter(owner=user).count() >= MAX_VIEWS:
            raise InvalidInput(f"最多保存 {MAX_VIEWS} 个视图, 请先删除不用的", code=Code.TOO_MANY_VIEWS)
        view, _created = SavedView.objects.update_or_create(
            owner=user, name=name, defaults={"indicator": indicator, "dims": ",".join(dims), "period": period})
        record_event(user, "reports.view_saved", object_type="reports.savedview", object_id=str(view.pk),
                     after={"name": name, "indicator": indicator, "dims": list(dims), "period": period})
    return view


def do_delete_view(user: Any, view: SavedView) -> None:
    if view.owner_id != user.pk:
        raise NotFound("视图不存在")
    with transaction.atomic():
        pk = view.pk
        view.delete()
        record_event(user, "reports.view_deleted", object_type="reports.savedview", object_id=str(pk),
                     before={"name": view.name})


# --- the annual hospital evaluation (定点医疗机构年度考核) ---------------------------------------------------------
# 草稿 (computed; recomputed while a draft) → 已复核 (the manager) → 已签发 (the supervisor, not the person who
# adjusted or reviewed; frozen) → 已公布 (each hospital reads its own sheet; poor grades feed the credit scores).


def _decimal_json(values: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {k: None if v is None else str(v) for k, v in values.items()}


def do_compute_evaluation(user: Any, *, region: str, year: int) -> Evaluation:
    """Score every hospital of ``region`` for ``year`` on the default sheet and store the sheets; a draft is
    computed again (the manager's adjustments and their reasons stay and apply to the new totals)."""
    if region not in getattr(user, "region_codes", []):
        raise InvalidInput("只能计算本人所辖统筹区的考核", code=Code.NO_REGION)
    sheet = ev.DEFAULT_SHEET
    scores, version = evaluation_scores(indicator_data.Scope(regions=(region,)), year, sheet)
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().filter(region_id=region, year=year).first()
        if evaluation is not None and evaluation.status != Evaluation.Status.DRAFT:
            raise Conflict(f"该年度考核已{evaluation.get_status_display()}, 不能重新计算", code=Code.FROZEN)
        fields = {"sheet": [c.as_json() for c in sheet], "sheet_digest": ev.sheet_digest(sheet),
                  "data_version": version, "computed_by": user, "computed_at": timezone.now()}
        if evaluation is None:
            evaluation = Evaluation.objects.create(region_id=region, year=year, **fields)
        else:
            for k, v in fields.items():
                setattr(evaluation, k, v)
            evaluation.save()
        kept = {s.hospital_id: s for s in evaluation.scores.all()}
        seen = set()
        for s in scores:
            hid = int(s.hospital)
            seen.add(hid)
            row = kept.get(hid) or EvaluationScore(evaluation=evaluation, hospital_id=hid)
            row.values, row.points, row.total = _decimal_json(s.values), _decimal_json(dict(s.points)), s.total
            row.final_total = s.total + row.adjustment
            row.grade = ev.grade(row.final_total)
            row.save()
        gone = {hid: row for hid, row in kept.items() if hid not in seen}  # no figures in the year any more
        EvaluationScore.objects.filter(pk__in=[row.pk for row in gone.values()]).delete()
        record_event(user, "reports.evaluation_computed", evaluation, region_id=region,
                     after={"year": year, "hospitals": len(scores), "data_version": version,
                            "sheet_digest": evaluation.sheet_digest, "removed": sorted(gone)})
    return evaluation


def do_adjust_score(user: Any, score: EvaluationScore, *, adjustment: Any, reason: str) -> EvaluationScore:
    """The manager's adjustment of one hospital's total (at most ±``MAX_ADJUSTMENT`` points, a reason
    required); the final total and the grade follow. Only before the sign-off."""
    reason = require_reason(reason, "调整理由", max_length=500)
    value = _adjustment(adjustment)
    with transaction.atomic():
        row = EvaluationScore.objects.select_for_update().select_related("evaluation").get(pk=score.pk)
        if row.evaluation.frozen:
            raise Conflict("考核已签发, 不能再调整", code=Code.FROZEN)
        before = {"adjustment": row.adjustment, "final_total": row.final_total, "grade": row.grade,
                  "reason": row.reason}
        row.adjustment, row.reason = value, reason
        row.final_total = row.total + value
        row.grade = ev.grade(row.final_total)
        row.adjusted_by, row.adjusted_at = user, timezone.now()
        row.save(update_fields=["adjustment", "reason", "final_total", "grade", "adjusted_by", "adjusted_at"])
        evaluation = row.evaluation
        if evaluation.status == Evaluation.Status.REVIEWED:  # a changed sheet is reviewed again
            evaluation.status, evaluation.reviewed_by, evaluation.reviewed_at = Evaluation.Status.DRAFT, None, None
            evaluation.save(update_fields=["status", "reviewed_by", "reviewed_at"])
        record_event(user, "reports.evaluation_adjusted", row, region_id=evaluation.region_id, note=reason,
                     before=before, after={"adjustment": value, "final_total": row.final_total,
                                           "grade": row.grade, "reason": reason})
    return row


def _adjustment(raw: Any) -> Decimal:
    return inputs.amount(raw, field="adjustment", label="调整分", minimum=-ev.MAX_ADJUSTMENT,
                         maximum=ev.MAX_ADJUSTMENT)


def _evaluation_step(user: Any, evaluation: Evaluation, *, frm: str, to: str, by: str, at: str,
                     action: str, same_person: bool = True) -> Evaluation:
    with transaction.atomic():
        ev_row = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if ev_row.status != frm:
            raise Conflict(f"考核当前状态为 {ev_row.get_status_display()}, 不能执行此步骤", code=Code.WRONG_STEP)
        if not same_person:
            adjusters = set(ev_row.scores.exclude(adjusted_by=None).values_list("adjusted_by", flat=True))
            if user.pk in adjusters | {ev_row.reviewed_by_id}:
                raise Conflict("签发人不能是调整或复核考核得分的人", code=Code.SAME_PERSON)
        ev_row.status = to
        setattr(ev_row, by, user)
        setattr(ev_row, at, timezone.now())
        ev_row.save(update_fields=["status", by, at])
        if to == Evaluation.Status.PUBLISHED:
            _feed_credit(user, ev_row)
        record_event(user, action, ev_row, region_id=ev_row.region_id, before={"status": frm}, after={"status": to})
    return ev_row


def do_review_evaluation(user: Any, evaluation: Evaluation) -> Evaluation:
    return _evaluation_step(user, evaluation, frm=Evaluation.Status.DRAFT, to=Evaluation.Status.REVIEWED,
                            by="reviewed_by", at="reviewed_at", action="reports.evaluation_reviewed")


def do_sign_off_evaluation(user: Any, evaluation: Evaluation) -> Evaluation:
    return _evaluation_step(user, evaluation, frm=Evaluation.Status.REVIEWED, to=Evaluation.Status.SIGNED,
                            by="signed_by", at="signed_at", action="reports.evaluation_signed", same_person=False)


def do_publish_evaluation(user: Any, evaluation: Evaluation) -> Evaluation:
    """Publish a signed evaluation: each hospital reads its own sheet from now on, and each poor grade is
    recorded in the credit system (in the same transaction)."""
    return _evaluation_step(user, evaluation, frm=Evaluation.Status.SIGNED, to=Evaluation.Status.PUBLISHED,
                            by="published_by", at="published_at", action="reports.evaluation_published")


def _feed_credit(user: Any, evaluation: Evaluation) -> None:
    """Each hospital graded 基本合格 or 不合格 loses the grade's credit points (``evaluation.CREDIT_POINTS``):
    a credit event whose source is the published sheet, dated the publication day (idempotent on the sheet)."""
    for row in evaluation.scores.select_related("hospital").filter(grade__in=list(ev.CREDIT_POINTS)):
        do_record_violation(party_kind="hospital", party_code=row.hospital.code, region_id=evaluation.region_id,
                            amount=Decimal("0.00"), source=("reports.evaluation", row.pk),
                            on=timezone.localdate(), actor=user, points=ev.CREDIT_POINTS[row.grade],
                            note=f"{evaluation.year} 年度考核 {row.final_total} 分, {row.grade_name}")
