"""The daily close (日清日结) of a region, after bank reconciliation: the reads (the facts of a range of days,
the refusal of a day, the calendar); the close itself is ``actions.do_close_days``.

A day closes only when, for each fund bank account with ledger cash legs or bank lines dated that day, an
imported statement covers the day (and was matched on import); unmatched items may remain — their number is
recorded on the close and they stay listed. Days close in order: a day is refused while an earlier day with
cash legs or bank lines is still open. A close is never undone; from then on the ledger refuses postings dated
on or before the region's latest closed day (``ledger.actions``). The day's facts are read in a few grouped
queries for the whole range, so closing a year (the demo) costs the same handful of queries as closing a day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from dae.core.errors import Conflict
from dae.ledger.entries import CASH_ACCOUNTS
from dae.ledger.models import DayClose, Leg
from dae.ledger.queries import closed_through

from .codes import Code
from .models import BankLine, BankStatement


@dataclass
class Facts:
    """What decides whether the days after ``after`` up to ``end`` may close: for each day the accounts with
    activity (cash legs or bank lines), the statements' periods per account, and the unmatched counts."""

    after: dt.date | None
    active: dict[dt.date, set[str]] = field(default_factory=lambda: defaultdict(set))
    periods: dict[str, list[tuple[dt.date, dt.date]]] = field(default_factory=lambda: defaultdict(list))
    unmatched: dict[dt.date, int] = field(default_factory=lambda: defaultdict(int))

    def covered(self, account: str, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.periods[account])

    def first_active(self, after: dt.date | None, before: dt.date) -> dt.date | None:
        """The earliest day with activity strictly between ``after`` and ``before``."""
        days = [d for d in self.active if (after is None or d > after) and d < before]
        return min(days) if days else None


def _cash_legs(region: str) -> Any:
    return Leg.objects.filter(account__code__in=CASH_ACCOUNTS, transaction__region_id=region)


def facts(region: str, end: dt.date) -> Facts:
    """The facts of every open day of ``region`` up to ``end`` (after the latest closed day)."""
    after = closed_through(region)
    result = Facts(after)
    legs, lines = _cash_legs(region).filter(transaction__date__lte=end), BankLine.objects.filter(
        region_id=region, date__lte=end)
    if after is not None:
        legs, lines = legs.filter(transaction__date__gt=after), lines.filter(date__gt=after)
    for day, code in legs.values_list("transaction__date", "account__code").distinct():
        result.active[day].add(code)
    for day, code in lines.values_list("date", "account__code").distinct():
        result.active[day].add(code)
    for day, count in (legs.filter(bank_match__isnull=True).values_list("transaction__date")
                       .annotate(n=Count("id")).order_by()):
        result.unmatched[day] += count
    for day, count in (lines.filter(state=BankLine.State.UNMATCHED).values_list("date")
                       .annotate(n=Count("id")).order_by()):
        result.unmatched[day] += count
    statements = BankStatement.objects.filter(region_id=region, period_from__lte=end)
    if after is not None:
        statements = statements.filter(period_to__gt=after)
    for code, start, stop in statements.values_list("account__code", "period_from", "period_to"):
        result.periods[code].append((start, stop))
    return result


def refusal(region: str, day: dt.date, closed: dt.date | None, known: Facts, names: dict[str, str]) -> Conflict | None:
    """Why ``day`` cannot close now (the latest closed day being ``closed``), or None when it can."""
    if closed is not None and day <= closed:
        return Conflict(f"统筹区 {region} 已日结至 {closed.isoformat()}，{day.isoformat()} 已日结，日结不能撤销",
                        code=Code.ALREADY_CLOSED)
    earlier = known.first_active(closed, day)
    if earlier is not None:
        return Conflict(f"请先日结 {earlier.isoformat()}：该日有资金收付且尚未日结，日结须按日期顺序进行",
                        code=Code.CLOSE_IN_ORDER, details={"day": earlier.isoformat()})
    missing = [code for code in sorted(known.active.get(day, ())) if not known.covered(code, day)]
    if missing:
        accounts = "、".join(f"{code} {names.get(code, '')}".strip() for code in missing)
        return Conflict(f"{day.isoformat()} {accounts} 有资金收付，但尚未导入覆盖该日的银行对账单（请先导入并完成对账）",
                        code=Code.NOT_RECONCILED, details={"day": day.isoformat(), "accounts": missing})
    return None


@dataclass(frozen=True)
class DayRow:
    """One day of the day-close page: its cash legs and bank lines, what is unmatched, which active accounts no
    statement covers, and its close (``closed`` also for a quiet day before the latest close)."""

    day: dt.date
    legs: int
    lines: int
    unmatched: int
    uncovered: tuple[str, ...]
    close: DayClose | None
    closed: bool

    @property
    def active(self) -> bool:
        return bool(self.legs or self.lines)


def _per_day(rows: Any, field: str) -> dict[dt.date, int]:
    return dict(rows.values_list(field).annotate(n=Count("id")).order_by())


def calendar(region: str, first: dt.date, last: dt.date) -> list[DayRow]:
    """The days ``first`` … ``last`` of ``region`` for the day-close page (a few grouped queries)."""
    legs = _cash_legs(region).filter(transaction__date__range=(first, last))
    lines = BankLine.objects.filter(region_id=region, date__range=(first, last))
    leg_days = _per_day(legs, "transaction__date")
    line_days = _per_day(lines, "date")
    open_legs = _per_day(legs.filter(bank_match__isnull=True), "transaction__date")
    open_lines = _per_day(lines.filter(state=BankLine.State.UNMATCHED), "date")
    known = Facts(closed_through(region))
    for day, code in legs.values_list("transaction__date", "account__code").distinct():
        known.active[day].add(code)
    for day, code in lines.values_list("date", "account__code").distinct():
        known.active[day].add(code)
    for code, start, stop in (BankStatement.objects.filter(region_id=region, period_from__lte=last,
                                                           period_to__gte=first)
                              .values_list("account__code", "period_from", "period_to")):
        known.periods[code].append((start, stop))
    closes = {c.day: c for c in DayClose.objects.filter(region_id=region, day__range=(first, last))
              .select_related("closed_by")}
    rows = []
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        uncovered = tuple(c for c in sorted(known.active.get(day, ())) if not known.covered(c, day))
        rows.append(DayRow(day, leg_days.get(day, 0), line_days.get(day, 0),
                           open_legs.get(day, 0) + open_lines.get(day, 0), uncovered, closes.get(day),
                           known.after is not None and day <= known.after))
    return rows


def next_open_day(region: str) -> dt.date | None:
    """The first day after the latest close with cash legs or bank lines: the next day finance must close."""
    after = closed_through(region)
    legs, lines = _cash_legs(region), BankLine.objects.filter(region_id=region)
    if after is not None:
        legs, lines = legs.filter(transaction__date__gt=after), lines.filter(date__gt=after)
    days = [legs.order_by("transaction__date").values_list("transaction__date", flat=True).first(),
            lines.order_by("date").values_list("date", flat=True).first()]
    found = [d for d in days if d is not None]
    return min(found) if found else None
