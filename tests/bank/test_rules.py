"""The pure reconciliation rules: matching order and tie-breaks, 长款/短款, aging buckets, the adjusted balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dae.bank.rules import (
    BankItem,
    BookItem,
    Pair,
    Reconciliation,
    bucket,
    kind,
    order_of,
    order_token,
    pair,
)

D = Decimal


def test_memo_rule_first_then_amount_and_date() -> None:
    lines = [BankItem(1, date(2026, 3, 7), "out", D("1200.00"), "付款"),
             BankItem(2, date(2026, 3, 3), "out", D("1200.00"), "DAE-PO101")]
    legs = [BookItem(10, date(2026, 3, 3), "out", D("1200.00"), "101"),
            BookItem(11, date(2026, 3, 6), "out", D("1200.00"), "103")]
    # line 2 (by memo) takes leg 10 although line 1 would have been matched first by amount
    assert pair(lines, legs) == [Pair(2, 10, "memo"), Pair(1, 11, "amount_date")]


def test_memo_needs_the_same_amount_and_direction() -> None:
    legs = [BookItem(10, date(2026, 3, 3), "out", D("1200.00"), "101")]
    assert pair([BankItem(1, date(2026, 3, 3), "out", D("1199.00"), "DAE-PO101")], legs) == []
    assert pair([BankItem(1, date(2026, 3, 3), "in", D("1200.00"), "DAE-PO101")], legs) == []
    # any date: the memo names the order
    assert pair([BankItem(1, date(2026, 5, 3), "out", D("1200.00"), "dae-po0101 退回")], legs) == [
        Pair(1, 10, "memo")]


def test_amount_rule_window_closest_date_then_lowest_id() -> None:
    legs = [BookItem(30, date(2026, 3, 8), "out", D("50.00")), BookItem(20, date(2026, 3, 12), "out", D("50.00")),
            BookItem(10, date(2026, 3, 12), "out", D("50.00")), BookItem(5, date(2026, 3, 15), "out", D("50.00"))]
    line = BankItem(1, date(2026, 3, 11), "out", D("50.00"))
    assert pair([line], legs) == [Pair(1, 10, "amount_date")]  # 1 day off: 10 and 20 tie, the lower id wins
    assert pair([line], legs, window=0) == []
    assert pair([BankItem(1, date(2026, 3, 18), "out", D("50.00"))], legs) == [Pair(1, 5, "amount_date")]
    assert pair([BankItem(1, date(2026, 3, 19), "out", D("50.00"))], legs) == []  # 4 days > ±3
    assert pair([BankItem(1, date(2026, 3, 11), "in", D("50.00"))], legs) == []


def test_one_to_one_and_deterministic() -> None:
    lines = [BankItem(i, date(2026, 3, 10), "in", D("10.00")) for i in (3, 1, 2)]
    legs = [BookItem(i, date(2026, 3, 10), "in", D("10.00")) for i in (22, 21)]
    assert pair(lines, legs) == [Pair(1, 21, "amount_date"), Pair(2, 22, "amount_date")]
    assert pair(list(reversed(lines)), list(reversed(legs))) == pair(lines, legs)


def test_tokens() -> None:
    assert (order_token("DAE-PO00123 医院"), order_token("手续费"), order_token("")) == ("123", None, None)
    assert (order_of("payments.order", "0123"), order_of("payments.order", "x"), order_of("ledger.manual", "1")) == (
        "123", None, None)


@pytest.mark.parametrize(("side", "direction", "expected"), [
    ("bank", "in", "long"),     # 银行已收、账面未收
    ("bank", "out", "short"),   # 银行已付、账面未付
    ("book", "in", "short"),    # 账面已收、银行未收
    ("book", "out", "long"),    # 账面已付、银行未付
])
def test_long_and_short(side: str, direction: str, expected: str) -> None:
    assert kind(side, direction) == expected


@pytest.mark.parametrize(("age", "expected"), [
    (0, "0-7"), (7, "0-7"), (8, "8-30"), (30, "8-30"), (31, "31-90"), (90, "31-90"), (91, "over-90"), (400, "over-90"),
])
def test_aging_buckets(age: int, expected: str) -> None:
    assert bucket(age) == expected


def test_adjusted_balances() -> None:
    rec = Reconciliation(bank_balance=D("16487.50"), book_balance=D("16050.00"), bank_in=D("0"), bank_out=D("12.50"),
                         book_in=D("0"), book_out=D("450.00"))
    assert (rec.adjusted_bank, rec.adjusted_book, rec.difference, rec.agree) == (
        D("16037.50"), D("16037.50"), D("0.00"), True)
    unknown = Reconciliation(None, D("1"), D("0"), D("0"), D("0"), D("0"))
    assert (unknown.adjusted_bank, unknown.difference, unknown.agree) == (None, None, None)
