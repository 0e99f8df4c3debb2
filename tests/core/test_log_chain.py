"""The event log and the access log are hash chains: every writer links its rows, `dae verify_logs` names the first
row changed or removed with raw SQL, and concurrent writers on PostgreSQL keep one valid chain."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import RequestFactory

from dae.core import chain
from dae.core.access import record_access, record_access_many
from dae.core.events import event_row, insert_events, record_event
from dae.core.logchain import ACCESS_CHAIN, EVENT_CHAIN, describe, verify
from dae.core.models import AccessRecord, Event

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[Any], table: str = "core_event") -> None:
    """Change the table behind the application's back (on PostgreSQL the append-only trigger is disabled first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows' deferred foreign-key checks run now
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def _write_events(world: dict[str, Any], n: int = 5) -> list[Event]:
    person = world["persons"][0]
    with transaction.atomic():
        for i in range(n):
            record_event(None, "test.step", person, after={"i": i, "名称": "张三", "ratio": 1.0, "big": 1e22,
                                                            "nested": {"b": [1, 2.5], "a": None}}, note=f"第{i}步")
    return list(Event.objects.filter(action="test.step").order_by("seq"))


def _verify_logs() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_logs", "--no-anchors", stdout=out)
    return out.getvalue()


def test_every_writer_links_its_rows_into_one_chain(world: dict[str, Any]) -> None:
    before = Event.objects.count()
    _write_events(world, 3)
    with transaction.atomic():
        insert_events([event_row(None, "test.bulk", object_type="t", object_id=i, after={"amount": "12.30"})
                       for i in range(4)])
    Event.objects.bulk_create([Event(action="test.orm", object_type="t", object_id="9")])
    seqs = list(Event.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, before + 9))
    first = Event.objects.get(seq=1)
    assert first.prev_hash == chain.GENESIS
    result = verify(EVENT_CHAIN)
    assert result.ok and result.result.rows == before + 8
    assert result.result.last_hash == Event.objects.get(seq=before + 8).row_hash
    assert "完整，共" in _verify_logs()


def test_access_records_are_chained_by_every_writer(world: dict[str, Any]) -> None:
    request = RequestFactory().get("/enrollment/persons/1/")
    request.user = world["users"]["settlement"]
    record_access(request, world["persons"][0])
    record_access_many(request, [world["persons"][0], world["settlements"][0]])
    AccessRecord.objects.create(psn_no="PA0001", object_type="t", object_id="1", why="business")
    assert list(AccessRecord.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert verify(ACCESS_CHAIN).ok


def test_a_row_changed_with_raw_sql_is_named(world: dict[str, Any]) -> None:
    rows = _write_events(world, 5)
    target = rows[2]
    _raw("UPDATE core_event SET note = %s WHERE id = %s", ["已篡改", target.pk])
    result = verify(EVENT_CHAIN)
    assert not result.ok
    problem = result.result.problem
    assert problem is not None and (problem.kind, problem.seq, problem.id) == ("changed", target.seq, target.pk)
    assert problem.found == target.row_hash and problem.expected != target.row_hash
    assert result.result.rows == target.seq - 1
    with pytest.raises(CommandError) as failed:
        _verify_logs()
    assert f"序号 {target.seq}（id {target.pk}）的内容与其摘要不符（该行被修改）" in str(failed.value)


def test_a_changed_json_value_is_named(world: dict[str, Any]) -> None:
    rows = _write_events(world, 3)
    _raw("UPDATE core_event SET after = %s WHERE id = %s", ['{"i": 9}', rows[1].pk])
    assert describe(verify(EVENT_CHAIN)).endswith(f"序号 {rows[1].seq}（id {rows[1].pk}）的内容与其摘要不符（该行被修改）")


def test_a_deleted_row_is_named_as_the_gap(world: dict[str, Any]) -> None:
    rows = _write_events(world, 5)
    gone, after = rows[1], rows[2]
    _raw("DELETE FROM core_event WHERE id = %s", [gone.pk])
    problem = verify(EVENT_CHAIN).result.problem
    assert problem is not None and (problem.kind, problem.missing_from, problem.missing_to) == ("gap", gone.seq,
                                                                                                gone.seq)
    with pytest.raises(CommandError) as failed:
        _verify_logs()
    assert f"事件日志：在序号 {after.seq}（id {after.pk}）之前缺少序号 {gone.seq} 的行（行被删除）" in str(failed.value)


def test_a_deleted_access_record_is_named(world: dict[str, Any]) -> None:
    for i in range(3):
        AccessRecord.objects.create(psn_no="PA0001", object_type="t", object_id=str(i), why="business")
    first = AccessRecord.objects.get(seq=1)
    _raw("DELETE FROM core_accessrecord WHERE id = %s", [first.pk], table="core_accessrecord")
    assert describe(verify(ACCESS_CHAIN)).startswith("访问日志：在序号 2")


def test_a_rehashed_row_breaks_the_next_link(world: dict[str, Any]) -> None:
    """Someone who also rewrites the changed row's own hash is caught at the next row."""
    rows = _write_events(world, 4)
    target = rows[1]
    fields = EVENT_CHAIN.fields_of_object(target)
    fields["note"] = "改过"
    forged = chain.row_hash(target.seq, target.prev_hash, fields)
    _raw("UPDATE core_event SET note = %s, row_hash = %s WHERE id = %s", ["改过", forged, target.pk])
    problem = verify(EVENT_CHAIN).result.problem
    assert problem is not None and (problem.kind, problem.seq) == ("relinked", rows[2].seq)


def test_a_rolled_back_writer_leaves_no_hole(world: dict[str, Any]) -> None:
    _write_events(world, 2)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(None, "test.lost", world["persons"][0])
        raise RuntimeError("the action failed")
    _write_events(world, 1)
    assert verify(EVENT_CHAIN).ok
    assert not Event.objects.filter(action="test.lost").exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_postgresql_keep_one_valid_chain(world: dict[str, Any]) -> None:
    """Two connections write events and access records at the same time, each transaction holding the chain for a
    moment; the chains stay gapless, every link holds, and each connection's rows keep their order."""
    assert connection.vendor == "postgresql"
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(name: str) -> None:
        try:
            barrier.wait()
            for i in range(25):
                with transaction.atomic():
                    record_event(None, "test.concurrent", object_type=name, object_id=str(i))
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_sleep(0.002)")
                    insert_events([event_row(None, "test.concurrent.bulk", object_type=name, object_id=f"{i}-{j}")
                                   for j in range(3)])
                    AccessRecord.objects.create(psn_no="PA0001", object_type=name, object_id=str(i), why="business")
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which fails the test with it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = verify(EVENT_CHAIN)
    assert events.ok and events.result.rows == Event.objects.count()
    assert Event.objects.filter(action__startswith="test.concurrent").count() == 200
    access = verify(ACCESS_CHAIN)
    assert access.ok and access.result.rows == AccessRecord.objects.count() == 50
    for name in ("a", "b"):
        ids = list(Event.objects.filter(object_type=name, action="test.concurrent").order_by("seq")
                   .values_list("object_id", flat=True))
        assert ids == [str(i) for i in range(25)]
