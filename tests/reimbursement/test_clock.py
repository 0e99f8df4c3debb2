"""The completion clock: 20 working days from complete materials, across holidays, paused while incomplete."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.reimbursement import actions, clock

from .helpers import BASE_MATERIALS, claim_input

D = dt.date


@pytest.mark.django_db
def test_twenty_working_days_across_national_day_2026(people: dict[str, Any]) -> None:
    # 9-25 (Fri) not counted; 9-28..9-30 = 3; 10-1..10-7 off; 10-8, 10-9, 10-10 (make-up Saturday) = 6; …
    claim = actions.do_register(people["settlement"], claim_input(received_on=D(2026, 9, 25)))
    assert claim.materials_complete and claim.clock_start == D(2026, 9, 25)
    assert claim.due_date == D(2026, 10, 29) and claim.due_warnings == []


@pytest.mark.django_db
def test_the_clock_starts_when_the_materials_are_complete(people: dict[str, Any]) -> None:
    clerk = people["settlement"]
    claim = actions.do_register(clerk, claim_input(received_on=D(2026, 9, 25), materials=["invoice"]))
    assert claim.due_date is None and claim.clock_start is None
    claim = actions.do_set_materials(clerk, claim, BASE_MATERIALS, day=D(2026, 9, 30))
    assert claim.clock_start == D(2026, 9, 30)
    assert claim.due_date == clock.started(D(2026, 9, 30), 0).due == D(2026, 11, 3)


@pytest.mark.django_db
def test_a_gap_found_later_pauses_and_keeps_the_days_used(people: dict[str, Any]) -> None:
    clerk = people["settlement"]
    claim = actions.do_register(clerk, claim_input(received_on=D(2026, 9, 25)))
    # un-ticked on 10-09: used = 9-28, 9-29, 9-30, 10-8, 10-9 = 5 working days
    claim = actions.do_set_materials(clerk, claim, BASE_MATERIALS[:-1], day=D(2026, 10, 9))
    assert claim.due_date is None and claim.clock_used == 5 and claim.clock_paused
    # complete again on 10-12 (Mon): the remaining 15 run from there → 11-02
    claim = actions.do_set_materials(clerk, claim, BASE_MATERIALS, day=D(2026, 10, 12))
    assert claim.clock_start == D(2026, 10, 12) and claim.due_date == D(2026, 11, 2)


@pytest.mark.django_db
def test_a_case_change_that_adds_a_required_item_pauses_the_clock(people: dict[str, Any]) -> None:
    clerk = people["settlement"]
    claim = actions.do_register(clerk, claim_input(received_on=D(2026, 9, 25)))
    assert claim.due_date is not None
    claim = actions.do_update(clerk, claim, claim_input(received_on=D(2026, 9, 25), place_category="referred"))
    assert claim.due_date is None and actions.missing_materials(claim) == ["referral_approval"]


@pytest.mark.django_db
def test_a_year_the_calendar_does_not_know_gives_a_warning(people: dict[str, Any]) -> None:
    from dae.workdays.service import calendar

    if calendar().is_known_year(2027):
        pytest.fail("2027 is known to the calendar: pick a later year for this test")
    result = clock.started(D(2026, 12, 20), 0)
    assert [w["year"] for w in result.warnings] == [2027]
    left = clock.days_left(D(2026, 12, 28), result.due)
    assert not left.exact and left.days > 0


def test_days_left_counts_working_days_and_goes_negative_when_overdue(db: Any) -> None:
    assert clock.days_left(D(2026, 10, 27), D(2026, 10, 29)).days == 2
    assert clock.days_left(D(2026, 10, 29), D(2026, 10, 29)).days == 0
    late = clock.days_left(D(2026, 11, 2), D(2026, 10, 29))  # 10-30 (Fri) and 11-02 (Mon)
    assert late.days == -2 and late.overdue
