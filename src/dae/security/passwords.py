"""Password rules (validators for ``AUTH_PASSWORD_VALIDATORS``), history, expiry, and the password writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dae.core.errors import InvalidInput

from .codes import Code
from .models import PasswordHistory, SecuritySetting
from .policy import DEFAULT_PASSWORD_MAX_AGE_DAYS, PASSWORD_HISTORY, PASSWORD_MIN_CLASSES, PASSWORD_MIN_LENGTH


def character_classes(password: str) -> int:
    """How many of the four classes (lower case, upper case, digit, other) ``password`` uses."""
    return sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))


class LengthValidator:
    def __init__(self, min_length: int = PASSWORD_MIN_LENGTH) -> None:
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(_("密码至少包含 %(n)d 个字符") % {"n": self.min_length}, code="password_too_short")

    def get_help_text(self) -> str:
        return _("密码至少包含 %(n)d 个字符") % {"n": self.min_length}


class CharacterClassValidator:
    def __init__(self, min_classes: int = PASSWORD_MIN_CLASSES) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类") % {"n": self.min_classes},
                code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类") % {"n": self.min_classes}


class NotUsernameValidator:
    """The password may not be, contain or reverse the user name (case-insensitive)."""

    def validate(self, password: str, user: Any = None) -> None:
        name = (getattr(user, "username", "") or "").lower()
        lowered = password.lower()
        if name and (name in lowered or name[::-1] in lowered):
            raise ValidationError(_("密码不能包含用户名"), code="password_has_username")

    def get_help_text(self) -> str:
        return _("密码不能包含用户名")


class HistoryValidator:
    """The password may not be one of the user's last ``remember`` passwords (the current one included)."""

    def __init__(self, remember: int = PASSWORD_HISTORY) -> None:
        self.remember = remember

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        hashes = [user.password] if user.password else []
        hashes += list(PasswordHistory.objects.filter(user_id=user.pk)
                       .values_list("password", flat=True)[: self.remember])
        if any(check_password(password, h) for h in hashes[: self.remember]):
            raise ValidationError(_("不能使用最近 %(n)d 次用过的密码") % {"n": self.remember}, code="password_reused")

    def get_help_text(self) -> str:
        return _("不能使用最近 %(n)d 次用过的密码") % {"n": self.remember}


def check_new_password(password: str, user: Any) -> None:
    """Every rule at once; ``InvalidInput`` with each failed rule's message."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        messages = [str(m) for m in error.messages]
        raise InvalidInput("；".join(messages), code=Code.PASSWORD_REJECTED,
                           details=[{"path": "new_password", "message": m} for m in messages]) from None


def max_age_days(day: dt.date | None = None) -> int:
    """The password expiry in force on ``day`` (the manager's setting; 0 means never)."""
    day = day or timezone.localdate()
    row = SecuritySetting.objects.filter(effective_from__lte=day).order_by("-effective_from", "-id").first()
    return row.password_max_age_days if row is not None else DEFAULT_PASSWORD_MAX_AGE_DAYS


def password_expired(user: Any, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    days = max_age_days(timezone.localdate(now))
    if not days:
        return False
    changed = user.password_changed_at or user.date_joined
    return bool(changed and now - changed > dt.timedelta(days=days))


def store_password(user: Any, password: str, *, must_change: bool) -> None:
    """Set ``user``'s password, keeping the old one's hash in the history; within the caller's transaction."""
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
