"""Writes on the working-day calendar (manager only): set or remove a day's override, confirm a year complete.

Each action is one transaction with its event; the cached calendar is dropped when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from dae.accounts.posts import Post
from dae.core.codes import InputCode
from dae.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from dae.core.events import record_event

from . import service
from .calendar import iter_dates, missing_fixed_holidays
from .codes import Code
from .models import CalendarOverride, CalendarYear

#: Years the calendar accepts entries for.
FIRST_YEAR, LAST_YEAR = 2000, 2099
NOTE_MAX = 200
MAX_RANGE_DAYS = 31


def _require_manager(actor: Any) -> None:
    if getattr(actor, "post", None) != Post.MANAGER:
        raise PermissionDenied("只有管理岗可以维护工作日历")


def _check_year(year: int, path: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"年度须在 {FIRST_YEAR} 到 {LAST_YEAR} 之间", code=InputCode.INVALID_YEAR,
                           details=[{"path": path, "code": "range", "message": "年度超出范围",
                                     "message_en": f"year must be between {FIRST_YEAR} and {LAST_YEAR}"}])


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"说明不能超过 {NOTE_MAX} 个字", code=Code.NOTE_TOO_LONG,
                           details=[{"path": "note", "code": "max_length", "message": "说明过长",
                                     "message_en": f"at most {NOTE_MAX} characters"}])
    return note


def _snapshot(row: CalendarOverride) -> dict[str, Any]:
    return {"date": row.date, "is_working_day": row.is_working_day, "note": row.note}


def do_set_override(actor: Any, date: dt.date, is_working_day: bool, note: str = "") -> CalendarOverride:
    """Make ``date`` a working day or a day off, whatever the package says. Replaces an earlier entry of the
    same date (a new row: rows are never edited, see ``models.py``); the same entry again changes nothing."""
    _require_manager(actor)
    _check_year(date.year, "date")
    note = _check_note(note)
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=date).first()
        if existing is not None and (existing.is_working_day, existing.note) == (is_working_day, note):
            return existing
        before = _snapshot(existing) if existing is not None else {}
        if existing is not None:
            existing.delete()
        row = CalendarOverride.objects.create(date=date, is_working_day=is_working_day, note=note, created_by=actor)
        record_event(actor, "workdays.override_set", row, object_id=date.isoformat(), before=before,
                     after=_snapshot(row))
        transaction.on_commit(service.invalidate)
    return row


def do_set_override_range(actor: Any, first: dt.date, last: dt.date, is_working_day: bool, note: str = ""
                           ) -> list[CalendarOverride]:
    """The same entry for every day from ``first`` to ``last`` (both included, at most 31 days), in one
    transaction with one event per day — a notice's holiday period is entered in one step."""
    _require_manager(actor)
    if last < first:
        raise InvalidInput("结束日期不能早于开始日期", code=Code.INVALID_RANGE,
                           details=[{"path": "end", "code": "before_start", "message": "结束日期早于开始日期",
                                     "message_en": "end is before start"}])
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput(f"一次最多录入 {MAX_RANGE_DAYS} 天", code=Code.RANGE_TOO_LONG,
                           details=[{"path": "end", "code": "max_days", "message": "日期范围过长",
                                     "message_en": f"at most {MAX_RANGE_DAYS} days at once"}])
    with transaction.atomic():
        return [do_set_override(actor, day, is_working_day, note) for day in iter_dates(first, last)]


def do_remove_override(actor: Any, date: dt.date) -> None:
    """Remove the entry of ``date``: the day follows the package (or the weekend rule) again."""
    _require_manager(actor)
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=date).first()
        if existing is None:
            raise NotFound(f"{date.isoformat()} 没有录入调整", code=Code.OVERRIDE_NOT_FOUND)
        before = _snapshot(existing)
        existing.delete()
        record_event(actor, "workdays.override_removed", object_type="workdays.calendaroverride",
                     object_id=date.isoformat(), before=before)
        transaction.on_commit(service.invalidate)


def do_confirm_year(actor: Any, year: int, note: str = "") -> CalendarYear:
    """Confirm that every day of ``year``'s State Council notice is entered: the year becomes known and deadlines
    in it carry no warning. Refused for a year the package already covers, a year already confirmed, and a year
    whose fixed-date statutory holidays (元旦, 劳动节 5/1–5/2, 国庆节 10/1–10/3) are not entered as days off."""
    _require_manager(actor)
    _check_year(year, "year")
    note = _check_note(note)
    with transaction.atomic():
        current = service.build_calendar()
        if year in current.package_years:
            raise Conflict(f"{year} 年的节假日安排已包含在节假日数据包中，无需确认", code=Code.YEAR_IN_PACKAGE)
        if CalendarYear.objects.select_for_update().filter(year=year).exists():
            raise Conflict(f"{year} 年度已确认", code=Code.YEAR_ALREADY_CONFIRMED)
        missing = missing_fixed_holidays(current, year)
        if missing:
            days = "、".join(d.strftime("%m-%d") for d in missing)
            raise InvalidInput(
                f"{year} 年的法定节假日尚未全部录入为休息日（缺 {days}），请按国务院办公厅通知录入后再确认",
                code=Code.YEAR_INCOMPLETE,
                details=[{"path": "year", "code": "missing_holiday", "message": f"未录入 {d.isoformat()}",
                          "message_en": f"{d.isoformat()} is not entered as a day off"} for d in missing])
        row = CalendarYear.objects.create(year=year, confirmed_by=actor, note=note)
        record_event(actor, "workdays.year_confirmed", row, object_id=str(year),
                     after={"year": year, "note": note, "overrides": len(current.overrides_in(year))})
        transaction.on_commit(service.invalidate)
    return row
