"""SMS retries: a failed message is tried again after a growing wait and marked failed for good after the limit;
nothing is handed to the gateway twice; campaign messages respect the per-person daily limit and their key."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from dae.core.models import Event
from dae.notices.actions import remember_phone
from dae.notices.actions.dispatch import BACKOFF, do_dispatch_sms, do_queue_sms
from dae.notices.models import SmsMessage
from dae.notices.sms import SendResult, SmsBackend


class FlakyBackend(SmsBackend):
    """Fails the first ``failures`` sends, then accepts; remembers every hand-over."""

    failures: ClassVar[int] = 0
    calls: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> SendResult:
        self.calls.append((phone, text))
        if len(self.calls) <= self.failures:
            return SendResult(ok=False, error="网关繁忙")
        return SendResult(ok=True, provider_ref=f"GW-{len(self.calls)}")


@pytest.fixture
def flaky() -> Any:
    FlakyBackend.calls, FlakyBackend.failures = [], 0
    with override_settings(SMS_BACKEND="tests.notices.test_retry.FlakyBackend", DAE_SMS_MAX_ATTEMPTS=3):
        yield FlakyBackend


def queued(world: dict[str, Any], key: str = "k1") -> SmsMessage:
    remember_phone(psn_no="PA0001", phone="13900001111", region_id="220282", source="test")
    message = do_queue_sms(None, psn_no="PA0001", region_id="220282", text="缴费提醒", key=key)
    assert message is not None and message.status == "queued"
    return message


@pytest.mark.django_db
def test_failed_sms_is_retried_with_back_off_then_failed_for_good(world: dict[str, Any], flaky: Any) -> None:
    flaky.failures = 10
    message = queued(world)
    t0 = timezone.now()
    assert do_dispatch_sms(now=t0).retrying == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("queued", 1, t0 + BACKOFF[0])
    assert do_dispatch_sms(now=t0 + BACKOFF[0] - dt.timedelta(seconds=1)).handled == 0  # not yet due
    assert do_dispatch_sms(now=t0 + BACKOFF[0]).retrying == 1
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, t0 + BACKOFF[0] + BACKOFF[1])
    assert do_dispatch_sms(now=t0 + dt.timedelta(days=1)).failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("failed", 3, None)
    assert do_dispatch_sms(now=t0 + dt.timedelta(days=2)).handled == 0  # failed for good: never tried again
    assert len(flaky.calls) == 3
    assert Event.objects.filter(action="notice.sms_dispatched").count() == 3


@pytest.mark.django_db
def test_a_retry_that_succeeds_is_never_sent_again(world: dict[str, Any], flaky: Any) -> None:
    flaky.failures = 1
    message = queued(world)
    t0 = timezone.now()
    do_dispatch_sms(now=t0)
    assert do_dispatch_sms(now=t0 + BACKOFF[0]).sent == 1
    for later in range(1, 4):
        assert do_dispatch_sms(now=t0 + dt.timedelta(days=later)).handled == 0
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_ref) == ("sent", 2, "GW-2")
    assert flaky.calls == [("13900001111", "缴费提醒")] * 2


@pytest.mark.django_db
def test_a_message_claimed_by_another_run_is_not_sent_twice(world: dict[str, Any], flaky: Any) -> None:
    message = queued(world)
    SmsMessage.objects.filter(pk=message.pk).update(status="sending", attempts=1)  # another run holds it
    assert do_dispatch_sms(now=timezone.now()).handled == 0 and flaky.calls == []


@pytest.mark.django_db
def test_per_person_daily_limit_and_keys(world: dict[str, Any], flaky: Any) -> None:
    first = queued(world, "campaign:1:PA0001")
    assert do_queue_sms(None, psn_no="PA0001", region_id="220282", text="again", key="campaign:1:PA0001") == first
    with override_settings(DAE_SMS_DAILY_LIMIT=2):
        assert do_queue_sms(None, psn_no="PA0001", region_id="220282", text="2", key="k2") is not None
        assert do_queue_sms(None, psn_no="PA0001", region_id="220282", text="3", key="k3") is None
    assert SmsMessage.objects.filter(psn_no="PA0001").count() == 2


@pytest.mark.django_db
def test_the_command_dispatches(world: dict[str, Any], flaky: Any, capsys: Any) -> None:
    queued(world)
    call_command("sms_dispatch")
    assert "已发送 (sent) 1" in capsys.readouterr().out
