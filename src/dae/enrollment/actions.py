"""A clerk's changes to an enrolment: suspend, resume, end, correct. Each asks for a reason, adds a new
``Enrolment`` record (nothing is edited) and records an event, in one transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.codes import CoreCode, InputCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, snapshot
from dae.dictionaries import codes

from .codes import Code
from .coverage import effective_records
from .models import Enrolment, Person

SNAPSHOT_FIELDS = ("psn_type", "status", "valid_from", "begin_date", "pause_date", "end_date", "region", "unit")


def current_record(person: Person) -> Enrolment | None:
    """The most recently recorded record that no correction superseded: the person's present enrolment."""
    records = effective_records(Enrolment.objects.filter(person=person, insutype="330"))
    return max(records, key=lambda r: r.pk) if records else None


def _reason(reason: str) -> str:
    return require_reason(reason, "变更原因")


def _copy(record: Enrolment, user: Any, reason: str, **changes: Any) -> Enrolment:
    new = Enrolment(person=record.person, insutype="330", psn_type=record.psn_type, status=record.status,
                    valid_from=record.valid_from, begin_date=record.begin_date, pause_date=record.pause_date,
                    end_date=record.end_date, region_id=record.region_id, unit_id=record.unit_id,
                    source=Enrolment.Source.MANUAL, reason=reason, recorded_by=user, recorded_at=timezone.now())
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _save(user: Any, action: str, record: Enrolment | None, new: Enrolment) -> Enrolment:
    with transaction.atomic():
        new.save()
        before = snapshot(record, SNAPSHOT_FIELDS) if record is not None else {}
        record_event(user, action, new.person, region_id=new.region_id, before=before,
                     after=snapshot(new, SNAPSHOT_FIELDS), note=new.reason)
    return new


def _need(person: Person) -> Enrolment:
    record = current_record(person)
    if record is None:
        raise Conflict("该人员没有大额医疗费用补助参保记录", code=Code.NOT_ENROLLED)
    return record


def do_suspend(user: Any, person: Person, day: date, reason: str) -> Enrolment:
    """Suspend from ``day`` (the first day not covered)."""
    reason = _reason(reason)
    record = _need(person)
    if record.status != Enrolment.Status.NORMAL:
        raise Conflict("只有正常参保的人员可以暂停", code=Code.NOT_NORMAL)
    if day <= record.begin_date or day < record.valid_from:
        raise InvalidInput("暂停日期须晚于参保日期和当前记录的生效日期", code=InputCode.INVALID_DATE,
                           details=[{"path": "day", "message": "暂停日期须晚于参保日期"}])
    return _save(user, "enrolment.suspended", record,
                 _copy(record, user, reason, status=Enrolment.Status.SUSPENDED, pause_date=day, end_date=None))


def do_resume(user: Any, person: Person, day: date, reason: str) -> Enrolment:
    """Resume from ``day`` (covered again from that day; the gap before it stays uncovered)."""
    reason = _reason(reason)
    record = _need(person)
    if record.status != Enrolment.Status.SUSPENDED:
        raise Conflict("只有暂停参保的人员可以恢复", code=Code.NOT_SUSPENDED)
    assert record.pause_date is not None
    if day < record.pause_date:
        raise InvalidInput("恢复日期不能早于暂停日期", code=InputCode.INVALID_DATE,
                           details=[{"path": "day", "message": "恢复日期不能早于暂停日期"}])
    return _save(user, "enrolment.resumed", record,
                 _copy(record, user, reason, status=Enrolment.Status.NORMAL, pause_date=None, valid_from=day))


def do_end(user: Any, person: Person, day: date, reason: str) -> Enrolment:
    """End the enrolment from ``day`` (the first day not covered)."""
    reason = _reason(reason)
    record = _need(person)
    if record.status == Enrolment.Status.ENDED:
        raise Conflict("该人员已终止参保", code=Code.ALREADY_ENDED)
    if day <= record.begin_date:
        raise InvalidInput("终止日期须晚于参保日期", code=InputCode.INVALID_DATE,
                           details=[{"path": "day", "message": "终止日期须晚于参保日期"}])
    return _save(user, "enrolment.ended", record,
                 _copy(record, user, reason, status=Enrolment.Status.ENDED, end_date=day))


CORRECTABLE = ("psn_type", "begin_date", "pause_date", "end_date", "valid_from")


def do_correct(user: Any, record: Enrolment, changes: dict[str, Any], reason: str) -> Enrolment:
    """Correct a record: a new record with the corrected values supersedes it (both stay in the history)."""
    reason = _reason(reason)
    if Enrolment.objects.filter(supersedes=record).exists():
        raise Conflict("该记录已被更正过，请更正最新的记录", code=Code.ALREADY_CORRECTED)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput(f"不能更正的字段：{'、'.join(sorted(unknown))}", code=Code.BAD_FIELD)
    new = _copy(record, user, reason, supersedes=record, **changes)
    details = []
    if not codes.is_valid("psn_type", new.psn_type):
        details.append({"path": "psn_type", "message": f"人员类别“{new.psn_type}”不在字典中"})
    for name in ("pause_date", "end_date"):
        value = getattr(new, name)
        if value is not None and value <= new.begin_date:
            details.append({"path": name, "message": "日期须晚于参保日期"})
    if new.status == Enrolment.Status.SUSPENDED and new.pause_date is None:
        details.append({"path": "pause_date", "message": "暂停参保记录须有暂停日期"})
    if new.status == Enrolment.Status.ENDED and new.end_date is None:
        details.append({"path": "end_date", "message": "终止参保记录须有终止日期"})
    if details:
        raise InvalidInput("更正内容有误", code=Code.BAD_CORRECTION, details=details)
    if all(getattr(new, f) == getattr(record, f) for f in CORRECTABLE):
        raise InvalidInput("更正内容与原记录相同", code=CoreCode.NO_CHANGE)
    return _save(user, "enrolment.corrected", record, new)
