"""Coverage queries: "was this person covered on date D, and under which region?" in one call.

The answer comes from the person's enrolment records (see ``Enrolment``): the record with the latest
``valid_from`` on or before D (the latest recorded among equals), ignoring records a correction superseded.
``coverage_many`` answers many (person, date) questions with one query, for declarations and imports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .models import Enrolment, Person

REASONS = {
    "covered": "参保正常",
    "no_person": "无此参保人",
    "not_enrolled": "未参加大额医疗费用补助",
    "before_begin": "参保日期之前",
    "suspended": "暂停参保期间",
    "ended": "已终止参保",
}


@dataclass(frozen=True)
class Coverage:
    psn_no: str
    on: date
    covered: bool
    code: str  # one of REASONS
    region_id: str | None = None
    status: str | None = None
    psn_type: str | None = None
    record_id: int | None = None

    @property
    def reason(self) -> str:
        return REASONS[self.code]


def effective_records(records: Iterable[Enrolment]) -> list[Enrolment]:
    """The records that count, ordered so that the last one with ``valid_from <= D`` answers for D."""
    records = list(records)
    superseded = {r.supersedes_id for r in records if r.supersedes_id is not None}
    return sorted((r for r in records if r.pk not in superseded), key=lambda r: (r.valid_from, r.pk))


def record_on(records: list[Enrolment], day: date) -> Enrolment | None:
    """From ``effective_records``: the record that answers for ``day``."""
    found = None
    for record in records:
        if record.valid_from > day:
            break
        found = record
    return found


def answer(psn_no: str, day: date, records: list[Enrolment] | None) -> Coverage:
    if records is None:
        return Coverage(psn_no, day, False, "no_person")
    record = record_on(records, day)
    if record is None:
        code = "before_begin" if records else "not_enrolled"
        return Coverage(psn_no, day, False, code)
    covered = record.covers(day)
    if covered:
        code = "covered"
    elif day < record.begin_date:
        code = "before_begin"
    elif record.status == Enrolment.Status.SUSPENDED:
        code = "suspended"
    else:
        code = "ended"
    return Coverage(psn_no, day, covered, code, record.region_id, record.status, record.psn_type, record.pk)


def coverage_on(psn_no: str, day: date) -> Coverage:
    """Whether ``psn_no`` was covered by insutype 330 on ``day`` and under which region."""
    return coverage_many([(psn_no, day)])[(psn_no, day)]


def coverage_many(questions: Iterable[tuple[str, date]]) -> dict[tuple[str, date], Coverage]:
    """Answer every (psn_no, day) with one query per 1,000 persons."""
    questions = list(questions)
    psn_nos = sorted({p for p, _d in questions})
    by_person: dict[str, list[Enrolment]] = {}
    for start in range(0, len(psn_nos), 1000):
        chunk = psn_nos[start:start + 1000]
        ids = dict(Person.objects.filter(psn_no__in=chunk).values_list("id", "psn_no"))
        grouped: dict[int, list[Enrolment]] = defaultdict(list)
        for record in Enrolment.objects.filter(person_id__in=ids, insutype="330"):
            grouped[record.person_id].append(record)
        for pid, psn_no in ids.items():
            by_person[psn_no] = effective_records(grouped.get(pid, []))
    return {(p, d): answer(p, d, by_person.get(p)) for p, d in questions}


def periods(records: Iterable[Enrolment], until: date) -> list[tuple[date, date | None, bool, Enrolment]]:
    """The person's timeline as (from, to-exclusive or None, covered, record), for the timeline view."""
    effective = effective_records(records)
    if not effective:
        return []
    cuts = set()
    for r in effective:
        cuts.update(d for d in (r.valid_from, r.begin_date, r.pause_date, r.end_date) if d is not None)
    days = sorted(d for d in cuts if d <= until)
    result: list[tuple[date, date | None, bool, Enrolment]] = []
    for i, day in enumerate(days):
        record = record_on(effective, day)
        if record is None:
            continue
        covered = record.covers(day)
        nxt = days[i + 1] if i + 1 < len(days) else None
        if result and result[-1][2] == covered and result[-1][3].pk == record.pk:
            result[-1] = (result[-1][0], nxt, covered, record)
        else:
            result.append((day, nxt, covered, record))
    return result
