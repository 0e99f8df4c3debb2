"""The working-day calendar (工作日历): which days are working days, and deadlines counted in working days.

Pure Python, no Django import (checked with ``mypy --strict``). The Django side (``dae.workdays.service``) builds
one ``WorkCalendar`` from the database overrides and the confirmed years and caches it.

Sources, in order of precedence:

1. **Overrides** entered by the manager (``Override``: a date is a working day or a day off, with a note), copied
   from the State Council General Office's notice (国务院办公厅关于某年部分节假日安排的通知). They win over
   everything else, so they can also correct the package.
2. The **chinesecalendar** package (``import chinese_calendar``) for the years its tables cover (2004–2026 in
   1.11.0): statutory holidays (法定节假日), days off in lieu (调休休息) and make-up working days (调休上班).
3. For every other day: Monday to Friday work, Saturday and Sunday rest (国务院《关于职工工作时间的规定》
   Art. 7). This rule alone is only *provisional*: it does not know a year's holidays.

A year is **known** when the package covers it or the manager has confirmed it complete (after entering every
day of the notice as overrides). The calls differ in what they do with a year that is not known:

* ``is_working_day``, ``add_working_days``, ``working_days_between`` are *strict*: they raise
  ``CalendarUnknownYear`` (naming the years) as soon as they would have to look at a day of such a year.
* ``deadline`` is *lenient*: it counts the unknown part with Saturdays/Sundays off (plus any overrides already
  entered) and returns, with the date, one ``CalendarWarning`` per unknown year (Chinese and English text).
  A deadline is never guessed silently: ``Deadline.exact`` is False whenever a warning is present.
* ``day`` (for the calendar page) never raises; ``DayInfo.known`` tells whether the answer is provisional.

Counting rule (《民法典》 Arts. 201–203): a period starts on the day after the start date — the start date itself
is never counted, whatever kind of day it is. Counting only working days, the last day is always a working day,
so Art. 203's extension ("if the last day is a statutory holiday, the period ends on the day after the holiday")
is already satisfied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from types import MappingProxyType

import chinese_calendar  # type: ignore[import-untyped]

ONE_DAY = dt.timedelta(days=1)


class DayKind(StrEnum):
    WORKDAY = "workday"  # 工作日 (Monday–Friday, or a working override on a weekday)
    WEEKEND = "weekend"  # 周休息日 (Saturday / Sunday, no holiday)
    HOLIDAY = "holiday"  # 法定节假日 and 调休休息 (days off of a holiday period), or a day-off override
    MAKEUP = "makeup"  # 调休上班 (a Saturday / Sunday that is a working day)


@dataclass(frozen=True)
class Override:
    """A day entered by the manager from the State Council notice: working day (True) or day off (False)."""

    date: dt.date
    is_working_day: bool
    note: str = ""


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    kind: DayKind
    #: Holiday name from the package, Chinese and English ("春节" / "Spring Festival"), empty otherwise.
    holiday_zh: str = ""
    holiday_en: str = ""
    #: A weekday off because of a swap (调休休息), from the package.
    in_lieu: bool = False
    override: Override | None = None
    #: False when the year is not known: the answer is the provisional weekend rule (plus overrides).
    known: bool = True


@dataclass(frozen=True)
class CalendarWarning:
    code: str
    year: int
    message_zh: str
    message_en: str


@dataclass(frozen=True)
class Deadline:
    start: dt.date
    days: int
    due: dt.date
    warnings: tuple[CalendarWarning, ...] = ()

    @property
    def exact(self) -> bool:
        """True when every day counted lies in a known year (no warning)."""
        return not self.warnings


class CalendarUnknownYear(Exception):
    """A strict computation needed a day of a year whose holidays are not known (not in the package, not
    confirmed). ``years`` lists them; the messages name them in Chinese and English."""

    def __init__(self, years: Iterable[int]) -> None:
        self.years = tuple(sorted(set(years)))
        names = "、".join(str(y) for y in self.years)
        self.message_zh = (f"{names} 年的节假日安排尚未录入并确认，无法按工作日计算。"
                           f"请管理岗按国务院办公厅通知录入调休安排并确认该年度。")
        self.message_en = (f"The holiday schedule of {', '.join(str(y) for y in self.years)} has not been entered "
                           f"and confirmed, so working days cannot be counted. The manager must enter the days of "
                           f"the State Council notice and confirm the year.")
        super().__init__(self.message_zh)


def unknown_year_warning(year: int) -> CalendarWarning:
    return CalendarWarning(
        code="calendar_year_unknown",
        year=year,
        message_zh=(f"{year} 年的节假日安排尚未录入并确认：该年度的工作日暂按周六、周日休息推算"
                    f"（已录入的调整日已计入），期限可能不准确，请在录入并确认后重新计算。"),
        message_en=(f"The {year} holiday schedule has not been entered and confirmed: working days in {year} were "
                    f"counted with only Saturdays and Sundays off (plus any days already entered), so the deadline "
                    f"may be wrong; compute it again once the year is confirmed."),
    )


@dataclass(frozen=True)
class PackageTables:
    """The chinesecalendar tables, typed: holidays and make-up working days (date → English holiday name),
    the weekdays off in lieu, and the years covered (a year is covered from Jan 1 to Dec 31)."""

    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)
    in_lieu_days: frozenset[dt.date] = frozenset()
    years: frozenset[int] = frozenset()

    @classmethod
    def empty(cls) -> PackageTables:
        return cls()


_ZH_NAMES: dict[str, str] = {member.value: member.chinese for member in chinese_calendar.Holiday}


def _typed_table(raw: Mapping[object, object]) -> dict[dt.date, str]:
    table: dict[dt.date, str] = {}
    for key, value in raw.items():
        if not isinstance(key, dt.date) or not isinstance(value, str):
            raise TypeError(f"unexpected chinesecalendar entry {key!r}: {value!r}")
        table[key] = value
    return table


@cache
def package_tables() -> PackageTables:
    """The installed chinesecalendar's data. Its coverage is the range of years of its holiday table (the same
    test the package applies before raising ``NotImplementedError``)."""
    holidays = _typed_table(chinese_calendar.holidays)
    workdays = _typed_table(chinese_calendar.workdays)
    in_lieu = frozenset(d for d in chinese_calendar.in_lieu_days if isinstance(d, dt.date))
    years = frozenset(range(min(holidays).year, max(holidays).year + 1)) if holidays else frozenset()
    return PackageTables(MappingProxyType(holidays), MappingProxyType(workdays), in_lieu, years)


def holiday_name_zh(english: str) -> str:
    return _ZH_NAMES.get(english, english)


class WorkCalendar:
    """Working days from overrides, the package and the weekend rule (see the module text). Immutable."""

    __slots__ = ("_confirmed", "_overrides", "_package")

    def __init__(self, overrides: Iterable[Override] = (), confirmed_years: Iterable[int] = (),
                 *, package: PackageTables | None = None) -> None:
        by_date: dict[dt.date, Override] = {}
        for item in overrides:
            if item.date in by_date and by_date[item.date] != item:
                raise ValueError(f"two overrides for {item.date.isoformat()}")
            by_date[item.date] = item
        self._overrides: Mapping[dt.date, Override] = MappingProxyType(by_date)
        self._confirmed = frozenset(confirmed_years)
        self._package = package_tables() if package is None else package

    # --- years ---------------------------------------------------------------------------------------------
    @property
    def package_years(self) -> frozenset[int]:
        return self._package.years

    @property
    def confirmed_years(self) -> frozenset[int]:
        return self._confirmed

    @property
    def overrides(self) -> Mapping[dt.date, Override]:
        return self._overrides

    def is_known_year(self, year: int) -> bool:
        return year in self._package.years or year in self._confirmed

    def overrides_in(self, year: int) -> list[Override]:
        return [o for d, o in sorted(self._overrides.items()) if d.year == year]

    # --- one day -------------------------------------------------------------------------------------------
    def day(self, d: dt.date) -> DayInfo:
        """Everything about one day. Never raises: for a year not known, ``known`` is False and the answer is
        the weekend rule with the overrides entered so far."""
        override = self._overrides.get(d)
        weekend = d.weekday() >= 5
        english = ""
        in_lieu = False
        known = self.is_known_year(d.year)
        if d.year in self._package.years:
            if d in self._package.workdays:
                working, english = True, self._package.workdays[d]
            elif d in self._package.holidays:
                working, english = False, self._package.holidays[d]
                in_lieu = d in self._package.in_lieu_days
            else:
                working = not weekend
        else:
            working = not weekend
        if override is not None:
            working = override.is_working_day
        if working:
            kind = DayKind.MAKEUP if weekend else DayKind.WORKDAY
        elif override is not None or english:
            kind = DayKind.HOLIDAY
        else:
            kind = DayKind.WEEKEND
        return DayInfo(date=d, is_working_day=working, kind=kind, holiday_zh=holiday_name_zh(english) if english
                       else "", holiday_en=english, in_lieu=in_lieu, override=override, known=known)

    def is_working_day(self, d: dt.date) -> bool:
        """Strict: raises ``CalendarUnknownYear`` for a day of a year that is not known."""
        if not self.is_known_year(d.year):
            raise CalendarUnknownYear([d.year])
        return self.day(d).is_working_day

    def year_days(self, year: int) -> list[DayInfo]:
        """Every day of ``year`` (for the calendar page); never raises."""
        first = dt.date(year, 1, 1)
        return [self.day(first + dt.timedelta(days=i)) for i in range((dt.date(year + 1, 1, 1) - first).days)]

    # --- counting ------------------------------------------------------------------------------------------
    def _walk(self, start: dt.date, n: int, strict: bool) -> tuple[dt.date, frozenset[int]]:
        """The ``|n|``-th working day after (n > 0) or before (n < 0) ``start``, and the unknown years looked at."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        remaining = abs(n)
        current = start
        unknown: set[int] = set()
        while remaining:
            current += step
            if not self.is_known_year(current.year):
                if strict:
                    raise CalendarUnknownYear([current.year])
                unknown.add(current.year)
            if self.day(current).is_working_day:
                remaining -= 1
        return current, frozenset(unknown)

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``d`` (``d`` itself is not counted, 《民法典》 Art. 201).

        ``n == 0`` returns ``d`` unchanged (whatever kind of day it is); ``n < 0`` counts backwards: the
        ``|n|``-th working day before ``d``. Strict: raises ``CalendarUnknownYear`` when a day it has to look at
        lies in a year not known. ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n``.
        """
        return self._walk(d, n, strict=True)[0]

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days counted from ``a`` towards ``b``: ``a`` excluded, ``b`` included.

        ``b`` after ``a``: the number of working days in (a, b] (≥ 0). ``a == b``: 0. ``b`` before ``a``: minus
        the number of working days in [b, a) — the mirror of the forward count, so that
        ``working_days_between(a, add_working_days(a, n)) == n`` for every ``n``. Strict: raises
        ``CalendarUnknownYear`` when a counted day lies in a year not known.
        """
        if a == b:
            return 0
        low, high, sign = (a + ONE_DAY, b, 1) if b > a else (b, a - ONE_DAY, -1)
        unknown = sorted({y for y in range(low.year, high.year + 1) if not self.is_known_year(y)})
        if unknown:
            raise CalendarUnknownYear(unknown)
        return sign * sum(1 for day in iter_dates(low, high) if self.day(day).is_working_day)

    def deadline(self, d: dt.date, n: int) -> Deadline:
        """The due date of a period of ``n`` working days starting on ``d`` (``d`` not counted), ``n >= 0``.

        Lenient: never raises for an unknown year. The part of the period in a year that is not known is
        counted with Saturdays/Sundays off plus the overrides already entered, and the result carries one
        ``CalendarWarning`` per such year. ``n < 0`` raises ``ValueError``.
        """
        if n < 0:
            raise ValueError("a deadline counts a non-negative number of working days")
        due, unknown = self._walk(d, n, strict=False)
        return Deadline(start=d, days=n, due=due, warnings=tuple(unknown_year_warning(y) for y in sorted(unknown)))


