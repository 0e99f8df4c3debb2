"""Outbox delivery: paid statements' payment results and audit feedback reach the platform exactly once — across a
time-out, a platform that is down (the circuit pauses the job, a later run resumes) and a worker killed between
the platform's receipt and the mark (a separate process, ``os._exit`` at ``exchange.sent``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dae.auditing.actions.runs import do_start_run
from dae.core.crash import CRASH_EXIT_CODE
from dae.exchange import delivery
from dae.exchange.client import PlatformClient
from dae.exchange.models import Circuit, Outbound
from dae.exchange.simulator import PlatformSimulator

ROOT = Path(__file__).resolve().parents[2]


def run(command: str, db: Path, uploads: Path, url: str = "", crash: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAE_DATABASE_URL": f"sqlite:///{db}", "DAE_CRASH_UPLOADS": str(uploads),
           "DJANGO_SETTINGS_MODULE": "dae.settings.test", "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
           "DAE_PLATFORM_URL": url, "DAE_PLATFORM_TIMEOUT": "2", "DAE_PLATFORM_BACKOFF": "0.01"}
    env.pop("DAE_CRASH_AT", None)
    if crash:
        env["DAE_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-m", "tests.exchange.delivery_driver", command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_each_message_is_delivered_exactly_once_across_a_crash_between_send_and_mark(tmp_path: Path) -> None:
    db, uploads = tmp_path / "dae.sqlite3", tmp_path / "uploads"
    done = run("setup", db, uploads)
    assert done.returncode == 0, done.stderr[-3000:]
    with PlatformSimulator() as simulator:
        crashed = run("deliver", db, uploads, simulator.url, crash="exchange.sent")
        assert crashed.returncode == CRASH_EXIT_CODE, crashed.stderr[-3000:]
        assert len(simulator.received) == 1  # the platform took the first message; we died before marking it
        first = simulator.received[0]["msgid"]
        again = run("deliver", db, uploads, simulator.url)
        assert again.returncode == 0, again.stderr[-3000:]
        summary = json.loads(again.stdout.strip().splitlines()[-1])
        assert summary["queued"] == 0 and summary["run"]["delivered"] == 3
        assert {status for status, _ in summary["outbound"].values()} == {"sent"}
        assert set(summary["outbound"]) == set(simulator.processed)
        assert all(n == 1 for n in simulator.processed.values())  # each message processed once by the platform
        assert simulator.arrivals[first] == 2  # sent twice with the same msgid, recognised the second time
        assert [r["infno"] for r in simulator.received] == ["9001", "9001", "9001"]
    shutil.rmtree(uploads, ignore_errors=True)


@pytest.fixture
def feedback(audit_world: dict[str, Any]) -> Any:
    """An audit finding taken through 三方确认, so its 3101-vocabulary feedback waits in the outbox."""
    from dae.auditing import actions
    from dae.auditing.models import Finding, PlatformFeedback

    users = audit_world["users"]
    do_start_run(region="220282", scope="month", month="2026-03", actor=users["reviewer"])
    f = Finding.objects.get(rule_id="R17_CROSS_PERIOD")
    f = actions.do_confirm(f, amount="80.00", note="跨期收费属实", actor=users["reviewer"])
    f = actions.do_accept(f, note="认可", actor=users["hospital"])
    actions.do_settle(f, amount="80.00", note="三方确认", actor=users["supervisor"])
    return PlatformFeedback.objects.get(finding=f)


@pytest.mark.django_db
def test_audit_feedback_is_delivered_and_marked_sent(feedback: Any, platform: PlatformClient,
                                                     simulator: PlatformSimulator) -> None:
    assert delivery.collect() == 1
    assert delivery.collect() == 0  # queued once
    run_ = delivery.deliver(client=platform)
    assert run_.delivered == 1
    row = Outbound.objects.get()
    feedback.refresh_from_db()
    assert row.status == Outbound.Status.SENT and row.attempts == 1 and feedback.sent_at == row.sent_at
    assert row.answer["rcv_flag"] == "1"
    sent = simulator.received[0]
    assert (sent["infno"], sent["msgid"]) == ("9002", row.msgid)
    assert sent["input"]["data"]["rule_id"] == "R17_CROSS_PERIOD"
    assert delivery.collect() == 0 and delivery.deliver(client=platform).delivered == 0


@pytest.mark.django_db
def test_a_platform_down_pauses_the_job_and_a_later_run_resumes(feedback: Any, platform: PlatformClient,
                                                                simulator: PlatformSimulator) -> None:
    delivery.collect()
    Outbound.objects.create(kind="payment_result", source_id=999, msgid="DAEINSURER01202603010000009999",
                            infno="9001", region=feedback.region, hospital=feedback.hospital, payload={"data": {}})
    Outbound.objects.create(kind="payment_result", source_id=998, msgid="DAEINSURER01202603010000009998",
                            infno="9001", region=feedback.region, hospital=feedback.hospital, payload={"data": {}})
    Outbound.objects.create(kind="payment_result", source_id=997, msgid="DAEINSURER01202603010000009997",
                            infno="9001", region=feedback.region, hospital=feedback.hospital, payload={"data": {}})
    simulator.down = True
    first = delivery.deliver(client=platform)
    # three messages fail (three tries each), the circuit opens, the fourth is not even tried
    assert (first.delivered, first.failed) == (0, 3) and first.paused_until
    assert sum(simulator.arrivals.values()) == 0 and Outbound.objects.filter(status="pending").count() == 4
    assert delivery.deliver(client=platform).delivered == 0  # still paused, and the retries not yet due
    simulator.down = False
    Circuit.objects.update(open_until=timezone.now() - dt.timedelta(seconds=1))
    Outbound.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    later = delivery.deliver(client=platform)
    assert later.delivered == 4
    assert set(Outbound.objects.values_list("status", flat=True)) == {"sent"}
    assert all(n == 1 for n in simulator.processed.values()) and len(simulator.processed) == 4


@pytest.mark.django_db
def test_a_refusal_is_kept_with_the_platforms_message_and_can_be_sent_again(
        feedback: Any, platform: PlatformClient, simulator: PlatformSimulator) -> None:
    from dae.exchange import actions

    delivery.collect()
    simulator.refuse_next(1, "违规标识重复")
    assert delivery.deliver(client=platform).refused == 1
    row = Outbound.objects.get()
    assert row.status == Outbound.Status.REFUSED and "违规标识重复" in row.last_error
    assert row.answer["infcode"] == -1
    actions.do_requeue_outbound(None, row)
    assert delivery.deliver(client=platform).delivered == 1
    assert Outbound.objects.get().msgid == row.msgid
