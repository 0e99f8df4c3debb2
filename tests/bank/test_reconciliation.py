"""The reconciliation of March 2026 for 桦甸市's expenditure account (100202 支出户) — a ledger with known cash
movements and a bank file with a duplicate line, a ledger movement missing at the bank and an unknown bank
line — and of its income account (100201) for the two other kinds of difference.

Ledger, 100202:                             Bank file, 100202 (balance after each line):
  03-02 Dr 20000.00 transfer in               1 03-02 S001 收 20000.00 收入户划入        20000.00
  03-03 Cr  1200.00 payment order 101         2 03-03 S002 付  1200.00 DAE-PO101        18800.00
  03-04 Cr   800.00 payment order 102         3 03-05 S003 付   800.00 DAE-PO102        18000.00
  03-05 Cr   300.00 operating costs           4 03-05 S004 付   300.00 经办费用          17700.00
  03-06 Cr  1200.00 payment order 103         5 03-05 S004 付   300.00 经办费用 (again)  17700.00
  03-10 Cr   450.00 operating costs (not      6 03-07 S005 付  1200.00 付款 (no memo)   16500.00
        at the bank)                          7 03-18 S006 付    12.50 手续费 (unknown)  16487.50
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dae.bank import queries
from dae.bank.actions import do_import_statement
from dae.bank.models import BankLine, Match
from dae.ledger.models import Account
from tests.factories import REGION_A

from .books import cash_leg, day, move, pay_order, statement_csv

pytestmark = pytest.mark.django_db
D = Decimal

BANK_100202 = statement_csv(
    "2026-03-02,S001,收,20000.00,,,收入户划入,20000.00",
    "2026-03-03,S002,付,1200.00,桦甸市人民医院,,DAE-PO101,18800.00",
    "2026-03-05,S003,付,800.00,桦甸市中医院,,DAE-PO102,18000.00",
    "2026-03-05,S004,付,300.00,,,经办费用,17700.00",
    "2026-03-05,S004,付,300.00,,,经办费用,17700.00",
    "2026-03-07,S005,付,1200.00,,,付款,16500.00",
    "2026-03-18,S006,付,12.50,,,手续费,16487.50",
)


@pytest.fixture
def march(clerk: Any) -> dict[str, Any]:
    txns = {
        "appropriation": move("100201", "1131", "50000.00", day(2), "appr-1", description="一季度拨款"),
        "transfer": move("100202", "100201", "20000.00", day(2), "transfer-1", description="收入户划入支出户"),
        "po101": pay_order(101, "1200.00", day(3)),
        "po102": pay_order(102, "800.00", day(4)),
        "cost": move("5101", "100202", "300.00", day(5), "cost-1", description="经办费用"),
        "po103": pay_order(103, "1200.00", day(6)),
        "missing": move("5101", "100202", "450.00", day(10), "cost-2", description="经办费用（银行未付）"),
        "interest": move("100201", "4101", "35.20", day(31), "interest-1", description="存款利息"),
    }
    imported = do_import_statement(region=REGION_A, account="100202", file_name="100202-202603.csv",
                                content=BANK_100202, actor=clerk)
    return {"txns": txns, "imported": imported, "clerk": clerk}


def _by_serial(statement: Any) -> list[tuple[int, str, str, str | None, str | None]]:
    rows = []
    for line in BankLine.objects.filter(statement=statement).select_related("match__leg__transaction").order_by("seq"):
        match = Match.objects.filter(line=line).select_related("leg__transaction").first()
        rows.append((line.seq, line.serial, line.state, match.leg.transaction.idempotency_key if match else None,
                     match.rule if match else None))
    return rows


def test_which_lines_matched_by_which_rule_and_the_duplicate(march: dict[str, Any]) -> None:
    imported = march["imported"]
    assert (imported.duplicates, imported.matched.memo, imported.matched.amount_date) == (1, 2, 3)
    assert _by_serial(imported.statement) == [
        (1, "S001", "matched", "transfer-1", "amount_date"),
        (2, "S002", "matched", "po-101", "memo"),
        (3, "S003", "matched", "po-102", "memo"),        # bank one day after the book: any date for a memo match
        (4, "S004", "matched", "cost-1", "amount_date"),
        (5, "S004", "duplicate", None, None),            # the serial again: never matched
        (6, "S005", "matched", "po-103", "amount_date"),  # 1200.00 without memo: po-101 was taken by its memo
        (7, "S006", "unmatched", None, None),            # the bank fee, unknown to the book
    ]
    matched_legs = set(Match.objects.values_list("leg_id", flat=True))
    assert cash_leg(march["txns"]["missing"], "100202").pk not in matched_legs


def test_unmatched_items_their_kind_and_aging(march: dict[str, Any]) -> None:
    account = Account.objects.get(code="100202")
    fee = BankLine.objects.get(serial="S006")
    missing = cash_leg(march["txns"]["missing"], "100202")

    early = queries.unmatched([REGION_A], [account], day(20))
    assert [(i.side, i.id, i.date, i.direction, i.amount, i.kind, i.age, i.bucket) for i in early.items] == [
        ("bank", fee.pk, day(18), "out", D("12.50"), "short", 2, "0-7"),        # 银行已付、账面未付 → 短款
        ("book", missing.pk, day(10), "out", D("450.00"), "long", 10, "8-30"),  # 账面已付、银行未付 → 长款
    ]
    assert (early.long_total, early.short_total) == (D("450.00"), D("12.50"))
    assert [(b["key"], b["count"], b["long"], b["short"]) for b in early.buckets()] == [
        ("0-7", 1, D("0.00"), D("12.50")), ("8-30", 1, D("450.00"), D("0.00")),
        ("31-90", 0, D("0.00"), D("0.00")), ("over-90", 0, D("0.00"), D("0.00"))]

    late = queries.unmatched([REGION_A], [account], day(1, month=7))
    assert [(i.side, i.age, i.bucket) for i in late.items] == [("bank", 105, "over-90"), ("book", 113, "over-90")]
    may = queries.unmatched([REGION_A], [account], day(15, month=4))
    assert [(i.side, i.age, i.bucket) for i in may.items] == [("bank", 28, "8-30"), ("book", 36, "31-90")]


def test_balance_reconciliation_agrees_at_month_end(march: dict[str, Any]) -> None:
    rec = queries.reconciliation(REGION_A, Account.objects.get(code="100202"), day(31))
    assert (rec.bank_balance, rec.book_balance, rec.bank_in, rec.bank_out, rec.book_in, rec.book_out) == (
        D("16487.50"), D("16050.00"), D("0.00"), D("12.50"), D("0.00"), D("450.00"))
    assert (rec.adjusted_bank, rec.adjusted_book, rec.agree) == (D("16037.50"), D("16037.50"), True)


def test_an_item_matched_after_the_day_is_outstanding_on_that_day(march: dict[str, Any]) -> None:
    """On 03-04 payment order 102 is in the book (03-04) but reaches the bank only on 03-05."""
    account = Account.objects.get(code="100202")
    po102 = cash_leg(march["txns"]["po102"], "100202")
    items = queries.unmatched([REGION_A], [account], day(4)).items
    assert [(i.side, i.id, i.amount, i.kind) for i in items] == [("book", po102.pk, D("800.00"), "long")]
    rec = queries.reconciliation(REGION_A, account, day(4))
    assert (rec.bank_balance, rec.book_balance, rec.book_out, rec.adjusted_bank, rec.adjusted_book, rec.agree) == (
        D("18800.00"), D("18000.00"), D("800.00"), D("18000.00"), D("18000.00"), True)


def test_the_income_account_long_and_short_the_other_way(march: dict[str, Any]) -> None:
    bank = statement_csv("2026-03-02,R001,收,50000.00,,,一季度拨款,50000.00",
                         "2026-03-02,R002,付,20000.00,,,划入支出户,30000.00",
                         "2026-03-25,R003,收,99.00,,,利息,30099.00")
    do_import_statement(region=REGION_A, account="100201", file_name="100201-202603.csv", content=bank,
                     actor=march["clerk"])
    account = Account.objects.get(code="100201")
    items = queries.unmatched([REGION_A], [account], day(31)).items
    assert [(i.side, i.date, i.direction, i.amount, i.kind) for i in items] == [
        ("bank", day(25), "in", D("99.00"), "long"),    # 银行已收、账面未收 → 长款
        ("book", day(31), "in", D("35.20"), "short"),   # 账面已收、银行未收 → 短款
    ]
    rec = queries.reconciliation(REGION_A, account, day(31))
    assert (rec.bank_balance, rec.book_balance, rec.bank_in, rec.book_in, rec.adjusted_bank, rec.adjusted_book,
            rec.agree) == (D("30099.00"), D("30035.20"), D("99.00"), D("35.20"), D("30134.20"), D("30134.20"), True)


def test_no_statement_no_items_and_a_statement_without_balances(march: dict[str, Any]) -> None:
    account = Account.objects.get(code="100201")
    assert queries.unmatched([REGION_A], [account], day(31)).items == []  # before the first statement of 100201
    do_import_statement(region=REGION_A, account="100201", file_name="r.csv", actor=march["clerk"],
                     content=statement_csv("2026-03-02,R001,收,50000.00,,,拨款,"))
    rec = queries.reconciliation(REGION_A, account, day(31))
    assert (rec.bank_balance, rec.adjusted_bank, rec.agree) == (None, None, None)
