from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import make_user
from tests.reimbursement.helpers import claim_input


@pytest.fixture
def people(world: dict[str, Any]) -> dict[str, Any]:
    users = world["users"]
    users.setdefault("checker2", make_user("checker", username="checker2"))
    return users


@pytest.fixture
def paid_claim(people: dict[str, Any]) -> Any:
    """A manual claim of person PA0001 computed, checked and approved by two people, and paid on 2026-10-20."""
    from dae.reimbursement import actions

    clerk, checker = people["settlement"], people["checker"]
    claim = actions.do_register(clerk, claim_input())
    claim = actions.do_compute(clerk, claim)
    claim = actions.do_check(checker, claim)
    claim = actions.do_approve(checker, claim)
    return actions.do_mark_paid(people["finance"], claim, paid_on=dt.date(2026, 10, 20))
