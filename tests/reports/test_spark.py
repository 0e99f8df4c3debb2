"""The whole indicator suite on DuckDB and on Spark (local mode) over the hand-built city: identical figures
for every indicator, as a total and by each of its dimensions, for a month, a quarter, a year and an empty
period. Marked ``spark`` (its own CI job, ``-m spark``), like the audit engine's equivalence test."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from dae.reports import indicator_data
from dae.reports import indicators as engine
from dae.reports.periods import Period

from ..audit_engine.conftest import spark  # noqa: F401 - the session's SparkSession fixture
from .builders import tables

PERIODS = [Period.parse(p) for p in ("2026-03", "2026-04", "2026Q1", "2025-03", "2019-06")]


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated")
def test_duckdb_and_spark_give_identical_figures(spark: Any, tmp_path: Path) -> None:  # noqa: F811
    data = tables()
    duck = indicator_data.bind_duckdb(data)
    on_spark = indicator_data.bind_spark(data, spark, str(tmp_path))
    started = time.perf_counter()
    compared = 0
    for ind in engine.INDICATORS:
        for dims in [(), (ind.dims[0],), (ind.dims[-1],)]:
            left = engine.evaluate(duck, ind.id, PERIODS, dims)
            right = engine.evaluate(on_spark, ind.id, PERIODS, dims)
            assert left == right, (ind.id, dims)
            compared += len(left)
    two = engine.evaluate(on_spark, "admissions", PERIODS, ("icd_chapter", "age_band"))
    assert two == engine.evaluate(duck, "admissions", PERIODS, ("icd_chapter", "age_band"))
    assert compared > 200
    print(f"Spark: {len(engine.INDICATORS)} indicators, {compared} cells in {time.perf_counter() - started:.1f} s")
