"""Rules of bank reconciliation as pure functions over plain values: which bank line pairs with which ledger
cash leg (``pair``), whether an unmatched item is 长款 or 短款 (``kind``), its aging bucket (``bucket``) and the
arithmetic of the balance reconciliation (余额调节表, ``Reconciliation``).

Matching is deterministic, so running it again on the same data pairs the same items: rule (a) first for every
line in (date, id) order — the payment order number in the memo (附言 ``DAE-PO<id>``) names a transaction with
reference ``("payments.order", id)`` of the same amount and direction; then rule (b) for the lines left — the same
amount and direction within ± ``window`` days. Among candidates the closest date wins, then the lowest leg id.
This module must never import Django.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

#: the default ± days of rule (b)
MATCH_WINDOW_DAYS = 3
#: the memo (附言) token of a payment order in the payment file: DAE-PO<order id>
PO_TOKEN = re.compile(r"DAE-PO(\d+)", re.IGNORECASE)
ORDER_REFERENCE = "payments.order"

IN, OUT = "in", "out"
MEMO, AMOUNT_DATE = "memo", "amount_date"
BANK, BOOK = "bank", "book"
LONG, SHORT = "long", "short"

#: aging buckets: (key, first day, last day or None for open-ended)
BUCKETS: tuple[tuple[str, int, int | None], ...] = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90),
                                                     ("over-90", 91, None))


@dataclass(frozen=True)
class BankItem:
    """A bank line to match: ``direction`` is ``in`` (收) or ``out`` (付), ``amount`` positive."""

    id: int
    date: date
    direction: str
    amount: Decimal
    memo: str = ""


@dataclass(frozen=True)
class BookItem:
    """A ledger cash leg to match: a debit is ``in``, a credit ``out``; ``order`` is the payment order id when
    its transaction's reference is ``("payments.order", id)``."""

    id: int
    date: date
    direction: str
    amount: Decimal
    order: str | None = None


@dataclass(frozen=True)
class Pair:
    line: int
    leg: int
    rule: str


def order_memo(order_id: int | str) -> str:
    """The memo (附言) a payment order carries through the bank: ``DAE-PO<id>`` (read back by ``order_token``)."""
    return f"DAE-PO{order_id}"


def order_token(memo: str) -> str | None:
    """The payment order id named in a memo (``DAE-PO123`` → ``"123"``), None when there is none."""
    found = PO_TOKEN.search(memo or "")
    return str(int(found.group(1))) if found else None


def order_of(reference_type: str, reference_id: str) -> str | None:
    """The payment order id of a transaction reference, None for any other reference."""
    if reference_type != ORDER_REFERENCE or not str(reference_id).isdigit():
        return None
    return str(int(reference_id))


class _Pool:
    """The legs not yet taken, by (direction, amount) in (date, id) order, and by payment order."""

    def __init__(self, legs: Iterable[BookItem]) -> None:
        self.free: dict[int, BookItem] = {}
        self.by_amount: dict[tuple[str, Decimal], list[BookItem]] = defaultdict(list)
        self.by_order: dict[tuple[str, str, Decimal], list[BookItem]] = defaultdict(list)
        for leg in sorted(legs, key=lambda item: (item.date, item.id)):
            if leg.id in self.free:
                continue
            self.free[leg.id] = leg
            self.by_amount[(leg.direction, leg.amount)].append(leg)
            if leg.order is not None:
                self.by_order[(leg.order, leg.direction, leg.amount)].append(leg)
        self.days = {key: [leg.date.toordinal() for leg in group] for key, group in self.by_amount.items()}

    def near(self, line: BankItem, window: int) -> list[BookItem]:
        key = (line.direction, line.amount)
        days, group, day = self.days.get(key, []), self.by_amount.get(key, []), line.date.toordinal()
        low, high = bisect.bisect_left(days, day - window), bisect.bisect_right(days, day + window)
        return [leg for leg in group[low:high] if leg.id in self.free]

    def ordered(self, line: BankItem, order: str) -> list[BookItem]:
        return [leg for leg in self.by_order.get((order, line.direction, line.amount), []) if leg.id in self.free]

    def take(self, line: BankItem, candidates: Sequence[BookItem], rule: str) -> Pair | None:
        if not candidates:
            return None
        best = min(candidates, key=lambda leg: (abs((leg.date - line.date).days), leg.id))
        del self.free[best.id]
        return Pair(line.id, best.id, rule)


def pair(lines: Iterable[BankItem], legs: Iterable[BookItem], *, window: int = MATCH_WINDOW_DAYS) -> list[Pair]:
    """One-to-one pairs of bank lines and ledger legs by rule (a) then rule (b) (see the module's docstring).
    Lines and legs left out of the result stay unmatched."""
    pool = _Pool(legs)
    ordered = sorted(lines, key=lambda line: (line.date, line.id))
    pairs: list[Pair] = []
    for line in ordered:
        order = order_token(line.memo)
        found = pool.take(line, pool.ordered(line, order), MEMO) if order is not None else None
        if found is not None:
            pairs.append(found)
    taken = {p.line for p in pairs}
    for line in ordered:
        if line.id not in taken:
            found = pool.take(line, pool.near(line, window), AMOUNT_DATE)
            if found is not None:
                pairs.append(found)
    return pairs


def kind(side: str, direction: str) -> str:
    """长款 (``long``) or 短款 (``short``) by the item's effect on bank against book: money the bank received and
    the book has not, or the book paid and the bank has not, makes the bank long; the opposite makes it short."""
    if side == BANK:
        return LONG if direction == IN else SHORT
    return SHORT if direction == IN else LONG


def bucket(age_days: int) -> str:
    """The aging bucket of an item ``age_days`` old (0–7, 8–30, 31–90, over 90 days)."""
    for key, first, last in BUCKETS:
        if age_days >= first and (last is None or age_days <= last):
            return key
    return BUCKETS[0][0]  # dated after the as-of day: the youngest bucket


@dataclass(frozen=True)
class Reconciliation:
    """余额调节表 of one bank account at a date. ``bank_balance`` is None when the statement gives no balance.

    adjusted bank = bank balance + book receipts not at the bank − book payments not at the bank;
    adjusted book = book balance + bank receipts not in the book − bank payments not in the book.
    The two agree when every difference between bank and book is one of the listed unmatched items."""

    bank_balance: Decimal | None
    book_balance: Decimal
    bank_in: Decimal
    bank_out: Decimal
    book_in: Decimal
    book_out: Decimal

    @property
    def adjusted_bank(self) -> Decimal | None:
        if self.bank_balance is None:
            return None
        return self.bank_balance + self.book_in - self.book_out

    @property
    def adjusted_book(self) -> Decimal:
        return self.book_balance + self.bank_in - self.bank_out

    @property
    def difference(self) -> Decimal | None:
        adjusted = self.adjusted_bank
        return None if adjusted is None else adjusted - self.adjusted_book

    @property
    def agree(self) -> bool | None:
        difference = self.difference
        return None if difference is None else difference == 0
