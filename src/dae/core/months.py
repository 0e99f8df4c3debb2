"""Calendar months as ``YYYY-MM`` text: pure, no Django (shared by payments, inspection, auditing, exchange)."""

from __future__ import annotations

import calendar
import datetime as dt

from dae.core.errors import InvalidInput

from .codes import InputCode


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM`` (raises ``InvalidInput`` in Chinese for anything else)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = dt.date(year, number, 1)
    except ValueError as exc:
        raise InvalidInput(f"月份格式应为 YYYY-MM：{month}", code=InputCode.INVALID_MONTH) from exc
    if len(month) != 7:
        raise InvalidInput(f"月份格式应为 YYYY-MM：{month}", code=InputCode.INVALID_MONTH)
    return first, first.replace(day=calendar.monthrange(year, number)[1])
