"""Every write of forecasting and warnings: one transaction each, with its event."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none

from . import services
from .errors import ErrorCode
from .history import region_series
from .models import Alert, ForecastRun, Indicator, Threshold

ENGINE = "statsforecast 2.1.1"


def do_make_forecast(actor: Any, region: str, *, through: dt.date | None = None,
                     horizon: int = services.HORIZON) -> ForecastRun:
    """Forecast every monthly series of ``region`` from the stored history up to ``through`` and store the run.
    The models run before the transaction opens (they read, they do not write)."""
    started = time.perf_counter()
    series = region_series(region, through=through)
    if series is None:
        raise Conflict("该统筹区尚无结算数据，无法预测", code=ErrorCode.NO_HISTORY)
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
        raise InvalidInput("未知的预警指标", code=ErrorCode.BAD_THRESHOLD)
    higher = services.DEFAULTS[indicator].higher_is_worse
    if (higher and red < yellow) or (not higher and red > yellow):
        raise InvalidInput("红色预警线应比黄色预警线更严重", code=ErrorCode.BAD_THRESHOLD)
    with transaction.atomic():
        if Threshold.objects.filter(indicator=indicator, effective_from=effective_from).exists():
            raise Conflict("该指标在这一天已有设置，请选择其他生效日期", code=ErrorCode.BAD_THRESHOLD)
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
    note = require_reason(note)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != Alert.Status.OPEN:
            raise Conflict("只有待处理的预警可以确认知悉", code=ErrorCode.ALERT_STATE)
        alert.status = Alert.Status.ACKNOWLEDGED
        alert.acknowledged_by = user_or_none(actor)
        alert.acknowledged_at = timezone.now()
        alert.ack_note = note
        alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "ack_note"])
        record_event(actor, "forecast.alert_acknowledged", alert, region_id=alert.region_id,
                     before={"status": Alert.Status.OPEN}, after={"status": alert.status, "note": note})
    return alert


def do_close_alert(actor: Any, alert: Alert, note: str) -> Alert:
    note = require_reason(note)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == Alert.Status.CLOSED:
            raise Conflict("该预警已关闭", code=ErrorCode.ALERT_STATE)
        before = alert.status
        alert.status = Alert.Status.CLOSED
        alert.closed_by = user_or_none(actor)
        alert.closed_at = timezone.now()
        alert.close_note = note
        alert.save(update_fields=["status", "closed_by", "closed_at", "close_note"])
        record_event(actor, "forecast.alert_closed", alert, region_id=alert.region_id,
                     before={"status": before}, after={"status": alert.status, "note": note})
    return alert
