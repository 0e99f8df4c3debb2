"""The demo helper on a small generated year: statements made from the ledger, imported, matched, the three
planted differences found, every day of the year closed — without a query per line."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dae.bank import queries
from dae.bank.demo import reconcile_year
from dae.bank.models import BankLine, BankStatement
from dae.ledger.actions import Cr, Dr, Entry, do_post_many
from dae.ledger.models import Account, DayClose, Leg
from tests.factories import REGION_A, REGION_B

pytestmark = pytest.mark.django_db
YEAR = 2025


def _year_of_postings(count: int, region: str = REGION_A) -> list[Entry]:
    """Payment orders, operating costs, appropriations and transfers spread over the year."""
    draw = random.Random(f"{YEAR}{region}")
    entries = []
    for n in range(count):
        on = dt.date(YEAR, 1, 1) + dt.timedelta(days=draw.randrange(365))
        amount = Decimal(draw.randrange(1000, 900000)) / 100
        kind = n % 5
        if kind in (0, 1):
            lines, ref, text = [Dr("2201", amount), Cr("100202", amount)], ("payments.order", n), f"支付指令 {n}"
        elif kind == 2:
            lines, ref, text = [Dr("5101", amount), Cr("100202", amount)], ("ledger.manual", f"F{n}"), f"经办费用 {n}"
        elif kind == 3:
            lines, ref, text = [Dr("100201", amount), Cr("1131", amount)], ("ledger.manual", f"A{n}"), f"拨款 {n}"
        else:
            lines, ref, text = [Dr("100202", amount), Cr("100201", amount)], ("ledger.manual", f"T{n}"), f"划转 {n}"
        entries.append(Entry(lines, on, text, ref, f"demo-{region}-{n}", region))
    return entries


def test_reconcile_year_finds_the_planted_differences_and_closes_every_day(clerk: Any) -> None:
    assert do_post_many(_year_of_postings(300), actor=clerk) == 300
    cash = Leg.objects.filter(account__code__in=("100201", "100202")).count()
    assert cash == 360  # 300 postings, 60 transfers touch both accounts
    months = Leg.objects.filter(account__code__in=("100201", "100202")).values_list(
        "account__code", "transaction__date__month").distinct().count()

    with CaptureQueriesContext(connection) as ctx:
        counts = reconcile_year(REGION_A, YEAR, clerk)
    missing = Leg.objects.filter(account__code__in=("100201", "100202"), bank_match__isnull=True,
                                 transaction__region_id=REGION_A).get()
    memo = 120 - (missing.transaction.reference_type == "payments.order")
    assert counts == {"statements": months, "lines": cash - 1 + 2, "matched_memo": memo,
                      "matched_amount_date": cash - 1 - memo, "duplicates": 1, "bank_only": 1, "ledger_only": 1,
                      "days_closed": 365}
    # the same work for a region with a third of the lines takes as many queries: none is per line
    assert do_post_many(_year_of_postings(100, REGION_B), actor=clerk) == 100
    with CaptureQueriesContext(connection) as small:
        assert reconcile_year(REGION_B, YEAR, clerk)["statements"] == months
    assert abs(len(ctx.captured_queries) - len(small.captured_queries)) <= months, (
        len(ctx.captured_queries), len(small.captured_queries))

    statements = BankStatement.objects.filter(region_id=REGION_A)
    assert statements.count() == months
    assert BankLine.objects.filter(region_id=REGION_A, state="duplicate").count() == 1
    fee = BankLine.objects.get(region_id=REGION_A, state="unmatched")
    assert (fee.amount, fee.direction, fee.memo) == (Decimal("12.50"), "out", "银行手续费")
    assert list(DayClose.objects.filter(region_id=REGION_A).order_by("day").values_list("day", flat=True)) == [
        dt.date(YEAR, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    for code in ("100201", "100202"):
        rec = queries.reconciliation(REGION_A, Account.objects.get(code=code), dt.date(YEAR, 12, 31))
        assert rec.agree is True, code

    again = reconcile_year(REGION_A, YEAR, clerk)  # the statements exist and the year is closed
    assert (again["statements"], again["days_closed"], again["bank_only"], again["ledger_only"]) == (0, 0, 1, 1)
