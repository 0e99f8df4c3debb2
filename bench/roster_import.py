"""Benchmark of the roster import: a 1,000,000-row CSV through the whole import job, then the same file again
and a file with 1% of the rows changed.

    .venv/bin/python bench/roster_import.py [--rows N] [--database URL] [--check]

Uses a fresh SQLite database in a temporary directory unless ``--database`` names another (for PostgreSQL:
``postgres://postgres@127.0.0.1:5432/dae_bench`` — it is dropped and created). Prints the time of each phase
as the job reports it (validating, loading) and the totals. ``--check`` exits 1 unless the first import takes
less than 30 s and the same file again less than 10 s (issue 21). Prints the peak RSS. ``--profile DIR`` writes
each phase's cProfile statistics to DIR. The file is built before timing starts.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests package holds the roster row builder

TARGET_SECONDS = 30.0
AGAIN_SECONDS = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--profile", default="", help="a directory: each phase's cProfile stats written there")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-roster-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = args.database or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"  # tasks run at once, in this process
    import django

    if args.database.startswith("postgres"):
        _recreate_postgres(args.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tests.enrollment.roster import roster_row, to_csv

    from dae.accounts.models import User
    from dae.core.models import Region
    from dae.enrollment.models import Enrolment, Person
    from dae.imports.actions import do_start_import

    call_command("migrate", verbosity=0)
    Region.objects.get_or_create(admdvs="220282", defaults={"name": "桦甸市"})
    user = User.objects.create_user("bench-clerk", password="x", post="settlement")
    user.regions.set(["220282"])

    started = time.perf_counter()
    rows = [roster_row(i) for i in range(1, args.rows + 1)]
    content = to_csv(rows)
    print(f"file: {args.rows:,} rows, {len(content) / 1e6:.0f} MB, built in {time.perf_counter() - started:.1f} s "
          f"(not timed); database: {connection.vendor}")

    def timed(label: str, data: bytes) -> float:
        profiler = cProfile.Profile() if args.profile else None
        t0, cpu0 = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        batch = do_start_import("roster", user=user, file_name="roster.csv", chunks=iter([data]), region_id="220282")
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(Path(args.profile) / (label.replace(" ", "_").replace("%", "pct") + ".prof"))
        batch.refresh_from_db()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        job = batch.job
        assert job is not None
        validate = (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else 0
        print(f"{label}: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s) status={batch.status} "
              f"new={batch.rows_new:,} changed={batch.rows_changed:,} same={batch.rows_same:,} "
              f"bad={batch.rows_bad:,} job={validate:.1f} s; CPU {cpu:.1f} s")
        if batch.status != "loaded":
            raise SystemExit(f"import not loaded: {batch.note}")
        return seconds

    first = timed("first import", content)
    print(f"  persons={Person.objects.count():,} enrolments={Enrolment.objects.count():,}")
    again = timed("same file again", content)
    for i in range(0, len(rows), 100):
        rows[i]["psn_name"] = rows[i]["psn_name"] + "改"
    timed("1% changed", to_csv(rows))
    print(f"  enrolments={Enrolment.objects.count():,} (unchanged by name changes)")
    import resource

    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024:.2f} GiB; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if args.check and (first >= TARGET_SECONDS or again >= AGAIN_SECONDS):
        print(f"FAIL: first import {first:.1f} s (< {TARGET_SECONDS:.0f} s), again {again:.1f} s "
              f"(< {AGAIN_SECONDS:.0f} s)")
        return 1
    return 0


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
