"""Reads of bank reconciliation: the unmatched items (未达账项) of an account at a date with their aging and
长款/短款 kind, and the balance reconciliation (余额调节表).

An item is outstanding at day D when it is dated on or before D and has no counterpart dated on or before D:
a leg whose bank line comes after D was, on D, "in the book, not at the bank". The same definition feeds the
list and the reconciliation, so the adjusted balances agree exactly when every difference is a listed item.
The book side starts at the account's first imported statement (对账起始日): legs before it are in the bank's
opening balance and were reconciled before this system. A few queries per account, never one per item.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q

from dae.core.money import ZERO
from dae.ledger import queries as ledger_queries
from dae.ledger.entries import CASH_ACCOUNTS
from dae.ledger.models import Account

from . import rules
from .matching import CHUNK, cash_legs, chunks
from .models import BankLine, BankStatement, Note


@dataclass(frozen=True)
class Item:
    """One unmatched item: a bank line (``side`` bank: 银行已记、账面未记) or a ledger leg (book: 账面已记、银行未记)."""

    side: str
    id: int
    region: str
    account: str
    date: dt.date
    direction: str
    amount: Decimal
    text: str
    reference: str
    transaction: int | None
    age: int
    note: str = ""

    @property
    def kind(self) -> str:
        return rules.kind(self.side, self.direction)

    @property
    def bucket(self) -> str:
        return rules.bucket(self.age)

    @property
    def signed(self) -> Decimal:
        """The amount as it moves the balance: positive in, negative out."""
        return self.amount if self.direction == rules.IN else -self.amount


def reconciliation_start(region: str, account: Account) -> dt.date | None:
    """对账起始日: the first day of the account's earliest statement, None before any import."""
    return BankStatement.objects.filter(region_id=region, account=account).aggregate(start=Min("period_from"))["start"]


def _latest_notes(field: str, ids: list[int]) -> dict[int, str]:
    notes: dict[int, str] = {}
    for part in chunks(ids, CHUNK):
        for item_id, text in Note.objects.filter(**{f"{field}__in": list(part)}).order_by("id").values_list(field, "text"):
            notes[item_id] = text
    return notes


def _bank_items(region: str, account: Account, on: dt.date) -> list[Item]:
    rows = (BankLine.objects.filter(region_id=region, account=account, date__lte=on)
            .exclude(state=BankLine.State.DUPLICATE)
            .filter(Q(match__isnull=True) | Q(match__leg__transaction__date__gt=on))
            .values("id", "date", "direction", "amount", "memo", "serial").order_by("date", "statement_id", "seq"))
    rows = list(rows)
    notes = _latest_notes("line", [r["id"] for r in rows])
    return [Item(rules.BANK, r["id"], region, account.code, r["date"], r["direction"], r["amount"], r["memo"],
                 r["serial"], None, (on - r["date"]).days, notes.get(r["id"], "")) for r in rows]


def _book_items(region: str, account: Account, start: dt.date, on: dt.date) -> list[Item]:
    rows = list(cash_legs(region, account).filter(transaction__date__range=(start, on))
                .filter(Q(bank_match__isnull=True) | Q(bank_match__line__date__gt=on))
                .values("id", "debit", "credit", "transaction_id", "transaction__date", "transaction__description",
                        "transaction__reference_type", "transaction__reference_id")
                .order_by("transaction__date", "id"))
    notes = _latest_notes("leg", [r["id"] for r in rows])
    return [Item(rules.BOOK, r["id"], region, account.code, r["transaction__date"],
                 rules.IN if r["debit"] else rules.OUT, r["debit"] or r["credit"], r["transaction__description"],
                 f"{r['transaction__reference_type']} {r['transaction__reference_id']}".strip(), r["transaction_id"],
                 (on - r["transaction__date"]).days, notes.get(r["id"], "")) for r in rows]


def outstanding(region: str, account: Account, on: dt.date) -> list[Item]:
    """The unmatched items of one account at the end of ``on``: bank lines first, then ledger legs, by date."""
    start = reconciliation_start(region, account)
    if start is None:
        return []
    return _bank_items(region, account, on) + _book_items(region, account, start, on)


def cash_accounts(codes: Iterable[str] = CASH_ACCOUNTS) -> list[Account]:
    return list(Account.objects.filter(code__in=list(codes)).order_by("code"))


@dataclass(frozen=True)
class Unmatched:
    """The unmatched items of several accounts with their totals by aging bucket and by 长款/短款."""

    on: dt.date
    items: list[Item]

    def _total(self, **attrs: str) -> Decimal:
        return sum((i.amount for i in self.items if all(getattr(i, k) == v for k, v in attrs.items())), ZERO)

    @property
    def long_total(self) -> Decimal:
        return self._total(kind=rules.LONG)

    @property
    def short_total(self) -> Decimal:
        return self._total(kind=rules.SHORT)

    def buckets(self) -> list[dict[str, Any]]:
        """Per aging bucket: count, 长款 and 短款 amounts."""
        result = []
        for key, _first, _last in rules.BUCKETS:
            items = [i for i in self.items if i.bucket == key]
            result.append({"key": key, "count": len(items),
                           "long": sum((i.amount for i in items if i.kind == rules.LONG), ZERO),
                           "short": sum((i.amount for i in items if i.kind == rules.SHORT), ZERO)})
        return result


def unmatched(regions: Sequence[str], accounts: Sequence[Account], on: dt.date) -> Unmatched:
    items = [item for region in regions for account in accounts for item in outstanding(region, account, on)]
    return Unmatched(on, items)


def bank_balance(region: str, account: Account, on: dt.date) -> Decimal | None:
    """The bank's balance at the end of ``on``: the balance given on its last line (not a duplicate) on or before
    that day; None when there is no such line or it gives no balance."""
    last = (BankLine.objects.filter(region_id=region, account=account, date__lte=on)
            .exclude(state=BankLine.State.DUPLICATE).order_by("-date", "-statement_id", "-seq")
            .values_list("balance", flat=True).first())
    return last


def reconciliation(region: str, account: Account, on: dt.date) -> rules.Reconciliation:
    """余额调节表 of one account at the end of ``on``."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for item in outstanding(region, account, on):
        sums[(item.side, item.direction)] += item.amount
    return rules.Reconciliation(
        bank_balance=bank_balance(region, account, on),
        book_balance=ledger_queries.balance(account, on=on, regions=[region]),
        bank_in=sums[(rules.BANK, rules.IN)], bank_out=sums[(rules.BANK, rules.OUT)],
        book_in=sums[(rules.BOOK, rules.IN)], book_out=sums[(rules.BOOK, rules.OUT)])
