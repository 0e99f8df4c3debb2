"""Benchmark of a hostile roster: a junk CSV refused row by row, then its error report downloaded (issue 13).

    .venv/bin/python bench/junk_import.py [--mb 25]

Builds a fresh SQLite database in a temporary directory, writes a junk roster of about ``--mb`` megabytes (every
row bad in several columns, values that look like formulas), runs the import (the whole file is validated, nothing
is loaded) and builds the error report ``errors.xlsx``. Prints the rows, the problems found and kept, the seconds
of each step, the report's size and the process's peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def junk_roster(target_bytes: int) -> bytes:
    header = ("psn_no,psn_cert_type,certno,psn_name,gend,brdy,insuplc_admdvs,psn_type,psn_insu_stas,"
              "psn_insu_date\n")
    lines = [header]
    size, n = len(header), 0
    while size < target_bytes:
        line = f'P{n:08d},=HYPERLINK("x"),{n},名{n},9,9999-99-99,999999,0000,x,2026-02-30\n'
        lines.append(line)
        size += len(line.encode())
        n += 1
    return "".join(lines).encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=25.0)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-junk-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    from dae.accounts.models import User
    from dae.imports.actions import do_start_import
    from dae.imports.framework import problems_workbook
    from dae.imports.models import ImportBatch

    call_command("migrate", verbosity=0)
    manager = User.objects.create_user(username="bench-manager", password="x", post="manager")
    from dae.core.models import Region

    region = Region.objects.get_or_create(admdvs="220282", defaults={"name": "桦甸市"})[0]
    manager.regions.set([region])
    content = junk_roster(int(args.mb * 1024 * 1024))
    started = time.perf_counter()
    batch = do_start_import("roster", user=manager, file_name="junk.csv", chunks=iter([content]), region_id="220282")
    validated = time.perf_counter() - started
    batch = ImportBatch.objects.get(pk=batch.pk)
    started = time.perf_counter()
    report = problems_workbook(batch, "bench")
    reported = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file: {len(content) / 1024 / 1024:.1f} MB, {batch.rows_total:,} rows, status {batch.status}")
    print(f"problems: {batch.problems_total:,} found, {batch.problems.count():,} kept, "
          f"{len(batch.problem_counts):,} kinds")
    print(f"validate and refuse: {validated:.1f} s; error report: {reported:.2f} s, {len(report) / 1024:.0f} KB")
    print(f"upload left on disk: {Path(batch.path).exists()}; peak memory (max RSS): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
