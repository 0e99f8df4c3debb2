"""Matching bank lines with the ledger's cash legs in the database: read the unmatched items of one account,
pair them with ``rules.pair`` and write the pairs in bulk. Called inside an action's transaction
(``actions.import_statement``, ``actions.run_matching``); a handful of queries whatever the number of lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.core.bulk import insert_rows
from dae.core.errors import Conflict
from dae.core.events import user_or_none
from dae.ledger.models import Account, Leg

from . import rules
from .models import BankLine, Match

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


def _free_legs(region: str, account: Account, lines: list[rules.BankItem], window: int) -> list[rules.BookItem]:
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


def match_account(region: str, account: Account, *, actor: Any, window: int = rules.MATCH_WINDOW_DAYS) -> MatchCounts:
    """Pair every unmatched (not duplicate) bank line of the account with a free leg, by rule (a) then (b), and
    store the pairs. Must run inside the caller's atomic block (the action records the event)."""
    lines = [rules.BankItem(row["id"], row["date"], row["direction"], row["amount"], row["memo"]) for row in
             BankLine.objects.filter(region_id=region, account=account, state=BankLine.State.UNMATCHED)
             .values("id", "date", "direction", "amount", "memo")]
    if not lines:
        return MatchCounts()
    pairs = rules.pair(lines, _free_legs(region, account, lines, window), window=window)
    if not pairs:
        return MatchCounts()
    now, user = timezone.now(), getattr(user_or_none(actor), "pk", None)
    try:
        with transaction.atomic():
            insert_rows(Match, ("line", "leg", "region", "rule", "matched_at", "matched_by", "reason"),
                        ((p.line, p.leg, region, p.rule, now, user, "") for p in pairs))
            for part in chunks([p.line for p in pairs]):
                BankLine.objects.filter(pk__in=part).update(state=BankLine.State.MATCHED)
    except IntegrityError:
        # another matching of the same account committed a pair first: nothing of this run is kept
        raise Conflict("该账户正在进行另一项对账操作，请稍后重试", code="matching_busy") from None
    memo = sum(1 for p in pairs if p.rule == rules.MEMO)
    return MatchCounts(memo=memo, amount_date=len(pairs) - memo)
