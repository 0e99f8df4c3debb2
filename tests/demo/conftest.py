"""A small demo city shared by the demo tests (generated once per session: it takes about a second)."""

from __future__ import annotations

import pytest

from dae.demo.city import City
from dae.demo.generator import generate_city

SMALL = 2_000


@pytest.fixture(scope="session")
def small_city() -> City:
    return generate_city(persons=SMALL)
