"""Ledger fixtures: a finance clerk on the chart of accounts (``chart`` is in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.factories import REGION_A, make_user

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def clerk(chart: None) -> Any:
    return make_user("finance", username="ledger-finance", regions=(REGION_A,))
