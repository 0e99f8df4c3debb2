"""Bank reconciliation fixtures: the chart, two regions, a finance clerk, and a small ledger of cash movements.
PostgreSQL-only tests are deselected (and reported as such) when the suite runs on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.factories import REGION_A, REGION_B, make_user, region

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    deselected = [i for i in items if HERE in Path(str(i.fspath)).parents and i.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if i not in deselected]


@pytest.fixture
def chart(db: Any) -> None:
    """The seeded chart (a transactional test flushes what the data migration wrote, so seed again)."""
    from dae.ledger.models import Account
    from dae.ledger.seed import seed_chart

    seed_chart(Account)
    region(REGION_A)
    region(REGION_B)


@pytest.fixture
def clerk(chart: None) -> Any:
    return make_user("finance", username="bank-finance", regions=(REGION_A,))
