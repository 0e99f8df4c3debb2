"""Every transition is a ``claim.<state>`` event; the state machine refuses the others."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.claims.models import Settlement
from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.reimbursement import actions

from .helpers import claim_input


def actions_of(claim: Any) -> list[str]:
    return list(Event.objects.filter(object_type="reimbursement.manualclaim", object_id=str(claim.pk))
                .order_by("id").values_list("action", flat=True))


@pytest.mark.django_db
def test_the_whole_path_with_a_return_is_in_the_event_log(people: dict[str, Any]) -> None:
    clerk, checker = people["settlement"], people["checker"]
    claim = actions.do_register(clerk, claim_input(materials=["invoice"]))
    claim = actions.do_set_materials(clerk, claim, claim_input().materials)
    claim = actions.do_compute(clerk, claim)
    claim = actions.do_return(checker, claim, "诊断证明与病历不一致，请核实")
    assert claim.return_reason == "诊断证明与病历不一致，请核实"
    claim = actions.do_compute(clerk, claim)
    claim = actions.do_check(checker, claim)
    claim = actions.do_approve(checker, claim)
    claim = actions.do_mark_paid(people["finance"], claim, paid_on=dt.date(2026, 10, 20))
    assert actions_of(claim) == ["claim.received", "claim.materials", "claim.computed", "claim.returned",
                                 "claim.computed", "claim.checked", "claim.approved", "claim.payable", "claim.paid"]
    returned = Event.objects.get(action="claim.returned", object_id=str(claim.pk))
    assert returned.before["state"] == "computed" and returned.after["state"] == "returned"
    assert returned.note == "诊断证明与病历不一致，请核实" and returned.actor == checker
    s = Settlement.objects.get(setl_id=claim.number)
    assert (claim.state, s.state, s.paid_on) == ("paid", "paid", dt.date(2026, 10, 20))


@pytest.mark.django_db
def test_reject_and_cancel_are_events_with_their_reasons(people: dict[str, Any]) -> None:
    clerk, checker = people["settlement"], people["checker"]
    a = actions.do_reject(checker, actions.do_register(clerk, claim_input()), "美容项目，不属于报销范围")
    assert a.state == "rejected" and actions_of(a)[-1] == "claim.rejected"
    b = actions.do_cancel(clerk, actions.do_register(clerk, claim_input()), "参保人撤回")
    assert b.state == "cancelled" and actions_of(b)[-1] == "claim.cancelled"
    with pytest.raises(InvalidInput):
        actions.do_cancel(clerk, actions.do_register(clerk, claim_input()), " ")


@pytest.mark.django_db
def test_steps_out_of_order_are_refused(people: dict[str, Any]) -> None:
    clerk, checker = people["settlement"], people["checker"]
    claim = actions.do_register(clerk, claim_input())
    with pytest.raises(Conflict):
        actions.do_check(checker, claim)  # not computed
    claim = actions.do_compute(clerk, claim)
    with pytest.raises(Conflict):
        actions.do_approve(checker, claim)  # not checked
    claim = actions.do_approve(checker, actions.do_check(checker, claim))
    for step in (lambda: actions.do_compute(clerk, claim), lambda: actions.do_return(checker, claim, "晚了"),
                 lambda: actions.do_cancel(clerk, claim, "晚了"),
                 lambda: actions.do_set_materials(clerk, claim, [])):
        with pytest.raises(Conflict):
            step()
    assert actions_of(claim)[-1] == "claim.payable"
