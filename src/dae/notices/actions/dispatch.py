"""Handing queued SMS to the gateway, with retries (短信发送与重试).

``do_dispatch_sms`` sends what is due: each message is first *claimed* (a conditional update ``queued → sending``
that only one process can win, attempts + 1) and committed, then handed to the gateway outside any transaction,
then its outcome is written: sent; or, after a failure, queued again with a back-off (1 min, 5 min, 30 min …) until
``max_attempts()``, then failed for good. A message is therefore never handed over twice at once, and one the
gateway accepted is never sent again; a process that dies between the claim and the outcome leaves the message
``sending`` — it is shown in the outbox for a person to decide, never retried blindly (at most once).

``do_queue_sms`` queues a message that is not a claim notice (publicity, reminders): at most ``daily_limit()`` a
day per person, and a ``key`` that is queued once only. Run ``dae sms_dispatch`` from cron every minute with a real
gateway; ``deliver_sms`` (after commit) calls the same code for the messages just written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from dae.core.events import record_event

from ..models import Contact, SmsMessage
from ..sms import SendResult, backend_path, get_backend

log = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd, 4th … attempt (the last one repeats).
BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))


def max_attempts() -> int:
    return int(getattr(settings, "DAE_SMS_MAX_ATTEMPTS", 4))


def daily_limit() -> int:
    return int(getattr(settings, "DAE_SMS_DAILY_LIMIT", 3))


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


@dataclass(frozen=True)
class Dispatch:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def _due(now: dt.datetime) -> Q:
    return Q(status=SmsMessage.Status.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def _claim(pk: int, now: dt.datetime) -> SmsMessage | None:
    with transaction.atomic():
        won = SmsMessage.objects.filter(_due(now), pk=pk).update(status=SmsMessage.Status.SENDING,
                                                                 attempts=F("attempts") + 1)
    return SmsMessage.objects.get(pk=pk) if won else None


def _send(message: SmsMessage) -> SendResult:
    if not message.phone:
        return SendResult(ok=False, error="未登记手机号码")
    try:
        return get_backend().send(message.phone, message.text)
    except Exception as exc:  # noqa: BLE001 - any gateway failure is an outcome of this attempt, logged and kept
        log.warning("SMS %s via %s failed: %s", message.pk, backend_path(), exc)
        return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])


def _outcome(message: SmsMessage, result: SendResult, now: dt.datetime) -> str:
    """Write the attempt's outcome; returns ``sent``, ``retrying`` or ``failed``."""
    with transaction.atomic():
        row = SmsMessage.objects.select_for_update().get(pk=message.pk)
        row.backend, row.provider_ref, row.error = backend_path(), result.provider_ref[:100], result.error[:300]
        if result.ok:
            row.status, row.sent_at, row.next_attempt_at, outcome = SmsMessage.Status.SENT, now, None, "sent"
        elif row.phone and row.attempts < max_attempts():
            row.status, row.next_attempt_at, outcome = SmsMessage.Status.QUEUED, now + backoff(row.attempts), "retrying"
        else:
            row.status, row.next_attempt_at, outcome = SmsMessage.Status.FAILED, None, "failed"
        row.save(update_fields=["status", "sent_at", "next_attempt_at", "backend", "provider_ref", "error"])
    return outcome


def do_dispatch_sms(actor: Any = None, *, now: dt.datetime | None = None, ids: Iterable[int] | None = None,
                    limit: int = 1000) -> Dispatch:
    """Send the messages that are due (all, or those of ``ids``), at most ``limit``; one event for the run."""
    now = now or timezone.now()
    due = SmsMessage.objects.filter(_due(now))
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    if not get_backend().delivers:
        return Dispatch()
    for pk in list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]):
        message = _claim(pk, now)
        if message is None:  # another process claimed it first
            continue
        counts[_outcome(message, _send(message), now)] += 1
    result = Dispatch(**counts)
    if result.handled:
        with transaction.atomic():
            record_event(actor, "notice.sms_dispatched", object_type="notices.smsmessage", object_id="",
                         after={**counts, "backend": backend_path()})
    return result


def sent_today(psn_no: str, day: dt.date) -> int:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return SmsMessage.objects.filter(psn_no=psn_no, created_at__gte=start,
                                     created_at__lt=start + dt.timedelta(days=1)).count()


def do_queue_sms(actor: Any, *, psn_no: str, region_id: str, text: str, key: str) -> SmsMessage | None:
    """Queue a publicity or reminder message for a person (the number they last gave). Returns the message, the
    earlier one when ``key`` was queued before (never twice), or ``None`` when the person already had
    ``daily_limit()`` messages today. Caller's transaction, or its own."""
    with transaction.atomic():
        existing = SmsMessage.objects.filter(key=key).first()
        if existing is not None:
            return existing
        if sent_today(psn_no, timezone.localdate()) >= daily_limit():
            return None
        phone = Contact.objects.filter(psn_no=psn_no).values_list("phone", flat=True).first() or ""
        message = SmsMessage.objects.create(
            psn_no=psn_no, phone=phone, text=text[:500], region_id=region_id, backend=backend_path(), key=key,
            status=SmsMessage.Status.QUEUED if phone else SmsMessage.Status.FAILED,
            error="" if phone else "未登记手机号码")
        record_event(actor, "notice.sms_queued", message, region_id=region_id,
                     after={"psn_no": psn_no, "key": key, "status": message.status})
    return message
