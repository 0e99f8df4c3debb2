"""The built-in archival item kinds, one module per area. Importing this package registers them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dae.core.models import Event


def closed_on(object_type: str, object_id: Any, actions: tuple[str, ...], default: dt.date) -> dt.date:
    """The local date of the latest closing event of an object (``default`` if there is none)."""
    at = (Event.objects.filter(object_type=object_type, object_id=str(object_id), action__in=actions)
          .order_by("-seq").values_list("at", flat=True).first())
    return timezone.localdate(at) if at is not None else default


def name_of(user: Any) -> str:
    return str(user) if user is not None else ""


def when(moment: Any) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat() if isinstance(moment, dt.date) else str(moment)


def yuan(value: Any) -> str:
    return "" if value is None else f"{value:,.2f} 元"


from . import audit, claims, enrolment, logs, permissions  # noqa: E402,F401 - registration
