from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_user


@pytest.fixture
def people(world: dict[str, Any]) -> dict[str, Any]:
    """The world's users plus a second checker and a second clerk of region A."""
    users = world["users"]
    users.setdefault("checker2", make_user("checker", username="checker2"))
    users.setdefault("settlement2", make_user("settlement", username="settlement2"))
    return users
