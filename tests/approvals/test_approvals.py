"""Approval settings (人工审批): above its threshold an action waits for a second person of the named post and
takes effect only on approval; the actor never approves their own action; every step is an event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.approvals.actions import ApprovalPending, do_decide, do_set_threshold, pending_for
from dae.approvals.models import PendingAction
from dae.benefits.actions import do_create_draft, do_publish
from dae.benefits.models import RuleSetVersion
from dae.core.errors import PermissionDenied
from dae.core.models import Event
from dae.payments.deductions import record_deduction
from dae.payments.models import Deduction

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 5)


def _deduct(world: dict[str, Any], amount: str, document: str = "JH-2026-01") -> Deduction:
    return record_deduction(world["hospitals"][0], amount=amount, kind="other", reason="违规收费追回",
                            source=("document", document), confirmed_on=DAY, actor=world["users"]["finance"])


@pytest.fixture
def threshold(world: dict[str, Any]) -> None:
    do_set_threshold(world["users"]["manager"], kind="payments.deduction", amount="10000.00",
                     approver_post="manager", effective_from=dt.date(2020, 1, 1))


def test_a_deduction_at_or_below_its_threshold_takes_effect_at_once(world: dict[str, Any], threshold: None) -> None:
    deduction = _deduct(world, "10000.00")
    assert Deduction.objects.get().amount == Decimal("10000.00") == deduction.amount
    assert PendingAction.objects.count() == 0


def test_a_deduction_above_its_threshold_waits_for_the_manager_and_takes_effect_only_then(
        world: dict[str, Any], threshold: None) -> None:
    finance, manager = world["users"]["finance"], world["users"]["manager"]
    with pytest.raises(ApprovalPending) as waiting:
        _deduct(world, "10000.01")
    assert waiting.value.status == 202
    assert Deduction.objects.count() == 0
    pending = PendingAction.objects.get()
    assert (pending.status, pending.amount, pending.approver_post, pending.requested_by) == (
        "pending", Decimal("10000.01"), "manager", finance)
    assert list(pending_for(manager)) == [pending]
    assert list(pending_for(finance)) == []
    page = Client()
    page.force_login(manager)
    assert pending.summary in page.get("/approvals/").content.decode()

    do_decide(manager, pending.pk, approve=True)
    deduction = Deduction.objects.get()
    assert (deduction.amount, deduction.created_by) == (Decimal("10000.01"), finance)
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == ("approved", manager)
    assert [e.action for e in Event.objects.filter(object_type="approvals.pendingaction").order_by("id")] == [
        "approvals.requested", "approvals.approved"]
    assert Event.objects.filter(action="deduction.recorded", actor=finance).count() == 1


def test_the_actor_cannot_approve_their_own_action(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    do_set_threshold(manager, kind="payments.deduction", amount="100.00", approver_post="finance",
                     effective_from=dt.date(2020, 1, 1))
    with pytest.raises(ApprovalPending):
        _deduct(world, "500.00")
    pending = PendingAction.objects.get()
    with pytest.raises(PermissionDenied) as refused:
        do_decide(world["users"]["finance"], pending.pk, approve=True)
    assert refused.value.code == "approval_by_actor"
    with pytest.raises(PermissionDenied) as wrong:
        do_decide(manager, pending.pk, approve=True)
    assert wrong.value.code == "approval_wrong_post"
    assert Deduction.objects.count() == 0
    client = Client()
    client.force_login(world["users"]["finance"])
    assert 'data-testid="decide-form"' not in client.get(f"/approvals/{pending.pk}/").content.decode()


def test_a_refusal_needs_a_reason_and_nothing_takes_effect(world: dict[str, Any], threshold: None) -> None:
    with pytest.raises(ApprovalPending):
        _deduct(world, "20000.00")
    pending = PendingAction.objects.get()
    client = Client()
    client.force_login(world["users"]["manager"])
    client.post(f"/approvals/{pending.pk}/", {"decision": "refuse", "reason": "文书不全"})
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == ("refused", "文书不全")
    assert Deduction.objects.count() == 0
    assert Event.objects.filter(action="approvals.refused", actor=world["users"]["manager"]).count() == 1


def test_a_region_threshold_comes_before_the_one_for_every_region(world: dict[str, Any], threshold: None) -> None:
    do_set_threshold(world["users"]["manager"], kind="payments.deduction", amount="50000.00",
                     approver_post="manager", effective_from=dt.date(2021, 1, 1), region_id="220282")
    _deduct(world, "20000.00")
    assert Deduction.objects.count() == 1


def test_a_rule_set_publication_waits_for_approval_when_a_setting_is_in_force(world: dict[str, Any]) -> None:
    manager, supervisor_post = world["users"]["manager"], "reviewer"
    do_set_threshold(manager, kind="benefits.publish", amount="0.00", approver_post=supervisor_post,
                     effective_from=dt.date(2020, 1, 1))
    version = RuleSetVersion.objects.filter(ruleset__region_id="220282").first()
    assert version is not None
    draft = do_create_draft(manager, version.ruleset)
    effective = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(ApprovalPending):
        do_publish(manager, draft, effective)
    draft.refresh_from_db()
    assert draft.status == "draft"
    pending = PendingAction.objects.get(kind="benefits.publish")
    do_decide(world["users"]["reviewer"], pending.pk, approve=True)
    draft.refresh_from_db()
    assert (draft.status, draft.valid_from, draft.published_by) == ("published", effective, manager)


def test_the_api_lists_the_work_and_takes_the_decision(world: dict[str, Any], threshold: None) -> None:
    with pytest.raises(ApprovalPending):
        _deduct(world, "30000.00")
    pending = PendingAction.objects.get()
    finance, manager = Client(), Client()
    finance.force_login(world["users"]["finance"])
    manager.force_login(world["users"]["manager"])
    assert finance.get("/api/v1/approvals").json()["results"] == []
    listed = manager.get("/api/v1/approvals").json()["results"]
    assert [(p["id"], p["amount"], p["approver_post"]) for p in listed] == [(pending.pk, "30000.00", "manager")]
    refused = finance.post(f"/api/v1/approvals/{pending.pk}/decision", {"decision": "approve"},
                           content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "approval_by_actor"
    done = manager.post(f"/api/v1/approvals/{pending.pk}/decision", {"decision": "approve"},
                        content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Deduction.objects.get().amount == Decimal("30000.00")
