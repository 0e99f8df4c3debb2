"""Versions by validity dates: the one rule shared by catalogue items and code mappings. Pure Python.

A *key* (a national code, or a hospital and its own code) has versions with non-overlapping validity
``[begin, end)``: ``end`` is the first day the version no longer applies (``None``: open). An incoming row
(from an import or a manager's form) is planned against the stored versions of its key:

- the version in force on the row's begin date has the same content: nothing changes (``same``), unless the
  row states an end date the version does not have yet, which closes it (``changed``);
- it has other content: it is closed on the row's begin date and a new version starts there (``changed``).
  A version is never edited in place, so a row with other content and the *same* begin date as the version in
  force is refused (a correction needs its own begin date);
- no version is in force on that date: a new version starts (``new`` for a key without versions, else
  ``changed``), ending at the next version's begin date at the latest.

The planner never writes: it returns the versions to close and the ones to insert, and the problems found.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class Version:
    """A stored version (``pk`` set) or one planned in this run (``pk`` None)."""

    begin: date
    end: date | None
    attrs: tuple[Any, ...]
    pk: int | None = None
    row_no: int = 0

    def covers(self, day: date) -> bool:
        return self.begin <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Incoming:
    row_no: int
    begin: date
    end: date | None
    attrs: tuple[Any, ...]


@dataclass
class Change:
    """One changed key, for the event log: the version in force before and what the row asked for."""

    key: Hashable
    row_no: int
    begin: date
    before: tuple[Any, ...] | None
    after: tuple[Any, ...]
    before_end: date | None
    after_end: date | None


@dataclass
class Plan:
    inserts: list[tuple[Hashable, Version]] = field(default_factory=list)
    ends: dict[int, date | None] = field(default_factory=dict)  # stored pk → its new end date
    changes: list[Change] = field(default_factory=list)
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, column, value, reason
    new: int = 0
    changed: int = 0
    same: int = 0


def plan(stored: Mapping[Hashable, Sequence[Version]], incoming: Mapping[Hashable, Sequence[Incoming]]) -> Plan:
    """Plan ``incoming`` rows (by key) against the ``stored`` versions (by key). ``stored`` is not modified."""
    result = Plan()
    for key, rows in incoming.items():
        timeline = sorted((Version(v.begin, v.end, v.attrs, v.pk) for v in stored.get(key, ())),
                          key=lambda v: v.begin)
        had_versions = bool(timeline)
        for row in sorted(rows, key=lambda r: (r.begin, r.row_no)):
            _plan_row(result, key, timeline, row, had_versions)
            had_versions = had_versions or bool(timeline)
    return result


def _next_after(timeline: list[Version], day: date) -> Version | None:
    return next((v for v in timeline if v.begin > day), None)


def _set_end(result: Plan, version: Version, end: date | None) -> None:
    version.end = end
    if version.pk is not None:
        result.ends[version.pk] = end


def _plan_row(result: Plan, key: Hashable, timeline: list[Version], row: Incoming, had_versions: bool) -> None:
    def problem(column: str, value: Any, reason: str) -> None:
        result.problems.append((row.row_no, column, "" if value is None else str(value), reason))

    current = next((v for v in timeline if v.covers(row.begin)), None)
    if current is not None:
        following = _next_after(timeline, current.begin)
        if row.end is not None and following is not None and row.end > following.begin:
            problem("end_date", row.end, f"结束日期晚于下一版本的开始日期 {following.begin.isoformat()}，有效期会重叠")
            return
        if current.attrs == row.attrs:
            if row.end is None or row.end == current.end:
                result.same += 1
                return
            result.changes.append(Change(key, row.row_no, row.begin, current.attrs, row.attrs, current.end, row.end))
            _set_end(result, current, row.end)
            result.changed += 1
            return
        if current.begin == row.begin:
            problem("begin_date", row.begin.isoformat(),
                    "该编码在同一开始日期已有内容不同的版本；版本不可原地修改，请以新的开始日期导入变更")
            return
        new_end = row.end if row.end is not None else current.end
        result.changes.append(Change(key, row.row_no, row.begin, current.attrs, row.attrs, current.end, new_end))
        _set_end(result, current, row.begin)
        _insert(result, key, timeline, Version(row.begin, new_end, row.attrs, None, row.row_no))
        result.changed += 1
        return
    following = _next_after(timeline, row.begin)
    end = row.end
    if following is not None:
        if end is None:
            end = following.begin
        elif end > following.begin:
            problem("end_date", row.end, f"结束日期晚于下一版本的开始日期 {following.begin.isoformat()}，有效期会重叠")
            return
    _insert(result, key, timeline, Version(row.begin, end, row.attrs, None, row.row_no))
    if had_versions:
        result.changes.append(Change(key, row.row_no, row.begin, None, row.attrs, None, end))
        result.changed += 1
    else:
        result.new += 1


def _insert(result: Plan, key: Hashable, timeline: list[Version], version: Version) -> None:
    timeline.append(version)
    timeline.sort(key=lambda v: v.begin)
    result.inserts.append((key, version))


def duplicates(keys: Iterable[tuple[int, Hashable]]) -> list[tuple[int, int]]:
    """(row, first row) for every repeated ``(key, begin)`` among ``(row_no, key)`` pairs."""
    first: dict[Hashable, int] = {}
    repeated = []
    for row_no, key in keys:
        if key in first:
            repeated.append((row_no, first[key]))
        else:
            first[key] = row_no
    return repeated
