"""The rules the single-claim check evaluates in plain Python (:mod:`dae.audit.inmemory`) must find exactly what
their DuckDB queries find — findings, amounts, explanations and evidence — on the same slices: every settlement's
slice of a demo city with planted cases. A deliberately wrong evaluator must make the comparison fail."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dae.audit import inmemory
from dae.audit.compiled import compiled_suite, freeze
from dae.audit.engine import collect
from dae.audit.relevance import Slice
from dae.audit.rules.base import OUTPUT_SCHEMA
from dae.auditing import check
from dae.auditing.demo import install_settings

from ..factories import make_user

pytestmark = pytest.mark.django_db


def _records(rows: Any, params: Any) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    found = collect([rows], params, {})
    return {tuple(f.values()) for f in found.records()}, {tuple(e.values()) for e in found.evidence_records()}


def _slices() -> Iterator[tuple[str, Any]]:
    from dae.claims.models import Settlement

    book, _tables = check.current_book()
    for s in Settlement.objects.order_by("pk"):
        yield s.setl_id, check._person_data(s.psn_no, (s.adm_date, s.dscg_date), book)


def _differences(rule_ids: tuple[str, ...]) -> tuple[list[str], dict[str, int]]:
    """The settlements whose slice gives different rows in Python and on DuckDB, and how many findings each rule
    had (summed over the slices)."""
    book, _tables = check.current_book()
    params = book.engine_params()
    suite = compiled_suite(book.rule_ids, freeze(params))
    target = OUTPUT_SCHEMA.to_pyarrow()
    differ, found = [], dict.fromkeys(rule_ids, 0)
    for setl_id, piece in _slices():
        for rule_id in rule_ids:
            duck = _records(suite.run(piece, (rule_id,)), params)
            python = _records(inmemory.run(Slice(piece), (rule_id,), params, target), params)
            if duck != python:
                differ.append(f"{rule_id} {setl_id}: duckdb {duck} python {python}")
            found[rule_id] += len(duck[0])
    return differ, found


@pytest.fixture
def city(chart: Any) -> None:
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.demo.plants import plants

    from ..demo.test_plants import RATE, RATES

    load_city(generate_city(persons=600, hospitals=12, plants=plants(RATE, RATES)))
    install_settings(make_user("manager", regions=("220282", "220281")))


def test_each_in_memory_rule_finds_what_its_duckdb_query_finds_on_every_slice_of_a_demo_city(city: None) -> None:
    differ, found = _differences(tuple(inmemory.EVALUATORS))
    assert differ == []
    assert all(found.values()), found  # every evaluated rule has planted cases to agree on


def test_a_wrong_price_cap_evaluator_is_caught(city: None, monkeypatch: pytest.MonkeyPatch) -> None:
    right = inmemory.price_cap

    def off_by_a_fen(s: Slice, params: Any) -> list[inmemory.Row]:
        return [(r[0], r[1], r[2], r[3] + Decimal("0.01"), *r[4:]) for r in right(s, params)]  # type: ignore[misc]

    monkeypatch.setitem(inmemory.EVALUATORS, "R11_PRICE_CAP", off_by_a_fen)
    differ, found = _differences(("R11_PRICE_CAP",))
    assert found["R11_PRICE_CAP"] and len(differ) >= 1
