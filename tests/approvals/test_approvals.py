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
from dae.payments.actions import do_record_deduction
from dae.payments.models import Deduction

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 5)


def _deduct(world: dict[str, Any], amount: str, document: str = "JH-2026-01") -> Deduction:
    return do_record_deduction(world["hospitals"][0], amount=amount, kind="other", reason="违规收费追回",
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


def test_the_thresholds_are_a_list_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    """人工审批设置 is the list component: filters by kind, approver and amount; the export has the page's rows
    with names (审批事项, 审批岗位), not codes; the form above the list still adds a threshold; a post the matrix
    does not let read the page cannot export it."""
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back

    manager = world["users"]["manager"]
    for kind, amount, post in (("payments.deduction", "10000.00", "manager"), ("payments.deduction", "500.00",
                                                                                  "finance"),
                               ("payments.batch", "80000.00", "manager"), ("fund.transfer", "60000.00", "supervisor")):
        do_set_threshold(manager, kind=kind, amount=amount, approver_post=post, effective_from=dt.date(2026, 1, 1))
    client = client_for("finance")
    body = assert_read_back(client, "/approvals/thresholds/?kind=payments.deduction", 2)
    assert {(r[0], Decimal(str(r[2])), r[3]) for r in body} == {("扣款", Decimal("10000.00"), "管理岗"),
                                                              ("扣款", Decimal("500.00"), "财务岗")}
    body = assert_read_back(client, "/approvals/thresholds/?amount_min=50000&approver=manager", 1)
    assert body[0][0] == "支付批次" and body[0][1] == "全部"
    html = client.get("/approvals/thresholds/").content.decode()
    assert 'data-testid="list-table"' in html and 'data-testid="threshold-form"' not in html  # finance reads

    response = client_for("manager").post("/approvals/thresholds/", {
        "kind": "payments.batch", "region": "", "amount": "90000.00", "approver_post": "manager",
        "effective_from": "2026-06-01"})
    assert response.status_code == 302
    assert_read_back(client, "/approvals/thresholds/?kind=payments.batch", 2)
    assert AccessRecord.objects.filter(why="export", object_type="list:approvals:thresholds").count() == 6
    assert client_for("settlement").get("/approvals/thresholds/?export=csv").status_code == 403
