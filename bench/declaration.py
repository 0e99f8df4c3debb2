"""Benchmark of a monthly declaration: 20,000 settlements with 2,000,000 fee lines, checked and recomputed.

    .venv/bin/python bench/declaration.py [--settlements N] [--lines-per N] [--database URL] [--check]
                                          [--profile FILE]

Builds a fresh database (SQLite in a temporary directory unless ``--database`` names a PostgreSQL URL, which
is dropped and created), 20,000 enrolled persons, the default rule set, and an NDJSON declaration in the
national format (each person one stay; every 50th a cancellation of an earlier stay in the same file), a
catalogue of the 500 codes the lines use and mappings for 490 of them. Then
times the whole job — read, check, coverage, recomputation, store — as the job runs it, and prints each figure.
``--check`` exits 1 unless it takes less than 45 s (issue 21). Building the file is not timed. Prints the peak
RSS of the process (the file is built in memory first: the figure includes it). Each phase is printed with its
wall and CPU time; archiving the declaration (its PDF record, a task of its own queued when the store commits, run
inline by the test settings' immediate task backend) is timed apart from the store. ``--profile FILE`` writes a
cProfile of the declaration alone (not the set-up) to FILE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 45.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settlements", type=int, default=20_000)
    parser.add_argument("--lines-per", type=int, default=100)
    parser.add_argument("--database", default="")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-declaration-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = args.database or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    if args.database.startswith("postgres"):
        from bench.roster_import import _recreate_postgres

        _recreate_postgres(args.database)
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from tests.claims.builders import cancel_of, settlement

    from dae.accounts.models import User
    from dae.benefits.actions import do_install_default
    from dae.catalog.models import Hospital
    from dae.claims.actions import do_submit_declaration
    from dae.claims.models import FeeLine, Settlement
    from dae.core.bulk import insert_rows
    from dae.core.models import Region
    from dae.enrollment.models import Enrolment, Person

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(admdvs="220282", defaults={"name": "桦甸市"})
    do_install_default(region)
    hospital = Hospital.objects.create(code="H22028200001", name="桦甸市人民医院", level="05", region=region)
    user = User.objects.create_user("bench-hospital", password="x", post="hospital", hospital=hospital)
    from dae.catalog.models import CatalogueItem, CodeMapping

    CatalogueItem.objects.bulk_create(  # the 500 codes the fee lines use, so the catalogue check runs for real
        CatalogueItem(
            med_list_codg=f"XA01AAA{c:04d}",
            name=f"药品{c}",
            list_type="101",
            chrgitm_lv="01",
            med_chrgitm_type="09",
            begin_date=dt.date(2020, 1, 1),
        )
        for c in range(500)
    )
    CodeMapping.objects.bulk_create(  # 490 of 500 hospital codes mapped: the rest are reported, never guessed
        CodeMapping(
            hospital=hospital,
            medins_list_codg=f"H{c:05d}",
            med_list_codg=f"XA01AAA{c:04d}",
            begin_date=dt.date(2020, 1, 1),
        )
        for c in range(490)
    )
    n = args.settlements
    insert_rows(
        Person,
        ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "region"),
        ((f"P{i:09d}", "01", f"2202821980{i:08d}", f"人员{i}", "1", dt.date(1980, 1, 1), "220282") for i in range(n)),
    )
    ids = dict(Person.objects.values_list("psn_no", "id"))
    insert_rows(
        Enrolment,
        (
            "person",
            "insutype",
            "psn_type",
            "status",
            "valid_from",
            "begin_date",
            "region",
            "source",
            "reason",
            "recorded_at",
        ),
        (
            (
                ids[f"P{i:09d}"],
                "330",
                "1101",
                "1",
                dt.date(2015, 1, 1),
                dt.date(2015, 1, 1),
                "220282",
                "import",
                "",
                timezone.now(),
            )
            for i in range(n)
        ),
    )
    started = time.perf_counter()
    path = work / "declaration.ndjson"  # written settlement by settlement: the benchmark holds no file in memory
    head = {"fixmedins_code": hospital.code, "month": "2026-10", "idempotency_key": "bench"}
    previous: dict[str, object] = {}
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(head, ensure_ascii=False) + "\n")
        for i in range(n):
            if i % 50 == 49:
                row = cancel_of(previous, f"C{i:09d}", "2026-10-30 16:00:00")
            else:
                medfee = Decimal(20000 + (i * 7919) % 90000)  # some pass the entry threshold
                row = previous = settlement(
                    f"S{i:09d}",
                    f"P{i:09d}",
                    f"2026-10-{1 + i % 28:02d} 10:00:00",
                    medfee=f"{medfee}.00",
                    fulamt="500.00",
                    preself="300.00",
                    lines=args.lines_per,
                )
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    size = path.stat().st_size

    def chunks() -> Iterator[bytes]:
        with path.open("rb") as fh:
            yield from iter(lambda: fh.read(1 << 20), b"")

    print(
        f"file: {n:,} settlements, {n * args.lines_per:,} fee lines, {size / 1e6:.0f} MB NDJSON, built "
        f"in {time.perf_counter() - started:.1f} s (not timed); database: {connection.vendor}"
    )
    from dae.archives import jobs as archive_jobs
    from dae.auditing.actions import runs
    from dae.claims import declare

    phases: dict[str, list[float]] = {}  # name -> [wall, CPU]
    peaks: dict[str, float] = {}  # name -> the process's peak RSS (GiB) when the phase ended

    def timed(name: str, owner: object, attribute: str) -> None:  # each phase's own time, printed below
        inner = getattr(owner, attribute)

        def wrapper(*a: object, **k: object) -> object:
            t, c = time.perf_counter(), time.process_time()
            try:
                return inner(*a, **k)
            finally:
                spent = phases.setdefault(name, [0.0, 0.0])
                spent[0] += time.perf_counter() - t
                spent[1] += time.process_time() - c
                peaks[name] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024

        setattr(owner, attribute, wrapper)

    timed("cross-checks (duplicates, persons, coverage, catalogue, mapping)", declare.Check, "_cross_checks")
    timed("recompute", declare.Check, "_compute")
    timed("store", declare.Check, "_store")
    timed("automatic audit", runs, "do_audit_declaration")
    timed("archiving (its own task)", archive_jobs, "do_archive_pending")
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0, cpu0 = time.perf_counter(), time.process_time()
    declaration, _created = do_submit_declaration(user, file_name="d.ndjson", chunks=chunks())
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    declaration.refresh_from_db()
    print(
        f"declaration: {seconds:.1f} s status={declaration.status} accepted={declaration.accepted:,} "
        f"differing={declaration.differing:,} rejected={declaration.rejected:,} "
        f"lines={declaration.lines_count:,} ({declaration.lines_count / seconds:,.0f} lines/s); CPU {cpu:.1f} s "
        f"(on a shared machine the CPU time is the steadier figure)"
    )
    archived = phases.get("archiving (its own task)", [0.0, 0.0])
    phases["store"] = [phases["store"][0] - archived[0], phases["store"][1] - archived[1]]  # run inside its commit
    rest = seconds - sum(wall for wall, _cpu in phases.values())
    rest_cpu = cpu - sum(c for _wall, c in phases.values())
    print(
        "  "
        + "; ".join(f"{name} {wall:.1f} s (CPU {c:.1f} s)" for name, (wall, c) in phases.items())
        + f"; upload, reading and checking each settlement (lines to the spool) {rest:.1f} s (CPU {rest_cpu:.1f} s)"
    )
    print(
        f"  stored settlements={Settlement.objects.count():,} fee lines={FeeLine.objects.count():,} "
        f"pay deadline={declaration.pay_deadline}"
    )
    print("  peak RSS at the end of each phase: " + "; ".join(f"{name} {peak:.2f} GiB" for name, peak in peaks.items()))
    t1 = time.perf_counter()
    again, created = do_submit_declaration(user, file_name="d.ndjson", chunks=chunks())
    print(f"replay: {time.perf_counter() - t1:.1f} s, created={created} (same declaration #{again.pk})")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"peak RSS {peak:.2f} GiB (the whole process: setup, check, replay); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if declaration.status != "checked":
        return 1
    if args.check and seconds >= TARGET_SECONDS:
        print(f"FAIL: {seconds:.1f} s >= {TARGET_SECONDS:.0f} s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
