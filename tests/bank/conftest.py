"""Bank reconciliation fixtures: a finance clerk and a small ledger of cash movements (``chart`` is in
tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import REGION_A, make_user


@pytest.fixture
def clerk(chart: None) -> Any:
    return make_user("finance", username="bank-finance", regions=(REGION_A,))
