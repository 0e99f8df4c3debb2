"""Benchmark of the statistics system: the whole indicator suite for one year of a city on DuckDB, and one report
page of the demo city.

    .venv/bin/python bench/reports.py [--insured N] [--settlements N] [--lines N] [--data DIR] [--page] [--check]

Generates (once, cached as Parquet under ``var/bench/reports-<settlements>-<lines>/``) a city of ``--insured``
enrolled persons with ``--settlements`` settlements a year and ``--lines`` fee lines, in DuckDB's own SQL (fast,
seeded by ``hash``), then binds the Parquet files to a fresh DuckDB and evaluates every indicator of the registry
for the year, its 4 quarters and its 12 months (one query per indicator: all 17 periods at once), and each
indicator once more by its first dimension. Prints per-part times and the peak resident memory of the process.
The fee lines are read raw (10,000,000 rows), not pre-summed as the database reader does.

``--page`` also times the 赔付报表 page of the demo city (``DAE_VAR_DIR``'s SQLite, loaded by ``dae demo``) through
Django's test client as the manager: the first request (reads the tables, compiles) and the next three.
``--check`` exits 1 unless the suite runs in under 30 s (and the warm page in under 1 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

TARGET_SUITE_S = 30.0
TARGET_PAGE_S = 1.0


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(folder: Path, insured: int, settlements: int, lines: int, year: int) -> float:
    import duckdb

    if (folder / "lines.parquet").exists():
        return 0.0
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    f = str(folder)
    con.execute(f"""COPY (SELECT 'P' || i AS psn_no, CASE WHEN i % 2 = 0 THEN '220282' ELSE '220281' END AS region,
        CASE WHEN hash(i, 1) % 2 = 0 THEN '1' ELSE '2' END AS sex, (1940 + hash(i, 2) % 60)::INT AS birth_year,
        DATE '2000-01-01' + (hash(i, 3) % 9000)::INT AS begin_date,
        CASE WHEN hash(i, 4) % 20 = 0 THEN DATE '{year}-01-01' + (hash(i, 5) % 365)::INT END AS end_date
        FROM range({insured}) t(i)) TO '{f}/enrolments.parquet' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT 'S' || i AS setl_id, 'M' || (i // 2) AS mdtrt_id,
        'P' || (hash(i // 2, 6) % {insured}) AS psn_no, CASE WHEN hash(i // 2, 6) % {insured} % 2 = 0 THEN '220282'
        ELSE '220281' END AS region, (hash(i // 2, 7) % 200)::VARCHAR AS hospital,
        ['1', '2', '3', '9'][(hash(i // 2, 7) % 4 + 1)::INT] AS hospital_level,
        CASE WHEN hash(i // 2, 8) % 10 = 0 THEN '14' ELSE '21' END AS med_type,
        CASE WHEN hash(i // 2, 9) % 12 = 0 THEN 'referred' ELSE 'local' END AS place,
        chr(65 + (hash(i // 2, 10) % 26)::INT) || lpad((hash(i // 2, 11) % 100)::VARCHAR, 2, '0') AS dise_codg,
        CASE WHEN hash(i // 2, 12) % 2 = 0 THEN '1' ELSE '2' END AS sex, (1940 + hash(i // 2, 13) % 60)::INT AS birth_year,
        DATE '{year}-01-01' + (hash(i // 2, 14) % 355)::INT AS adm_date,
        DATE '{year}-01-01' + (hash(i // 2, 14) % 355)::INT + (1 + hash(i // 2, 15) % 10)::INT AS dscg_date,
        DATE '{year}-01-01' + (hash(i // 2, 14) % 355)::INT + (1 + hash(i // 2, 15) % 10)::INT AS setl_date,
        i % 1000 = 999 AS reversal, i % 1000 = 998 AS cancelled,
        (100000 + hash(i, 16) % 5000000)::BIGINT AS medfee_fen, (80000 + hash(i, 16) % 4000000)::BIGINT AS inscp_fen,
        CASE WHEN hash(i, 17) % 8 = 0 THEN (hash(i, 18) % 2000000)::BIGINT ELSE 0 END AS payout_fen
        FROM range({settlements}) t(i)) TO '{f}/settlements.parquet' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT 'S' || (i % {settlements}) AS setl_id,
        lpad((1 + hash(i, 20) % 13)::VARCHAR, 2, '0') AS chrg_type, lpad((1 + hash(i, 21) % 3)::VARCHAR, 2, '0') AS chrg_lv,
        (100 + hash(i, 22) % 50000)::BIGINT AS amount_fen FROM range({lines}) t(i))
        TO '{f}/lines.parquet' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT CASE WHEN i % 2 = 0 THEN '220282' ELSE '220281' END AS region,
        (hash(i, 30) % 200)::VARCHAR AS hospital, '2' AS hospital_level, 'audit' AS kind,
        DATE '{year}-01-01' + (hash(i, 31) % 365)::INT AS confirmed_on, (100 + hash(i, 32) % 100000)::BIGINT AS amount_fen
        FROM range(5000) t(i)) TO '{f}/deductions.parquet' (FORMAT parquet)""")
    con.execute(f"""COPY (SELECT CASE WHEN i % 2 = 0 THEN '220282' ELSE '220281' END AS region,
        DATE '{year}-01-01' + (hash(i, 40) % 365)::INT AS date,
        ['4001', '5001', '5101', '100201', '100202'][(i % 5 + 1)::INT] AS account, 'bench' AS reference_type,
        CASE WHEN i % 2 = 0 THEN (hash(i, 41) % 10000000)::BIGINT ELSE 0 END AS debit_fen,
        CASE WHEN i % 2 = 1 THEN (hash(i, 41) % 10000000)::BIGINT ELSE 0 END AS credit_fen
        FROM range(200000) t(i)) TO '{f}/legs.parquet' (FORMAT parquet)""")
    con.close()
    return time.perf_counter() - started


def suite(folder: Path, year: int) -> tuple[float, dict[str, float]]:
    from dae.reports import indicator_data
    from dae.reports import indicators as engine
    from dae.reports.periods import Period

    started = time.perf_counter()
    bound = indicator_data.bind_duckdb_parquet(str(folder))
    load = time.perf_counter() - started
    print(f"  load Parquet into DuckDB: {load:.1f} s", flush=True)
    year_p = Period("year", year, 0)
    periods = [year_p, *(Period("quarter", year, q) for q in range(1, 5)), *year_p.month_periods()]
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    for ind in engine.INDICATORS:
        t = time.perf_counter()
        cells = engine.evaluate(bound, ind.id, periods)
        by = engine.evaluate(bound, ind.id, [year_p], (ind.dims[0],))
        times[ind.id] = time.perf_counter() - t
        print(f"  {ind.id:20s} {times[ind.id]:6.2f} s  year = {cells[0].value}  ({len(by)} × {ind.dims[0]})",
              flush=True)
    return time.perf_counter() - t0 + load, times


def page() -> list[float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.dev")
    import django

    django.setup()
    from django.test import Client

    from dae.accounts.models import User
    from dae.claims.models import Settlement
    from dae.security.otp import DEVICE_ID_SESSION_KEY

    latest = Settlement.objects.filter(init_setl_id="").order_by("-setl_time").values_list("setl_time", flat=True)
    month = latest.first().strftime("%Y-%m") if latest.exists() else "2025-06"
    client = Client()
    client.force_login(User.objects.get(username="manager"))
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = "bench"
    session.save()
    out = []
    for _ in range(4):
        t = time.perf_counter()
        response = client.get(f"/reports/monthly/?period={month}", HTTP_HOST="127.0.0.1")
        assert response.status_code == 200, response.status_code
        out.append(time.perf_counter() - t)
    print(f"  赔付报表 {month}: first {out[0]:.2f} s, then " + ", ".join(f"{x:.2f} s" for x in out[1:]))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--insured", type=int, default=1_000_000)
    parser.add_argument("--settlements", type=int, default=300_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--page", action="store_true", help="also time the demo city's report page")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    folder = args.data or Path(os.environ.get("DAE_VAR_DIR", "var")) / "bench" / \
        f"reports-{args.insured}-{args.settlements}-{args.lines}"
    made = generate(folder, args.insured, args.settlements, args.lines, args.year)
    if made:
        print(f"generated {args.insured:,} insured, {args.settlements:,} settlements, {args.lines:,} fee lines "
              f"in {made:.1f} s → {folder}")
    total, _times = suite(folder, args.year)
    print(f"indicator suite ({len(_times)} indicators × 17 periods + a breakdown each): {total:.1f} s; "
          f"peak RSS {_rss_mib():,.0f} MiB")
    ok = total < TARGET_SUITE_S
    if args.page:
        warm = min(page()[1:])
        ok = ok and warm < TARGET_PAGE_S
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    raise SystemExit(main())
