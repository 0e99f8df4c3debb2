"""Benchmark of in-hospital monitoring: admissions reported through the action, bedside visits, and the reads of
the work list, the overview and the statistics on a city's worth of stays.

    .venv/bin/python bench/monitoring.py [--persons N] [--admissions N] [--visits N]

Builds a fresh SQLite database in a temporary directory with a demo city of ``--persons`` insured persons and its
settlements (loading not timed), installs the default rule sets, then times: ``--admissions`` admissions reported
through ``do_report_admission`` (coverage check, event), ``--visits`` bedside visits through ``do_record_visit``
(every 10th patient absent, so findings are raised), and the reads a representative and the manager wait for:
today's work list with its counters, the overview's counters, long stays against the diagnosis group's median,
persons near the entry line or the annual maximum, and the visit statistics.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--admissions", type=int, default=2_000)
    parser.add_argument("--visits", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-monitoring-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dae.accounts.models import User
    from dae.benefits.actions import do_install_default
    from dae.catalog.models import Hospital
    from dae.core.models import Region
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.enrollment.models import Person
    from dae.monitoring import actions, queries
    from dae.monitoring.models import Admission, Visit

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    city = generate_city(persons=args.persons, hospitals=30)
    counts = load_city(city)
    for region in Region.objects.all():
        do_install_default(region)
    print(f"loaded {counts.get('settlements', 0):,} settlements of {args.persons:,} persons in "
          f"{time.perf_counter() - started:.1f} s (not timed below)")
    region = "220282"
    manager = User.objects.create_user(username="bench_manager", password="x", post="manager")
    manager.regions.set([Region.objects.get(admdvs=region)])
    rep = User.objects.create_user(username="bench_rep", password="x", post="inspector")
    rep.regions.set([Region.objects.get(admdvs=region)])
    hospitals = list(Hospital.objects.filter(region_id=region).order_by("code"))
    today = timezone.localdate()
    actions.do_create_assignment(kind="patrol", user=rep, region_id=region, hospitals=hospitals[:5],
                                 start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=300),
                                 actor=manager)
    rng = random.Random(23)
    persons = list(Person.objects.filter(region_id=region).values_list("psn_no", flat=True))
    rng.shuffle(persons)
    diagnoses = (("I63.9", "脑梗死"), ("I20.0", "不稳定型心绞痛"), ("J18.9", "肺炎"), ("E11.9", "2型糖尿病"))

    started = time.perf_counter()
    for i in range(args.admissions):
        code, name = diagnoses[i % len(diagnoses)]
        actions.do_report_admission(hospital=hospitals[i % len(hospitals)], mdtrt_id=f"BM{i:08d}",
                                    psn_no=persons[i % len(persons)], dept_name="内科", bed_no=str(i % 60),
                                    adm_date=today - dt.timedelta(days=rng.randint(0, 40)), dise_codg=code,
                                    dise_name=name, actor=None)
    took = time.perf_counter() - started
    print(f"admissions (2401, coverage check, event): {args.admissions:,} in {took:.1f} s = "
          f"{args.admissions / took:,.0f}/s")

    mine = list(queries.work_list(rep, today))
    started = time.perf_counter()
    done = 0
    for a in mine[:args.visits]:
        actions.do_record_visit(a, visitor=rep, visit_date=today, presence="absent" if done % 10 == 0 else "present",
                                identity="match", plausible=True, notes="")
        done += 1
    took = time.perf_counter() - started
    print(f"bedside visits: {done:,} in {took:.1f} s = {done / max(took, 1e-9):,.0f}/s "
          f"({Visit.objects.exclude(finding=None).count()} findings raised)")

    scope = Admission.objects.for_user(manager)
    for label, run in (
        ("work list + counters (representative)", lambda: (list(queries.work_list(rep, today)[:200]),
                                                          queries.inpatient_counts(queries.work_list(rep, today)))),
        ("overview counters (manager)", lambda: queries.inpatient_counts(scope)),
        ("long stays vs diagnosis median", lambda: queries.long_stays(scope)),
        ("near entry line / annual maximum", lambda: queries.near_thresholds(scope)),
        ("visit statistics", lambda: queries.visit_statistics(Visit.objects.for_user(manager))),
    ):
        times = []
        for _ in range(5):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        print(f"{label}: best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
              f"({scope.filter(status='in').count():,} in hospital)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
