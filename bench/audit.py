"""Benchmark of the audit rule library: every rule over 10,000,000 fee lines on DuckDB, and the single-claim check.

    .venv/bin/python bench/audit.py [--lines N] [--seed S] [--data DIR] [--claims N] [--check]

Generates the synthetic data set once (``dae.audit.synthetic``: persons, hospitals, catalogue with restrictions,
settlements and fee lines with violations of every rule planted; cached as Parquet under
``var/bench/audit-<lines>-<seed>/``, in a child process so its memory does not count), loads it into an in-memory
DuckDB, runs every rule and prints each rule's time and findings, the suite's total, the peak resident memory of
this process, and the time of ``check_one`` on single settlements (the first call compiles the rule set).
``--check`` exits 1 unless the suite (derived tables + every rule) finishes in under 60 s and a warm single-claim
check in under 1 s. DuckDB uses every core.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SUITE_S = 60.0
TARGET_CLAIM_S = 1.0


def _rss_mib() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_data(folder: Path, lines: int, seed: int) -> float:
    """Generate the data set unless it is already there; returns the seconds spent (0 when cached)."""
    if (folder / "fee_line.parquet").exists() and (folder / "material_procedure.parquet").exists():
        return 0.0
    started = time.perf_counter()
    code = f"from dae.audit.synthetic import generate; print(generate({str(folder)!r}, {lines}, {seed}))"
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=None, help="folder of the Parquet files (default var/bench/…)")
    parser.add_argument("--claims", type=int, default=20, help="single-claim checks to time")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    from dae.audit import RULES, check_one, load_duckdb_parquet, run_rules
    from dae.audit.engine import prepare

    var = Path(os.environ.get("DAE_VAR_DIR", "var"))
    folder = args.data or var / "bench" / f"audit-{args.lines}-{args.seed}"
    generated = ensure_data(folder, args.lines, args.seed)
    size_mib = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 2**20

    started = time.perf_counter()
    tables = load_duckdb_parquet(folder)
    load_s = time.perf_counter() - started
    counts = {name: tables.raw[name].count().execute() for name in ("fee_line", "settlement", "person", "catalogue")}

    started = time.perf_counter()
    prepare(tables)
    prepare_s = time.perf_counter() - started
    started = time.perf_counter()
    found = run_rules(tables)
    rules_s = time.perf_counter() - started
    per_rule = dict(found.seconds)
    suite_s = prepare_s + rules_s
    by_rule = found.count_by_rule()

    print(f"数据 data: {counts['fee_line']:,} fee lines, {counts['settlement']:,} settlements, "
          f"{counts['person']:,} persons, {counts['catalogue']:,} catalogue items; Parquet {size_mib:,.0f} MiB"
          f" ({folder}, {f'generated in {generated:.1f} s' if generated else 'cached'})")  # fmt: skip
    print(f"载入 load into DuckDB: {load_s:.2f} s")
    print(f"{'rule':<18} {'name':<22} {'seconds':>8} {'findings':>9}")
    print(f"{'(derived)':<18} {'净明细/就诊/诊断':<22} {prepare_s:>8.2f} {'':>9}")
    for rule_id, seconds in per_rule.items():
        print(f"{rule_id:<18} {RULES[rule_id].name_zh:<22} {seconds:>8.2f} {by_rule.get(rule_id, 0):>9,}")
    print(f"{'total':<18} {'全部规则':<22} {suite_s:>8.2f} {found.findings.num_rows:>9,}"
          f"  (derived tables + every rule + collecting; evidence rows {found.evidence.num_rows:,})")  # fmt: skip

    setl_ids = [r["setl_id"] for r in found.findings.slice(0, 10_000).to_pylist()][:: max(1, 10_000 // args.claims)]
    setl_ids = (setl_ids or ["S000000000"])[: args.claims]
    started = time.perf_counter()
    check_one(tables, setl_ids[0])
    first_s = time.perf_counter() - started
    times = []
    for setl_id in setl_ids:
        started = time.perf_counter()
        check_one(tables, setl_id)
        times.append(time.perf_counter() - started)
    warm = statistics.median(times)
    print(f"单笔审核 check_one: first call {first_s:.2f} s (compiles the rule set), then median {warm * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {len(times)} settlements")  # fmt: skip
    peak = _rss_mib()
    print(f"峰值内存 peak RSS: {peak:,.0f} MiB")

    if args.check:
        failed = []
        if suite_s >= TARGET_SUITE_S:
            failed.append(f"suite {suite_s:.1f} s >= {TARGET_SUITE_S:.0f} s")
        if warm >= TARGET_CLAIM_S:
            failed.append(f"check_one {warm:.2f} s >= {TARGET_CLAIM_S:.0f} s")
        if failed:
            print("未达标 missed: " + "; ".join(failed))
            return 1
        print("达标 targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
