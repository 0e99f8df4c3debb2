from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_tables() -> Iterator[None]:
    """Each test reads its own database: the engine's per-process tables are dropped around it."""
    from dae.reports import tables

    tables.forget()
    yield
    tables.forget()
