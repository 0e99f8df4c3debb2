"""The profit rate per month (year to date) from a hand-built ledger: exact figures and statuses, a month that
crosses 3.85 %, the full-year projection, the interest kept apart, and no float anywhere on the way."""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal
from typing import Any

import pytest

from dae.fund import actions, services
from dae.fund.models import FundYear
from tests.factories import REGION_A, REGION_B

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year(clerk: Any, book: Any) -> FundYear:
    """Funds raised 1,200,000.00. Jan: payouts 90,000, costs 2,000, interest 100. Feb: payouts 100,000 less a
    3,000 cancellation, 补付 1,000, 追回 500, audit deduction 250, costs 2,000. Mar: payouts 105,000, costs 2,000.
    Apr–Nov: payouts 95,000 and costs 2,000 each. Dec: payouts 80,000, costs 2,000."""
    fund_year = actions.do_enter_funds(clerk, REGION_A, 2026, "1200000.00", on=dt.date(2026, 1, 5))
    book("payout", "90000.00", dt.date(2026, 1, 20))
    book("cost", "2000.00", dt.date(2026, 1, 26))
    book("interest", "100.00", dt.date(2026, 1, 21))
    book("payout", "100000.00", dt.date(2026, 2, 2))
    book("cancel", "3000.00", dt.date(2026, 2, 3))
    book("top_up", "1000.00", dt.date(2026, 2, 4))
    book("recover", "500.00", dt.date(2026, 2, 5))
    book("deduction", "250.00", dt.date(2026, 2, 28))
    book("cost", "2000.00", dt.date(2026, 2, 25))
    book("payout", "105000.00", dt.date(2026, 3, 31))
    book("cost", "2000.00", dt.date(2026, 3, 1))
    for month in range(4, 12):
        book("payout", "95000.00", dt.date(2026, month, 15))
        book("cost", "2000.00", dt.date(2026, month, 25))
    book("payout", "80000.00", dt.date(2026, 12, 31))
    book("cost", "2000.00", dt.date(2026, 12, 1))
    book("payout", "5000.00", dt.date(2027, 1, 1))          # next year: not counted
    book("payout", "7000.00", dt.date(2026, 5, 1), REGION_B)  # another region: not counted
    return fund_year


def test_monthly_figures_rates_and_statuses(year: FundYear) -> None:
    series = services.profit_rates(year, through=12)
    months = series.months
    assert len(months) == 12
    jan, feb, mar, nov, dec = months[0], months[1], months[2], months[10], months[11]
    assert (jan.own.payouts, jan.own.operating_costs, jan.own.interest) == (D("90000.00"), D("2000.00"), D("100.00"))
    assert (jan.profit, jan.rate, jan.status) == (D("1108000.00"), D("92.33"), "red")
    assert (jan.projected_profit, jan.projected_rate, jan.projected_status) == (D("96000.00"), D("8.00"), "red")
    assert (feb.own.payouts, feb.own.adjustments, feb.own.deductions) == (D("97000.00"), D("500.00"), D("-250.00"))
    assert (feb.ytd.payouts, feb.ytd.adjustments_and_deductions, feb.ytd.operating_costs) == (
        D("187000.00"), D("250.00"), D("4000.00"))
    assert (feb.profit, feb.rate) == (D("1008750.00"), D("84.06"))
    assert (feb.projected_profit, feb.projected_rate, feb.projected_status) == (D("52500.00"), D("4.38"), "red")
    assert (mar.rate, mar.projected_rate, mar.projected_status) == (D("75.15"), D("0.58"), "ok")
    assert (nov.profit, nov.rate, nov.status) == (D("125750.00"), D("10.48"), "red")
    assert (nov.projected_profit, nov.projected_rate) == (D("28090.91"), D("2.34"))
    # December crosses 3.85 %: 1,156,250 spent, profit 43,750 = 3.65 % → yellow (above 3.00, not above 3.85)
    assert (dec.ytd.expenditure, dec.profit, dec.rate, dec.status) == (D("1156250.00"), D("43750.00"), D("3.65"), "yellow")
    assert (dec.projected_profit, dec.projected_rate) == (dec.profit, dec.rate)
    assert dec.ytd.interest == D("100.00")  # shown apart, not in the profit
    assert [m.status for m in months] == ["red"] * 11 + ["yellow"]
    assert [m.projected_status for m in months] == ["red", "red"] + ["ok"] * 9 + ["yellow"]
    assert [str(m.rate) for m in months] == ["92.33", "84.06", "75.15", "67.06", "58.98", "50.90", "42.81", "34.73",
                                             "26.65", "18.56", "10.48", "3.65"]


def test_statuses_follow_the_levels_of_the_year(clerk: Any, year: FundYear) -> None:
    year = actions.do_change_levels(clerk, year, yellow_level=D("3.65"), red_level=D("3.70"), contract_start=None,
                                    contract_end=None, reason="测试边界")
    assert services.profit_rates(year, through=12).months[-1].status == "ok"  # 3.65 is not above 3.65
    year = actions.do_change_levels(clerk, year, yellow_level=D("3.00"), red_level=D("3.64"), contract_start=None,
                                    contract_end=None, reason="测试边界")
    assert services.profit_rates(year, through=12).months[-1].status == "red"


def test_the_whole_year_is_one_query(year: FundYear, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        services.profit_rates(year, through=12)


def test_no_float_on_the_way(year: FundYear) -> None:
    """With FloatOperation trapped, any float mixed into a Decimal (or turned into one implicitly) raises."""
    with decimal.localcontext() as context:
        context.traps[decimal.FloatOperation] = True
        series = services.profit_rates(year, through=12)
        report = services.clearing_report(year, "year_end")
        short = services.spending_shortfall(REGION_A, D("1.00"), dt.date(2026, 12, 31))
    values = [short, report.profit, report.excess]
    for month in series.months:
        values += [month.profit, month.rate, month.projected_profit, month.projected_rate, month.ytd.expenditure]
    assert all(type(v) is Decimal for v in values)


def test_the_projection_is_labelled_on_the_pages(clerk: Any, year: FundYear) -> None:
    from django.test import Client

    client = Client()
    client.force_login(clerk)
    html = client.get(f"/fund/years/{year.pk}/").content.decode()
    assert "预计全年利润率（预测）" in html and 'data-month="1"' in html and "92.33%" in html
