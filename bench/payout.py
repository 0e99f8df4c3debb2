"""Benchmark of the payout batch: 1,000,000 settlements of 300,000 persons (totals path), and one trace.

    .venv/bin/python bench/payout.py [--settlements N] [--persons N] [--seed S] [--check] [--keep DIR]

Generates a seeded year of settlements with DuckDB (exact DECIMAL(16,2) amounts: a heavy tail so that many
persons pass the entry threshold and some reach the annual maximum; 10% off-site, 5% manual, 0.5% cancelled),
writes it to Parquet, runs ``run_batch`` on the file with two rule-set versions (a mid-year change), writes the
results to Parquet, and times one settlement's trace through the reference engine. ``--check`` exits 1 unless
batch >= 100,000 settlements/s and the trace < 50 ms. Runs nothing else in parallel; DuckDB uses every core.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb

from dae.benefits.engine import (
    NationalTotals,
    PlaceCategory,
    Settlement,
    SettleWay,
    format_trace_zh,
    load_rulebook,
)
from dae.benefits.engine.batch import run_batch
from dae.benefits.engine.person_year import calculate
from dae.benefits.engine.rules import RuleBook, default_ruleset_document

TARGET_RATE = 100_000
TARGET_TRACE_MS = 50.0

GENERATE_SQL = """
COPY (
  WITH draws AS (
    SELECT i,
      hash(i, $seed, 1) % $persons AS person,
      hash(i, $seed, 2) % 31536000 AS second_of_year,
      hash(i, $seed, 3) % 1000 AS place_draw,
      hash(i, $seed, 4) % 1000 AS way_draw,
      hash(i, $seed, 5) % 3000000 AS usual_fen,
      CASE WHEN hash(i, $seed, 6) % 100 < 20 THEN hash(i, $seed, 7) % 15000000 ELSE 0 END AS large_fen,
      CASE WHEN hash(i, $seed, 8) % 1000 < 15 THEN hash(i, $seed, 9) % 60000000 ELSE 0 END AS huge_fen,
      hash(i, $seed, 10) % 100000 AS fulamt_fen,
      hash(i, $seed, 11) % 30000 AS overlmt_fen,
      hash(i, $seed, 12) % 80000 AS preselfpay_fen,
      hash(i, $seed, 13) % 1000 < 5 AS cancelled,
      hash(i, $seed, 14) % 20 AS stay_days
    FROM range($settlements) t(i)),
  amounts AS (
    SELECT *, usual_fen + large_fen + huge_fen AS inscp_fen,
      TIMESTAMP '2025-01-01' + to_seconds(CAST(second_of_year AS BIGINT)) AS setl_time
    FROM draws)
  SELECT
    'S' || lpad(CAST(i AS VARCHAR), 9, '0') AS setl_id,
    'P' || lpad(CAST(person AS VARCHAR), 7, '0') AS psn_no,
    setl_time,
    CAST(setl_time AS DATE) - CAST(stay_days AS INTEGER) AS adm_date,
    CASE WHEN place_draw < 900 THEN 'local' WHEN place_draw < 930 THEN 'long_term_offsite'
         WHEN place_draw < 950 THEN 'long_term_offsite_not_direct' WHEN place_draw < 975 THEN 'referred'
         WHEN place_draw < 985 THEN 'self_referred' ELSE 'emergency_away' END AS place_category,
    CASE WHEN way_draw < 950 THEN 'direct' ELSE 'manual' END AS settle_way,
    CAST(CAST(fulamt_fen + overlmt_fen + preselfpay_fen + inscp_fen AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,2))
      AS medfee_sumamt,
    CAST(CAST(fulamt_fen AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,2)) AS fulamt_ownpay_amt,
    CAST(CAST(overlmt_fen AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,2)) AS overlmt_selfpay,
    CAST(CAST(preselfpay_fen AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,2)) AS preselfpay_amt,
    CAST(CAST(inscp_fen AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,2)) AS inscp_scp_amt,
    cancelled
  FROM amounts
) TO '{path}' (FORMAT PARQUET)
"""


def bench_rulebook() -> RuleBook:
    """The default (桦甸) rule set, replaced on 1 July by a version with other segment ratios (same maximum)."""
    first = dict(default_ruleset_document(), valid_to="2025-06-30")
    second = dict(
        default_ruleset_document(),
        version="2025.2",
        valid_from="2025-07-01",
        valid_to=None,
        entry_threshold="55000.00",
        segments=[
            {"lower": "0.00", "upper": "50000.00", "ratio": "0.86"},
            {"lower": "50000.00", "upper": "100000.00", "ratio": "0.91"},
            {"lower": "100000.00", "upper": None, "ratio": "0.955"},
        ],
    )
    return load_rulebook([first, second])


def generate(path: Path, settlements: int, persons: int, seed: int) -> float:
    started = time.perf_counter()
    sql = GENERATE_SQL.format(path=str(path).replace("'", "''"))
    duckdb.connect().execute(sql, {"seed": seed, "persons": persons, "settlements": settlements})
    return time.perf_counter() - started


def time_one_trace(result: object, setl_id: str, psn_no: str | None) -> tuple[float, str]:
    started = time.perf_counter()
    traced = result.trace(setl_id, psn_no)  # type: ignore[attr-defined]
    text = format_trace_zh(traced)
    return (time.perf_counter() - started) * 1000, text


def busiest_person_year(result: object) -> tuple[str, str, int]:
    """The last settlement of the person-year with the most settlements: the longest trace to rebuild."""
    con = result._con  # type: ignore[attr-defined]  # the bench may look inside
    row = con.execute(
        "WITH sizes AS (SELECT psn_no, policy_year, count(*) AS n FROM computed GROUP BY ALL "
        "ORDER BY n DESC, psn_no LIMIT 1) "
        "SELECT c.setl_id, c.psn_no, s.n FROM computed c JOIN sizes s USING (psn_no, policy_year) "
        "ORDER BY c.setl_time DESC, c.setl_id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]), str(row[1]), int(row[2])


def reference_rate(result: object, persons: int) -> float:
    """Settlements/s of the Decimal reference engine (traces off) on the settlements of the first ``persons``."""
    con = result._con  # type: ignore[attr-defined]
    rows = con.execute(
        "SELECT setl_id, psn_no, setl_time, place_category, settle_way, "
        "medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, preselfpay_amt, inscp_scp_amt FROM computed "
        "WHERE psn_no IN (SELECT DISTINCT psn_no FROM computed ORDER BY psn_no LIMIT ?)",
        [persons],
    ).fetchall()
    settlements = [
        Settlement(
            setl_id=r[0],
            psn_no=r[1],
            setl_time=r[2],
            place_category=PlaceCategory(r[3]),
            settle_way=SettleWay(r[4]),
            totals=NationalTotals(*(Decimal(x).scaleb(-2) for x in r[5:10])),
        )
        for r in rows
    ]
    started = time.perf_counter()
    calculate(settlements, result._book, trace=False)  # type: ignore[attr-defined]
    return len(settlements) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settlements", type=int, default=1_000_000)
    parser.add_argument("--persons", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--keep", type=Path, help="write the input and result files here instead of a temp dir")
    parser.add_argument("--reference-persons", type=int, default=3000, help="persons for the reference-engine rate")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="dae-bench-") as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source, target = folder / "settlements.parquet", folder / "payouts.parquet"
        generated = generate(source, options.settlements, options.persons, options.seed)
        book = bench_rulebook()

        started = time.perf_counter()
        result = run_batch(source, book)
        computed = time.perf_counter() - started
        result.write(target)
        written = time.perf_counter() - started

        setl_id, psn_no, year_size = busiest_person_year(result)
        first_ms, _ = time_one_trace(result, setl_id, None)  # by setl_id alone: scans the batch for the person
        trace_ms, text = time_one_trace(result, setl_id, psn_no)
        reference = reference_rate(result, options.reference_persons)

        rate = result.settlement_count / computed
        rate_written = result.settlement_count / written
        print(f"machine: {os.cpu_count()} cores; duckdb {duckdb.__version__}; python {sys.version.split()[0]}")
        print(f"generated {options.settlements:,} settlements / {options.persons:,} persons in {generated:.2f} s")
        print(
            f"batch: {result.settlement_count:,} computed, {result.cancelled_count:,} cancelled, "
            f"{result.person_year_count:,} person-years, total hifob_pay {result.total_payout:,.2f}"
        )
        print(f"batch compute (read+check+compute): {computed:.2f} s = {rate:,.0f} settlements/s")
        print(f"batch incl. writing Parquet results: {written:.2f} s = {rate_written:,.0f} settlements/s")
        print(
            f"one trace ({setl_id}, person-year of {year_size} settlements rebuilt by the reference engine "
            f"+ formatted): {trace_ms:.1f} ms given psn_no, {first_ms:.1f} ms by setl_id alone"
        )
        print(f"reference Decimal engine, traces off: {reference:,.0f} settlements/s")
        print("--- trace excerpt ---")
        print("\n".join(text.splitlines()[:8]))
        result.close()

    met = rate >= TARGET_RATE and trace_ms < TARGET_TRACE_MS and result.total_payout > Decimal(0)
    print(f"targets (>= {TARGET_RATE:,}/s, trace < {TARGET_TRACE_MS:.0f} ms): {'met' if met else 'MISSED'}")
    return 0 if met or not options.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
