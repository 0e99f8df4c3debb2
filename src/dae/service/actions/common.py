"""Checks shared by the service desk's actions (through ``core.inputs``; no private parsers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dae.accounts.models import User
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput
from dae.core.events import user_or_none
from dae.core.models import Region
from dae.workdays.service import deadline, warning_dict

from ..codes import Code


def text(value: Any, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    return inputs.text(value, field=field, label=label, max_length=max_length, required=required)


def choice(value: Any, choices: Any, field: str, label: str) -> str:
    code = str(value or "").strip()
    if code not in choices.values:
        raise InvalidInput(f"请选择{label}", code=CoreCode.INVALID_CHOICE, details=[{"path": field, "message": f"请选择{label}"}])
    return code


def day(value: Any, field: str, label: str) -> dt.date:
    """A date not after today; empty means today."""
    if value in (None, ""):
        return timezone.localdate()
    found = inputs.date(value, field=field, label=label)
    if found > timezone.localdate():
        raise InvalidInput(f"{label}不能晚于今天", code=CoreCode.FUTURE_DATE,
                           details=[{"path": field, "message": f"{label}不能晚于今天"}])
    return found


def region(actor: Any, value: Any) -> str:
    """An existing region among a staff actor's regions (a system actor may name any)."""
    code = str(value.pk if isinstance(value, Region) else value or "").strip()
    user = user_or_none(actor)
    if user is not None and getattr(user, "scope_kind", "") == "region":
        return inputs.region(user, code)
    if not Region.objects.filter(pk=code).exists():
        raise InvalidInput(f"统筹区 {code[:12]} 不存在", code=inputs.InputCode.INVALID_REGION,
                           details=[{"path": "region", "message": "统筹区不存在"}])
    return code


def due(start: dt.date, days: int) -> tuple[dt.date, list[dict[str, Any]]]:
    """The deadline ``days`` working days after ``start`` (start not counted) with the calendar's warnings."""
    found = deadline(start, days)
    return found.due, [warning_dict(w) for w in found.warnings]


def staff_user(value: Any, region_code: str, field: str = "assignee") -> User | None:
    """A staff user of the region (by id or object), or None for empty."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, User) else inputs.whole(value, field=field, label="承办人", minimum=1,
                                                                  maximum=2**63 - 1)
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or user.scope_kind != "region" or region_code not in user.region_codes:
        raise InvalidInput("承办人须为本统筹区的工作人员", code=Code.UNKNOWN_ASSIGNEE,
                           details=[{"path": field, "message": "承办人不正确"}])
    return user
