"""Lockout after repeated failures (django-axes, database handler), with the lockout and the unlock in the event
log. Axes locks per account and per address separately (``AXES_LOCKOUT_PARAMETERS``); a failure during a
lockout does not extend it (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``) but is logged."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dae.core.events import record_event


def _user_id(username: str | None) -> str:
    from dae.accounts.models import User

    pk = User.objects.filter(username=username or "").values_list("pk", flat=True).first()
    return str(pk) if pk is not None else ""


def record_unlock(actor: Any, attempt: AccessAttempt, how: str) -> None:
    record_event(actor, "security.unlocked", object_type="accounts.user", object_id=_user_id(attempt.username),
                 after={"username": attempt.username or "", "ip_address": attempt.ip_address or "", "how": how},
                 note=f"{attempt.username or ''} {attempt.ip_address or ''}".strip())


def locked_attempts() -> Any:
    """Attempt rows that are at or over the limit and not yet expired: the lockouts in force."""
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                        attempt_time__gt=threshold)


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def clean_expired_user_attempts(self, request: Any = None, credentials: Any = None) -> int:
        """Before axes removes expired attempts, write an unlock event for each that was a lockout."""
        threshold = timezone.now() - settings.AXES_COOLOFF_TIME
        expired = AccessAttempt.objects.filter(attempt_time__lte=threshold,
                                               failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        with transaction.atomic():
            for attempt in expired:
                record_unlock(None, attempt, "expired")
            return int(super().clean_expired_user_attempts(request, credentials))


def do_unlock(actor: Any, attempt_id: int) -> int:
    """IT lifts a lockout early (an account's or an address's): the attempt rows go, an event says who."""
    with transaction.atomic():
        attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            return 0
        record_unlock(actor, attempt, "manual")
        same = Q(username=attempt.username) if attempt.username else Q(ip_address=attempt.ip_address)
        count, _ = AccessAttempt.objects.filter(same).delete()
    return int(count)
