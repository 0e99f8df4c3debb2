"""Every write of forecasting and warnings: one transaction each, with its event."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none

from . import services
from .codes import Code
from .history import region_series
from .models import Alert, Budget, BudgetLine, ForecastRun, Indicator, Scenario, Threshold

ENGINE = "statsforecast 2.1.1"


def do_make_forecast(actor: Any, region: str, *, through: dt.date | None = None,
                     horizon: int = services.HORIZON) -> ForecastRun:
    """Forecast every monthly series of ``region`` from the stored history up to ``through`` and store the run.
    The models run before the transaction opens (they read, they do not write)."""
    started = time.perf_counter()
    series = region_series(region, through=through)
    if series is None:
        raise Conflict("该统筹区尚无结算数据，无法预测", code=Code.NO_HISTORY)
    results = services.forecast_series(series, horizon)
    results["horizon"] = horizon
    digest = services.results_digest(results)
    with transaction.atomic():
        run = ForecastRun.objects.create(
            region_id=region, first_month=series.first, last_month=series.last, data_version=series.version(),
            engine=ENGINE, results=results, digest=digest, made_by=user_or_none(actor),
            seconds=Decimal(str(round(time.perf_counter() - started, 2))))
        record_event(actor, "forecast.run", run, region_id=region,
                     after={"last_month": series.last.isoformat()[:7], "data_version": run.data_version,
                            "digest": digest, "model": results["metrics"]["payout"]["model"]})
    return run


def do_set_threshold(actor: Any, *, indicator: str, yellow: Decimal, red: Decimal, effective_from: dt.date,
                     note: str = "") -> Threshold:
    """A new dated setting of an indicator's levels (the earlier ones stay, for the warnings they explain)."""
    if indicator not in Indicator.values:
        raise InvalidInput("未知的预警指标", code=Code.BAD_THRESHOLD)
    higher = services.DEFAULTS[indicator].higher_is_worse
    if (higher and red < yellow) or (not higher and red > yellow):
        raise InvalidInput("红色预警线应比黄色预警线更严重", code=Code.BAD_THRESHOLD)
    with transaction.atomic():
        if Threshold.objects.filter(indicator=indicator, effective_from=effective_from).exists():
            raise Conflict("该指标在这一天已有设置，请选择其他生效日期", code=Code.BAD_THRESHOLD)
        row = Threshold.objects.create(indicator=indicator, yellow=yellow, red=red, effective_from=effective_from,
                                       note=note, created_by=user_or_none(actor))
        record_event(actor, "forecast.threshold_set", row,
                     after={"indicator": indicator, "yellow": yellow, "red": red,
                            "effective_from": effective_from.isoformat(), "note": note})
    return row


def _sms(alerts: list[Alert], actor: Any) -> list[int]:
    """Queue an SMS per warning to the numbers configured for the region (``FORECAST_ALERT_PHONES``)."""
    from dae.notices.models import SmsMessage
    from dae.notices.sms import backend_path

    phones: dict[str, list[str]] = getattr(settings, "FORECAST_ALERT_PHONES", {}) or {}
    ids = []
    for alert in alerts:
        for phone in phones.get(alert.region_id, []):
            sms = SmsMessage.objects.create(psn_no="manager", phone=phone, text=f"【基金预警】{alert.message}"[:500],
                                            region_id=alert.region_id, backend=backend_path())
            ids.append(sms.pk)
    return ids


def do_raise_alerts(actor: Any, region: str, period: dt.date) -> list[Alert]:
    """Evaluate every indicator of ``region`` for the month ``period`` and raise each warning once: a warning
    already raised for the same indicator, period and subject is left as it is (whatever its state). The
    figures are computed before the transaction; the new warnings, their SMS and events are one write."""
    findings = services.evaluate(region, period)
    label = f"{period:%Y-%m}"
    raised: list[Alert] = []
    with transaction.atomic():
        existing = set(Alert.objects.filter(region_id=region, period=label).values_list("indicator", "subject"))
        for f in findings:
            if (f.indicator, f.subject) in existing:
                continue
            alert = Alert.objects.create(
                region_id=region, indicator=f.indicator, period=label, subject=f.subject, hospital_id=f.hospital_id,
                level=f.level, figure=f.figure, threshold=f.threshold, threshold_from=f.threshold_from,
                message=f.message[:500], evidence=f.evidence, href=f.href)
            record_event(actor, "forecast.alert_raised", alert, region_id=region,
                         after={"indicator": f.indicator, "period": label, "level": f.level,
                                "figure": f.figure, "threshold": f.threshold, "subject": f.subject})
            raised.append(alert)
        sms_ids = _sms(raised, actor)
    if sms_ids:
        from dae.notices.sms import schedule_delivery

        schedule_delivery(sms_ids)
    return raised


