"""The reads of matching bank lines with the ledger's cash legs: the book side of an account and the free legs
that rule (a) or (b) may pair with a set of lines; ``actions.match_account`` pairs them with ``rules.pair`` and
writes the pairs in bulk inside an action's transaction (``do_import_statement``, ``do_run_matching``); a
handful of queries whatever the number of lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from dae.ledger.models import Account, Leg

from . import rules

#: ids per ``IN (...)`` list: below SQLite's and PostgreSQL's parameter limits
CHUNK = 900
T = TypeVar("T")


@dataclass(frozen=True)
class MatchCounts:
    memo: int = 0
    amount_date: int = 0

    @property
    def total(self) -> int:
        return self.memo + self.amount_date


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def cash_legs(region: str, account: Account) -> Any:
    """The ledger legs of ``account`` in ``region``: the book side of the reconciliation."""
    return Leg.objects.filter(account=account, transaction__region_id=region)


def _book_items(rows: Any) -> list[rules.BookItem]:
    return [rules.BookItem(row["id"], row["transaction__date"], rules.IN if row["debit"] else rules.OUT,
                           row["debit"] or row["credit"],
                           rules.order_of(row["transaction__reference_type"], row["transaction__reference_id"]))
            for row in rows]


LEG_FIELDS = ("id", "transaction__date", "debit", "credit", "transaction__reference_type",
              "transaction__reference_id")


def free_legs(region: str, account: Account, lines: list[rules.BankItem], window: int) -> list[rules.BookItem]:
    """The unmatched legs that rule (a) or (b) may pair with ``lines``: those within the window of the lines'
    dates, and those whose transaction is a payment order named in a memo (any date)."""
    free = cash_legs(region, account).filter(bank_match__isnull=True)
    start = min(line.date for line in lines) - dt.timedelta(days=window)
    end = max(line.date for line in lines) + dt.timedelta(days=window)
    items = _book_items(free.filter(transaction__date__range=(start, end)).values(*LEG_FIELDS))
    orders = sorted({order for line in lines if (order := rules.order_token(line.memo)) is not None})
    elsewhere = free.exclude(transaction__date__range=(start, end))  # those within the window are read already
    for part in chunks(orders):
        items.extend(_book_items(elsewhere.filter(transaction__reference_type=rules.ORDER_REFERENCE,
                                                  transaction__reference_id__in=list(part)).values(*LEG_FIELDS)))
    return items
