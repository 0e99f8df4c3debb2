"""Sign-in events: every failed sign-in, every lockout and every attempt during one go to the event log; a
log-in starts the session's idle and absolute clocks."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from dae.core.events import record_event

from .lockout import _user_id

AUTH_AT = "dae_auth_at"
SEEN_AT = "dae_seen_at"
PW_CHANGE = "dae_pw_change"


def _address(request: Any) -> str:
    return str(getattr(request, "axes_ip_address", "") or (request.META.get("REMOTE_ADDR", "") if request else ""))


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        record_event(None, "security.login_failed", object_type="accounts.user", object_id=_user_id(username),
                     after={"username": username, "ip_address": _address(request)},
                     note=f"{username} {_address(request)}".strip())


@receiver(user_locked_out)
def locked_out(sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None,
               **kwargs: Any) -> None:
    newly = getattr(request, "axes_failures_since_start", None) is not None
    action = "security.locked_out" if newly else "security.attempt_while_locked"
    with transaction.atomic():
        record_event(None, action, object_type="accounts.user", object_id=_user_id(username),
                     after={"username": username or "", "ip_address": ip_address or ""},
                     note=f"{username or ''} {ip_address or ''}".strip())


@receiver(user_logged_in)
def start_clocks(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[AUTH_AT] = now
        request.session[SEEN_AT] = now
        from .passwords import password_expired

        request.session[PW_CHANGE] = bool(getattr(user, "must_change_password", False) or password_expired(user))
