"""Reads of settlement and payment (结算支付): what a monthly statement of a hospital would hold (the settlements
owed, their fee lines, the open 补付/追回 and the confirmed deductions, summed per hospital in a few grouped
queries), and a statement reconciled to its fee lines. The writes are in ``actions/``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Round
from django.utils import timezone

from dae.claims.models import Adjustment, FeeLine, Settlement
from dae.claims.states import ClaimState
from dae.core.money import ZERO
from dae.core.months import month_bounds
from dae.core.sums import fen_sum, yuan
from dae.ledger.models import Transaction

from .models import Deduction, Statement


def next_month(month: str) -> str:
    first, last = month_bounds(month)
    following = last + dt.timedelta(days=1)
    return following.strftime("%Y-%m")


def day_after(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the project's time zone (an index-friendly bound on setl_time)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def owed_settlements(region: str, last: dt.date) -> QuerySet[Settlement]:
    """Direct settlements of the region owed and on no statement, settled up to ``last``."""
    posted = Transaction.objects.filter(
        idempotency_key=Concat(Value("settlement:"), OuterRef("setl_id"), Value(":payable")))
    return (Settlement.objects.filter(region_id=region, settle_way=Settlement.SettleWay.DIRECT,
                                      statement__isnull=True, setl_time__lt=day_after(last))
            .annotate(posted=Exists(posted))
            .filter(Q(state=ClaimState.PAYABLE) | Q(state=ClaimState.CANCELLED, posted=True)))


@dataclass
class StatementTotals:
    settlements: int = 0
    medfee: Decimal = ZERO
    declared: Decimal = ZERO
    computed: Decimal = ZERO
    accepted: Decimal = ZERO
    lines: int = 0
    lines_total: Decimal = ZERO
    supplements: Decimal = ZERO
    recoveries: Decimal = ZERO
    deductions: Decimal = ZERO
    carried_in: Decimal = ZERO
    first_due: dt.date | None = None


def statement_totals(region: str, month: str, last: dt.date) -> dict[int, StatementTotals]:
    """Per hospital: the sums a statement of ``month`` would show, in a few grouped queries (exact sums in fen)."""
    result: dict[int, StatementTotals] = defaultdict(StatementTotals)
    owed = owed_settlements(region, last)
    for row in owed.values("hospital_id").annotate(
            n=Count("id"), medfee=fen_sum("medfee_sumamt"), declared=fen_sum(Coalesce("hifob_pay", ZERO)),
            computed=fen_sum(Coalesce("computed_pay", ZERO)),
            accepted=fen_sum(Coalesce("computed_pay", "hifob_pay", ZERO)), due=Min("declaration__pay_deadline")):
        t = result[row["hospital_id"]]
        t.settlements, t.medfee, t.declared = row["n"], yuan(row["medfee"]), yuan(row["declared"])
        t.computed, t.accepted, t.first_due = yuan(row["computed"]), yuan(row["accepted"]), row["due"]
    for row in (FeeLine.objects.filter(settlement__in=owed.values("id")).values("settlement__hospital_id")
                .annotate(n=Count("id"), total=fen_sum("det_item_fee_sumamt"))):
        t = result[row["settlement__hospital_id"]]
        t.lines, t.lines_total = row["n"], yuan(row["total"])
    for row in (open_adjustments(region, month).values("hospital_id")
                .annotate(plus=fen_sum("amount", filter=Q(amount__gt=0)),
                          minus=fen_sum("amount", filter=Q(amount__lt=0)))):
        t = result[row["hospital_id"]]
        t.supplements, t.recoveries = yuan(row["plus"]), -yuan(row["minus"])
    for row in (open_deductions(region, last).values("hospital_id")
                .annotate(carried=fen_sum("amount", filter=Q(kind=Deduction.Kind.CARRIED)),
                          other=fen_sum("amount", filter=~Q(kind=Deduction.Kind.CARRIED)))):
        t = result[row["hospital_id"]]
        t.carried_in, t.deductions = yuan(row["carried"]), yuan(row["other"])
    return result


def open_adjustments(region: str, month: str) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(region_id=region, settlement__settle_way=Settlement.SettleWay.DIRECT,
                                     status=Adjustment.Status.OPEN, statement__isnull=True,
                                     statement_month__lte=month)


def open_deductions(region: str, last: dt.date) -> QuerySet[Deduction]:
    return Deduction.objects.filter(region_id=region, status=Deduction.Status.OPEN, statement__isnull=True,
                                    confirmed_on__lte=last)


@dataclass(frozen=True)
class Reconciliation:
    """A statement against its settlements and their fee lines, to the fen."""

    medfee_total: Decimal
    lines_total: Decimal
    settlements_medfee: Decimal
    accepted_total: Decimal
    settlements_accepted: Decimal
    mismatched: list[str]  # setl_ids whose fee lines do not add up to their medical fee total

    @property
    def agrees(self) -> bool:
        return (self.medfee_total == self.lines_total == self.settlements_medfee
                and self.accepted_total == self.settlements_accepted and not self.mismatched)


def reconcile(statement: Statement) -> Reconciliation:
    """Recompute the statement's figures from its settlements and their fee lines."""
    settlements = Settlement.objects.filter(statement=statement)
    sums = settlements.aggregate(medfee=fen_sum("medfee_sumamt"),
                                 accepted=fen_sum(Coalesce("computed_pay", "hifob_pay", ZERO)))
    lines = yuan(FeeLine.objects.filter(settlement__statement=statement).aggregate(
        total=fen_sum("det_item_fee_sumamt"))["total"])
    per = (settlements.annotate(lines_fen=fen_sum("lines__det_item_fee_sumamt"))
           .exclude(lines_fen=Round(F("medfee_sumamt") * Value(100))).values_list("setl_id", flat=True))
    return Reconciliation(statement.medfee_total, lines, yuan(sums["medfee"]), statement.accepted_total,
                          yuan(sums["accepted"]), sorted(per))
