"""Benchmark of the service desk: a survey's sample and analysis, and SMS dispatch, on a fresh SQLite database.

    .venv/bin/python bench/service.py [--respondents N] [--messages N]

1. ``--respondents`` claimants in 40 hospitals of one region (bulk rows); a survey drawing all of them (the seeded
   stratified sample: timed); answers to every scale question of the four questionnaires for each (bulk rows, not
   timed); then the analysis (one grouped count in the database and the pure sum-up: timed).
2. ``--messages`` queued SMS through a gateway that refuses half of them once: the first dispatch and, after the
   back-off, the retry (timed; messages per second).
Peak memory (max RSS) is printed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(work: Path) -> None:
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.dev"
    os.environ["DAE_SMS_BACKEND"] = "bench.service.HalfFlaky"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _gateway()


def _gateway() -> None:
    """A gateway that refuses every odd-numbered message the first time it sees it (``bench.service.HalfFlaky``)."""
    from dae.notices.sms import SendResult, SmsBackend

    refused: set[int] = set()

    class HalfFlaky(SmsBackend):
        def send(self, phone: str, text: str) -> SendResult:
            number = int(text.rsplit(" ", 1)[-1])
            if number % 2 and number not in refused:
                refused.add(number)
                return SendResult(ok=False, error="busy")
            return SendResult(ok=True, provider_ref=str(number))

    globals()["HalfFlaky"] = HalfFlaky
    sys.modules.setdefault("bench.service", sys.modules[__name__])


def _people(n: int) -> None:
    from django.utils import timezone

    from dae.catalog.models import Hospital
    from dae.claims.models import Settlement
    from dae.core.models import Region
    from dae.enrollment.models import Person

    region, _ = Region.objects.get_or_create(admdvs="220282", defaults={"name": "桦甸市"})
    hospitals = Hospital.objects.bulk_create([Hospital(code=f"HB{i:04d}", name=f"医院{i}", level="05", kind="综合医院",
                                                       region=region) for i in range(40)])
    persons = Person.objects.bulk_create([Person(psn_no=f"PB{i:08d}", certno=f"22028219800101{i:04d}"[:18],
                                                 psn_name=f"人员{i}", gend="1", brdy=dt.date(1980, 1, 1), region=region)
                                          for i in range(n)])
    at = timezone.make_aware(dt.datetime(2026, 3, 10, 10))
    rng = random.Random(1)
    Settlement.objects.bulk_create([Settlement(
        setl_id=f"SB{i:08d}", mdtrt_id=f"MB{i:08d}", psn_no=p.psn_no, person=p, hospital=rng.choice(hospitals),
        region=region, med_type="21", adm_date=dt.date(2026, 3, 1), dscg_date=dt.date(2026, 3, 10), setl_time=at,
        place_category="local", settle_way="direct", medfee_sumamt=Decimal("1000.00"), fulamt_ownpay_amt=Decimal("0"),
        overlmt_selfpay=Decimal("0"), preselfpay_amt=Decimal("0"), inscp_scp_amt=Decimal("1000.00"))
        for i, p in enumerate(persons)], batch_size=5000)


def survey(n: int) -> None:
    from dae.accounts.models import User
    from dae.service import actions, queries
    from dae.service.models import Answer, Respondent

    _people(n)
    desk = User.objects.create_user(username="desk", password="x", post="service")
    desk.regions.set(["220282"])
    started = time.monotonic()
    s = actions.do_create_survey(desk, region_code="220282", title="bench", period_from="2026-01-01",
                                 period_to="2026-12-31", sample_size=n, seed="bench")
    print(f"sample of {s.sample_size:,} from {n:,} claimants in 40 strata: {time.monotonic() - started:.2f} s")
    rng = random.Random(2)
    forms = list(s.questionnaires.all())
    rows = []
    for r in Respondent.objects.filter(survey=s).only("pk"):
        for f in forms:
            rows += [Answer(respondent_id=r.pk, questionnaire=f, question=q["code"],
                            score=rng.choice((5, 5, 4, 4, 3, 2))) for q in f.questions if q["kind"] == "scale"]
    Answer.objects.bulk_create(rows, batch_size=10000)
    Respondent.objects.filter(survey=s).update(status="answered")
    started = time.monotonic()
    a = queries.survey_analysis(s)
    print(f"analysis of {len(rows):,} answers: {time.monotonic() - started:.2f} s "
          f"(satisfaction {a.satisfaction_rate}%, {len(a.hospitals)} hospitals)")


def dispatch(n: int) -> None:
    from django.utils import timezone

    from dae.notices.actions.dispatch import BACKOFF, do_dispatch_sms
    from dae.notices.models import SmsMessage

    SmsMessage.objects.bulk_create([SmsMessage(psn_no=f"PB{i:08d}", phone="13900000000", text=f"提醒 {i}",
                                               region_id="220282") for i in range(n)], batch_size=5000)
    now = timezone.now()
    started = time.monotonic()
    first = do_dispatch_sms(now=now, limit=n)
    mid = time.monotonic()
    second = do_dispatch_sms(now=now + BACKOFF[0], limit=n)
    end = time.monotonic()
    print(f"dispatch {n:,}: first run sent {first.sent:,}, retrying {first.retrying:,} in {mid - started:.2f} s "
          f"({n / (mid - started):,.0f}/s); retry run sent {second.sent:,} in {end - mid:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        _setup(Path(work))
        survey(args.respondents)
        dispatch(args.messages)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
