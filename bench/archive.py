"""Benchmark of the archives: archiving a year of the demo city, and verifying a hash chain of a million log rows.

    .venv/bin/python bench/archive.py [--persons N] [--close N] [--rows N]

1. A fresh SQLite database in a temporary directory with the demo city of ``--persons`` insured persons (``dae
   demo``: the year's money, the audit, and the demo's archive step). Then ``--close`` more of the year's audit
   findings are dismissed by a reviewer (not timed), and the sweep archives every closed object that has no item
   yet — record rendered to PDF, the four checks, storage written and read back, the archival code. Prints the
   items archived, seconds, items per second and per kind the mean time.
2. ``--rows`` events written through the bulk path (``insert_events``, chained as they are written; timed) into the
   same database, then the whole event chain is walked (timed) — what ``dae verify_logs`` does.
Peak memory (max RSS) is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(work: Path, name: str) -> None:
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.dev"
    os.environ["DAE_ARCHIVE_DIR"] = str(work / "archive")
    import django

    django.setup()


def archive_year(persons: int, close: int) -> None:
    from io import StringIO

    from django.core.management import call_command

    from dae.accounts.models import User
    from dae.archives import actions
    from dae.archives.models import Item
    from dae.auditing.actions import do_dismiss
    from dae.auditing.models import Finding

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    out = StringIO()
    call_command("demo", persons=persons, hospitals=30, stdout=out)
    demo_line = next((line for line in out.getvalue().splitlines() if line.startswith("档案")), "")
    print(f"demo city of {persons:,} persons loaded in {time.perf_counter() - started:.1f} s (not timed below)", flush=True)
    print(f"  {demo_line}", flush=True)
    reviewer = User.objects.filter(post="reviewer").order_by("pk").first()
    for finding in Finding.objects.filter(status="open").order_by("pk")[:close]:
        do_dismiss(finding, reason="复核后确认合理，排除疑点", actor=reviewer)
    before = Item.objects.count()
    timings: dict[str, list[float]] = defaultdict(list)
    original = actions.do_archive

    def timed(kind_key: str, obj: object, **kwargs: object) -> Item:
        t = time.perf_counter()
        item = original(kind_key, obj, **kwargs)  # type: ignore[arg-type]
        timings[kind_key].append(time.perf_counter() - t)
        return item

    actions.do_archive = timed  # type: ignore[assignment]
    started = time.perf_counter()
    counts = actions.do_archive_pending()
    seconds = time.perf_counter() - started
    actions.do_archive = original  # type: ignore[assignment]
    made = Item.objects.count() - before
    print(f"archived {counts['archived']:,} items ({counts['failed']} failed the checks) in {seconds:.1f} s: "
          f"{made / seconds if seconds else 0:.1f} items/s")
    for kind, values in sorted(timings.items()):
        print(f"  {kind:<18} {len(values):>6,} items, mean {1000 * sum(values) / len(values):.0f} ms", flush=True)
    total = Item.objects.filter(status="archived").count()
    print(f"the demo's archive now holds {total:,} archived items", flush=True)


def verify_chain(rows: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from dae.core.events import event_row, insert_events
    from dae.core.logchain import EVENT_CHAIN, describe, verify

    call_command("migrate", verbosity=0)
    already = EVENT_CHAIN.model._default_manager.count()
    started = time.perf_counter()
    batch = 50_000
    for start in range(0, rows, batch):
        with transaction.atomic():
            insert_events(event_row(None, "bench.event", object_type="claims.settlement", object_id=n,
                                    region_id=None, after={"state": "paid", "amount": f"{n % 100000}.25", "n": n},
                                    note="bench") for n in range(start, min(rows, start + batch)))
    write = time.perf_counter() - started
    print(f"wrote {rows:,} chained events through insert_events in {write:.1f} s ({rows / write:,.0f} rows/s)", flush=True)
    started = time.perf_counter()
    result = verify(EVENT_CHAIN)
    seconds = time.perf_counter() - started
    print(f"verified the chain of {result.result.rows:,} rows ({already:,} of them written before) in {seconds:.1f} s ({result.result.rows / seconds:,.0f} "
          f"rows/s): {describe(result)[:80]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--close", type=int, default=300, help="audit findings dismissed before the sweep")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--part", choices=["archive", "chain", "both"], default="both")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-archive-"))
    _setup(work, "bench.sqlite3")
    if args.part in ("archive", "both"):
        archive_year(args.persons, args.close)
    if args.part in ("chain", "both"):
        verify_chain(args.rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:,.0f} MB; work folder {work}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
