"""The daily job verifies both log chains and keeps each chain's final hash of the day as an archival item; with
those anchors `dae verify_logs` also catches a chain whose tail was cut off."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from dae.archives.actions import do_archive_daily
from dae.archives.models import Item
from dae.core.events import record_event
from dae.core.models import AccessRecord, Event

pytestmark = pytest.mark.django_db


def test_the_daily_job_anchors_each_chain_and_verify_logs_catches_a_cut_tail(world: dict[str, Any]) -> None:
    with transaction.atomic():
        for i in range(3):
            record_event(None, "test.step", world["persons"][0], after={"i": i})
    AccessRecord.objects.create(psn_no="PA0001", object_type="t", object_id="1", why="business")
    last = Event.objects.order_by("-seq").first()
    assert last is not None
    summary = do_archive_daily(timezone.localdate())
    assert summary["chains"]["event"]["ok"] and summary["chains"]["access"]["ok"]
    anchors = Item.objects.filter(kind="log_anchor", status="archived").order_by("code")
    assert [a.metadata["record"]["chain"] for a in anchors] == ["event", "access"]
    event_anchor = anchors.get(metadata__record__chain="event")
    assert event_anchor.code == f"D001-{timezone.localdate().year}-D30-RZ-0001"
    assert event_anchor.metadata["record"]["last_seq"] == last.seq
    out = StringIO()
    call_command("verify_logs", stdout=out)
    assert "事件日志：完整" in out.getvalue()
    # the tail is cut off behind the application's back: every remaining link still holds, the anchor does not
    anchored = event_anchor.metadata["record"]["last_seq"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_event DISABLE TRIGGER core_event_append_only")
        cursor.execute("DELETE FROM core_event WHERE seq >= %s", [anchored])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_event ENABLE TRIGGER core_event_append_only")
    with pytest.raises(CommandError) as failed:
        call_command("verify_logs", stdout=StringIO())
    assert f"{event_anchor.code}" in str(failed.value) and f"第 {anchored} 行已不存在（链尾被截断）" in str(failed.value)
    call_command("verify_logs", "--no-anchors", stdout=StringIO())  # the chain alone cannot see it
