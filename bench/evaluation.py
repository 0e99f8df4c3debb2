"""Benchmark of the annual hospital evaluation and of a long report export run as a job.

    .venv/bin/python bench/evaluation.py [--persons N] [--hospitals N] [--findings N]

Builds a fresh SQLite database in a temporary directory with a demo city of ``--persons`` insured persons and
``--hospitals`` hospitals and its settlements, plus ``--findings`` confirmed findings of the demo year with their
hospital answers (85 % on time, 10 % late, 5 % unanswered) — loading not timed — then times: the answers'
timeliness per hospital (two grouped queries), ``do_compute_evaluation`` (engine profile + answers + every sheet
stored, first run: the engine reads its tables), a recompute of the draft (warm), one adjustment, review,
sign-off and publication (the credit feed), and the annual payout report exported by the job ``reports.export``
as Excel and as PDF. Prints each time and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(label: str, run: object) -> object:
    started = time.perf_counter()
    result = run()  # type: ignore[operator]
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--hospitals", type=int, default=30)
    parser.add_argument("--findings", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-evaluation-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from dae.accounts.models import User
    from dae.auditing.models import Finding, FindingStep
    from dae.benefits.actions import do_install_default
    from dae.catalog.models import Hospital
    from dae.core.models import Job, Region
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.reports import actions, queries
    from dae.reports.exports import start_export

    settings.REPORT_EXPORT_DIR = work / "exports"
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    city = generate_city(persons=args.persons, hospitals=args.hospitals)
    counts = load_city(city)
    for region in Region.objects.all():
        do_install_default(region)
    region, year = "220282", 2026
    hospitals = list(Hospital.objects.filter(region_id=region).order_by("code"))
    findings = [Finding(rule_id="BENCH", finding_key=f"k{i}", rule_name="基准", result_type="violation",
                        region_id=region, hospital=hospitals[i % len(hospitals)], psn_no="P",
                        amount_at_issue=Decimal("10.00"), detail="基准疑点", status="accepted")
                for i in range(args.findings)]
    Finding.objects.bulk_create(findings, batch_size=2000)
    steps = []
    for i, f in enumerate(Finding.objects.filter(rule_id="BENCH").order_by("id")):
        steps.append(FindingStep(finding=f, kind="confirmed", due_on=dt.date(year, 1 + i % 12, 10)))
        if i % 20:  # 5 % unanswered
            steps.append(FindingStep(finding=f, kind="accepted", late=i % 10 == 1))
    FindingStep.objects.bulk_create(steps, batch_size=2000)
    print(f"loaded {counts.get('settlements', 0):,} settlements of {args.persons:,} persons, {len(hospitals)} "
          f"hospitals in {region}, {args.findings:,} findings ({len(steps):,} steps) in "
          f"{time.perf_counter() - started:.1f} s (not timed below)")
    manager = User.objects.create_user(username="bench_manager", password="x", post="manager")
    manager.regions.set([Region.objects.get(admdvs=region)])
    supervisor = User.objects.create_user(username="bench_supervisor", password="x", post="supervisor")
    supervisor.regions.set([Region.objects.get(admdvs=region)])

    answers = _timed("answer timeliness per hospital (2 grouped queries)",
                     lambda: queries.answer_counts((region,), year))
    print(f"  {len(answers)} hospitals with answers due, {sum(d for d, _o in answers.values()):,} due")  # type: ignore[union-attr]
    evaluation = _timed("compute + store the evaluation (first: engine reads its tables)",
                        lambda: actions.do_compute_evaluation(manager, region=region, year=year))
    _timed("recompute the draft (warm)", lambda: actions.do_compute_evaluation(manager, region=region, year=year))
    row = evaluation.scores.order_by("final_total").first()  # type: ignore[attr-defined]
    _timed("adjust one score", lambda: actions.do_adjust_score(manager, row, adjustment="1.50", reason="基准调整"))
    _timed("review + sign-off + publish (credit feed)", lambda: (
        actions.do_review_evaluation(manager, evaluation),
        actions.do_sign_off_evaluation(supervisor, evaluation),
        actions.do_publish_evaluation(manager, evaluation)))
    print(f"  {evaluation.scores.count()} sheets, grades "  # type: ignore[attr-defined]
          f"{dict(sorted(evaluation.scores.values_list('grade').annotate(n=django.db.models.Count('id'))))}")  # type: ignore[attr-defined]
    for fmt in ("xlsx", "pdf"):
        job = _timed(f"annual payout report {year} exported by a job ({fmt})",
                     lambda fmt=fmt: start_export(manager, report="monthly", fmt=fmt, period=str(year)))
        assert isinstance(job, Job)
        job.refresh_from_db()
        print(f"  job {job.status}, {job.result.get('size', 0):,} bytes")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
