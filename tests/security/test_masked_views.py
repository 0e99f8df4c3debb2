"""Phone numbers and bank accounts are masked where shown unless asked for by a post that handles the claim;
each full view is logged, like the ID number's; the payment orders' API never shows a full account."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dae.core.models import AccessRecord
from dae.reimbursement.actions import do_register
from tests.reimbursement.helpers import claim_input

pytestmark = pytest.mark.django_db


def test_a_claims_account_and_phone_are_masked_and_each_full_view_is_logged(world: dict[str, Any]) -> None:
    clerk = world["users"]["settlement"]
    claim = do_register(clerk, claim_input())
    client = Client()
    client.force_login(world["users"]["checker"])
    page = client.get(f"/reimbursement/{claim.number}/").content.decode()
    assert "6222 **** 4567" in page and "6222020700001234567" not in page
    assert "138****5678" in page and "13812345678" not in page
    assert AccessRecord.objects.filter(why__in=("full_account", "full_phone")).count() == 0
    full = client.get(f"/reimbursement/{claim.number}/?full=account").content.decode()
    assert "6222020700001234567" in full and "13812345678" not in full
    client.get(f"/reimbursement/{claim.number}/?full=phone")
    assert list(AccessRecord.objects.filter(why__in=("full_account", "full_phone")).order_by("id")
                .values_list("why", "actor__username", "psn_no")) == [
        ("full_account", "checker", "PA0001"), ("full_phone", "checker", "PA0001")]


def test_a_post_that_does_not_handle_claims_never_sees_the_full_account(world: dict[str, Any]) -> None:
    claim = do_register(world["users"]["settlement"], claim_input())
    client = Client()
    client.force_login(world["users"]["supervisor"])
    page = client.get(f"/reimbursement/{claim.number}/?full=account").content.decode()
    assert "6222020700001234567" not in page
    assert AccessRecord.objects.filter(why="full_account").count() == 0
