"""Coverage around suspension, resumption and end dates (the boundary days), clerk changes with reasons through
the page and the API, corrections that supersede, and the masked certificate number."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import AccessRecord, Event
from dae.enrollment import actions
from dae.enrollment.coverage import coverage_many, coverage_on
from dae.enrollment.models import Enrolment, Person


@pytest.fixture
def pa(world: dict[str, Any]) -> Person:
    return world["persons"][0]  # enrolled from 2020-01-01 (world fixture)


def test_boundary_days_of_suspension_resumption_and_end(world: dict[str, Any], pa: Person) -> None:
    clerk = world["users"]["settlement"]
    assert coverage_on("PA0001", date(2019, 12, 31)).code == "before_begin"
    assert coverage_on("PA0001", date(2020, 1, 1)).covered
    actions.do_suspend(clerk, pa, date(2026, 3, 1), "停缴")
    assert coverage_on("PA0001", date(2026, 2, 28)).covered
    suspended = coverage_on("PA0001", date(2026, 3, 1))
    assert not suspended.covered and suspended.code == "suspended"
    actions.do_resume(clerk, pa, date(2026, 6, 1), "补缴后恢复")
    assert not coverage_on("PA0001", date(2026, 5, 31)).covered
    assert coverage_on("PA0001", date(2026, 6, 1)).covered
    assert coverage_on("PA0001", date(2026, 2, 28)).covered  # history before the suspension is unchanged
    actions.do_end(clerk, pa, date(2026, 10, 1), "退休转出")
    assert coverage_on("PA0001", date(2026, 9, 30)).covered
    ended = coverage_on("PA0001", date(2026, 10, 1))
    assert not ended.covered and ended.code == "ended"
    assert not coverage_on("PA0001", date(2026, 4, 1)).covered  # the suspended gap stays uncovered
    assert Enrolment.objects.filter(person=pa).count() == 4
    assert [e.action for e in Event.objects.filter(action__startswith="enrolment.").order_by("id")] == [
        "enrolment.suspended", "enrolment.resumed", "enrolment.ended"]
    answers = coverage_many([("PA0001", date(2026, 3, 1)), ("PB0001", date(2026, 3, 1)), ("NOBODY", date(2026, 3, 1))])
    assert [a.code for a in answers.values()] == ["suspended", "covered", "no_person"]
    assert answers[("PB0001", date(2026, 3, 1))].region_id == "220281"


def test_changes_need_a_reason_and_a_valid_state(world: dict[str, Any], pa: Person) -> None:
    clerk = world["users"]["settlement"]
    with pytest.raises(InvalidInput):
        actions.do_suspend(clerk, pa, date(2026, 3, 1), " ")
    with pytest.raises(Conflict):
        actions.do_resume(clerk, pa, date(2026, 3, 1), "恢复")
    with pytest.raises(InvalidInput):
        actions.do_suspend(clerk, pa, date(2019, 1, 1), "太早")
    assert Enrolment.objects.filter(person=pa).count() == 1


def test_correction_supersedes_and_keeps_history(world: dict[str, Any], pa: Person) -> None:
    clerk = world["users"]["settlement"]
    suspension = actions.do_suspend(clerk, pa, date(2026, 3, 1), "停缴")
    corrected = actions.do_correct(clerk, suspension, {"pause_date": date(2026, 3, 5)}, "暂停日期录入错误")
    assert corrected.supersedes_id == suspension.pk
    assert coverage_on("PA0001", date(2026, 3, 4)).covered
    assert not coverage_on("PA0001", date(2026, 3, 5)).covered
    with pytest.raises(Conflict):
        actions.do_correct(clerk, suspension, {"pause_date": date(2026, 3, 6)}, "再改")
    assert Enrolment.objects.filter(person=pa).count() == 3


def test_page_and_api_changes(world: dict[str, Any], pa: Person, client_for: Any) -> None:
    clerk = client_for("settlement")
    response = clerk.post("/enrollment/persons/PA0001/", {"action": "suspend", "day": "2026-03-01", "reason": ""})
    assert response.status_code == 200 and 'data-testid="field-error"' in response.content.decode()
    assert Enrolment.objects.filter(person__psn_no="PA0001").count() == 1
    response = clerk.post("/enrollment/persons/PA0001/", {"action": "suspend", "day": "2026-03-01",
                                                          "reason": "停缴"})
    assert response.status_code == 302
    api = clerk.post("/api/v1/persons/PA0001/enrolment-changes/",
                     {"action": "resume", "date": "2026-06-01", "reason": "恢复"}, content_type="application/json")
    assert api.status_code == 201, api.content
    record = api.json()["id"]
    fix = clerk.post(f"/api/v1/enrolments/{record}/corrections/", {"valid_from": "2026-06-02", "reason": "日期更正"},
                     content_type="application/json")
    assert fix.status_code == 201 and fix.json()["supersedes"] == record
    history = clerk.get("/api/v1/persons/PA0001/enrolments/").json()
    assert len(history) == 4
    covered = clerk.get("/api/v1/coverage?psn_no=PA0001&date=2026-06-01").json()
    assert covered["covered"] is False and covered["code"] == "suspended"
    assert clerk.get("/api/v1/coverage?psn_no=PA0001&date=2026-06-02").json()["covered"] is True
    assert clerk.get("/api/v1/coverage?psn_no=PB0001&date=2026-06-02").status_code == 404
    reviewer = client_for("reviewer")
    denied = reviewer.post("/api/v1/persons/PA0001/enrolment-changes/",
                           {"action": "end", "date": "2026-09-01", "reason": "x"}, content_type="application/json")
    assert denied.status_code == 403


def test_certificate_numbers_are_masked_and_full_views_logged(world: dict[str, Any], client_for: Any) -> None:
    clerk = client_for("settlement")
    page = clerk.get("/enrollment/persons/PA0001/").content.decode()
    assert "220282198001011234" not in page and "2202" in page
    full = clerk.get("/enrollment/persons/PA0001/?full=1").content.decode()
    assert "220282198001011234" in full
    assert AccessRecord.objects.filter(psn_no="PA0001", why="full_certno").count() == 1
    api = clerk.get("/api/v1/persons/PA0001/?full=1").json()
    assert api["certno"] == "220282198001011234"
    assert AccessRecord.objects.filter(psn_no="PA0001", why="full_certno").count() == 2
    inspector = client_for("inspector")
    assert "220282198001011234" not in inspector.get("/enrollment/persons/PA0001/?full=1").content.decode()
