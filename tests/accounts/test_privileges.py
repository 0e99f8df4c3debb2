"""Privilege escalation (issue 13): IT administers accounts but never grants a post on its own — a manager
approves every grant; nobody changes their own post; every grant and revocation is an event."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dae.accounts import actions
from dae.accounts.models import User
from dae.approvals.actions import do_decide
from dae.approvals.models import PendingAction
from dae.core.errors import NotFound, PermissionDenied
from dae.core.models import Event

pytestmark = pytest.mark.django_db

PASSWORD = "Initial-2026-pw"


def test_a_new_account_gets_its_post_only_when_a_manager_approves(world: dict[str, Any]) -> None:
    it, manager = world["users"]["it"], world["users"]["manager"]
    user = actions.do_create_user(it, username="newcw", password=PASSWORD, post="finance",
                                  regions=[world["regions"][0]])
    user.refresh_from_db()
    assert (user.post, list(user.regions.all()), user.must_change_password) == ("", [], True)
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    assert client.get("/fund/").status_code == 403
    pending = PendingAction.objects.get(kind="accounts.grant")
    assert (pending.approver_post, pending.requested_by, pending.payload["post"]) == ("manager", it, "finance")
    with pytest.raises(NotFound):  # IT reaches no approval: outside its scope, as if missing
        do_decide(it, pending.pk, approve=True)
    do_decide(manager, pending.pk, approve=True)
    user.refresh_from_db()
    assert (user.post, [r.admdvs for r in user.regions.all()]) == ("finance", ["220282"])
    granted = Event.objects.get(action="accounts.post_granted")
    assert (granted.actor, granted.before["post"], granted.after["post"]) == (manager, "", "finance")


def test_it_cannot_give_itself_a_business_post(world: dict[str, Any]) -> None:
    it = world["users"]["it"]
    with pytest.raises(PermissionDenied) as refused:
        actions.do_update_user(it, it, display_name="", post="manager", regions=[world["regions"][0]],
                               hospital=None, psn_no="", is_active=True)
    assert refused.value.code == "own_post"
    it.refresh_from_db()
    assert it.post == "it" and PendingAction.objects.count() == 0


def test_it_changing_anothers_post_waits_for_the_manager_and_the_old_post_is_revoked(world: dict[str, Any]) -> None:
    it, manager, clerk = world["users"]["it"], world["users"]["manager"], world["users"]["settlement"]
    actions.do_update_user(it, clerk, display_name="", post="finance", regions=[world["regions"][0]],
                           hospital=None, psn_no="", is_active=True)
    clerk.refresh_from_db()
    assert clerk.post == "settlement"
    do_decide(manager, PendingAction.objects.get().pk, approve=True)
    clerk.refresh_from_db()
    assert clerk.post == "finance"
    assert Event.objects.get(action="accounts.post_revoked").before == {"post": "settlement"}


def test_nobody_changes_their_own_post_not_even_through_a_grant_they_approve(world: dict[str, Any]) -> None:
    it, manager = world["users"]["it"], world["users"]["manager"]
    with pytest.raises(PermissionDenied):
        actions.do_update_user(manager, manager, display_name="", post="finance", regions=[world["regions"][0]],
                               hospital=None, psn_no="", is_active=True)
    actions.do_update_user(it, manager, display_name="", post="supervisor", regions=[world["regions"][0]],
                           hospital=None, psn_no="", is_active=True)
    pending = PendingAction.objects.get()
    with pytest.raises(PermissionDenied) as refused:
        do_decide(manager, pending.pk, approve=True)
    assert refused.value.code == "approval_by_actor"
    manager.refresh_from_db()
    assert manager.post == "manager"


def test_the_edit_page_refuses_a_change_of_ones_own_post(world: dict[str, Any]) -> None:
    it = world["users"]["it"]
    client = Client()
    client.force_login(it)
    response = client.post(f"/accounts/users/{it.pk}/", {"username": "it", "post": "manager", "regions": ["220282"],
                                                          "is_active": "on"})
    assert "不能修改自己的岗位或数据范围" in response.content.decode()
    assert User.objects.get(pk=it.pk).post == "it"


def test_disabling_an_account_revokes_its_access_at_once_with_an_event(world: dict[str, Any]) -> None:
    it, clerk = world["users"]["it"], world["users"]["settlement"]
    actions.do_update_user(it, clerk, display_name="", post="settlement", regions=[world["regions"][0]],
                           hospital=None, psn_no="", is_active=False)
    revoked = Event.objects.get(action="accounts.access_revoked")
    assert (revoked.actor, revoked.object_id, revoked.after) == (it, str(clerk.pk), {"is_active": False})
    assert PendingAction.objects.count() == 0
