"""The demo city's history and reports (统计演示数据).

``seed_history`` adds three earlier years of settlements (no fee lines) drawn from the demo year's own valid
settlements, so that year-on-year figures are real and a forecast has four years to learn from: each earlier
month draws, with replacement and a fixed seed, from the same month of the demo year, with

- a trend: volume × 0.94 and amounts × 0.96 per year back (spending grows ~10% a year);
- the Spring Festival dip: the month of 春节 (2022-02-01, 2023-01-22, 2024-02-10) keeps 75% of its volume;
- a winter peak: December × 1.12 and January × 1.08 (respiratory season).

Amounts are scaled in ``Decimal`` and rounded half-up to the fen; the payout is scaled like the cost (these are
history rows, already paid: state ``paid``, no statement, no ledger entry — finance figures of those years are
"no data"). Rows go in through ``core.bulk.insert_rows``; a second run adds nothing.

``seed_reports`` prepares, checks, approves and submits the demo year's four quarterly and one annual analysis
report for the first region, with the demo's manager, checker and supervisor.

``seed_evaluation`` computes the demo year's annual hospital evaluation of the first region, adjusts one
hospital's total with a reason (the manager), has it reviewed (the manager), signed off (the supervisor) and
published — so each demo hospital reads its own sheet and the poor grades are in the credit lists.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.accounts.models import User
from dae.claims.models import Settlement
from dae.core.bulk import insert_rows
from dae.core.events import record_event

from .actions.signoff import do_approve_report, do_check_report, do_prepare_report, do_submit_report
from .models import AnalysisReport, Evaluation
from .periods import Period

SPRING_FESTIVAL = {2019: 2, 2020: 1, 2021: 2, 2022: 2, 2023: 1, 2024: 2, 2025: 1, 2026: 2, 2027: 2}
WINTER = {12: Decimal("1.12"), 1: Decimal("1.08")}
VOLUME_PER_YEAR = Decimal("0.94")
AMOUNT_PER_YEAR = Decimal("0.96")
YEARS_BACK = 3
SEED = 16
FEN = Decimal("0.01")
COLUMNS = ("setl_id", "mdtrt_id", "init_setl_id", "psn_no", "person", "hospital", "region", "med_type", "adm_date",
           "dscg_date", "setl_time", "dise_codg", "dise_name", "place_category", "settle_way", "mid_setl_flag",
           "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "hifob_pay",
           "computed_pay", "state", "paid_on", "national")


def _back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _scale(value: Decimal | None, factor: Decimal) -> Decimal | None:
    return None if value is None else (value * factor).quantize(FEN, rounding=ROUND_HALF_UP)


def _month_factor(year: int, month: int, demo_year: int) -> Decimal:
    factor = WINTER.get(month, Decimal(1))
    if SPRING_FESTIVAL.get(year) == month:
        factor *= Decimal("0.75")
    base = WINTER.get(month, Decimal(1)) * (Decimal("0.75") if SPRING_FESTIVAL.get(demo_year) == month else 1)
    return factor / base  # relative to the demo year's own month, which already carries its season


def seed_history(demo_year: int) -> int:
    """Insert the earlier years (idempotent: none if any history row exists). Returns the rows inserted."""
    if Settlement.objects.filter(setl_id__startswith="H").exists():
        return 0
    source = list(Settlement.objects.filter(setl_time__year=demo_year, init_setl_id="")
                  .exclude(state="cancelled").exclude(hifob_pay__isnull=True).order_by("id")
                  .values_list(*[c if c not in ("person", "hospital", "region") else f"{c}_id" for c in COLUMNS]))
    by_month: dict[int, list[tuple[Any, ...]]] = {}
    for row in source:
        by_month.setdefault(timezone.localtime(row[10]).month, []).append(row)
    rng = random.Random(SEED)
    rows = []
    for back in range(YEARS_BACK, 0, -1):
        year = demo_year - back
        volume, amount = VOLUME_PER_YEAR ** back, AMOUNT_PER_YEAR ** back
        for month in range(1, 13):
            pool = by_month.get(month, [])
            if not pool:
                continue
            n = int((len(pool) * volume * _month_factor(year, month, demo_year)).quantize(Decimal(1)))
            for seq in range(n):
                rows.append(_history_row(rng.choice(pool), year, back, month, seq, amount))
    with transaction.atomic():
        count = insert_rows(Settlement, COLUMNS, rows)
        record_event(None, "reports.demo_history", object_type="demo.city", object_id=str(demo_year),
                     after={"years": [demo_year - b for b in range(YEARS_BACK, 0, -1)], "settlements": count})
    return count


def _history_row(row: tuple[Any, ...], year: int, back: int, month: int, seq: int,
                 amount: Decimal) -> tuple[Any, ...]:
    values = dict(zip(COLUMNS, row, strict=True))
    setl_time = values["setl_time"]
    new_time = setl_time.replace(year=setl_time.year - back) if not (setl_time.month == 2 and setl_time.day == 29) \
        else setl_time.replace(year=setl_time.year - back, day=28)
    key = f"{year}{month:02d}{seq:05d}"
    values.update(
        setl_id=f"H{key}", mdtrt_id=f"HM{key}", adm_date=_back(values["adm_date"], back),
        dscg_date=_back(values["dscg_date"], back), setl_time=new_time, state="paid",
        paid_on=_back(values["setl_time"].date(), back) + dt.timedelta(days=25), national="{}", mid_setl_flag=False,
        **{k: _scale(values[k], amount) for k in ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
                                                   "preselfpay_amt", "inscp_scp_amt", "hifob_pay", "computed_pay")},
    )
    return tuple(values[c] for c in COLUMNS)


def seed_reports(demo_year: int, region: str) -> list[int]:
    """The demo year's four quarterly and one annual analysis report of ``region``, signed off (prepared by the
    manager, checked by the checker, approved by the bureau's supervisor, submitted by the manager)."""

    users = {u.username: u for u in User.objects.filter(username__in=("manager", "checker", "supervisor"))}
    if len(users) < 3:
        return []
    done = []
    for text in (*(f"{demo_year}Q{q}" for q in range(1, 5)), str(demo_year)):
        period = Period.parse(text)
        if AnalysisReport.objects.filter(region_id=region, period=period.id).exists():
            continue
        report = do_prepare_report(users["manager"], region=region, period=period)
        do_check_report(users["checker"], report)
        do_approve_report(users["supervisor"], report)
        do_submit_report(users["manager"], report)
        done.append(report.pk)
    return done


def seed_evaluation(demo_year: int, region: str) -> Any:
    """The demo year's evaluation of ``region``: computed, one adjustment, reviewed, signed off and published
    (none if it exists already or the demo's manager and supervisor are missing)."""

    from .actions import (
        do_adjust_score,
        do_compute_evaluation,
        do_publish_evaluation,
        do_review_evaluation,
        do_sign_off_evaluation,
    )

    users = {u.username: u for u in User.objects.filter(username__in=("manager", "supervisor"))}
    if len(users) < 2 or Evaluation.objects.filter(region_id=region, year=demo_year).exists():
        return None
    evaluation = do_compute_evaluation(users["manager"], region=region, year=demo_year)
    first = evaluation.scores.order_by("final_total", "hospital_id").first()
    if first is not None:
        do_adjust_score(users["manager"], first, adjustment="2.00",
                        reason="年内完成医保结算清单质控整改, 经现场核实加分")
    do_review_evaluation(users["manager"], evaluation)
    do_sign_off_evaluation(users["supervisor"], evaluation)
    return do_publish_evaluation(users["manager"], evaluation)