def do_acknowledge_alert(actor: Any, alert: Alert, note: str) -> Alert:
    return _decide_alert(actor, alert, note, Alert.Status.ACKNOWLEDGED, ("acknowledged_by", "acknowledged_at", "ack_note"),
                         "forecast.alert_acknowledged",
                         lambda status: None if status == Alert.Status.OPEN else "只有待处理的预警可以确认知悉")


def do_close_alert(actor: Any, alert: Alert, note: str) -> Alert:
    return _decide_alert(actor, alert, note, Alert.Status.CLOSED, ("closed_by", "closed_at", "close_note"),
                         "forecast.alert_closed",
                         lambda status: "该预警已关闭" if status == Alert.Status.CLOSED else None)


def _decide_alert(actor: Any, alert: Alert, note: str, status: str, fields: tuple[str, str, str], event: str,
                  refusal: Callable[[str], str | None]) -> Alert:
    """Move a warning to ``status`` with who, when and the note (``fields``: the by, at and note fields), under a
    row lock and with its event; ``refusal`` says why the warning's current status does not allow it."""
    note = require_reason(note)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        refused = refusal(alert.status)
        if refused:
            raise Conflict(refused, code=Code.ALERT_STATE)
        before = alert.status
        by, at, note_field = fields
        alert.status = status
        setattr(alert, by, user_or_none(actor))
        setattr(alert, at, timezone.now())
        setattr(alert, note_field, note)
        alert.save(update_fields=["status", *fields])
        record_event(actor, event, alert, region_id=alert.region_id, before={"status": before},
                     after={"status": alert.status, "note": note})
    return alert


# -- annual payout budget (年度赔付预算) ----------------------------------------------------------------------

def do_draft_budget(actor: Any, region: str, year: int, *, run: ForecastRun | None = None,
                    reason: str = "") -> Budget:
    """The first version of a region's budget for ``year``, drafted from the forecast ``run`` (default: the
    region's latest) and the stored actuals (``budget.draft_amounts``)."""
    from .budget import draft_amounts

    run = run or ForecastRun.objects.filter(region_id=region).order_by("-made_at", "-id").first()
    amounts = draft_amounts(region, year, run)
    with transaction.atomic():
        if Budget.objects.filter(region_id=region, year=year).exists():
            raise Conflict("该年度已有预算，请在现有预算上修订", code=Code.BUDGET_EXISTS)
        budget = Budget.objects.create(region_id=region, year=year, version=1, reason=reason or "依据预测编制",
                                       source_run=run, created_by=user_or_none(actor))
        BudgetLine.objects.bulk_create([BudgetLine(budget=budget, month=m, amount=Decimal(fen) / 100)
                                        for m, fen in amounts.items()])
        record_event(actor, "forecast.budget_drafted", budget, region_id=region,
                     after={"year": year, "version": 1, "run": run.pk if run else None,
                            "total": sum(Decimal(f) / 100 for f in amounts.values())})
    return budget


def _locked_draft(budget: Budget) -> Budget:
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    if budget.status != Budget.Status.DRAFT:
        raise Conflict("预算已批准并冻结；如需调整请发起修订（新版本）", code=Code.BUDGET_FROZEN)
    return budget


def do_edit_budget(actor: Any, budget: Budget, amounts: dict[int, Decimal]) -> Budget:
    """Set months' amounts of a draft (an approved budget is frozen)."""
    with transaction.atomic():
        budget = _locked_draft(budget)
        before = {}
        for month, amount in sorted(amounts.items()):
            if not 1 <= month <= 12:
                raise InvalidInput("月份应为 1–12", code=Code.BUDGET_FROZEN)
            line = BudgetLine.objects.get(budget=budget, month=month)
            if line.amount != amount:
                before[str(month)] = str(line.amount)
                line.amount = amount
                line.save(update_fields=["amount"])
        record_event(actor, "forecast.budget_edited", budget, region_id=budget.region_id, before=before,
                     after={str(m): str(a) for m, a in amounts.items() if str(m) in before})
    return budget


