"""Demo reconciliation of a whole year: bank statements made from the ledger, imported, matched and closed.

``reconcile_year`` writes, for each month and each fund bank account of the region, the statement CSV the bank
would send for that month's ledger cash legs (memo ``DAE-PO<id>`` for a payment order, otherwise the
transaction's description; serials derived from the leg, so a rerun writes the same files), with three planted
differences in one month — a duplicated line, an unknown bank fee of 12.50 (付) and one ledger movement left out
(missing at the bank) — then imports each file through ``actions.do_import_statement`` (the page's service), and
closes every day of the year in order. The legs are read with one query per account; no query per line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dae.ledger import queries as ledger_queries
from dae.ledger.models import Account
from dae.ledger.queries import closed_through

from . import rules
from .actions import do_close_days, do_import_statement
from .matching import cash_legs
from .models import BankStatement
from .parser import COLUMNS
from .queries import cash_accounts, outstanding

FEE = Decimal("12.50")


@dataclass(frozen=True)
class Movement:
    leg: int
    date: dt.date
    direction: str
    amount: Decimal
    memo: str


@dataclass(frozen=True)
class Plan:
    """Where the three differences go: one account, one month; the left-out leg and the duplicated line."""

    account: str
    month: int
    omitted: int
    duplicated: int
    fee: Decimal


def _movements(region: str, account: Account, year: int) -> dict[int, list[Movement]]:
    rows = (cash_legs(region, account).filter(transaction__date__year=year)
            .values_list("id", "transaction__date", "debit", "credit", "transaction__description",
                         "transaction__reference_type", "transaction__reference_id")
            .order_by("transaction__date", "id"))
    by_month: dict[int, list[Movement]] = defaultdict(list)
    for leg, day, debit, credit, description, ref_type, ref_id in rows:
        order = rules.order_of(ref_type, ref_id)
        memo = rules.order_memo(order) if order is not None else description
        by_month[day.month].append(Movement(leg, day, rules.IN if debit else rules.OUT, debit or credit, memo))
    return by_month


def _plan(movements: dict[str, dict[int, list[Movement]]]) -> Plan | None:
    """The month (the middle one of those with at least 3 movements, on the expenditure account when it has
    one) and the items to plant there; None when the year is too thin."""
    for code in sorted(movements, reverse=True):  # 100202 支出户 first
        months = sorted(m for m, items in movements[code].items() if len(items) >= 3)
        if not months:
            continue
        month = months[len(months) // 2]
        items = movements[code][month]
        paid = {m.amount for ms in movements[code].values() for m in ms if m.direction == rules.OUT}
        fee = FEE
        while fee in paid:  # an amount no ledger payment has, so rule (b) cannot pair the fee
            fee += Decimal("0.01")
        return Plan(code, month, items[len(items) // 2].leg, items[0].leg, fee)
    return None


def _rows(code: str, year: int, month: int, items: list[Movement], plan: Plan | None,
          balance: Decimal) -> tuple[list[list[str]], Decimal]:
    """The statement rows of a month and the balance after them."""
    planted = plan is not None and plan.account == code and plan.month == month
    rows: list[list[str]] = []
    for item in items:
        if planted and item.leg == plan.omitted:  # type: ignore[union-attr]
            continue
        balance += item.amount if item.direction == rules.IN else -item.amount
        row = [item.date.isoformat(), f"B{code}-{item.leg}", "收" if item.direction == rules.IN else "付",
               f"{item.amount:.2f}", "", "", item.memo, f"{balance:.2f}"]
        rows.append(row)
        if planted and item.leg == plan.duplicated:  # type: ignore[union-attr]
            rows.append(list(row))  # the bank sent the same line twice
    if planted:
        assert plan is not None
        balance -= plan.fee
        rows.append([items[-1].date.isoformat(), f"B{code}-FEE{year}{month:02d}", "付", f"{plan.fee:.2f}", "", "",
                     "银行手续费", f"{balance:.2f}"])
    return rows, balance


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in COLUMNS])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def reconcile_year(region_code: str, year: int, actor: Any) -> dict[str, int]:
    """Statements for every month of ``year`` and both bank accounts of the region, imported and matched, then
    every day of the year closed. Returns the counts (statements, lines, matches by rule, duplicates, items only
    at the bank / only in the book at the year's end, days closed). Statements already imported are skipped."""
    accounts = cash_accounts()
    movements = {a.code: _movements(region_code, a, year) for a in accounts}
    plan = _plan(movements)
    counts = dict.fromkeys(("statements", "lines", "matched_memo", "matched_amount_date", "duplicates",
                            "bank_only", "ledger_only", "days_closed"), 0)
    for account in accounts:
        balance = ledger_queries.balance(account, on=dt.date(year, 1, 1) - dt.timedelta(days=1),
                                         regions=[region_code])
        for month in range(1, 13):
            items = movements[account.code].get(month, [])
            if not items:
                continue
            rows, balance = _rows(account.code, year, month, items, plan, balance)
            _import(region_code, account.code, year, month, rows, actor, counts)
    end = dt.date(year, 12, 31)
    for account in accounts:
        for item in outstanding(region_code, account, end):
            counts["bank_only" if item.side == rules.BANK else "ledger_only"] += 1
    counts["days_closed"] = _close_year(region_code, year, actor)
    return counts


def _import(region: str, code: str, year: int, month: int, rows: list[list[str]], actor: Any,
            counts: dict[str, int]) -> None:
    content = _csv(rows)
    if BankStatement.objects.filter(sha256=hashlib.sha256(content).hexdigest()).exists():
        return
    imported = do_import_statement(region=region, account=code, file_name=f"{region}-{code}-{year}{month:02d}.csv",
                                content=content, actor=actor, period_from=dt.date(year, month, 1),
                                period_to=dt.date(year, month, monthrange(year, month)[1]))
    counts["statements"] += 1
    counts["lines"] += imported.statement.line_count
    counts["duplicates"] += imported.duplicates
    counts["matched_memo"] += imported.matched.memo
    counts["matched_amount_date"] += imported.matched.amount_date


def _close_year(region: str, year: int, actor: Any) -> int:
    first = dt.date(year, 1, 1)
    closed = closed_through(region)
    if closed is not None and closed >= first:
        first = closed + dt.timedelta(days=1)
    days = [first + dt.timedelta(days=n) for n in range((dt.date(year, 12, 31) - first).days + 1)]
    if not days:
        return 0
    return len(do_close_days(region, days, actor=actor, note=f"演示：{year} 年逐日日结", allow_future=True))
