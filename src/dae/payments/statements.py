"""Monthly hospital statements (月结): build, approve, reconcile to the fee lines.

A statement for (hospital, month) takes every direct settlement of the hospital settled up to the month's end
that is owed (its payable posting exists: payable, or cancelled after it was payable — the 2305 cancellation is
a negative settlement of its own and nets it) and is on no statement yet; the open 补付/追回 of its settlements
for months up to this one; and the confirmed deductions (including any excess carried from an earlier
statement). Approval nets the recoverable amounts against what is owed in the ledger (应付 / 应收扣款) and, when
recoveries exceed it, carries the rest to the next statement as a deduction. Then finance pays the net amount
through a payment batch (``batches.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Round
from django.utils import timezone

from dae.claims.models import Adjustment, FeeLine, Settlement
from dae.claims.states import ClaimState
from dae.core.errors import Conflict, InvalidInput
from dae.core.events import event_row, insert_events, record_event, user_or_none
from dae.core.money import ZERO
from dae.core.months import month_bounds
from dae.core.sums import fen_sum, yuan
from dae.ledger import entries
from dae.ledger.models import Transaction

from .models import Deduction, Statement

DEADLINE_DAYS = 15  # working days from the successful declaration (benefit-policy §6)


def next_month(month: str) -> str:
    first, last = month_bounds(month)
    following = last + dt.timedelta(days=1)
    return following.strftime("%Y-%m")


def _day_after(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the project's time zone (an index-friendly bound on setl_time)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _owed(region: str, last: dt.date) -> QuerySet[Settlement]:
    """Direct settlements of the region owed and on no statement, settled up to ``last``."""
    posted = Transaction.objects.filter(
        idempotency_key=Concat(Value("settlement:"), OuterRef("setl_id"), Value(":payable")))
    return (Settlement.objects.filter(region_id=region, settle_way=Settlement.SettleWay.DIRECT,
                                      statement__isnull=True, setl_time__lt=_day_after(last))
            .annotate(posted=Exists(posted))
            .filter(Q(state=ClaimState.PAYABLE) | Q(state=ClaimState.CANCELLED, posted=True)))


@dataclass
class _Totals:
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


def _totals(region: str, month: str, last: dt.date) -> dict[int, _Totals]:
    """Per hospital: the sums a statement of ``month`` would show, in a few grouped queries (exact sums in fen)."""
    result: dict[int, _Totals] = defaultdict(_Totals)
    owed = _owed(region, last)
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
    for row in (_open_adjustments(region, month).values("hospital_id")
                .annotate(plus=fen_sum("amount", filter=Q(amount__gt=0)),
                          minus=fen_sum("amount", filter=Q(amount__lt=0)))):
        t = result[row["hospital_id"]]
        t.supplements, t.recoveries = yuan(row["plus"]), -yuan(row["minus"])
    for row in (_open_deductions(region, last).values("hospital_id")
                .annotate(carried=fen_sum("amount", filter=Q(kind=Deduction.Kind.CARRIED)),
                          other=fen_sum("amount", filter=~Q(kind=Deduction.Kind.CARRIED)))):
        t = result[row["hospital_id"]]
        t.carried_in, t.deductions = yuan(row["carried"]), yuan(row["other"])
    return result


def _open_adjustments(region: str, month: str) -> QuerySet[Adjustment]:
    return Adjustment.objects.filter(region_id=region, settlement__settle_way=Settlement.SettleWay.DIRECT,
                                     status=Adjustment.Status.OPEN, statement__isnull=True,
                                     statement_month__lte=month)


def _open_deductions(region: str, last: dt.date) -> QuerySet[Deduction]:
    return Deduction.objects.filter(region_id=region, status=Deduction.Status.OPEN, statement__isnull=True,
                                    confirmed_on__lte=last)


def build_statements(region: str, month: str, *, actor: Any, on: dt.date) -> list[Statement]:
    """Build the draft statements of ``month`` for every hospital of ``region`` that has something owed,
    adjusted or deducted and no statement of that month yet. Idempotent: a second call builds only what is new
    (a hospital that already has the month's statement gets the later items on the next month's)."""
    from dae.workdays.service import deadline, warning_dict

    _first, last = month_bounds(month)
    if on < last:
        raise InvalidInput(f"{month} 尚未结束，月结单须在 {last} 之后编制", code="month_not_over")
    built: list[Statement] = []
    with transaction.atomic():
        done = set(Statement.objects.filter(region_id=region, month=month).values_list("hospital_id", flat=True))
        for hospital_id, t in sorted(_totals(region, month, last).items()):
            if hospital_id in done:
                continue
            due = deadline(on, DEADLINE_DAYS)
            due_date = min(t.first_due, due.due) if t.first_due else due.due
            gross = t.accepted + t.supplements
            recoverable = t.recoveries + t.deductions + t.carried_in
            net = gross - recoverable
            st = Statement.objects.create(
                hospital_id=hospital_id, region_id=region, month=month, settlements_count=t.settlements,
                lines_count=t.lines, medfee_total=t.medfee or ZERO, lines_total=t.lines_total or ZERO,
                declared_total=t.declared, computed_total=t.computed, accepted_total=t.accepted,
                supplements_total=t.supplements, recoveries_total=t.recoveries, deductions_total=t.deductions,
                carried_in=t.carried_in, net_payable=max(net, ZERO), carried_out=max(-net, ZERO), due_date=due_date,
                deadline_warnings=[warning_dict(w) for w in due.warnings], built_by=user_or_none(actor), built_on=on)
            _owed(region, last).filter(hospital_id=hospital_id).update(statement=st)
            _open_adjustments(region, month).filter(hospital_id=hospital_id).update(statement=st)
            _open_deductions(region, last).filter(hospital_id=hospital_id).update(statement=st)
            record_event(actor, "statement.built", st, region_id=region, after=_summary(st))
            built.append(st)
    return built


def _summary(st: Statement) -> dict[str, Any]:
    return {"month": st.month, "hospital": st.hospital_id, "settlements": st.settlements_count,
            "accepted": st.accepted_total, "supplements": st.supplements_total, "recoveries": st.recoveries_total,
            "deductions": st.deductions_total, "carried_in": st.carried_in, "net_payable": st.net_payable,
            "carried_out": st.carried_out, "due_date": st.due_date}



def approve_statement(statement: Statement, *, actor: Any, on: dt.date) -> Statement:
    """审批: nets the recoverable amounts against what is owed in the ledger, settles the adjustments and
    deductions, carries any excess to the next month; the statement is then payable (or closed when nothing is
    owed). Posts at most one transaction (key ``statement:<id>:offset``)."""
    with transaction.atomic():
        st = Statement.objects.select_for_update().get(pk=statement.pk)
        if st.status != Statement.Status.DRAFT:
            raise Conflict(f"月结单状态为“{st.get_status_display()}”，不能审批", code="not_draft")
        gross = st.gross_total
        recoverable = st.recoverable_total
        # what leaves 应收扣款 against 应付: all of it when owed covers it, else what is owed (maybe negative)
        netted = recoverable if st.carried_out == 0 else gross
        name = st.hospital.name
        entries.offset(amount=netted, on=on, reference=("payments.statement", st.pk), key=f"statement:{st.pk}:offset",
                       region=st.region_id, actor=actor,
                       description=f"{st.month} 月结单 {name}：追回及扣款 {recoverable} 元抵减应付")
        Adjustment.objects.filter(statement=st).update(status=Adjustment.Status.SETTLED)
        st.deductions.update(status=Deduction.Status.DEDUCTED)
        if st.carried_out > 0:
            Deduction.objects.create(
                hospital_id=st.hospital_id, region_id=st.region_id, kind=Deduction.Kind.CARRIED,
                amount=st.carried_out, reason=f"{st.month} 月结单追回及扣款超过应付，结转下月", source_type="payments.statement",
                source_id=f"{st.pk}:carried", confirmed_on=on, from_statement=st, created_by=user_or_none(actor))
        st.status = Statement.Status.APPROVED if st.net_payable > 0 else Statement.Status.CARRIED
        st.approved_by, st.approved_on = user_or_none(actor), on
        st.save(update_fields=["status", "approved_by", "approved_on"])
        if st.net_payable == 0:  # nothing to transfer: its settlements are settled now
            settle_claims(st, day=on, actor=actor, notify=True)
        record_event(actor, "statement.approved", st, region_id=st.region_id, before={"status": "draft"},
                     after={"status": st.status, "net_payable": st.net_payable, "carried_out": st.carried_out})
    return st


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


def settle_claims(statement: Statement, *, day: dt.date, actor: Any, notify: bool) -> int:
    """The statement's payable settlements become paid on ``day`` (one bulk update, one bulk event write); the
    insured persons are told (``notify``). Inside the caller's transaction. Returns how many."""
    payable = Settlement.objects.filter(statement=statement, state=ClaimState.PAYABLE)
    rows = list(payable.only("pk", "region_id", "setl_id", "psn_no", "computed_pay", "hifob_pay"))
    payable.update(state=ClaimState.PAID, paid_on=day)
    insert_events(event_row(actor, "claim.paid", object_type="claims.settlement", object_id=s.pk,
                            region_id=s.region_id, before={"state": "payable"},
                            after={"state": "paid", "paid_on": day, "statement": statement.pk}) for s in rows)
    if notify:
        for s in rows:
            _notify_paid(s, day, actor)
    return len(rows)


def _notify_paid(s: Settlement, day: dt.date, actor: Any) -> None:
    """The insured person's notice of a paid settlement (none for a zero or negative payout)."""
    from dae.notices.actions import notify_claim

    amount = entries.settlement_amount(s)
    if amount <= 0:
        return
    notify_claim(psn_no=s.psn_no, claim_ref=s.setl_id, kind="paid", amount=amount,
                 basis_text=f"结算 {s.setl_id} 按大额医疗费用补助规则核定支付 {amount} 元，已于 {day} 支付给医疗机构",
                 region_id=s.region_id, actor=actor)
