"""The event log: ``record_event`` is called by every action inside its transaction.

Because the event row is written in the action's own transaction, a failing action leaves no event, and a
successful one always has its event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .bulk import insert_rows
from .models import Event


def jsonable(value: Any) -> Any:
    """Turn a field value into something JSON keeps exactly (Decimals and dates as strings)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` of ``obj``, JSON-ready (foreign keys by their id)."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = jsonable(getattr(obj, attname))
    return result


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keep only the fields whose value differs."""
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def user_or_none(actor: Any) -> Any:
    """The actor as a user to store (``created_by``, ``posted_by`` …): None for a system actor or an anonymous one."""
    return actor if getattr(actor, "is_authenticated", False) else None


def record_event(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    region_id: str | None = None,
    note: str = "",
) -> Event:
    """Write one event. Must run inside the action's atomic block (checked), never on its own."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must be called inside the action's transaction.atomic()")
    before_d, after_d = changed(jsonable(before or {}), jsonable(after or {}))
    return Event.objects.create(
        actor=user_or_none(actor),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        region_id=region_id,
        before=before_d,
        after=after_d,
        note=note[:500],
    )


EVENT_COLUMNS = ("at", "actor", "action", "object_type", "object_id", "region", "before", "after", "note")


def event_row(actor: Any, action: str, *, object_type: str, object_id: Any, region_id: str | None = None,
              before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None, note: str = "",
              at: datetime | None = None) -> tuple[Any, ...]:
    """One event as a row for ``insert_events`` (bulk writes of imports and declarations). ``actor`` is a
    user, a user id or ``None``; ``before``/``after`` are written as given (already reduced to what changed)."""
    actor_id = actor if actor is None or isinstance(actor, int) else getattr(actor, "pk", None)
    return (at or timezone.now(), actor_id, action, object_type, str(object_id)[:64], region_id,
            json.dumps(jsonable(dict(before or {})), ensure_ascii=False),
            json.dumps(jsonable(dict(after or {})), ensure_ascii=False), note[:500])


def insert_events(rows: Iterable[tuple[Any, ...]]) -> int:
    """Write many ``event_row``s at once. Like ``record_event``, only inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("insert_events must be called inside the action's transaction.atomic()")
    return insert_rows(Event, EVENT_COLUMNS, rows)
