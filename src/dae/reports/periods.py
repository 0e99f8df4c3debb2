"""Report periods (统计期): month, quarter, year, year to date, and the periods they are compared with.

Pure Python, no Django. A period is ``[start, end)`` — ``end`` is the first day no longer in it — and has a stable
id (``2026-03``, ``2026Q1``, ``2026``, ``2026YTD03``). 同比 compares with the same period a year earlier, 环比 with
the previous period of the same length (the month before, the quarter before, the year before).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["month", "quarter", "year", "ytd"]
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
    (re.compile(r"^(\d{4})YTD(\d{2})$"), "ytd"),
)


class PeriodError(ValueError):
    """A period id that is not one of the four forms, or out of 1990–2100."""


def _month_start(year: int, month: int) -> dt.date:
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: Kind
    year: int
    number: int  # month 1–12, quarter 1–4, the last month of a YTD, 0 for a year

    @classmethod
    def parse(cls, text: str) -> Period:
        text = (text or "").strip().upper()
        for pattern, kind in _PATTERNS:
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                number = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 0
                if not 1990 <= year <= 2100 or (kind in ("month", "ytd") and not 1 <= number <= 12):
                    break
                return cls(kind, year, number)  # type: ignore[arg-type]
        raise PeriodError(f"统计期格式不正确: {text!r} (YYYY-MM, YYYYQn, YYYY, YYYYYTDmm)")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls("month", year, month)

    @property
    def id(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.number}"
        if self.kind == "ytd":
            return f"{self.year}YTD{self.number:02d}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.number}月"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度"
        if self.kind == "ytd":
            return f"{self.year}年1–{self.number}月"
        return f"{self.year}年"

    @property
    def start(self) -> dt.date:
        if self.kind == "month":
            return dt.date(self.year, self.number, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.number - 2, 1)
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        if self.kind == "month":
            return _month_start(self.year, self.number + 1)
        if self.kind == "quarter":
            return _month_start(self.year, 3 * self.number + 1)
        if self.kind == "ytd":
            return _month_start(self.year, self.number + 1)
        return dt.date(self.year + 1, 1, 1)

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}.get(self.kind, self.number)

    def last_year(self) -> Period:
        """同比: the same period one year earlier."""
        return Period(self.kind, self.year - 1, self.number)

    def previous(self) -> Period:
        """环比: the previous period of the same length (a YTD compares with the previous year's same YTD)."""
        if self.kind == "month":
            start = _month_start(self.year, self.number - 1)
            return Period("month", start.year, start.month)
        if self.kind == "quarter":
            return Period("quarter", self.year - (self.number == 1), (self.number - 2) % 4 + 1)
        return Period(self.kind, self.year - 1, self.number)

    def month_periods(self) -> list[Period]:
        """The months of the period, in order (for a monthly series)."""
        first = self.start
        return [Period.month(_month_start(first.year, first.month + i).year,
                             _month_start(first.year, first.month + i).month) for i in range(self.months)]
