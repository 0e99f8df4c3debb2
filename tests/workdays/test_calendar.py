"""The pure working-day calendar: the 2025/2026 State Council schedules (through chinesecalendar), the counting
rule of 《民法典》 Art. 201, and unknown years (raise or warn, never a silent guess)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dae.workdays.calendar import (
    CalendarUnknownYear,
    DayKind,
    Override,
    PackageTables,
    WorkCalendar,
    missing_fixed_holidays,
)

from .schedules import ILLUSTRATIVE_2027, d

CAL = WorkCalendar()


@pytest.mark.parametrize("day", ["2025-01-26", "2025-02-08", "2025-09-28", "2025-10-11",
                                 "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"])
def test_make_up_weekend_days_are_working_days(day: str) -> None:
    info = CAL.day(d(day))
    assert info.date.weekday() >= 5
    assert CAL.is_working_day(d(day)) and info.kind is DayKind.MAKEUP and info.known


@pytest.mark.parametrize("day", ["2025-01-28", "2025-02-03", "2025-02-04", "2025-10-01", "2025-10-08",
                                 "2026-01-02", "2026-02-16", "2026-02-23", "2026-09-25", "2026-10-06", "2026-10-07"])
def test_holiday_weekdays_are_days_off(day: str) -> None:
    info = CAL.day(d(day))
    assert info.date.weekday() < 5
    assert not CAL.is_working_day(d(day)) and info.kind is DayKind.HOLIDAY


def test_day_details_name_the_holiday_and_days_in_lieu() -> None:
    assert (CAL.day(d("2026-10-07")).holiday_zh, CAL.day(d("2026-10-07")).in_lieu) == ("国庆节", True)
    assert CAL.day(d("2026-02-14")).holiday_zh == "春节"
    assert CAL.day(d("2026-03-07")).kind is DayKind.WEEKEND  # an ordinary Saturday
    assert CAL.day(d("2026-03-09")).kind is DayKind.WORKDAY
    assert 2004 in CAL.package_years and 2026 in CAL.package_years and 2027 not in CAL.package_years


def test_received_2026_09_25_plus_20_working_days() -> None:
    # 9/25 (中秋, the start day) is not counted; 9/28–9/30 = 3; 10/1–10/7 off; 10/8, 10/9, 10/10 (Sat, 调休上班)
    # = 6; 10/12–10/16 = 11; 10/19–10/23 = 16; 10/26, 27, 28, 29 = 20.
    assert CAL.add_working_days(d("2026-09-25"), 20) == d("2026-10-29")
    assert CAL.deadline(d("2026-09-25"), 20).due == d("2026-10-29")
    assert CAL.deadline(d("2026-09-25"), 20).exact


@pytest.mark.parametrize(("declared", "due"), [
    # 2025 春节: 1/26 (Sun) and 2/8 (Sat) work, 1/28–2/4 off.
    ("2025-01-20", "2025-02-14"),
    # 2025 国庆+中秋: 9/28 (Sun) and 10/11 (Sat) work, 10/1–10/8 off.
    ("2025-09-26", "2025-10-23"),
    # 2026 春节: 2/14 (Sat) and 2/28 (Sat) work, 2/15–2/23 off.
    ("2026-02-10", "2026-03-09"),
    # 2026 国庆: 9/20 (Sun) work, 9/25–9/27 中秋 off, 10/1–10/7 off, 10/10 (Sat) work.
    ("2026-09-18", "2026-10-15"),
])
def test_fifteen_working_day_payment_deadline_across_a_holiday(declared: str, due: str) -> None:
    result = CAL.deadline(d(declared), 15)
    assert (result.due, result.warnings) == (d(due), ())
    assert CAL.working_days_between(d(declared), d(due)) == 15


def test_start_day_is_not_counted_whatever_it_is() -> None:
    assert CAL.add_working_days(d("2026-10-01"), 1) == d("2026-10-08")  # from a holiday
    assert CAL.add_working_days(d("2026-10-09"), 1) == d("2026-10-10")  # Friday → the make-up Saturday
    assert CAL.add_working_days(d("2026-10-10"), 1) == d("2026-10-12")
    assert CAL.add_working_days(d("2026-10-07"), 0) == d("2026-10-07")  # zero days: the date itself
    assert CAL.add_working_days(d("2026-10-09"), -2) == d("2026-09-30")  # backwards over the holiday


def test_working_days_between_across_a_holiday() -> None:
    assert CAL.working_days_between(d("2026-09-30"), d("2026-10-09")) == 2  # 10/8, 10/9
    assert CAL.working_days_between(d("2026-02-13"), d("2026-02-24")) == 2  # 2/14 (Sat, work), 2/24
    assert CAL.working_days_between(d("2025-09-26"), d("2025-10-12")) == 6  # 9/28, 9/29, 9/30, 10/9–10/11
    assert CAL.working_days_between(d("2026-10-05"), d("2026-10-05")) == 0
    assert CAL.working_days_between(d("2026-10-01"), d("2026-10-07")) == 0
    assert CAL.working_days_between(d("2026-10-09"), d("2026-09-30")) == -2  # [9/30, 10/9): 9/30, 10/8


@given(st.dates(dt.date(2025, 1, 1), dt.date(2026, 9, 30)), st.integers(-40, 40))
def test_between_inverts_add(start: dt.date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due) == n
    if n > 0:
        assert CAL.is_working_day(due) and CAL.working_days_between(start, due - dt.timedelta(days=1)) == n - 1


def test_strict_calls_raise_for_2027() -> None:
    with pytest.raises(CalendarUnknownYear) as caught:
        CAL.add_working_days(d("2026-12-20"), 15)
    assert caught.value.years == (2027,)
    assert "2027" in caught.value.message_zh and "2027" in caught.value.message_en
    with pytest.raises(CalendarUnknownYear):
        CAL.is_working_day(d("2027-01-04"))
    with pytest.raises(CalendarUnknownYear):
        CAL.working_days_between(d("2026-12-30"), d("2027-01-05"))
    with pytest.raises(CalendarUnknownYear):
        CAL.is_working_day(d("2003-06-02"))  # before the package's first year
    assert CAL.add_working_days(d("2026-12-30"), 1) == d("2026-12-31")  # stays in 2026: fine


def test_deadline_into_2027_warns_instead_of_guessing_silently() -> None:
    result = CAL.deadline(d("2026-12-20"), 15)
    # 12/21–12/31: 9 working days; then weekends only: 1/1 (Fri) counted, 1/4–1/8 → 15th is 1/8.
    assert result.due == d("2027-01-08")
    assert not result.exact
    [warning] = result.warnings
    assert (warning.code, warning.year) == ("calendar_year_unknown", 2027)
    assert "2027" in warning.message_zh and "周六、周日" in warning.message_zh
    assert "2027" in warning.message_en and "Saturdays and Sundays" in warning.message_en
    assert not CAL.day(d("2027-01-04")).known


def test_2027_overrides_count_but_warn_until_the_year_is_confirmed() -> None:
    entered = WorkCalendar(ILLUSTRATIVE_2027)
    result = entered.deadline(d("2026-12-20"), 15)
    assert result.due == d("2027-01-11")  # 1/1 is now off
    assert [w.year for w in result.warnings] == [2027]
    with pytest.raises(CalendarUnknownYear):
        entered.add_working_days(d("2026-12-20"), 15)

    confirmed = WorkCalendar(ILLUSTRATIVE_2027, confirmed_years=[2027])
    result = confirmed.deadline(d("2026-12-20"), 15)
    assert (result.due, result.warnings, result.exact) == (d("2027-01-11"), (), True)
    assert confirmed.add_working_days(d("2026-12-20"), 15) == d("2027-01-11")
    # Spring Festival of the illustrative schedule: 2/5–2/13 off, 2/20 (Sat) work.
    assert confirmed.deadline(d("2027-02-01"), 10).due == d("2027-02-22")
    assert confirmed.day(d("2027-02-20")).kind is DayKind.MAKEUP
    assert confirmed.day(d("2027-02-06")).kind is DayKind.HOLIDAY
    assert confirmed.working_days_between(d("2027-09-30"), d("2027-10-11")) == 3  # 10/8, 10/9 (Sat), 10/11


def test_deadline_warns_once_per_unknown_year() -> None:
    result = CAL.deadline(d("2026-12-01"), 600)
    assert [w.year for w in result.warnings] == [2027, 2028, 2029]
    with pytest.raises(ValueError):
        CAL.deadline(d("2026-12-01"), -1)


def test_overrides_take_precedence_over_the_package() -> None:
    cal = WorkCalendar([Override(d("2026-10-08"), False, "test: extra day off"),
                        Override(d("2026-10-11"), True, "test: extra make-up Sunday")])
    assert not cal.is_working_day(d("2026-10-08")) and cal.day(d("2026-10-08")).kind is DayKind.HOLIDAY
    assert cal.day(d("2026-10-11")).kind is DayKind.MAKEUP
    assert cal.add_working_days(d("2026-09-30"), 3) == d("2026-10-11")  # 10/9, 10/10, 10/11


def test_conflicting_overrides_for_one_date_are_refused() -> None:
    with pytest.raises(ValueError):
        WorkCalendar([Override(d("2027-01-01"), False), Override(d("2027-01-01"), True)])


def test_without_the_package_every_year_is_unknown_until_confirmed() -> None:
    bare = WorkCalendar(package=PackageTables.empty())
    with pytest.raises(CalendarUnknownYear):
        bare.is_working_day(d("2026-10-07"))
    assert bare.deadline(d("2026-09-25"), 20).warnings[0].year == 2026


def test_missing_fixed_holidays_before_confirmation() -> None:
    assert missing_fixed_holidays(CAL, 2027) == [d("2027-01-01"), d("2027-05-01"), d("2027-05-02"),
                                                 d("2027-10-01"), d("2027-10-02"), d("2027-10-03")]
    assert missing_fixed_holidays(WorkCalendar(ILLUSTRATIVE_2027), 2027) == []
    assert missing_fixed_holidays(CAL, 2026) == []
    assert len(CAL.year_days(2028)) == 366
