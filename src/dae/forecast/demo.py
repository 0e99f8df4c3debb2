"""The demo city's forecasts and warnings, from whatever history is stored (one year or several).

    from dae.forecast.demo import seed_demo
    summary = seed_demo(["220282", "220281"], manager)

For each region: a forecast from the stored settlements up to the last month that has any, then every month of
that last year is checked, so the warnings list has live warnings with a history per indicator. With one year
of history the forecast falls back to the naive model and the page says so. A second run adds no warning (each
is raised once per period) and only a new forecast run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .actions import do_make_forecast, do_raise_alerts
from .engine import add_months
from .history import region_series


def seed_demo(regions: list[str], actor: Any, year: int | None = None) -> dict[str, Any]:
    """``year``: the demo city's last year — the history is read up to its December (a few window claims made
    on later days are not a month of history)."""
    from dae.fund.demo import seed_risk_rule

    summary: dict[str, Any] = {"runs": 0, "alerts": 0, "models": {}}
    if year is not None:
        summary["risk_rule"] = seed_risk_rule(actor, year)
    for region in regions:
        series = region_series(region)
        if series is None:
            continue
        if year is not None and series.last > dt.date(year, 12, 1):
            series = region_series(region, through=dt.date(year, 12, 1))
            if series is None:
                continue
        run = do_make_forecast(actor, region, through=series.last)
        summary["runs"] += 1
        summary["models"][region] = run.results["metrics"]["payout"]["model"]
        month = max(series.first, dt.date(series.last.year, 1, 1))
        while month <= series.last:
            summary["alerts"] += len(do_raise_alerts(actor, region, month))
            month = add_months(month, 1)
    return summary
