"""Manager's entries (events, checks), the cached service other apps call, and the 2027 story end to end."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from dae.core.errors import Conflict, DaeError, InvalidInput, NotFound, PermissionDenied
from dae.core.models import Event
from dae.workdays import actions, service
from dae.workdays.models import CalendarOverride, CalendarYear

from .schedules import ILLUSTRATIVE_2027, d

pytestmark = pytest.mark.django_db


def enter_2027(manager: Any) -> None:
    for item in ILLUSTRATIVE_2027:
        actions.do_set_override(manager, item.date, item.is_working_day, item.note)


def test_set_replace_and_remove_record_events(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    row = actions.do_set_override(manager, d("2027-01-01"), False, "元旦")
    assert (row.is_working_day, row.note, row.created_by) == (False, "元旦", manager)
    event = Event.objects.get(action="workdays.override_set")
    assert event.object_id == "2027-01-01" and event.actor == manager
    assert event.after == {"date": "2027-01-01", "is_working_day": False, "note": "元旦"}

    assert actions.do_set_override(manager, d("2027-01-01"), False, "元旦").pk == row.pk  # same: no change
    assert Event.objects.filter(action="workdays.override_set").count() == 1

    replaced = actions.do_set_override(manager, d("2027-01-01"), True, "更正")
    assert replaced.pk != row.pk and CalendarOverride.objects.count() == 1
    latest = Event.objects.filter(action="workdays.override_set").order_by("-id").first()
    assert latest is not None and latest.before == {"is_working_day": False, "note": "元旦"}

    actions.do_remove_override(manager, d("2027-01-01"))
    assert not CalendarOverride.objects.exists()
    removed = Event.objects.get(action="workdays.override_removed")
    assert removed.before["date"] == "2027-01-01" and removed.object_id == "2027-01-01"
    with pytest.raises(NotFound):
        actions.do_remove_override(manager, d("2027-01-01"))


def test_only_the_manager_may_change_the_calendar(world: dict[str, Any]) -> None:
    for post in ("settlement", "checker", "supervisor", "it"):
        user = world["users"][post]
        with pytest.raises(PermissionDenied):
            actions.do_set_override(user, d("2027-01-01"), False)
        with pytest.raises(PermissionDenied):
            actions.do_confirm_year(user, 2027)
    assert not CalendarOverride.objects.exists() and not Event.objects.filter(action__startswith="workdays").exists()


def test_bad_input_is_refused_in_chinese(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    with pytest.raises(InvalidInput, match="年度须在"):
        actions.do_set_override(manager, d("1999-12-31"), False)
    with pytest.raises(InvalidInput, match="说明不能超过"):
        actions.do_set_override(manager, d("2027-01-01"), False, "长" * 201)
    with pytest.raises(InvalidInput, match="结束日期不能早于开始日期"):
        actions.do_set_override_range(manager, d("2027-01-03"), d("2027-01-01"), False)
    with pytest.raises(InvalidInput, match="一次最多录入"):
        actions.do_set_override_range(manager, d("2027-01-01"), d("2027-03-01"), False)


def test_range_is_one_transaction_with_an_event_per_day(world: dict[str, Any]) -> None:
    rows = actions.do_set_override_range(world["users"]["manager"], d("2027-02-05"), d("2027-02-13"), False, "春节")
    assert [r.date for r in rows][::8] == [d("2027-02-05"), d("2027-02-13")] and len(rows) == 9
    assert Event.objects.filter(action="workdays.override_set").count() == 9


def test_confirming_a_year_needs_its_fixed_holidays_and_happens_once(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    with pytest.raises(Conflict, match="节假日数据包"):
        actions.do_confirm_year(manager, 2026)
    actions.do_set_override(manager, d("2027-01-01"), False, "元旦")
    with pytest.raises(InvalidInput) as caught:
        actions.do_confirm_year(manager, 2027)
    assert "05-01" in caught.value.message and "10-03" in caught.value.message
    assert [x["path"] for x in caught.value.details] == ["year"] * 5
    enter_2027(manager)
    row = actions.do_confirm_year(manager, 2027, "国办发明电〔2026〕X号（测试）")
    assert (row.year, row.confirmed_by) == (2027, manager)
    event = Event.objects.get(action="workdays.year_confirmed")
    assert event.object_id == "2027" and event.after["overrides"] == len(ILLUSTRATIVE_2027)
    with pytest.raises(Conflict, match="已确认"):
        actions.do_confirm_year(manager, 2027)


def test_2027_warns_until_entered_and_confirmed_then_is_exact(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    before = service.deadline(d("2026-12-20"), 15)
    assert (before.due, [w.year for w in before.warnings]) == (d("2027-01-08"), [2027])
    with pytest.raises(service.CalendarYearUnknown) as caught:
        service.add_working_days(d("2026-12-20"), 15)
    assert isinstance(caught.value, DaeError) and caught.value.status == 409
    assert caught.value.code == "calendar_year_unknown" and caught.value.details["years"] == [2027]
    with pytest.raises(service.CalendarYearUnknown):
        service.working_days_between(d("2026-12-20"), d("2027-01-11"))

    enter_2027(manager)
    entered = service.deadline(d("2026-12-20"), 15)
    assert (entered.due, [w.year for w in entered.warnings]) == (d("2027-01-11"), [2027])

    actions.do_confirm_year(manager, 2027)
    after = service.deadline(d("2026-12-20"), 15)
    assert (after.due, after.warnings) == (d("2027-01-11"), ())
    assert service.add_working_days(d("2026-12-20"), 15) == d("2027-01-11")
    assert service.working_days_between(d("2026-12-20"), d("2027-01-11")) == 15
    assert service.is_working_day(d("2027-02-20")) and not service.is_working_day(d("2027-02-08"))


def test_service_is_cached_and_sees_every_change(world: dict[str, Any]) -> None:
    first = service.calendar()
    assert service.calendar() is first  # nothing changed: the same object
    actions.do_set_override(world["users"]["manager"], d("2026-10-08"), False, "测试")
    second = service.calendar()
    assert second is not first and not second.is_working_day(d("2026-10-08"))
    # A change by another process (a plain row, no action in this process) is seen through the stamp.
    CalendarOverride.objects.create(date=d("2026-10-09"), is_working_day=False)
    assert not service.calendar().is_working_day(d("2026-10-09"))
    CalendarOverride.objects.filter(date=d("2026-10-09")).delete()
    assert service.calendar().is_working_day(d("2026-10-09"))
    CalendarYear.objects.create(year=2030)
    assert service.calendar().is_known_year(2030)


def test_cache_is_dropped_on_commit(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    service.calendar()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            actions.do_set_override(world["users"]["manager"], d("2026-10-08"), False, "测试")
    assert callbacks and service._cached is None


def test_deadline_days_out_of_range(world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="工作日天数"):
        service.deadline(d("2026-01-01"), -1)
    with pytest.raises(InvalidInput):
        service.deadline(d("2026-01-01"), service.MAX_DAYS + 1)
