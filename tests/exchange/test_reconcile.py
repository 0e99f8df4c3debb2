"""Reconciliation with the platform (3201 totals / 3202 details) against the simulator: a planted missing, extra
and differing settlement come back as exactly those three differences with their fields; equal data is clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.claims.models import Settlement
from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.exchange import actions, compare
from dae.exchange.client import PlatformClient
from dae.exchange.dataset import settlement_rows
from dae.exchange.models import Call, Difference, Reconciliation
from dae.exchange.simulator import PlatformSimulator
from tests.factories import REGION_A, HospitalFactory, PersonFactory, SettlementFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_of_settlements() -> dict[str, Any]:
    ra = region(REGION_A)
    hospital = HospitalFactory(region=ra, code="HA0001", name="桦甸市人民医院")
    other = HospitalFactory(region=ra, code="HA0002", name="桦甸市中医院")
    person = PersonFactory(region=ra, psn_no="PA0001")
    march = timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0))
    for n, pay in enumerate(("1000.00", "2000.00", "3000.00", "4000.00"), start=1):
        SettlementFactory(person=person, hospital=hospital, setl_id=f"S{n}", mdtrt_id=f"M{n}", setl_time=march,
                          hifob_pay=Decimal(pay), medfee_sumamt=Decimal("9000.00"))
    SettlementFactory(person=person, hospital=hospital, setl_id="S5", mdtrt_id="M4", setl_time=march,
                      init_setl_id="S4", hifob_pay=Decimal("-4000.00"), medfee_sumamt=Decimal("-9000.00"))
    # not in March's reconciliation of HA0001: another month, another hospital, a window reimbursement
    SettlementFactory(person=person, hospital=hospital, setl_id="S6",
                      setl_time=timezone.make_aware(dt.datetime(2026, 4, 1, 0, 0)), hifob_pay=Decimal("1.00"))
    SettlementFactory(person=person, hospital=other, setl_id="S7", setl_time=march, hifob_pay=Decimal("1.00"))
    SettlementFactory(person=person, hospital=hospital, setl_id="W1", setl_time=march, settle_way="manual",
                      hifob_pay=Decimal("1.00"))
    return {"region": ra, "hospital": hospital}


def load(simulator: PlatformSimulator) -> None:
    for row in settlement_rows(Settlement.objects.all()):
        simulator.add(row)


def test_equal_data_yields_a_clean_record(platform: PlatformClient, simulator: PlatformSimulator,
                                          month_of_settlements: dict[str, Any]) -> None:
    load(simulator)
    record = actions.do_run_reconciliation(None, month_of_settlements["region"], month_of_settlements["hospital"],
                                           "2026-03", client=platform)
    assert record.status == Reconciliation.Status.CLEAN
    assert (record.our_count, record.our_medfee, record.our_fund, record.our_cancelled) == (
        5, Decimal("27000.00"), Decimal("6000.00"), 1)
    assert (record.platform_count, record.platform_medfee, record.platform_fund, record.platform_cancelled) == (
        5, Decimal("27000.00"), Decimal("6000.00"), 1)
    assert record.differences.count() == 0 and record.details_msgid == ""
    assert [c.infno for c in Call.objects.order_by("id")] == ["3201"]  # no detail query when the totals agree
    assert Event.objects.filter(action="exchange.reconciled", object_id=str(record.pk)).count() == 1


def test_missing_extra_and_differing_settlements_are_exactly_the_three_differences(
        platform: PlatformClient, simulator: PlatformSimulator, month_of_settlements: dict[str, Any]) -> None:
    load(simulator)
    simulator.drop("S1")                                   # we have it, the platform does not
    simulator.add({**simulator.settlements["S2"], "setl_id": "SX9", "mdtrt_id": "MX9"})  # only the platform has it
    simulator.differ("S3", hifob_pay="3100.00", psn_no="PA0009")  # both have it, two fields differ
    record = actions.do_run_reconciliation(None, month_of_settlements["region"], month_of_settlements["hospital"],
                                           "2026-03", client=platform)
    assert record.status == Reconciliation.Status.DIFFERENT
    assert (record.platform_count, record.platform_fund) == (5, Decimal("7100.00"))
    assert record.message == "总账不平：大额基金支付"
    found = {d.setl_id: (d.kind, d.fields) for d in Difference.objects.filter(reconciliation=record)}
    assert set(found) == {"S1", "SX9", "S3"}
    assert found["S3"] == ("amount", [{"field": "psn_no", "ours": "PA0001", "platform": "PA0009"},
                                      {"field": "hifob_pay", "ours": "3000.00", "platform": "3100.00"}])
    kind, fields = found["S1"]
    assert kind == "missing_platform"
    assert {"field": "hifob_pay", "ours": "1000.00", "platform": None} in fields
    kind, fields = found["SX9"]
    assert kind == "missing_here"
    assert {"field": "mdtrt_id", "ours": None, "platform": "MX9"} in fields
    assert (record.differences_count, record.open_count) == (3, 3)
    assert [c.infno for c in Call.objects.order_by("id")] == ["3201", "3202"]


def test_a_difference_is_resolved_once_with_a_note(platform: PlatformClient, simulator: PlatformSimulator,
                                                   month_of_settlements: dict[str, Any]) -> None:
    load(simulator)
    simulator.drop("S1")
    record = actions.do_run_reconciliation(None, month_of_settlements["region"], month_of_settlements["hospital"],
                                           "2026-03", client=platform)
    difference = record.differences.get()
    with pytest.raises(InvalidInput):
        actions.do_resolve_difference(None, difference, " ")
    actions.do_resolve_difference(None, difference, "平台漏记，已通知医院补传 2304")
    difference.refresh_from_db()
    record.refresh_from_db()
    assert difference.note == "平台漏记，已通知医院补传 2304" and difference.resolved_at is not None
    assert record.open_count == 0
    with pytest.raises(Conflict):
        actions.do_resolve_difference(None, difference, "再次处理")


def test_a_platform_that_cannot_be_reached_leaves_an_unfinished_record(
        platform: PlatformClient, simulator: PlatformSimulator, month_of_settlements: dict[str, Any]) -> None:
    simulator.down = True
    record = actions.do_run_reconciliation(None, month_of_settlements["region"], month_of_settlements["hospital"],
                                           "2026-03", client=platform)
    assert record.status == Reconciliation.Status.FAILED
    assert "无法访问" in record.message


def test_compare_details_is_pure_and_ordered() -> None:
    a = compare.Detail("S1", "M1", "P1", 100, 50, "0")
    b = compare.Detail("S2", "M2", "P1", 200, 80, "0")
    assert compare.compare_details([a, b], [a, b]) == []
    diffs = compare.compare_details([b, a], [compare.Detail("S2", "M2", "P1", 200, 80, "1")])
    assert [(d.setl_id, d.kind) for d in diffs] == [("S1", "missing_platform"), ("S2", "amount")]
    assert diffs[1].fields == (compare.FieldDiff("refd_setl_flag", "0", "1"),)
    assert compare.totals_of([a, b]) == compare.Totals(2, 300, 130, 0)


def test_an_answer_with_a_figure_that_is_not_an_amount_leaves_an_unfinished_record(
        platform: PlatformClient, simulator: PlatformSimulator, month_of_settlements: dict[str, Any]) -> None:
    load(simulator)
    simulator.differ("S1", medfee_sumamt="1e5")
    record = actions.do_run_reconciliation(None, month_of_settlements["region"], month_of_settlements["hospital"],
                                           "2026-03", client=platform)
    assert record.status == Reconciliation.Status.FAILED
    assert record.message.startswith("医保平台应答中的数据有误")
