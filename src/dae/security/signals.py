"""Sign-in events: every failed sign-in, every lockout and every attempt during one go to the event log; a
log-in starts the session's idle and absolute clocks."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .actions import do_record_lockout, do_record_login_failure
from .passwords import password_expired

AUTH_AT = "dae_auth_at"
SEEN_AT = "dae_seen_at"
PW_CHANGE = "dae_pw_change"


def _address(request: Any) -> str:
    return str(getattr(request, "axes_ip_address", "") or (request.META.get("REMOTE_ADDR", "") if request else ""))


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    do_record_login_failure(str(credentials.get("username", ""))[:150], _address(request))


@receiver(user_locked_out)
def locked_out(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
               **kwargs: Any) -> None:
    do_record_lockout(username, ip_address, newly=getattr(request, "axes_failures_since_start", None) is not None)


@receiver(user_logged_in)
def start_clocks(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[AUTH_AT] = now
        request.session[SEEN_AT] = now

        request.session[PW_CHANGE] = bool(getattr(user, "must_change_password", False) or password_expired(user))
