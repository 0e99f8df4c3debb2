"""The event log: ``record_event`` is called by every action inside its transaction.

Because the event row is written in the action's own transaction, a failing action leaves no event, and a
successful one always has its event. Every event is linked into the event log's hash chain as it is inserted
(``core.logchain``), by ``record_event`` and by the bulk ``insert_events`` alike.

Another app may ask to hear of some events once their transaction has committed (``after_commit_of``): the
archives learn this way that a business object has closed, without each app calling them. The callback runs after
the commit, so it can never undo or slow the action that wrote the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .bulk import insert_rows
from .chain import canonical
from .logchain import EVENT_CHAIN, CanonicalJSON, chained_rows
from .models import Event

#: (action, object type) → callbacks run once the transaction that wrote such an event has committed.
_AFTER_COMMIT: dict[tuple[str, str], list[Callable[[], None]]] = {}


def after_commit_of(pairs: Iterable[tuple[str, str]], callback: Callable[[], None]) -> None:
    """Run ``callback`` after the commit of every transaction that writes an event ``(action, object_type)``."""
    for pair in pairs:
        callbacks = _AFTER_COMMIT.setdefault(pair, [])
        if callback not in callbacks:
            callbacks.append(callback)


def _announce(pairs: Iterable[tuple[str, str]]) -> None:
    wanted: list[Callable[[], None]] = []
    for pair in pairs:
        for callback in _AFTER_COMMIT.get(pair, ()):
            if callback not in wanted:
                wanted.append(callback)
    for callback in wanted:
        transaction.on_commit(callback, robust=True)


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
    kind = object_type or (obj._meta.label_lower if obj is not None else "")
    if _AFTER_COMMIT:
        _announce([(action, kind)])
    return Event.objects.create(
        actor=user_or_none(actor),
        action=action,
        object_type=kind,
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
            CanonicalJSON(canonical(jsonable(dict(before or {})))),
            CanonicalJSON(canonical(jsonable(dict(after or {})))), note[:500])


def insert_events(rows: Iterable[tuple[Any, ...]]) -> int:
    """Write many ``event_row``s at once, linked into the chain. Like ``record_event``, only inside the action's
    transaction (the chain's lock is held from the first row to its end)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("insert_events must be called inside the action's transaction.atomic()")
    pairs: set[tuple[str, str]] = set()

    def announced(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Any, ...]]:
        for row in rows:
            if _AFTER_COMMIT:
                pairs.add((row[2], row[3]))
            yield row

    done = insert_rows(Event, (*EVENT_COLUMNS, "seq", "prev_hash", "row_hash"),
                       chained_rows(EVENT_CHAIN, EVENT_COLUMNS, announced(rows)))
    if pairs:
        _announce(pairs)
    return done
