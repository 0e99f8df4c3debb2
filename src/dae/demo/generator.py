"""The demo city: a reproducible synthetic year of the 大额 scheme for two 统筹区 (桦甸市, 蛟河市).

``generate_city(seed)`` returns a frozen :class:`~dae.demo.city.City` in the national field vocabulary; the same
seed gives the same city, row for row and (written with ``write_parquet`` / ``write_csv``) byte for byte, whatever
the interpreter's hash seed. Each part (reference data, units, persons, care) draws from its own random stream
named after the seed, so e.g. the roster stays the same when the number of hospitals changes. Plants (known audit
violations at known rates, :mod:`dae.demo.plants`) go in through ``plants``: they edit the draft before amounts are
computed (see :mod:`dae.demo.draft`), each drawing from its own stream, and ``City.planted`` records what they did.
Without plants no stream is touched that a plant would use: the clean city is the same with or without the plant
code. Pure Python: no Django, no database.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

from dae.demo.care import Planner
from dae.demo.city import City
from dae.demo.draft import Draft, Plant
from dae.demo.export import write_csv, write_parquet
from dae.demo.names import NameMaker
from dae.demo.population import Population, build_persons, build_units
from dae.demo.reference import build_reference
from dae.demo.settle import freeze

__all__ = ["City", "Plant", "city_digest", "draft_city", "generate_city", "write_csv", "write_parquet"]

DEFAULT_SEED = 20260101


def _stream(seed: int, part: str) -> random.Random:
    return random.Random(f"dae-demo:{seed}:{part}")


def draft_city(seed: int = DEFAULT_SEED, persons: int = 100_000, hospitals: int = 60, year: int = 2026) -> Draft:
    """Everything up to the amounts: reference data, population and the drafted visits of the year."""
    if persons < 100:
        raise ValueError(f"参保人数至少为100: {persons} (a demo city needs at least 100 persons)")
    names = NameMaker()
    reference = build_reference(_stream(seed, "reference"), names, hospitals)
    units = build_units(_stream(seed, "units"), persons)
    people = build_persons(_stream(seed, "persons"), names, units, persons, year)
    episodes = Planner(_stream(seed, "care"), reference, people, year).plan()
    return Draft(seed=seed, year=year, reference=reference, population=Population(units, people), episodes=episodes)


def generate_city(
    seed: int = DEFAULT_SEED,
    persons: int = 100_000,
    hospitals: int = 60,
    year: int = 2026,
    plants: Sequence[Plant] = (),
) -> City:
    """A whole synthetic city for ``year``. ``persons`` scales units, visits and fee lines linearly."""
    draft = draft_city(seed, persons, hospitals, year)
    for plant in plants:
        plant.apply(draft, _stream(seed, f"plant:{plant.name}"))
    frozen = freeze(draft)
    ref = draft.reference
    return City(
        seed=seed,
        year=year,
        regions=ref.regions,
        units=draft.population.units,
        persons=draft.population.persons,
        hospitals=tuple(h.row for h in ref.hospitals),
        catalogue=tuple(item.row for item in ref.items),
        code_map=ref.code_map,
        diagnoses=tuple(d.row for d in ref.diagnoses),
        settlements=frozen.settlements,
        fee_lines=frozen.fee_lines,
        planted=frozen.planted,
    )


def city_digest(city: City) -> str:
    """SHA-256 over every row of every table, in order, and the plants' ground truth if there is any: equal digests
    mean equal cities."""
    digest = hashlib.sha256(f"{city.seed}|{city.year}".encode())
    tables: dict[str, tuple[object, ...]] = dict(city.tables())
    if city.planted:
        tables["planted"] = city.planted
    for name, rows in tables.items():
        digest.update(name.encode())
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()
