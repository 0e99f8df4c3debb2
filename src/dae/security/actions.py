"""Every write of sign-in security, one ``do_*`` each in one transaction with its event: passwords (change,
reset, expiry setting), API tokens (issue, revoke), lockouts (unlock; the expired ones axes removes), the second
factor (enrolment, recovery codes) and the sign-in record (signed in, failed, locked out)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dae.accounts.models import User
from dae.core.errors import InvalidInput
from dae.core.events import record_event

from .codes import Code
from .models import ApiToken, SecuritySetting
from .otp import replace_recovery
from .passwords import check_new_password, store_password
from .tokens import MAX_DAYS, SCOPES, digest

# -- passwords ------------------------------------------------------------------------------------------------


def do_change_password(user: Any, *, old_password: str, new_password: str) -> None:
    """The user's own change: the old password, then every rule; history kept; other sessions end (Django's
    session hash changes with the password; the caller keeps the current one with update_session_auth_hash)."""
    if not user.check_password(old_password):
        raise InvalidInput(_("原密码不正确"), code=Code.WRONG_PASSWORD,
                           details=[{"path": "old_password", "message": _("原密码不正确")}])
    check_new_password(new_password, user)
    with transaction.atomic():
        store_password(user, new_password, must_change=False)
        record_event(user, "security.password_changed", user)


def do_reset_password(actor: Any, user: Any, *, new_password: str) -> None:
    """IT sets a temporary password: every rule applies, and the user must change it at the next sign-in."""
    check_new_password(new_password, user)
    with transaction.atomic():
        store_password(user, new_password, must_change=True)
        record_event(actor, "security.password_reset", user)


def do_set_max_age(actor: Any, *, days: int, effective_from: dt.date) -> SecuritySetting:
    if days < 0 or days > 3650:
        raise InvalidInput(_("密码有效期须在 0 到 3650 天之间"), details=[{"path": "days", "message": "range"}])
    with transaction.atomic():
        row = SecuritySetting.objects.create(password_max_age_days=days, effective_from=effective_from,
                                             created_by=actor)
        record_event(actor, "security.settings_changed", row,
                     after={"password_max_age_days": days, "effective_from": effective_from})
    return row


# -- API tokens -----------------------------------------------------------------------------------------------


def do_issue_token(actor: Any, user: Any, *, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and the secret, which is shown once and never stored."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise InvalidInput("请选择有效的令牌范围", details=[{"path": "scopes", "message": ",".join(unknown)}])
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"有效期须在 1 到 {MAX_DAYS} 天之间", details=[{"path": "days", "message": "range"}])
    if not user.is_active:
        raise InvalidInput("该账号已停用", details=[{"path": "user", "message": "inactive"}])
    if user.post != "hospital":  # a token never stands in for a person's sign-in (nor their second factor)
        raise InvalidInput("接口令牌只签发给医院账号", details=[{"path": "user", "message": "not_hospital"}])
    prefix = secrets.token_hex(4)
    raw = f"dae_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, digest=digest(raw),
                                        scopes=sorted(set(scopes)),
                                        expires_at=timezone.now() + dt.timedelta(days=days), created_by=actor)
        record_event(actor, "security.token_issued", token,
                     after={"user": user.username, "scopes": token.scopes, "expires_at": token.expires_at})
    return token, raw


def do_revoke_token(actor: Any, token: ApiToken) -> None:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(actor, "security.token_revoked", token, after={"user_id": token.user_id})


# -- lockouts and the sign-in record ----------------------------------------------------------------------------


def _user_id(username: str | None) -> str:
    pk = User.objects.filter(username=username or "").values_list("pk", flat=True).first()
    return str(pk) if pk is not None else ""


def _record_sign_in_event(action: str, username: str | None, address: str | None, *, actor: Any = None,
                          **after: Any) -> None:
    """An event about a sign-in by ``username`` from ``address`` (on the account, when it exists)."""
    record_event(actor, action, object_type="accounts.user", object_id=_user_id(username),
                 after={"username": username or "", "ip_address": address or "", **after},
                 note=f"{username or ''} {address or ''}".strip())


def _record_unlock(actor: Any, attempt: AccessAttempt, how: str) -> None:
    _record_sign_in_event("security.unlocked", attempt.username, attempt.ip_address, actor=actor, how=how)


def do_unlock(actor: Any, attempt_id: int) -> int:
    """IT lifts a lockout early (an account's or an address's): the attempt rows go, an event says who."""
    with transaction.atomic():
        attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None:
            return 0
        _record_unlock(actor, attempt, "manual")
        same = Q(username=attempt.username) if attempt.username else Q(ip_address=attempt.ip_address)
        count, _deleted = AccessAttempt.objects.filter(same).delete()
    return int(count)


def do_expire_lockouts(clean: Callable[[], int]) -> int:
    """Axes removing expired attempts (``clean``): first an unlock event for each that was a lockout, in the same
    transaction as the removal."""
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    expired = AccessAttempt.objects.filter(attempt_time__lte=threshold,
                                           failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    with transaction.atomic():
        for attempt in expired:
            _record_unlock(None, attempt, "expired")
        return int(clean())


def do_record_login_failure(username: str, address: str) -> None:
    with transaction.atomic():
        _record_sign_in_event("security.login_failed", username, address)


def do_record_lockout(username: str | None, address: str | None, *, newly: bool) -> None:
    """A lockout that starts now (``newly``), or an attempt during one."""
    with transaction.atomic():
        _record_sign_in_event("security.locked_out" if newly else "security.attempt_while_locked", username, address)


def do_record_sign_in(request: Any, user: Any, factor: str) -> None:
    """A completed sign-in (``password``, ``totp`` or ``recovery_code``, which is then used up)."""
    with transaction.atomic():
        record_event(user, "security.signed_in", user, after={"factor": factor},
                     note=str(request.META.get("REMOTE_ADDR", "")))
        if factor == "recovery_code":
            record_event(user, "security.recovery_code_used", user)


# -- the second factor ------------------------------------------------------------------------------------------


def do_start_enrolment(user: Any) -> TOTPDevice:
    """An unconfirmed authenticator with a new secret (replacing an earlier unconfirmed one), with its event."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
        record_event(user, "security.totp_enrolment_started", user)
    return device


def do_confirm_enrolment(request: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with a first code: the old one (if any) goes, recovery codes are made,
    and the session is verified. Returns the recovery codes to show once, or None for a wrong code."""
    if not device.verify_token(code.strip()):
        return None
    user = device.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = replace_recovery(user)
        record_event(user, "security.totp_enrolled", user)
    otp_login(request, device)
    return codes


def do_new_recovery_codes(user: Any) -> list[str]:
    with transaction.atomic():
        codes = replace_recovery(user)
        record_event(user, "security.recovery_codes_renewed", user)
    return codes
