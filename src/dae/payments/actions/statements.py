"""Monthly hospital statements (月结): build, approve, reconcile to the fee lines.

A statement for (hospital, month) takes every direct settlement of the hospital settled up to the month's end
that is owed (its payable posting exists: payable, or cancelled after it was payable — the 2305 cancellation is
a negative settlement of its own and nets it) and is on no statement yet; the open 补付/追回 of its settlements
for months up to this one; and the confirmed deductions (including any excess carried from an earlier
statement). Approval nets the recoverable amounts against what is owed in the ledger (应付 / 应收扣款) and, when
recoveries exceed it, carries the rest to the next statement as a deduction. Then finance pays the net amount
through a payment batch (``actions/batches.py``); the reads are in ``queries.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from dae.claims.models import Adjustment, Settlement
from dae.claims.states import ClaimState
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput
from dae.core.events import event_row, insert_events, record_event, user_or_none
from dae.core.money import ZERO
from dae.core.months import month_bounds
from dae.ledger import entries
from dae.ledger.actions import do_post_offset
from dae.notices.actions import notify_claim
from dae.workdays.service import deadline, warning_dict

from ..models import Deduction, Statement
from ..queries import open_adjustments, open_deductions, owed_settlements, statement_totals

DEADLINE_DAYS = 15  # working days from the successful declaration (benefit-policy §6)


def do_build_statements(region: str, month: str, *, actor: Any, on: dt.date) -> list[Statement]:
    """Build the draft statements of ``month`` for every hospital of ``region`` that has something owed,
    adjusted or deducted and no statement of that month yet. Idempotent: a second call builds only what is new
    (a hospital that already has the month's statement gets the later items on the next month's)."""
    _first, last = month_bounds(month)
    if on < last:
        raise InvalidInput(f"{month} 尚未结束，月结单须在 {last} 之后编制", code=CoreCode.MONTH_NOT_OVER)
    built: list[Statement] = []
    with transaction.atomic():
        done = set(Statement.objects.filter(region_id=region, month=month).values_list("hospital_id", flat=True))
        for hospital_id, t in sorted(statement_totals(region, month, last).items()):
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
            owed_settlements(region, last).filter(hospital_id=hospital_id).update(statement=st)
            open_adjustments(region, month).filter(hospital_id=hospital_id).update(statement=st)
            open_deductions(region, last).filter(hospital_id=hospital_id).update(statement=st)
            record_event(actor, "statement.built", st, region_id=region, after=_summary(st))
            built.append(st)
    return built


def _summary(st: Statement) -> dict[str, Any]:
    return {"month": st.month, "hospital": st.hospital_id, "settlements": st.settlements_count,
            "accepted": st.accepted_total, "supplements": st.supplements_total, "recoveries": st.recoveries_total,
            "deductions": st.deductions_total, "carried_in": st.carried_in, "net_payable": st.net_payable,
            "carried_out": st.carried_out, "due_date": st.due_date}


def do_approve_statement(statement: Statement, *, actor: Any, on: dt.date) -> Statement:
    """审批: nets the recoverable amounts against what is owed in the ledger, settles the adjustments and
    deductions, carries any excess to the next month; the statement is then payable (or closed when nothing is
    owed). Posts at most one transaction (key ``statement:<id>:offset``)."""
    with transaction.atomic():
        st = Statement.objects.select_for_update().get(pk=statement.pk)
        if st.status != Statement.Status.DRAFT:
            raise Conflict(f"月结单状态为“{st.get_status_display()}”，不能审批", code=CoreCode.NOT_DRAFT)
        gross = st.gross_total
        recoverable = st.recoverable_total
        # what leaves 应收扣款 against 应付: all of it when owed covers it, else what is owed (maybe negative)
        netted = recoverable if st.carried_out == 0 else gross
        name = st.hospital.name
        do_post_offset(amount=netted, on=on, reference=("payments.statement", st.pk), key=f"statement:{st.pk}:offset",
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
    amount = entries.settlement_amount(s)
    if amount <= 0:
        return
    notify_claim(psn_no=s.psn_no, claim_ref=s.setl_id, kind="paid", amount=amount,
                 basis_text=f"结算 {s.setl_id} 按大额医疗费用补助规则核定支付 {amount} 元，已于 {day} 支付给医疗机构",
                 region_id=s.region_id, actor=actor)
