"""Each indicator crossing yellow and red on a hand-built history, with its evidence; raised once per period;
dated thresholds; acknowledged and closed with a note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.forecast import actions, services
from dae.forecast.engine import add_months
from dae.forecast.models import Alert, Indicator
from tests.factories import REGION_A, HospitalFactory

D = Decimal
DEC = dt.date(2025, 12, 1)


def found(period: dt.date, indicator: str) -> list[services.Finding]:
    return [f for f in services.evaluate(REGION_A, period) if f.indicator == indicator]


def flat_year(world: Any, year: int, payout: int = 100, through: int = 12) -> None:
    for m in range(1, through + 1):
        world.put(dt.date(year, m, 1), payout)


@pytest.mark.parametrize(("now", "level"), [(115, None), (125, "yellow"), (150, "red")])
def test_payout_year_on_year(world: Any, now: int, level: str | None) -> None:
    world.put(dt.date(2024, 12, 1), 100)
    world.put(dt.date(2025, 11, 1), now)   # the month before is the same: period on period stays quiet
    world.put(DEC, now)
    hits = found(DEC, Indicator.PAYOUT_YOY)
    assert [h.level for h in hits] == ([level] if level else [])
    if level:
        hit = hits[0]
        assert hit.figure == D(now - 100) and hit.threshold == (D("20") if level == "yellow" else D("40"))
        assert hit.evidence["payout"] == f"{now:,.2f}" and hit.evidence["compare_payout"] == "100.00"
        assert hit.evidence["compare_month"] == "2024-12"
        assert "setl_from=2025-12-01" in hit.href and "setl_to=2025-12-31" in hit.href
        assert "同比" in hit.message and f"{hit.threshold}%" in hit.message


@pytest.mark.parametrize(("now", "level"), [(120, None), (135, "yellow"), (170, "red")])
def test_payout_period_on_period(world: Any, now: int, level: str | None) -> None:
    world.put(dt.date(2025, 11, 1), 100)
    world.put(DEC, now)
    hits = found(DEC, Indicator.PAYOUT_MOM)
    assert [h.level for h in hits] == ([level] if level else [])
    if level:
        assert hits[0].figure == D(now - 100) and hits[0].evidence["compare_month"] == "2025-11"


@pytest.mark.parametrize(("funds", "overdraft", "balance"), [(1300, None, None), (1250, "yellow", "yellow"),
                                                              (1190, "red", "red")])
def test_year_end_spending_and_balance_rate(world: Any, funds: int, overdraft: str | None,
                                            balance: str | None) -> None:
    """In December the year's spending is known (1,200); against the funds raised it is 92.3% / 96% / 100.8%,
    the balance rate 7.7% / 4% / −0.84%."""
    flat_year(world, 2025)
    world.funds(2025, funds)
    over = found(DEC, Indicator.OVERDRAFT)
    bal = found(DEC, Indicator.BALANCE_RATE)
    assert [h.level for h in over] == ([overdraft] if overdraft else [])
    assert [h.level for h in bal] == ([balance] if balance else [])
    if overdraft:
        ev = over[0].evidence
        assert (ev["funds_raised"], ev["paid_to_date"], ev["projected_year"]) == (
            f"{funds:,.2f}", "1,200.00", "1,200.00")
        assert over[0].figure == (D(1200) * 100 / D(funds)).quantize(D("0.01"))
        assert bal[0].figure == (D(funds - 1200) * 100 / D(funds)).quantize(D("0.01"))


def test_year_end_projection_uses_the_forecast(world: Any) -> None:
    """In June, the rest of the year is the forecast's: a flat 100 a month for two years projects 1,200."""
    flat_year(world, 2024)
    flat_year(world, 2025, through=6)
    world.funds(2025, 1210)
    hit = found(dt.date(2025, 6, 1), Indicator.OVERDRAFT)
    assert hit and hit[0].evidence["paid_to_date"] == "600.00" and hit[0].evidence["projected_rest"] == "600.00"
    assert hit[0].evidence["months_projected"] == 6 and hit[0].level == "yellow"


@pytest.mark.parametrize(("funds", "level", "months"), [(1900, None, "7.00"), (1700, "yellow", "5.00"),
                                                        (1450, "red", "2.50")])
def test_months_payable(world: Any, funds: int, level: str | None, months: str) -> None:
    flat_year(world, 2025)
    world.funds(2025, funds)
    hits = found(DEC, Indicator.MONTHS_PAYABLE)
    assert [h.level for h in hits] == ([level] if level else [])
    if level:
        assert hits[0].figure == D(months) and hits[0].evidence["average_month"] == "100.00"
        assert hits[0].evidence["remaining"] == f"{funds - 1200:,.2f}"


