"""A small demo city shared by the demo tests (generated once per session: it takes about a second), clean and with
every plant at its default rate (``any_city`` runs a test on both)."""

from __future__ import annotations

import pytest

from dae.demo.city import City
from dae.demo.generator import generate_city
from dae.demo.plants import DEFAULT_PLANTS

SMALL = 2_000


@pytest.fixture(scope="session")
def small_city() -> City:
    return generate_city(persons=SMALL)


@pytest.fixture(scope="session")
def planted_small_city() -> City:
    return generate_city(persons=SMALL, plants=DEFAULT_PLANTS)


@pytest.fixture(params=["clean", "planted"])
def any_city(request: pytest.FixtureRequest) -> City:
    """The small city, clean and planted: the generator's invariants hold for both."""
    name = "small_city" if request.param == "clean" else "planted_small_city"
    city: City = request.getfixturevalue(name)
    return city
