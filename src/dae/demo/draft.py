"""The city before it is frozen: visits, settlements and fee lines without ids or amounts yet.

Generation runs in three stages: plan and draft (``care``, ``fees``), then the plants, then ``settle`` which
numbers everything and computes every amount from quantity, price, cap and catalogue level. A plant (an audit
violation put in on purpose, at a known rate) is any object with a ``name`` and an ``apply(draft, rng)`` that
edits the draft: add or change lines, copy a stay, move dates. Because amounts are computed after the plants,
a planted city keeps every arithmetic identity; a plant records what it did in ``DraftEpisode.tags`` /
``DraftLine.tags`` so tests can know the ground truth. No plant exists yet.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from dae.demo.city import Person
from dae.demo.population import Population
from dae.demo.reference import Department, DiagnosisSpec, Doctor, HospitalSpec, ItemSpec, Reference


@dataclass(slots=True, eq=False)
class DraftLine:
    """A fee line before numbering. ``cnt`` has 4 places; ``pric`` is what the hospital charged per unit."""

    item: ItemSpec
    when: datetime
    cnt: Decimal
    pric: Decimal
    dept: Department
    doctor: Doctor
    session: int | None = None  # haemodialysis session number within the visit
    refund_of: DraftLine | None = None  # the line a refund (negative cnt) reverses
    tags: tuple[str, ...] = ()  # a plant's marks (a tuple: lines are many, a list each would cost)


@dataclass(slots=True, eq=False)
class DraftSettlement:
    """One settlement of a visit: the part of the stay from ``begndate`` to ``enddate``."""

    begndate: date
    enddate: date
    setl_time: datetime
    mid_setl_flag: str
    lines: list[DraftLine] = field(default_factory=list)
    cancels: DraftSettlement | None = None  # set on a 2305 cancellation: the settlement it reverses


@dataclass(slots=True, eq=False)
class DraftEpisode:
    """One visit (就诊, ``mdtrt_id``): an inpatient stay or a month of outpatient haemodialysis."""

    person: Person
    hospital: HospitalSpec
    diagnosis: DiagnosisSpec
    med_type: str
    place_category: str
    settle_way: str
    adm_date: date
    dscg_date: date
    settlements: list[DraftSettlement] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Draft:
    seed: int
    year: int
    reference: Reference
    population: Population
    episodes: list[DraftEpisode]


class Plant(Protocol):
    """Something that changes a draft on purpose (e.g. an audit violation at a known rate)."""

    @property
    def name(self) -> str: ...

    def apply(self, draft: Draft, rng: random.Random) -> None: ...
