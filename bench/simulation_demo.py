"""The demo city's year simulated as a user waits for it: ``forecast.simulation.simulate`` on a scratch database.

    .venv/bin/python bench/simulation_demo.py [--persons 100000] [--year 2025] [--runs 3]

Generates and loads the demo city (``dae demo``'s generator and loader, default seed, the payouts it declares) into
a scratch SQLite database, installs each region's default rule set as ``dae demo`` does, then runs the simulation
of each region's year with a draft whose entry threshold is 10,000 lower, ``--runs`` times, printing the total and
the split ``simulate`` keeps (reading, both rule sets, grouping, explanations) and the peak memory (RSS).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def reconciliation(results: dict[str, object]) -> str:
    """The check as it came out: the current rules' total against what the system computed (核定, after any
    补付/追回), equal or not, and if not by how much, in how many settlements, and the reasons of those listed."""
    totals: Any = results["totals"]
    rec: Any = results["reconciliation"]
    line = f"current {totals['current'] / 100:,.2f} vs computed {totals['stored'] / 100:,.2f}"
    if rec["differing"] == 0:
        return f"{line}: reconciles (every settlement equal)"
    reasons = Counter(r["reason"] for r in rec["rows"])
    return (f"{line}: DOES NOT RECONCILE, {rec['differing']:,} settlements differ by {rec['difference'] / 100:,.2f} "
            f"in all (reasons of the {len(rec['rows'])} largest: {dict(reasons)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", type=Path, help="the scratch folder of an earlier run: time it again, no loading")
    args = parser.parse_args()
    work = args.reuse or Path(tempfile.mkdtemp(prefix="dae-bench-simulation-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    from dae.benefits.actions import do_install_default
    from dae.benefits.queries import book_documents, rulebook_for, ruleset_for_region
    from dae.core.models import Region
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.demo.payouts import demo_payouts
    from dae.demo.users import REGION_A, REGION_B
    from dae.forecast import simulation

    documents = {}
    if args.reuse is None:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        city = generate_city(persons=args.persons, year=args.year)
        names = {REGION_A: ("huadian-dae", "桦甸市职工大额医疗费用补助"), REGION_B: ("jiaohe-dae", "蛟河市职工大额医疗费用补助")}
        books = {}
        for r in city.regions:
            region, _ = Region.objects.get_or_create(admdvs=r.admdvs, defaults={"name": r.name})
            code, name = names[r.admdvs]
            version = do_install_default(region, code=code, name=name)
            books[r.admdvs] = rulebook_for(version.ruleset)
        counts = load_city(city, payouts=demo_payouts(city, books))
        print(f"demo city loaded in {work} ({counts.get('settlements', 0):,} settlements) in "
              f"{time.perf_counter() - started:.1f}s (not timed below)", flush=True)
    for admdvs in (REGION_B, REGION_A):
        ruleset = ruleset_for_region(admdvs)
        assert ruleset is not None
        documents[admdvs] = book_documents(ruleset)[-1]
    for admdvs, document in documents.items():
        draft = simulation.with_changes(document, {"entry_threshold": str(Decimal(document["entry_threshold"]) - 10000)})
        for run in range(1, args.runs + 1):
            t0, cpu0 = time.perf_counter(), time.process_time()
            results = simulation.simulate(admdvs, args.year, draft)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            print(f"{admdvs} run {run}: {seconds:.2f}s (CPU {cpu:.2f}s, load {os.getloadavg()[0]:.1f}) for {results['settlements']:,} settlements "
                  f"({results['fee_line_settlements']:,} on the fee-line path); split {results['timings']}; "
                  f"{reconciliation(results)}; digest {results['digest'][:16]}", flush=True)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