#: Holidays on fixed Gregorian dates under 《全国年节及纪念日放假办法》 as revised by 国务院令第795号 (in force
#: 2025-01-01): 元旦 1/1, 劳动节 5/1–5/2, 国庆节 10/1–10/3. The lunar holidays (春节, 端午, 中秋) and 清明 move.
FIXED_HOLIDAYS_SINCE_2025: tuple[tuple[int, int, str], ...] = (
    (1, 1, "元旦"), (5, 1, "劳动节"), (5, 2, "劳动节"), (10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节"),
)


def missing_fixed_holidays(calendar: WorkCalendar, year: int) -> list[dt.date]:
    """The fixed-date statutory holidays of ``year`` (from 2025) that the calendar would treat as working days,
    not counting the weekend rule: before a year is confirmed, each of them must be entered as a day off (or be
    a day off in the package)."""
    if year < 2025:
        return []
    missing = []
    for month, day_of_month, _name in FIXED_HOLIDAYS_SINCE_2025:
        d = dt.date(year, month, day_of_month)
        info = calendar.day(d)
        entered_off = info.override is not None and not info.override.is_working_day
        package_off = year in calendar.package_years and info.kind is DayKind.HOLIDAY
        if not (entered_off or package_off):
            missing.append(d)
    return missing


def iter_dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every date from ``first`` to ``last``, both included."""
    current = first
    while current <= last:
        yield current
        current += ONE_DAY
