"""年度赔付预算 (seed 003; budget deviation ≤ 3%, seed 004): drafting from the forecast, and execution.

Execution compares each month's actual payout (the same grouped query as the forecasts read) with the approved
budget: the month's deviation, the cumulative deviation, and the projected year-end deviation (actual to date
plus the forecast of the rest of the year, against the year's budget), which the budget-deviation warning reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dae.core.money import D

from .history import Series, region_series
from .models import Budget, ForecastRun

TWO = Decimal("0.01")


def draft_amounts(region: str, year: int, run: ForecastRun | None) -> dict[int, int]:
    """Fen per month 1..12: a month already in the stored history takes its actual payout, a later month the
    run's forecast (mean); a month neither covers (beyond the run's horizon) repeats the same month of the last
    year with data, or 0."""
    series = region_series(region)
    forecast: dict[str, int] = {}
    if run is not None:
        forecast = {p["month"]: int(p["mean"]) for p in run.results["metrics"]["payout"]["points"]}
    out = {}
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        key = f"{first:%Y-%m}"
        actual = series.value("payout", first) if series is not None else None
        if actual is not None and series is not None and first <= series.last:
            out[month] = actual
        elif key in forecast:
            out[month] = max(forecast[key], 0)
        else:
            before = series.value("payout", dt.date(year - 1, month, 1)) if series is not None else None
            out[month] = before or 0
    return out


@dataclass(frozen=True)
class MonthExecution:
    month: int
    budget: Decimal
    actual: Decimal | None
    deviation: Decimal | None
    cumulative_budget: Decimal
    cumulative_actual: Decimal | None
    cumulative_deviation_pct: Decimal | None


@dataclass(frozen=True)
class Execution:
    budget: Budget
    months: tuple[MonthExecution, ...]
    total: Decimal
    actual_to_date: Decimal
    through: int
    projected_year: Decimal | None
    projected_deviation_pct: Decimal | None


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(TWO) if whole else None


def execution(budget: Budget, series: Series | None = None, *, through: dt.date | None = None,
              projected_rest_fen: int | None = None) -> Execution:
    """Actual against budget month by month up to the last month with data (or ``through``)."""
    series = series or region_series(budget.region_id, through=through)
    lines = {line.month: D(line.amount) for line in budget.lines.all()}
    last = series.last if series is not None else None
    if through is not None and last is not None and through < last:
        last = through
    through_month = last.month if last is not None and last.year == budget.year else (
        12 if last is not None and last.year > budget.year else 0)
    rows = []
    cum_b, cum_a = Decimal(0), Decimal(0)
    for month in range(1, 13):
        b = lines.get(month, Decimal(0))
        cum_b += b
        actual = None
        if month <= through_month and series is not None:
            actual = (D(series.value("payout", dt.date(budget.year, month, 1)) or 0) / 100).quantize(TWO)
            cum_a += actual
        rows.append(MonthExecution(
            month=month, budget=b, actual=actual, deviation=None if actual is None else actual - b,
            cumulative_budget=cum_b, cumulative_actual=None if actual is None else cum_a,
            cumulative_deviation_pct=None if actual is None else pct(cum_a - cum_b, cum_b)))
    total = sum(lines.values(), Decimal(0))
    projected = None
    if projected_rest_fen is not None:
        projected = cum_a + (D(projected_rest_fen) / 100).quantize(TWO)
    return Execution(budget=budget, months=tuple(rows), total=total, actual_to_date=cum_a, through=through_month,
                     projected_year=projected,
                     projected_deviation_pct=None if projected is None else pct(projected - total, total))


def approved_budget(region: str, year: int) -> Budget | None:
    return Budget.objects.filter(region_id=region, year=year, status=Budget.Status.APPROVED).first()


def lines_snapshot(budget: Budget) -> dict[str, Any]:
    return {str(line.month): str(line.amount) for line in budget.lines.all()}