def do_approve_budget(actor: Any, budget: Budget) -> Budget:
    """Approve (and freeze) a draft; the version approved before it is superseded."""
    with transaction.atomic():
        budget = _locked_draft(budget)
        previous = Budget.objects.select_for_update().filter(
            region_id=budget.region_id, year=budget.year, status=Budget.Status.APPROVED).first()
        if previous is not None:
            previous.status = Budget.Status.SUPERSEDED
            previous.save(update_fields=["status"])
        budget.status = Budget.Status.APPROVED
        budget.approved_by = user_or_none(actor)
        budget.approved_at = timezone.now()
        budget.save(update_fields=["status", "approved_by", "approved_at"])
        total = sum((line.amount for line in budget.lines.all()), Decimal(0))
        record_event(actor, "forecast.budget_approved", budget, region_id=budget.region_id,
                     after={"year": budget.year, "version": budget.version, "total": total,
                            "superseded": previous.version if previous else None})
    return budget


def do_revise_budget(actor: Any, budget: Budget, reason: str) -> Budget:
    """A new draft version copying an approved budget, with the reason; the approved one stays in force until
    the revision is approved."""
    reason = require_reason(reason, "修订原因")
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget.pk)
        if budget.status != Budget.Status.APPROVED:
            raise Conflict("只有已批准的预算可以修订", code=Code.BUDGET_FROZEN)
        if Budget.objects.filter(region_id=budget.region_id, year=budget.year, status=Budget.Status.DRAFT).exists():
            raise Conflict("已有一份修订草稿，请先处理", code=Code.BUDGET_EXISTS)
        latest = Budget.objects.filter(region_id=budget.region_id, year=budget.year).order_by("-version").first()
        version = (latest.version if latest else budget.version) + 1
        revision = Budget.objects.create(region_id=budget.region_id, year=budget.year, version=version,
                                         reason=reason, source_run=budget.source_run, created_by=user_or_none(actor))
        BudgetLine.objects.bulk_create([BudgetLine(budget=revision, month=line.month, amount=line.amount)
                                        for line in budget.lines.all()])
        record_event(actor, "forecast.budget_revised", revision, region_id=budget.region_id,
                     after={"year": budget.year, "version": version, "from_version": budget.version,
                            "reason": reason})
    return revision


# -- policy simulation (政策测算) ----------------------------------------------------------------------------

def do_save_scenario(actor: Any, *, region: str, year: int, name: str, draft_document: dict[str, Any],
                     results: dict[str, Any], changes: dict[str, str], draft_version: Any = None) -> Scenario:
    """Save a simulation that was run (its figures, both rule-set versions, data version and digest)."""
    name = require_reason(name, "方案名称", max_length=100)
    with transaction.atomic():
        scenario = Scenario.objects.create(
            region_id=region, year=year, name=name, draft_version=draft_version, changes=changes,
            draft_document=draft_document, current_versions=results["current_versions"],
            data_version=results["data_version"], digest=results["digest"], results=results,
            seconds=Decimal(str(results.get("seconds", 0))), created_by=user_or_none(actor))
        record_event(actor, "forecast.scenario_saved", scenario, region_id=region,
                     after={"name": name, "year": year, "digest": scenario.digest, "changes": changes,
                            "draft_version": draft_version.pk if draft_version else None,
                            "change": results["totals"]["change"]})
    return scenario


def do_rerun_scenario(actor: Any, scenario: Scenario) -> tuple[Scenario, dict[str, Any]]:
    """Run a saved scenario again (same draft document, the current data) and record whether the digest is the
    same; the saved figures are not replaced."""
    from .simulation import simulate

    results = simulate(scenario.region_id, scenario.year, scenario.draft_document)
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        scenario.last_rerun_at = timezone.now()
        scenario.last_rerun_same = results["digest"] == scenario.digest
        scenario.save(update_fields=["last_rerun_at", "last_rerun_same"])
        record_event(actor, "forecast.scenario_rerun", scenario, region_id=scenario.region_id,
                     after={"digest": results["digest"], "same": scenario.last_rerun_same,
                            "data_version": results["data_version"],
                            "same_data": results["data_version"] == scenario.data_version})
    return scenario, results
