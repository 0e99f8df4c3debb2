"""The kinds of action that may wait for an approval, and how each takes effect once approved: the business
action runs again as the person who acted, with the recorded parameters (``approvals.actions.require`` lets it
through)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop

from dae.accounts.posts import Post

from .actions import register
from .models import PendingAction


@register("reimbursement.payout", gettext_noop("手工报销支付"))
def _payout(pending: PendingAction) -> Any:
    # cycle: approvals ↔ the business action (it calls approvals.actions.require before acting)
    from dae.reimbursement.actions import do_approve
    from dae.reimbursement.models import ManualClaim

    claim = ManualClaim.objects.get(pk=pending.payload["claim"])
    return do_approve(pending.requested_by, claim, note=pending.payload.get("note", ""))


@register("payments.deduction", gettext_noop("扣款"))
def _deduction(pending: PendingAction) -> Any:
    # cycle: approvals ↔ the business action (it calls approvals.actions.require before acting)
    from dae.catalog.models import Hospital
    from dae.payments.actions import do_record_deduction

    p = pending.payload
    return do_record_deduction(Hospital.objects.get(pk=p["hospital"]), amount=p["amount"], kind=p["kind"],
                               reason=p["reason"], source=(p["source"][0], p["source"][1]),
                               confirmed_on=dt.date.fromisoformat(p["confirmed_on"]), actor=pending.requested_by)


@register("payments.batch", gettext_noop("支付批次"))
def _batch(pending: PendingAction) -> Any:
    # cycle: approvals ↔ the business action (it calls approvals.actions.require before acting)
    from dae.payments.actions import do_create_batch

    p = pending.payload
    return do_create_batch(p["region"], p["kind"], actor=pending.requested_by, on=dt.date.fromisoformat(p["on"]),
                           statements=p.get("statements"), settlements=p.get("settlements"))


@register("fund.transfer", gettext_noop("基金划转"))
def _transfer(pending: PendingAction) -> Any:
    # cycle: approvals ↔ the business action (it calls approvals.actions.require before acting)
    from dae.fund.actions import do_record_entry

    p = pending.payload
    return do_record_entry(pending.requested_by, "transfer", p["region"], on=dt.date.fromisoformat(p["on"]),
                           amount=p["amount"], key=p["key"], reference_no=p["reference_no"],
                           description=p["description"], reason=p["reason"], approval_no=p["approval_no"])


@register("benefits.publish", gettext_noop("规则集发布"))
def _publish(pending: PendingAction) -> Any:
    # cycle: approvals ↔ the business action (it calls approvals.actions.require before acting)
    from dae.benefits.actions import do_publish
    from dae.benefits.models import RuleSetVersion

    version = RuleSetVersion.objects.get(pk=pending.payload["version"])
    return do_publish(pending.requested_by, version, dt.date.fromisoformat(pending.payload["effective"]))


@register("accounts.grant", gettext_noop("岗位授权"), always_post=Post.MANAGER)
def _grant(pending: PendingAction) -> Any:
    # cycle: approvals ↔ the business action (it calls approvals.actions.require before acting)
    from dae.accounts.actions import apply_grant

    return apply_grant(pending)
