"""The generated data set behind the benchmark and the Spark comparison: reproducible, every rule fires, and
the single-claim check agrees with the whole run (DuckDB only; the Spark side is ``test_spark.py``)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from dae.audit import AuditData, check_one, run_rules
from dae.audit.synthetic import generate

from .test_spark import EXPECTED_COUNTS, LINES, SEED


def test_generated_data_is_reproducible_and_every_rule_fires(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    counts = generate(first, LINES, SEED)
    assert generate(second, LINES, SEED) == counts
    assert pq.read_table(first / "fee_line.parquet").equals(pq.read_table(second / "fee_line.parquet"))
    assert counts["settlement"] == 2004 and counts["fee_line"] == 60_004
    data = AuditData.from_parquet_dir(first)
    found = run_rules(data)
    assert found.count_by_rule() == EXPECTED_COUNTS

    # The single-claim check of a settlement with several findings gives exactly the whole run's findings that
    # concern it.
    setl_id = "S000000044"
    one = check_one(data, setl_id)
    touching = {(e["rule_id"], e["finding_key"]) for e in found.evidence_records() if e["ev_setl_id"] == setl_id}
    expected = [r for r in found.records() if r["setl_id"] == setl_id or (r["rule_id"], r["finding_key"]) in touching]
    assert one.records() == expected
    assert len({r["rule_id"] for r in expected}) >= 2
