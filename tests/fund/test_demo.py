"""The demo's fund year: funds raised from the year's payouts, four requests received and transferred, monthly
operating costs and quarterly interest, the month hook, a profit rate near 3 % and a second run that changes
nothing."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest

from dae.fund import demo, services
from dae.fund.models import AppropriationRequest, FundEntry, FundYear
from dae.ledger.models import Transaction
from dae.ledger.queries import trial_balance
from tests.factories import REGION_A

pytestmark = pytest.mark.django_db
D = Decimal


def test_run_year(clerk: Any, book: Any) -> None:
    for month in range(1, 13):
        book("payout", "100000.00", dt.date(2026, month, 10))
    months: list[int] = []
    started = time.monotonic()
    summary = demo.run_year(REGION_A, 2026, clerk, month_hook=months.append)
    assert time.monotonic() - started < 10
    assert months == list(range(1, 13))
    assert summary["funds_raised"] == "1260000.00"  # 1,200,000 ÷ 0.95 = 1,263,157.89 → 1,260,000
    assert summary["operating_costs"] == "25200.00"  # 2 % of the funds, 2,100.00 a month
    assert summary["requests"] == ["315000.00", "306300.00", "306300.00", "306300.00"]
    assert summary["appropriations"] == "1233900.00"
    assert summary["profit_rate"] == "2.76"  # (1,260,000 − 1,200,000 − 25,200) ÷ 1,260,000
    assert summary["revolving_outstanding"] == "0.00"
    fund_year = FundYear.objects.get()
    assert (fund_year.contract_start, fund_year.contract_end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    requests = AppropriationRequest.objects.order_by("quarter")
    assert [r.status for r in requests] == ["received"] * 4
    assert [r.submitted_on for r in requests] == [dt.date(2026, 1, 4), dt.date(2026, 4, 1), dt.date(2026, 7, 1),
                                                  dt.date(2026, 10, 8)]
    received = FundEntry.objects.filter(kind="appropriation").order_by("on").values_list("on", flat=True)
    assert list(received) == [dt.date(2026, 1, 9), dt.date(2026, 4, 9), dt.date(2026, 7, 8), dt.date(2026, 10, 14)]
    assert FundEntry.objects.filter(kind="transfer").count() == 4
    assert FundEntry.objects.filter(kind="operating_cost").count() == 12
    assert FundEntry.objects.filter(kind="interest").count() == 4
    assert D(summary["interest"]) > 0
    assert all(e.on.year == 2026 for e in FundEntry.objects.all())
    assert trial_balance().difference == 0
    count = Transaction.objects.count()
    again = demo.run_year(REGION_A, 2026, clerk)
    assert Transaction.objects.count() == count and again["funds_raised"] == "1260000.00"
    assert services.profit_rates(fund_year, through=12).latest.rate == D("2.76")  # type: ignore[union-attr]


def test_funds_without_payouts(clerk: Any) -> None:
    assert demo.funds_for(REGION_A, 2031) == D("10000000.00")
