"""Benchmark of the audit rule library: every rule over 10,000,000 fee lines on DuckDB, and the single-claim check.

    .venv/bin/python bench/audit.py [--lines N] [--seed S] [--data DIR] [--claims N] [--check] [--reference]
                                    [--db PATH|:memory:] [--memory-limit 1GB] [--threads 2]

Generates the synthetic data set once (``dae.audit.synthetic``: persons, hospitals, catalogue with restrictions,
settlements and fee lines with violations of every rule planted; cached as Parquet under
``var/bench/audit-<lines>-<seed>/``, in a child process so its memory does not count), loads it into an in-memory
DuckDB, runs every rule and prints each rule's time and findings, the suite's total, the peak resident memory of
this process, and the time of ``check_one`` on single settlements (the first call compiles the rule set).
``--check`` exits 1 unless the suite (derived tables + every rule) finishes in under 60 s and a warm single-claim
check in under 1 s.

The tables live in a DuckDB database file (``--db``, default next to the Parquet files, made afresh) with a
memory limit (``--memory-limit``, default 1GB): DuckDB keeps what fits in memory and reads the rest from its
compressed file, so the peak memory does not grow with the data. The rules' SQL is compiled before the clock
starts (once per process; its time is printed apart). ``--reference`` also runs hand-written DuckDB SQL for five
rules of different kinds (``bench/audit_reference.py``) on the same tables in the same run, checks that their
findings and evidence equal the engine's (all columns but the explanation text) and prints the ratio per rule
and for those rules as a suite (engine: derived step + the five rules; hand-written: its tables + the five
queries). ``--check`` then also requires the ratio <= 1.2 and the peak <= 1.5 GiB.
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
TARGET_RATIO = 1.2
TARGET_PEAK_MIB = 1.5 * 1024


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


def reference(tables, found) -> tuple[float, bool]:
    """Run the hand-written SQL on the same tables, compare with the engine's findings, print the ratios."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from audit_reference import COMPARED_EVIDENCE, COMPARED_FINDING, PREPARE, RULES

    from dae.audit.backends import steps_read_by
    from dae.audit.compiled import freeze, rule_sql
    from dae.audit.engine import resolve_params, select_rules

    con = tables.con.con
    resolved = resolve_params(select_rules(list(RULES)), None)
    read = steps_read_by(" ".join(rule_sql(r, freeze({r: resolved[r]})) for r in RULES))
    prepare_s = sum(tables.step_seconds[name] for name in read)

    started = time.perf_counter()
    for sql in PREPARE:
        con.execute(sql)
    ref_prepare_s = time.perf_counter() - started
    ref_s: dict[str, float] = {}
    identical = True
    print(f"对照 reference: hand-written SQL on the same tables; its own tables {ref_prepare_s:.2f} s")
    print(f"{'rule':<18} {'engine s':>9} {'hand s':>8} {'ratio':>6} {'findings':>9}  same")
    for rule_id, sql in RULES.items():
        started = time.perf_counter()
        rows = con.sql(sql).to_arrow_table()
        ref_s[rule_id] = time.perf_counter() - started
        ref_f = rows.select(list(COMPARED_FINDING)).group_by(list(COMPARED_FINDING)).aggregate([])
        ref_e = rows.select(list(COMPARED_EVIDENCE)).group_by(list(COMPARED_EVIDENCE)).aggregate([])
        ours_f = found.findings.filter(pc.equal(found.findings["rule_id"], rule_id)).select(list(COMPARED_FINDING))
        ours_e = found.evidence.filter(pc.equal(found.evidence["rule_id"], rule_id)).select(list(COMPARED_EVIDENCE))

        def norm(t: pa.Table, cols: tuple[str, ...], like: pa.Table) -> pa.Table:
            return t.cast(like.schema).sort_by([(c, "ascending") for c in cols]).combine_chunks()

        same = (norm(ref_f, COMPARED_FINDING, ours_f).equals(norm(ours_f, COMPARED_FINDING, ours_f))
                and norm(ref_e, COMPARED_EVIDENCE, ours_e).equals(norm(ours_e, COMPARED_EVIDENCE, ours_e))
                and ours_f.num_rows > 0)  # fmt: skip
        identical = identical and same
        print(f"{rule_id:<18} {found.seconds[rule_id]:>9.2f} {ref_s[rule_id]:>8.2f} "
              f"{found.seconds[rule_id] / ref_s[rule_id]:>6.2f} {ours_f.num_rows:>9,}  {'yes' if same else 'NO'}")
    engine_total = prepare_s + sum(found.seconds[r] for r in RULES)
    ref_total = ref_prepare_s + sum(ref_s.values())
    ratio = engine_total / ref_total
    print(f"{'suite of these':<18} {engine_total:>9.2f} {ref_total:>8.2f} {ratio:>6.2f} {'':>9}  "
          f"{'identical' if identical else 'DIFFERENT'}  (engine: the derived steps these rules read "
          f"({', '.join(read)}: {prepare_s:.2f} s) + rules; hand: its tables + rules)")
    return ratio, identical


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=None, help="folder of the Parquet files (default var/bench/…)")
    parser.add_argument("--claims", type=int, default=20, help="single-claim checks to time")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--reference", action="store_true", help="also run hand-written SQL and compare")
    parser.add_argument("--db", default=None, help="DuckDB database file (default beside the data; :memory:)")
    parser.add_argument("--memory-limit", default="1GB", help="DuckDB memory_limit")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    args = parser.parse_args()

    import ibis

    from dae.audit import RULES, check_one, load_duckdb_parquet, run_rules
    from dae.audit.backends import DUCK_STEPS, derived_sql, prepare
    from dae.audit.compiled import freeze, rule_sql
    from dae.audit.engine import resolve_params, select_rules

    var = Path(os.environ.get("DAE_VAR_DIR", "var"))
    folder = args.data or var / "bench" / f"audit-{args.lines}-{args.seed}"
    generated = ensure_data(folder, args.lines, args.seed)
    size_mib = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 2**20

    started = time.perf_counter()
    for name, _kind in DUCK_STEPS:
        derived_sql(name)
    rules = select_rules(None)
    resolved = resolve_params(rules, None)
    for rule in rules:
        rule_sql(rule.id, freeze({rule.id: resolved[rule.id]}))
    compile_s = time.perf_counter() - started

    db = args.db or str(folder) + ".duckdb"
    if db != ":memory:":
        for leftover in (Path(db), Path(db + ".wal")):
            leftover.unlink(missing_ok=True)
    con = ibis.duckdb.connect(db, memory_limit=args.memory_limit, threads=args.threads)
    started = time.perf_counter()
    tables = load_duckdb_parquet(folder, con)
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
    print(f"载入 load into DuckDB: {load_s:.2f} s ({db}, memory_limit {args.memory_limit}, {args.threads} threads);"
          f" rule SQL compiled once per process in {compile_s:.2f} s (not in the times below)")
    print(f"{'rule':<18} {'name':<22} {'seconds':>8} {'findings':>9}")
    print(f"{'(derived)':<18} {'净明细/就诊/诊断':<22} {prepare_s:>8.2f} {'':>9}")
    for rule_id, seconds in per_rule.items():
        print(f"{rule_id:<18} {RULES[rule_id].name_zh:<22} {seconds:>8.2f} {by_rule.get(rule_id, 0):>9,}")
    print(f"{'total':<18} {'全部规则':<22} {suite_s:>8.2f} {found.findings.num_rows:>9,}"
          f"  (derived tables + every rule + collecting; evidence rows {found.evidence.num_rows:,})")  # fmt: skip

    ratio = None
    if args.reference:
        ratio, identical = reference(tables, found)
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
        if args.reference and not identical:
            failed.append("findings differ from the hand-written SQL")
        if ratio is not None and ratio > TARGET_RATIO:
            failed.append(f"ratio {ratio:.2f} > {TARGET_RATIO}")
        if peak > TARGET_PEAK_MIB:
            failed.append(f"peak {peak:,.0f} MiB > {TARGET_PEAK_MIB:,.0f} MiB")
        if failed:
            print("未达标 missed: " + "; ".join(failed))
            return 1
        print("达标 targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
