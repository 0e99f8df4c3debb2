"""Reads of the ledger: balances, trial balance (试算平衡表) and account statements (明细账).

Balances are aggregated by the database (one GROUP BY over the legs, never a Python loop over legs). Sums are
taken in whole fen (``ROUND(amount * 100)``) so they are exact on SQLite too, where a DECIMAL column may hold a
binary float; PostgreSQL's numeric is exact anyway. ``regions`` limits every read to the transactions of those
regions (``None`` = all; views pass the user's regions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet, Sum, Value, Window
from django.db.models.functions import Round

from dae.core.money import ZERO
from dae.core.sums import FEN_TOTAL, fen_sum, yuan

from .models import Account, DayClose, Leg

Regions = Sequence[str] | None
def closed_through(region: str) -> dt.date | None:
    """The latest closed day (日结) of ``region``, None when no day is closed (one query on the unique index)."""
    return DayClose.objects.filter(region_id=region).order_by("-day").values_list("day", flat=True).first()


def _legs(*, on: dt.date | None = None, start: dt.date | None = None, regions: Regions = None) -> QuerySet[Leg]:
    legs = Leg.objects.all()
    if on is not None:
        legs = legs.filter(transaction__date__lte=on)
    if start is not None:
        legs = legs.filter(transaction__date__gte=start)
    if regions is not None:
        legs = legs.filter(transaction__region__in=list(regions))
    return legs


def signed(account: Account, debit: Decimal, credit: Decimal) -> Decimal:
    """The balance on the account's normal side: debit − credit for debit-normal accounts, else credit − debit."""
    return debit - credit if account.debit_normal else credit - debit


@dataclass(frozen=True)
class AccountBalance:
    """An account's total debits and credits up to a date, and its balance on its normal side."""

    account: Account
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return signed(self.account, self.debit, self.credit)

    @property
    def net_debit(self) -> Decimal:
        return self.debit - self.credit

    @property
    def net_credit(self) -> Decimal:
        return self.credit - self.debit


def _totals(legs: QuerySet[Leg]) -> dict[int, tuple[Decimal, Decimal]]:
    rows = legs.values("account_id").annotate(dr=fen_sum(F("debit")), cr=fen_sum(F("credit"))).order_by()
    return {row["account_id"]: (yuan(row["dr"]), yuan(row["cr"])) for row in rows}


def balance(account: Account | str, *, on: dt.date | None = None, regions: Regions = None) -> Decimal:
    """The balance of one account at the end of ``on`` (all dates when None), on its normal side. A group
    account's balance is the sum of its children's."""
    if isinstance(account, str):
        account = Account.objects.get(code=account)
    codes = [account.code, *Account.objects.filter(code__startswith=account.code).exclude(pk=account.pk)
             .values_list("code", flat=True)]
    totals = _legs(on=on, regions=regions).filter(account__code__in=codes).aggregate(
        dr=fen_sum(F("debit")), cr=fen_sum(F("credit")))
    return signed(account, yuan(totals["dr"]), yuan(totals["cr"]))


def balances(on: dt.date | None = None, *, regions: Regions = None,
             accounts: QuerySet[Account] | None = None) -> list[AccountBalance]:
    """Every account of the chart (or of ``accounts``) with its totals at the end of ``on``, in code order.
    Group accounts carry the sums of their descendants."""
    chart = list((accounts if accounts is not None else Account.objects.all()).order_by("code"))
    totals = _totals(_legs(on=on, regions=regions))
    result = []
    for account in chart:
        if account.postable:
            debit, credit = totals.get(account.pk, (ZERO, ZERO))
        else:
            parts = [totals[a.pk] for a in chart if a.pk in totals and a.code.startswith(account.code)]
            debit = sum((p[0] for p in parts), ZERO)
            credit = sum((p[1] for p in parts), ZERO)
        result.append(AccountBalance(account, debit, credit))
    return result


@dataclass(frozen=True)
class TrialBalance:
    """试算平衡表 at a date: per posting account the total debits and credits and the closing balance in the
    debit or the credit column. In a sound ledger both pairs of totals are equal (``difference`` is zero)."""

    on: dt.date | None
    rows: list[AccountBalance] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit for r in self.rows), ZERO)

    @property
    def debit_balances(self) -> Decimal:
        return sum((r.net_debit for r in self.rows if r.net_debit > 0), ZERO)

    @property
    def credit_balances(self) -> Decimal:
        return sum((-r.net_debit for r in self.rows if r.net_debit < 0), ZERO)

    @property
    def difference(self) -> Decimal:
        """Σ debits − Σ credits over every leg: zero, always."""
        return self.total_debit - self.total_credit

    @property
    def balanced(self) -> bool:
        return self.difference == 0 and self.debit_balances == self.credit_balances


def trial_balance(on: dt.date | None = None, *, regions: Regions = None) -> TrialBalance:
    """The trial balance at the end of ``on``: posting accounts that have legs, in code order."""
    totals = _totals(_legs(on=on, regions=regions))
    accounts = Account.objects.in_bulk(list(totals))
    rows = [AccountBalance(accounts[pk], debit, credit) for pk, (debit, credit) in totals.items()]
    return TrialBalance(on, sorted(rows, key=lambda r: r.account.code))


@dataclass(frozen=True)
class Statement:
    """明细账 of one account between two dates (inclusive): the opening balance, the legs in posting order
    each annotated with ``running_fen`` (the balance after it, in fen, from the opening balance), the period's
    totals and the closing balance. ``lines`` is a lazy queryset: page it or iterate it."""

    account: Account
    start: dt.date
    end: dt.date
    opening: Decimal
    debit: Decimal
    credit: Decimal
    lines: QuerySet[Leg]

    @property
    def closing(self) -> Decimal:
        return self.opening + signed(self.account, self.debit, self.credit)

    def running(self, leg: Leg) -> Decimal:
        """The balance after ``leg`` (a row of ``lines``)."""
        return self.opening + yuan(leg.running_fen)  # type: ignore[attr-defined]


def statement(account: Account, *, start: dt.date, end: dt.date, regions: Regions = None) -> Statement:
    """The statement of a posting account from ``start`` to ``end``; running balances computed by the
    database (a window SUM), on the account's normal side."""
    opening = balance(account, on=start - dt.timedelta(days=1), regions=regions)
    period = _legs(on=end, start=start, regions=regions).filter(account=account)
    totals = period.aggregate(dr=fen_sum(F("debit")), cr=fen_sum(F("credit")))
    movement = F("debit") - F("credit") if account.debit_normal else F("credit") - F("debit")
    order = [F("transaction__date").asc(), F("transaction_id").asc(), F("id").asc()]
    lines = (period.select_related("transaction", "transaction__posted_by").order_by(*order)
             .annotate(running_fen=Window(Sum(Round(movement * Value(100)), output_field=FEN_TOTAL),
                                          order_by=order)))
    return Statement(account, start, end, opening, yuan(totals["dr"]), yuan(totals["cr"]), lines)
