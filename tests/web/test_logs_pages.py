from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_manager_filters_the_event_log_by_object_type(client_for: Any, world: dict[str, Any]) -> None:
    from dae.accounts import actions

    actions.do_create_user(world["users"]["it"], username="x1", password="Initial-2026-pw", post="settlement",
                           regions=[world["regions"][0]])
    html = client_for("manager").get("/events/?type=accounts.user").content.decode()
    assert "accounts.user_created" in html and "benefits.ruleset_installed" not in html
    html = client_for("manager").get("/events/?type=benefits.rulesetversion").content.decode()
    assert "benefits.ruleset_installed" in html and "accounts.user_created" not in html


def test_supervisor_filters_the_access_log_by_reason(client_for: Any, world: dict[str, Any]) -> None:
    world["users"]["supervisor"].regions.add(world["regions"][1])
    client_for("settlement").get("/enrollment/persons/PB0001/")  # denied: region B
    client_for("settlement").get("/enrollment/persons/PA0001/")
    html = client_for("supervisor").get("/access-log/?why=denied").content.decode()
    assert "PB0001" in html and "PA0001" not in html
