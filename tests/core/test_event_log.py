"""The event log and access log: written in the action's transaction, append-only in code and in PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from dae.accounts import actions
from dae.core.access import record_access
from dae.core.errors import AppendOnlyViolation, InvalidInput
from dae.core.events import record_event
from dae.core.models import AccessRecord, Event

pytestmark = pytest.mark.django_db


def test_creating_a_user_writes_one_event_with_after_state(world: dict[str, Any]) -> None:
    it = world["users"]["it"]
    user = actions.do_create_user(it, username="newclerk", password="Initial-2026-pw", post="settlement",
                                  regions=[world["regions"][0]])
    event = Event.objects.get(action="accounts.user_created")
    assert (event.actor, event.object_id) == (it, str(user.pk))
    assert event.after["post"] == "" and event.after["regions"] == []  # the post waits for a manager (issue 13)
    requested = Event.objects.get(action="approvals.requested")
    assert requested.after["object"] == f"accounts.user:{user.pk}"


def test_update_event_keeps_only_changed_fields(world: dict[str, Any]) -> None:
    target = world["users"]["reviewer"]
    actions.do_update_user(world["users"]["it"], target, display_name="新名字", post="reviewer",
                           regions=[world["regions"][0]], hospital=None, psn_no="", is_active=True)
    event = Event.objects.get(action="accounts.user_updated")
    assert event.before == {"display_name": ""}
    assert event.after == {"display_name": "新名字"}


def test_failing_action_leaves_neither_change_nor_event(world: dict[str, Any]) -> None:
    events_before = Event.objects.count()
    with pytest.raises(InvalidInput):
        actions.do_create_user(world["users"]["it"], username="settlement", password="Initial-2026-pw",
                               post="settlement", regions=[world["regions"][0]])
    assert Event.objects.count() == events_before


def test_event_and_access_record_roll_back_with_the_action(world: dict[str, Any]) -> None:
    from django.test import RequestFactory

    request = RequestFactory().get("/x")
    request.user = world["users"]["settlement"]
    person = world["persons"][0]
    events_before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(request.user, "test.change", person)
        record_access(request, person)
        raise RuntimeError("the action fails after writing")
    assert Event.objects.count() == events_before
    assert AccessRecord.objects.count() == 0



@pytest.mark.django_db(transaction=True)
def test_record_event_requires_an_atomic_block(world: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError):
        record_event(None, "test.loose", world["persons"][0])


def test_events_cannot_be_changed_or_deleted_through_the_code(world: dict[str, Any]) -> None:
    with transaction.atomic():
        event = record_event(None, "test.x", world["persons"][0])
    event.note = "changed"
    with pytest.raises(AppendOnlyViolation):
        event.save()
    with pytest.raises(AppendOnlyViolation):
        event.delete()


@pytest.mark.postgres_only
@pytest.mark.parametrize("table", ["core_event", "core_accessrecord"])
def test_postgresql_refuses_update_and_delete_of_append_only_rows(world: dict[str, Any], table: str) -> None:
    assert connection.vendor == "postgresql"
    with transaction.atomic():
        record_event(None, "test.x", world["persons"][0])
        AccessRecord.objects.create(psn_no="PA0001", object_type="t", object_id="1", why="business")
    for sql in (f"UPDATE {table} SET object_id = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
