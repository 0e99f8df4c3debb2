"""Benchmark of a province month on one machine: 50,000,000 fee lines (≈ 1,670,000 settlements) audited on DuckDB
within a fixed memory, or on a Spark cluster by configuration only.

    .venv/bin/python bench/province.py [--lines 50000000] [--seed 1] [--data DIR] [--memory-limit 2GB]
                                       [--threads 2] [--spark MASTER]

Generates the data set as Parquet once (``dae.audit.synthetic``, in a child process; cached under
``var/bench/audit-<lines>-<seed>/``), then on DuckDB loads it into a database file beside it with a memory
limit (what does not fit stays in the compressed file or spills to ``<file>.tmp``), builds the derived tables
(the net lines are a view: nothing is copied) and runs every rule; prints each step's time, the findings and the
peak resident memory of this process.

``--spark MASTER`` runs the same rules on Spark instead (``local[2]`` here; ``spark://host:7077`` or ``yarn`` on a
cluster), reading the same Parquet files through ``dae.audit.load_spark_parquet`` — the files must then sit where
every executor can read them (``--data hdfs://…`` or a shared disk). On a real cluster:

    spark-submit --master spark://host:7077 --executor-memory 8g bench/province.py \\
        --spark spark://host:7077 --data /shared/audit-50000000-1

(the CI job keeps the equivalence of the two paths on a small data set: ``tests/audit_engine/test_spark.py``).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=50_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=None, help="folder of the Parquet files (default var/bench/…)")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--spark", default=None, help="run on Spark with this master (local[2], spark://…, yarn)")
    args = parser.parse_args()

    var = Path(os.environ.get("DAE_VAR_DIR", "var"))
    folder = args.data or str(var / "bench" / f"audit-{args.lines}-{args.seed}")
    if not args.spark or not folder.startswith(("hdfs:", "s3")):
        path = Path(folder)
        if not ((path / "fee_line.parquet").exists() and (path / "material_procedure.parquet").exists()):
            started = time.perf_counter()
            code = f"from dae.audit.synthetic import generate; print(generate({folder!r}, {args.lines}, {args.seed}))"
            subprocess.run([sys.executable, "-c", code], check=True)
            print(f"生成 generated {args.lines:,} lines in {time.perf_counter() - started:.0f} s (not timed below)")

    from dae.audit import RULES, run_rules
    from dae.audit.backends import DUCK_STEPS, derived_sql, prepare
    from dae.audit.compiled import freeze, rule_sql
    from dae.audit.engine import resolve_params, select_rules

    rules = select_rules(None)
    resolved = resolve_params(rules, None)
    started = time.perf_counter()
    for name, _kind in DUCK_STEPS:
        derived_sql(name)
    for rule in rules:
        rule_sql(rule.id, freeze({rule.id: resolved[rule.id]}))
    compile_s = time.perf_counter() - started

    if args.spark:
        from pyspark.sql import SparkSession

        from dae.audit import load_spark_parquet

        spark = SparkSession.builder.master(args.spark).appName("dae-province-audit").getOrCreate()
        started = time.perf_counter()
        tables = load_spark_parquet(folder, spark)
        where = f"Spark {args.spark}"
    else:
        import ibis

        from dae.audit import load_duckdb_parquet

        db = Path(str(folder) + ".duckdb")
        for leftover in (db, Path(str(db) + ".wal")):
            leftover.unlink(missing_ok=True)
        con = ibis.duckdb.connect(str(db), memory_limit=args.memory_limit, threads=args.threads,
                                  temp_directory=str(db) + ".tmp", preserve_insertion_order=False)  # fmt: skip
        started = time.perf_counter()
        tables = load_duckdb_parquet(folder, con)
        where = f"DuckDB {db} (memory_limit {args.memory_limit}, {args.threads} threads)"
    load_s = time.perf_counter() - started
    lines = tables.raw["fee_line"].count().execute()
    settlements = tables.raw["settlement"].count().execute()
    print(f"数据 data: {lines:,} fee lines, {settlements:,} settlements; {where}")
    print(f"载入 load: {load_s:.1f} s; rule SQL compiled in {compile_s:.1f} s (once per process)")
    sys.stdout.flush()

    started = time.perf_counter()
    prepare(tables)
    prepare_s = time.perf_counter() - started
    print(f"{'(derived)':<18} {prepare_s:>8.1f} s")
    sys.stdout.flush()
    total_findings = 0
    for rule in rules:
        found = run_rules(tables, [rule.id])
        total_findings += found.findings.num_rows
        print(f"{rule.id:<18} {found.seconds[rule.id]:>8.1f} s {found.findings.num_rows:>10,}  {RULES[rule.id].name_zh}")
        sys.stdout.flush()
    suite_s = time.perf_counter() - started
    print(f"{'total':<18} {suite_s:>8.1f} s {total_findings:>10,}  (derived tables + every rule + collecting)")
    print(f"省级月度 province month: {lines:,} lines audited in {load_s + suite_s:.0f} s including the load; "
          f"峰值内存 peak RSS {_rss_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
