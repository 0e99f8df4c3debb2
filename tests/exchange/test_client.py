"""The gateway client against the simulator over loopback: the envelope, msgid reuse on retries, the circuit,
``infcode`` −1 and the masked log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dae.exchange.client import PlatformClient
from dae.exchange.codes import Code
from dae.exchange.errors import CircuitOpen, PlatformError, PlatformRefused
from dae.exchange.models import Call, Circuit
from dae.exchange.simulator import PlatformSimulator

from .conftest import PERSON

pytestmark = pytest.mark.django_db


def person_query(platform: PlatformClient, certno: str = "220282198001011234") -> Any:
    return platform.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "certno": certno,
                                         "psn_cert_type": "01"}},
                       purpose="person_query", admdvs="220282")


def test_envelope_carries_the_national_fields_and_a_unique_msgid(platform: PlatformClient,
                                                                 simulator: PlatformSimulator) -> None:
    simulator.persons[PERSON["baseinfo"]["certno"]] = PERSON
    first, second = person_query(platform), person_query(platform)
    assert first.infcode == 0 and first.output["baseinfo"]["psn_no"] == "PA0001"
    assert first.msgid != second.msgid
    assert len(first.msgid) == 30 and first.msgid.startswith("DAEINSURER01")
    sent = simulator.received[0]
    assert sent["msgid"] == first.msgid
    call = Call.objects.get(pk=first.call_id)
    for name in ("infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code", "inf_time", "opter"):
        assert name in call.request
    assert call.outcome == Call.Outcome.OK and call.tries == 1 and call.infcode == 0


def test_personal_data_is_masked_in_the_log(platform: PlatformClient, simulator: PlatformSimulator) -> None:
    simulator.persons[PERSON["baseinfo"]["certno"]] = PERSON
    answer = person_query(platform)
    call = Call.objects.get(pk=answer.call_id)
    assert call.request["input"]["data"]["certno"] == "2202**********1234"
    assert call.response["output"]["baseinfo"]["psn_name"] == "张*"
    assert "220282198001011234" not in str(call.request) + str(call.response)
    assert answer.output["baseinfo"]["certno"] == "220282198001011234"  # the caller gets the real answer


def test_a_retry_after_a_time_out_reuses_the_msgid_and_the_platform_records_it_once(
        platform: PlatformClient, simulator: PlatformSimulator, waits: list[float]) -> None:
    simulator.persons[PERSON["baseinfo"]["certno"]] = PERSON
    simulator.timeout_next(1)
    answer = person_query(platform)
    assert answer.infcode == 0
    assert simulator.arrivals[answer.msgid] == 2
    assert simulator.processed[answer.msgid] == 1
    assert [r["msgid"] for r in simulator.received] == [answer.msgid]
    call = Call.objects.get(pk=answer.call_id)
    assert [t["outcome"] for t in call.trace] == ["timeout", "ok"]
    assert waits == [0.01]  # one back-off before the retry


def test_retries_are_bounded_with_back_off(platform: PlatformClient, simulator: PlatformSimulator,
                                           waits: list[float]) -> None:
    simulator.fail_next(5)
    with pytest.raises(PlatformError) as caught:
        person_query(platform)
    assert caught.value.code == Code.PLATFORM_UNAVAILABLE
    assert waits == [0.01, 0.02]
    call = Call.objects.get()
    assert call.outcome == Call.Outcome.UNREACHABLE and call.tries == 3


def test_infcode_minus_one_is_raised_with_the_platforms_message_and_not_retried(
        platform: PlatformClient, simulator: PlatformSimulator, waits: list[float]) -> None:
    simulator.refuse_next(1, "人员编号不存在")
    with pytest.raises(PlatformRefused) as caught:
        person_query(platform)
    assert caught.value.code == Code.PLATFORM_REFUSED
    assert "人员编号不存在" in caught.value.message and "-1" in caught.value.message
    assert waits == []
    call = Call.objects.get()
    assert (call.outcome, call.infcode, call.err_msg) == (Call.Outcome.REFUSED, -1, "人员编号不存在")


def test_a_platform_that_is_down_trips_the_circuit_and_it_closes_after_the_cool_off(
        platform: PlatformClient, simulator: PlatformSimulator) -> None:
    simulator.down = True
    for _ in range(3):
        with pytest.raises(PlatformError) as caught:
            person_query(platform)
        assert caught.value.code == Code.PLATFORM_UNAVAILABLE
    arrivals = sum(simulator.arrivals.values())
    with pytest.raises(CircuitOpen):
        person_query(platform)
    assert sum(simulator.arrivals.values()) == arrivals  # nothing sent while open: the platform is not hammered
    assert Call.objects.filter(outcome=Call.Outcome.CIRCUIT_OPEN).count() == 1
    simulator.down = False
    simulator.persons[PERSON["baseinfo"]["certno"]] = PERSON
    Circuit.objects.filter(pk="platform").update(open_until=timezone.now() - dt.timedelta(seconds=1))
    assert person_query(platform).infcode == 0  # half-open: one call goes through and closes the circuit
    circuit = Circuit.objects.get()
    assert (circuit.failures, circuit.open_until, circuit.opened_times) == (0, None, 1)


def test_an_address_that_answers_nothing_is_unreachable(settings: Any) -> None:
    settings.PLATFORM = {**settings.PLATFORM, "URL": "http://127.0.0.1:9", "TIMEOUT": 0.2, "RETRIES": 0}
    with pytest.raises(PlatformError) as caught:
        person_query(PlatformClient())
    assert caught.value.code == Code.PLATFORM_UNAVAILABLE
    assert Call.objects.get().outcome == Call.Outcome.UNREACHABLE


def test_no_address_configured_is_said_plainly(settings: Any) -> None:
    settings.PLATFORM = {**settings.PLATFORM, "URL": ""}
    with pytest.raises(PlatformError) as caught:
        person_query(PlatformClient())
    assert caught.value.code == Code.NOT_CONFIGURED
