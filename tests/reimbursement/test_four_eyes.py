"""Four-eyes: whoever computed a claim never checks, approves, returns or rejects it — action, page and API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dae.core.errors import PermissionDenied
from dae.reimbursement import actions
from dae.reimbursement.actions import FourEyesViolation
from dae.reimbursement.models import ManualClaim

from .helpers import api_body, claim_input


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def computed_by_checker(people: dict[str, Any]) -> ManualClaim:
    """A claim computed by the checker post itself (seed 000: 复核岗 also computes)."""
    claim = actions.do_register(people["settlement"], claim_input())
    return actions.do_compute(people["checker"], claim)


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["check", "return", "reject"])
def test_the_action_refuses_the_person_who_computed(people: dict[str, Any], computed_by_checker: ManualClaim,
                                                    step: str) -> None:
    do = {"check": lambda u, c: actions.do_check(u, c), "return": lambda u, c: actions.do_return(u, c, "金额有误"),
          "reject": lambda u, c: actions.do_reject(u, c, "不属于报销范围")}[step]
    with pytest.raises(FourEyesViolation) as info:
        do(people["checker"], computed_by_checker)
    assert info.value.status == 403 and info.value.code == "four_eyes" and "四眼原则" in info.value.message
    assert ManualClaim.objects.get(pk=computed_by_checker.pk).state == "computed"
    do(people["checker2"], computed_by_checker)  # somebody else may


@pytest.mark.django_db
def test_approval_is_refused_to_the_computer_even_after_another_person_checked(
        people: dict[str, Any], computed_by_checker: ManualClaim) -> None:
    checked = actions.do_check(people["checker2"], computed_by_checker)
    with pytest.raises(FourEyesViolation):
        actions.do_approve(people["checker"], checked)
    assert actions.do_approve(people["checker2"], checked).state == "payable"


@pytest.mark.django_db
def test_a_person_who_ever_computed_stays_excluded_after_someone_recomputes(people: dict[str, Any],
                                                                            computed_by_checker: ManualClaim) -> None:
    recomputed = actions.do_compute(people["settlement"], computed_by_checker)
    assert recomputed.computed_by == people["settlement"]
    with pytest.raises(FourEyesViolation):
        actions.do_check(people["checker"], recomputed)


@pytest.mark.django_db
def test_a_clerk_moved_to_the_checker_post_cannot_check_their_own_computation(people: dict[str, Any]) -> None:
    clerk = people["settlement2"]
    claim = actions.do_compute(clerk, actions.do_register(clerk, claim_input()))
    clerk.post = "checker"
    clerk.save(update_fields=["post"])
    with pytest.raises(FourEyesViolation):
        actions.do_check(clerk, claim)


@pytest.mark.django_db
def test_posts_are_enforced_in_the_actions_too(people: dict[str, Any]) -> None:
    claim = actions.do_compute(people["settlement"], actions.do_register(people["settlement"], claim_input()))
    with pytest.raises(PermissionDenied):
        actions.do_check(people["settlement2"], claim)  # a clerk is not a checker
    with pytest.raises(PermissionDenied):
        actions.do_register(people["checker"], claim_input(invoices=claim_input().invoices))


@pytest.mark.django_db
def test_the_page_refuses_the_computer_and_shows_why(people: dict[str, Any], computed_by_checker: ManualClaim) -> None:
    number = computed_by_checker.number
    page = client(people["checker"]).get(f"/reimbursement/{number}/")
    assert 'data-testid="four-eyes-note"' in page.content.decode()
    response = client(people["checker"]).post(f"/reimbursement/{number}/check/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-code="four_eyes"' in html and "四眼原则" in html
    assert ManualClaim.objects.get(pk=computed_by_checker.pk).state == "computed"
    ok = client(people["checker2"]).post(f"/reimbursement/{number}/check/")
    assert ok.status_code == 302 and ManualClaim.objects.get(pk=computed_by_checker.pk).state == "checked"
    refused = client(people["checker"]).post(f"/reimbursement/{number}/approve/")
    assert refused.status_code == 403 and ManualClaim.objects.get(pk=computed_by_checker.pk).state == "checked"


@pytest.mark.django_db
def test_the_api_refuses_the_computer_with_four_eyes(people: dict[str, Any]) -> None:
    created = client(people["settlement"]).post("/api/v1/manual-claims/", api_body(), content_type="application/json")
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    checker = client(people["checker"])
    assert checker.post(f"/api/v1/manual-claims/{number}/compute/").status_code == 200
    for step in ("check", "return", "reject"):
        response = checker.post(f"/api/v1/manual-claims/{number}/{step}/", {"reason": "测试原因"},
                                content_type="application/json")
        assert response.status_code == 403 and response.json()["code"] == "four_eyes", step
    other = client(people["checker2"])
    assert other.post(f"/api/v1/manual-claims/{number}/check/").json()["state"] == "checked"
    refused = checker.post(f"/api/v1/manual-claims/{number}/approve/")
    assert refused.status_code == 403 and refused.json()["code"] == "four_eyes"
    approved = other.post(f"/api/v1/manual-claims/{number}/approve/")
    assert approved.status_code == 200 and approved.json()["state"] == "payable"