def test_months_payable_counts_the_risk_adjustment_fund(world: Any, chart: None, manager: Any) -> None:
    from dae.ledger.actions import Cr, Dr, do_post

    flat_year(world, 2025)
    world.funds(2025, 1450)  # alone: 250.00 left, 2.50 months (red)
    do_post([Dr("4001", "300.00"), Cr("3101", "300.00")], date=dt.date(2025, 6, 30), description="提取风险调节基金",
            reference=("fund.reserve", "T"), key="test:reserve", actor=manager, region=REGION_A)
    do_post([Dr("4001", "99.00"), Cr("3101", "99.00")], date=dt.date(2026, 1, 2), description="次年提取",
            reference=("fund.reserve", "T2"), key="test:reserve:2", actor=manager, region=REGION_A)  # after the month
    hits = found(DEC, Indicator.MONTHS_PAYABLE)
    assert [h.level for h in hits] == ["yellow"] and hits[0].figure == D("5.50")
    evidence = hits[0].evidence
    assert (evidence["fund_balance"], evidence["risk_adjustment"], evidence["remaining"]) == (
        "250.00", "300.00", "550.00")
    assert evidence["balance_basis"] == "基金余额＋风险调节基金余额"


@pytest.mark.parametrize(("cost", "level"), [(1050, None), (1150, "yellow"), (1250, "red")])
def test_hospital_cost_against_peers(world: Any, cost: int, level: str | None) -> None:
    peers = [HospitalFactory(level="05") for _i in range(3)]
    odd = HospitalFactory(level="05", name="异常医院")
    for hospital in [*peers, odd]:
        world.put(dt.date(2024, 3, 1), 100, n=10, cost=1000, hospital=hospital)
        world.put(dt.date(2025, 3, 1), 100, n=10, cost=cost if hospital is odd else 1000, hospital=hospital)
    hits = found(dt.date(2025, 3, 1), Indicator.HOSPITAL_COST)
    assert [h.level for h in hits] == ([level] if level else [])
    if level:
        hit = hits[0]
        assert hit.hospital_id == odd.pk and hit.subject == f"hospital:{odd.pk}"
        assert hit.evidence["peer_median"] == "0.00" and hit.evidence["stays"] == 10
        assert f"hospital={odd.pk}" in hit.href and "异常医院" in hit.message


def test_raised_once_per_period_then_acknowledged_and_closed(world: Any, manager: Any) -> None:
    world.put(dt.date(2024, 12, 1), 100)
    world.put(dt.date(2025, 11, 1), 100)
    world.put(DEC, 200)
    raised = actions.do_raise_alerts(manager, REGION_A, DEC)
    assert {a.indicator for a in raised} == {Indicator.PAYOUT_YOY, Indicator.PAYOUT_MOM}
    assert actions.do_raise_alerts(manager, REGION_A, DEC) == []
    assert Alert.objects.count() == 2
    assert Event.objects.filter(action="forecast.alert_raised").count() == 2
    alert = Alert.objects.get(indicator=Indicator.PAYOUT_YOY)
    assert alert.level == "red" and alert.figure == D("100.00") and alert.period == "2025-12"
    with pytest.raises(InvalidInput):
        actions.do_acknowledge_alert(manager, alert, "")
    actions.do_acknowledge_alert(manager, alert, "已通知稽核科核查")
    with pytest.raises(Conflict):
        actions.do_acknowledge_alert(manager, alert, "再次")
    actions.do_close_alert(manager, alert, "核查完毕，系年底集中结算")
    alert.refresh_from_db()
    assert (alert.status, alert.close_note) == (Alert.Status.CLOSED, "核查完毕，系年底集中结算")
    # a closed warning is not raised again for the same period; the next period's is new
    assert actions.do_raise_alerts(manager, REGION_A, DEC) == []
    world.put(add_months(DEC, 1), 500)
    assert {a.period for a in actions.do_raise_alerts(manager, REGION_A, add_months(DEC, 1))} == {"2026-01"}


def test_thresholds_are_dated(world: Any, manager: Any) -> None:
    world.put(dt.date(2025, 11, 1), 100)
    world.put(DEC, 125)
    world.put(dt.date(2026, 1, 1), 156)
    assert found(DEC, Indicator.PAYOUT_MOM) == []  # default yellow 30%
    actions.do_set_threshold(manager, indicator=Indicator.PAYOUT_MOM, yellow=D("10"), red=D("20"),
                             effective_from=dt.date(2026, 1, 1), note="局方要求收紧")
    assert found(DEC, Indicator.PAYOUT_MOM) == []  # December still under the old levels
    hit = found(dt.date(2026, 1, 1), Indicator.PAYOUT_MOM)[0]
    assert (hit.level, hit.threshold, hit.threshold_from) == ("red", D("20"), dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        actions.do_set_threshold(manager, indicator=Indicator.MONTHS_PAYABLE, yellow=D("3"), red=D("6"),
                                 effective_from=dt.date(2026, 1, 1))
    with pytest.raises(Conflict):
        actions.do_set_threshold(manager, indicator=Indicator.PAYOUT_MOM, yellow=D("10"), red=D("20"),
                                 effective_from=dt.date(2026, 1, 1))


def test_sms_to_configured_numbers(world: Any, manager: Any, settings: Any) -> None:
    from dae.notices.models import SmsMessage

    settings.FORECAST_ALERT_PHONES = {REGION_A: ["13800000000"]}
    world.put(dt.date(2025, 11, 1), 100)
    world.put(DEC, 200)
    actions.do_raise_alerts(manager, REGION_A, DEC)
    texts = list(SmsMessage.objects.values_list("text", flat=True))
    assert len(texts) == 1 and texts[0].startswith("【基金预警】2025-12 月大额基金支付环比增长")
