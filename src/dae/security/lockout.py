"""Lockout after repeated failures (django-axes, database handler), with the lockout and the unlock in the event
log. Axes locks per account and per address separately (``AXES_LOCKOUT_PARAMETERS``); a failure during a
lockout does not extend it (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``) but is logged."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from .actions import do_expire_lockouts


def locked_attempts() -> Any:
    """Attempt rows that are at or over the limit and not yet expired: the lockouts in force."""
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                        attempt_time__gt=threshold)


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    def clean_expired_user_attempts(self, request: Any = None, credentials: Any = None) -> int:
        """Before axes removes expired attempts, write an unlock event for each that was a lockout."""
        clean = super().clean_expired_user_attempts
        return do_expire_lockouts(lambda: int(clean(request, credentials)))
