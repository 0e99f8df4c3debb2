"""A clerk's decisions on stored instant settlements: accept the recomputed payout of a differing settlement,
reject it, and record a declaration's payment (until the payment orders of the payments module take over)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from dae.core.errors import Conflict, require_reason
from dae.core.events import event_row, insert_events, record_event
from dae.core.money import ZERO

from .models import Declaration, Settlement
from .states import ClaimState, check_transition


def do_accept_computed(user: Any, settlement: Settlement, reason: str) -> Settlement:
    """A differing settlement becomes payable at the recomputed amount (``computed_pay``)."""
    reason = require_reason(reason)
    with transaction.atomic():
        s = Settlement.objects.select_for_update().get(pk=settlement.pk)
        check_transition(s.state, ClaimState.PAYABLE)
        s.state = ClaimState.PAYABLE
        s.save(update_fields=["state"])
        record_event(user, "claim.payable", s, region_id=s.region_id, before={"state": "computed"},
                     after={"state": "payable", "payable_amount": s.computed_pay}, note=reason)
    return s


def do_reject(user: Any, settlement: Settlement, reason: str) -> Settlement:
    reason = require_reason(reason)
    with transaction.atomic():
        s = Settlement.objects.select_for_update().get(pk=settlement.pk)
        check_transition(s.state, ClaimState.REJECTED)
        before = s.state
        s.state = ClaimState.REJECTED
        s.save(update_fields=["state"])
        record_event(user, "claim.rejected", s, region_id=s.region_id, before={"state": before},
                     after={"state": "rejected"}, note=reason)
    return s


def do_mark_paid(user: Any, declaration: Declaration, paid_on: date) -> int:
    """Every payable settlement of the declaration is paid on ``paid_on``; each insured person gets a notice."""
    if declaration.status != Declaration.Status.CHECKED:
        raise Conflict("申报尚未校验完成", code="not_checked")
    with transaction.atomic():
        payable = Settlement.objects.select_for_update().filter(declaration=declaration, state=ClaimState.PAYABLE)
        rows = list(payable)
        if not rows:
            raise Conflict("该申报没有待支付的结算", code="nothing_payable")
        payable.update(state=ClaimState.PAID, paid_on=paid_on)
        insert_events(event_row(user, "claim.paid", object_type="claims.settlement", object_id=s.pk,
                                region_id=s.region_id, before={"state": "payable"},
                                after={"state": "paid", "paid_on": paid_on, "amount": s.computed_pay})
                      for s in rows)
        for s in rows:
            _notify_paid(s, paid_on, user)
        record_event(user, "declaration.paid", declaration, region_id=declaration.region_id,
                     after={"paid_on": paid_on, "settlements": len(rows),
                            "amount": sum((s.computed_pay or ZERO for s in rows), ZERO)})
    return len(rows)


def _notify_paid(s: Settlement, paid_on: date, user: Any) -> None:
    """The insured person's notice of a paid settlement (none for a zero or negative payout)."""
    from dae.notices.actions import notify_claim

    amount = s.computed_pay if s.computed_pay is not None else s.hifob_pay
    if amount is None or amount <= 0:
        return
    notify_claim(psn_no=s.psn_no, claim_ref=s.setl_id, kind="paid", amount=amount,
                 basis_text=f"结算 {s.setl_id} 按大额医疗费用补助规则核定支付 {amount} 元，已于 {paid_on} 支付给医疗机构",
                 region_id=s.region_id, actor=user)
