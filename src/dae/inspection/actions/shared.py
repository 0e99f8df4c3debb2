"""What the inspection actions share: free text in this app's words, a user id from a form value, a row locked,
a date that may not lie before another."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dae.accounts.models import User
from dae.core.codes import CoreCode, InputCode
from dae.core.errors import InvalidInput

from ..codes import Code


def clerk_text(value: Any, what: str, path: str, *, max_length: int, required: bool = True) -> str:
    """Stripped text of 2 to ``max_length`` characters (empty allowed when not ``required``), refused as
    「请填写…」 (``required``) or 「…不能超过 N 字」 (``too_long``)."""
    text = str(value or "").strip()
    if required and len(text) < 2:
        raise InvalidInput(f"请填写{what}", code=CoreCode.REQUIRED, details=[{"path": path, "message": f"请填写{what}"}])
    if len(text) > max_length:
        raise InvalidInput(
            f"{what}不能超过 {max_length} 字", code=Code.TOO_LONG, details=[{"path": path, "message": f"{what}过长"}]
        )
    return text


def user_id(value: Any) -> int | None:
    """The id of a user given as a ``User`` or a form value; ``None`` when it is not an id."""
    if isinstance(value, User):
        return int(value.pk)
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def locked_row(model: type[Any], obj: Any) -> Any:
    """``obj`` read again with a row lock (inside the caller's transaction)."""
    return model.objects.select_for_update().get(pk=obj.pk)


def not_before(day: dt.date, earlier: dt.date, *, field: str, label: str, earlier_label: str) -> None:
    """Refuse ``day`` (``label``) when it lies before ``earlier`` (``earlier_label``): 「…不能早于…」, ``invalid_date``."""
    if day < earlier:
        raise InvalidInput(f"{label}不能早于{earlier_label}", code=InputCode.INVALID_DATE,
                           details=[{"path": field, "message": f"{label}早于{earlier_label}"}])
