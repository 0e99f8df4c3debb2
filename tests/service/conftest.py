"""Service-desk fixtures: the ``world`` (two regions, a user of every post in region A) plus a second service
clerk and a second manager (the approver of an extension is never the person who asked)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import make_user


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def users(world: dict[str, Any]) -> dict[str, Any]:
    found = dict(world["users"])
    found["service2"] = make_user("service", username="service2")
    found["manager2"] = make_user("manager", username="manager2")
    return found
