"""The claim state machine (补偿状态), one for every claim: instant settlements and manual reimbursements.

received → computed → checked → approved → payable → paid, plus returned, rejected and cancelled. An instant
settlement that passes the declaration check goes computed → payable directly (先支付后审核: pay first, audit
after); a manual claim must be checked and approved by a second person first. Every transition is an event
(``claim.<state>``) recorded by the caller inside its transaction.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dae.core.errors import Conflict

from .codes import Code


class ClaimState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    COMPUTED = "computed", _("已计算")
    CHECKED = "checked", _("已复核")
    APPROVED = "approved", _("已审批")
    PAYABLE = "payable", _("待支付")
    PAID = "paid", _("已支付")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("已拒付")
    CANCELLED = "cancelled", _("已撤销")


S = ClaimState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.COMPUTED, S.REJECTED, S.CANCELLED}),
    S.COMPUTED: frozenset({S.CHECKED, S.PAYABLE, S.RETURNED, S.REJECTED, S.COMPUTED, S.CANCELLED}),
    S.CHECKED: frozenset({S.APPROVED, S.RETURNED}),
    S.APPROVED: frozenset({S.PAYABLE}),
    S.PAYABLE: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.CANCELLED}),
    S.RETURNED: frozenset({S.COMPUTED, S.REJECTED, S.CANCELLED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}
#: States in which a claim still waits for somebody (the work queues).
OPEN_STATES = (S.RECEIVED, S.COMPUTED, S.CHECKED, S.APPROVED, S.PAYABLE, S.RETURNED)


def check_transition(current: str, target: str) -> None:
    """Raise ``Conflict`` unless ``current → target`` is allowed."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise Conflict(f"状态“{S(current).label}”不能转为“{S(target).label}”", code=Code.BAD_TRANSITION,
                       details={"from": current, "to": target})
