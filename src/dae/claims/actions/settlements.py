"""A clerk's decisions on stored instant settlements: accept the recomputed payout of a differing settlement (it
becomes payable and is posted to the ledger) or reject it. Payment is the payments module's (statements and
payment batches)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.errors import require_reason
from dae.core.events import record_event
from dae.ledger.actions import do_post_settlement_payable

from ..models import Settlement
from ..states import ClaimState, check_transition


def do_accept_computed(user: Any, settlement: Settlement, reason: str) -> Settlement:
    """A differing settlement becomes payable at the recomputed amount (``computed_pay``)."""
    reason = require_reason(reason)
    with transaction.atomic():
        s = Settlement.objects.select_for_update().get(pk=settlement.pk)
        check_transition(s.state, ClaimState.PAYABLE)
        s.state = ClaimState.PAYABLE
        s.save(update_fields=["state"])
        do_post_settlement_payable(s, on=timezone.localdate(), actor=user)
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
