"""The whole rule suite on DuckDB and on Spark (local mode) over one fixed generated data set: identical
findings and evidence, every rule firing. Marked ``spark`` so CI can run it as its own job (``-m spark``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from dae.audit import RULES, AuditData, run_rules
from dae.audit.synthetic import generate

LINES = 60_000
SEED = 7

#: Findings per rule on the fixed data set (pins the generator and the rules together).
EXPECTED_COUNTS = {
    "R01_DUP_SAME_DAY": 21, "R02_DUP_BUNDLED": 24, "R03_FREQ_DAY": 73, "R04_FREQ_STAY": 9, "R05_FREQ_PERIOD": 64,
    "R06_SEX": 36, "R07_AGE": 57, "R08_HOSP_LEVEL": 59, "R09_SETTING": 37, "R10_DIAGNOSIS": 64, "R11_PRICE_CAP": 588,
    "R12_COURSE": 7, "R13_SPLIT_STAY": 12, "R14_IDLE_BED": 31, "R15_OVERLAP": 191, "R16_REPEAT_STAY": 8,
    "R17_CROSS_PERIOD": 110, "R18_SUBSTITUTE": 8,
}  # fmt: skip


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated")  # ibis's Spark → pandas path
def test_duckdb_and_spark_find_the_same(spark: Any, tmp_path: Path) -> None:
    counts = generate(tmp_path, LINES, SEED)
    assert counts["fee_line"] == 60_004
    data = AuditData.from_parquet_dir(tmp_path)
    on_duckdb = run_rules(data, backend="duckdb")
    assert on_duckdb.count_by_rule() == EXPECTED_COUNTS
    assert set(EXPECTED_COUNTS) == set(RULES)
    started = time.perf_counter()
    on_spark = run_rules(data, backend="pyspark", spark=spark)
    elapsed = time.perf_counter() - started
    assert on_spark.findings.equals(on_duckdb.findings)
    assert on_spark.evidence.equals(on_duckdb.evidence)
    assert on_duckdb.evidence.num_rows > on_duckdb.findings.num_rows
    print(f"Spark: {len(RULES)} rules in {elapsed:.1f} s")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated")
def test_province_path_reads_parquet_on_spark_and_duckdb_alike(spark: Any, tmp_path: Path) -> None:
    """bench/province.py's two paths: the Parquet files straight into Spark (``load_spark_parquet``) and into a
    DuckDB database file with a memory limit (``load_duckdb_parquet``, the net lines a view) find the same."""
    import ibis

    from dae.audit import load_duckdb_parquet, load_spark_parquet

    generate(tmp_path / "data", 20_000, SEED)
    (tmp_path / "data" / "course_limit.parquet").unlink()  # an absent optional table is an empty one on both
    con = ibis.duckdb.connect(str(tmp_path / "audit.duckdb"), memory_limit="256MB", threads=2)
    on_duckdb = run_rules(load_duckdb_parquet(tmp_path / "data", con))
    bound = load_spark_parquet(tmp_path / "data", spark)
    try:
        on_spark = run_rules(bound)
    finally:
        bound.close()
    assert on_duckdb.findings.num_rows > 100 and "R12_COURSE" not in on_duckdb.count_by_rule()
    assert on_spark.findings.equals(on_duckdb.findings)
    assert on_spark.evidence.equals(on_duckdb.evidence)
