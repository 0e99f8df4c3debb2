"""The working-day calendar as a service for every app: one cached ``WorkCalendar`` with the database overrides.

Other apps import from here, never from the models::

    from dae.workdays.service import add_working_days, deadline, working_days_between

``add_working_days``, ``working_days_between`` and ``is_working_day`` raise ``CalendarYearUnknown`` (a ``DaeError``,
HTTP 409, code ``calendar_year_unknown``) when a day they need lies in a year whose holidays are not known;
``deadline`` never raises for that but returns a ``Deadline`` whose ``warnings`` name the year (see
``calendar.py``). For many dates in a loop, take ``calendar()`` once and call its methods (the pure
``CalendarUnknownYear`` is raised then).

Cache: the calendar is kept per process and rebuilt when the overrides or the confirmed years change. Each call
of ``calendar()`` checks one cheap stamp (row count, highest id and latest time of both tables), so a change made
by another process (web worker, background task) is seen at once; actions also drop the cache on commit. Within
one web request the stamp is read once (a page that shows a due date per row would otherwise read it per row): the
request is one moment, and a change the request itself makes drops the cache on commit as above.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from django.core.signals import request_finished, request_started
from django.db.models import Count, Max

from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput

from .calendar import CalendarUnknownYear, CalendarWarning, DayInfo, Deadline, Override, WorkCalendar
from .codes import Code
from .models import CalendarOverride, CalendarYear

__all__ = [
    "CalendarYearUnknown", "DayInfo", "Deadline", "WorkCalendar", "add_working_days", "calendar", "deadline",
    "invalidate", "is_working_day", "warning_dict", "working_days_between",
]

#: Longest period accepted by ``deadline`` from the pages and the API (about ten years of working days).
MAX_DAYS = 2500


class CalendarYearUnknown(Conflict):
    """A strict count needed a year whose holidays are not entered and confirmed (``details.years``)."""

    code = Code.CALENDAR_YEAR_UNKNOWN
    default_message = "该年度的节假日安排尚未录入并确认，无法按工作日计算"


_lock = threading.Lock()
_cached: tuple[tuple[Any, ...], WorkCalendar] | None = None
_request = threading.local()  # .stamp: the stamp read in this thread's current request (None outside a request)


def _request_started(**_kwargs: Any) -> None:
    _request.active, _request.stamp = True, None


def _request_finished(**_kwargs: Any) -> None:
    _request.active, _request.stamp = False, None


request_started.connect(_request_started, dispatch_uid="dae.workdays.request_started")
request_finished.connect(_request_finished, dispatch_uid="dae.workdays.request_finished")


def _stamp() -> tuple[Any, ...]:
    overrides = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("created_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), last=Max("id"), at=Max("confirmed_at"))
    return (overrides["n"], overrides["last"], overrides["at"], years["n"], years["last"], years["at"])


def build_calendar() -> WorkCalendar:
    """A fresh calendar from the database (no cache)."""
    overrides = [Override(date=row.date, is_working_day=row.is_working_day, note=row.note)
                 for row in CalendarOverride.objects.all()]
    return WorkCalendar(overrides, CalendarYear.objects.values_list("year", flat=True))


def calendar() -> WorkCalendar:
    """The calendar in force: the chinesecalendar package, the manager's overrides and the confirmed years."""
    global _cached
    stamp = getattr(_request, "stamp", None)
    if stamp is None:
        stamp = _stamp()
        if getattr(_request, "active", False):
            _request.stamp = stamp
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        fresh = build_calendar()
        _cached = (stamp, fresh)
    return fresh


def invalidate() -> None:
    """Drop the cached calendar (the actions call this on commit)."""
    global _cached
    _request.stamp = None
    with _lock:
        _cached = None


def _unknown(error: CalendarUnknownYear) -> CalendarYearUnknown:
    return CalendarYearUnknown(error.message_zh, details={"years": list(error.years), "message_en": error.message_en})


def is_working_day(d: dt.date) -> bool:
    try:
        return calendar().is_working_day(d)
    except CalendarUnknownYear as error:
        raise _unknown(error) from error


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``d`` (``d`` not counted; ``n < 0`` counts back). Strict."""
    try:
        return calendar().add_working_days(d, n)
    except CalendarUnknownYear as error:
        raise _unknown(error) from error


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Working days from ``a`` (excluded) to ``b`` (included); negative when ``b`` is before ``a``. Strict."""
    try:
        return calendar().working_days_between(a, b)
    except CalendarUnknownYear as error:
        raise _unknown(error) from error


def deadline(d: dt.date, n: int) -> Deadline:
    """Due date of ``n`` working days from ``d`` with warnings for unknown years (never a silent guess)."""
    if not 0 <= n <= MAX_DAYS:
        raise InvalidInput(f"工作日天数须在 0 到 {MAX_DAYS} 之间", code=CoreCode.INVALID_DAYS,
                           details=[{"path": "days", "code": "range", "message": f"须在 0 到 {MAX_DAYS} 之间",
                                     "message_en": f"must be between 0 and {MAX_DAYS}"}])
    return calendar().deadline(d, n)


def warning_dict(warning: CalendarWarning) -> dict[str, Any]:
    """A warning as the API and the pages show it."""
    return {"code": warning.code, "year": warning.year, "message": warning.message_zh,
            "message_en": warning.message_en}
