"""The risk-adjustment fund (风险调节基金): the dated set-aside rule, and its use in two steps (the manager
requests, the supervisor approves and it posts; or refuses)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, PermissionDenied, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region
from dae.ledger import entries as E
from dae.ledger.actions import do_post_simple

from .. import services
from ..codes import Code
from ..models import (
    RiskFundUse,
    RiskReserveRule,
)
from .checks import money


def do_set_reserve_rule(actor: Any, *, share: Any, effective_from: dt.date, reason: str,
                        region: Region | str | None = None) -> RiskReserveRule:
    """设置风险调节基金提取比例 (manager): a new dated row; the one in force before stays in the history."""
    value = inputs.percent(share, field="share", label="提取比例")
    reason = require_reason(reason, "设置说明")
    code = inputs.known_region(region) if region else None
    with transaction.atomic():
        before = services.reserve_rule(code or "", effective_from)
        rule = RiskReserveRule.objects.create(region_id=code, share=value, effective_from=effective_from,
                                              reason=reason[:300], created_by=user_or_none(actor))
        record_event(actor, "fund.reserve_rule_set", rule, region_id=code,
                     before={"share": before.share, "effective_from": before.effective_from} if before else None,
                     after={"share": value, "effective_from": effective_from}, note=reason)
    return rule


def do_request_risk_use(actor: Any, region: Region | str, *, purpose: str, amount: Any, on: dt.date,
                        reason: str) -> RiskFundUse:
    """申请动用风险调节基金 (finance): waits for the manager's and then the supervisor's approval."""
    code = inputs.known_region(region)
    if purpose not in RiskFundUse.Purpose.values:
        raise InvalidInput(f"不支持的用途：{purpose}", code=Code.INVALID_PURPOSE)
    value = money(amount)
    reason = require_reason(reason, "申请理由")
    with transaction.atomic():
        held = services.risk_balance(code, on)
        if value > held:
            raise Conflict(f"风险调节基金余额 {held:,.2f} 元，不足动用 {value:,.2f} 元", code=Code.RISK_SHORTFALL)
        use = RiskFundUse.objects.create(region_id=code, purpose=purpose, on=on, amount=value, reason=reason[:300],
                                         requested_by=actor)
        record_event(actor, "fund.risk_use_requested", use, region_id=code,
                     after={"purpose": purpose, "amount": value, "on": on, "balance": held}, note=reason)
    return use


_USE_LINES = {RiskFundUse.Purpose.DEFICIT: (E.RISK_ADJUSTMENT, E.FUND_INCOME, "动用风险调节基金弥补基金缺口"),
              RiskFundUse.Purpose.CONTRACT_END: (E.RISK_ADJUSTMENT, E.CLEARING, "合同期满清算风险调节基金")}


def do_approve_risk_use(actor: Any, use: RiskFundUse) -> RiskFundUse:
    """Approve a use: first the manager (待管理岗审批 → 待医保局监督审批), then the supervisor, whose approval
    posts it (``Dr 3101 / Cr 4001`` or ``Cr 2401``). Neither approver is the requester, nor the other approver."""
    S = RiskFundUse.Status
    post = getattr(actor, "post", "")
    with transaction.atomic():
        locked = RiskFundUse.objects.select_for_update().get(pk=use.pk)
        if locked.status not in (S.REQUESTED, S.MANAGER_APPROVED):
            raise Conflict(f"该申请{locked.get_status_display()}，不能再审批", code=Code.RISK_USE_DECIDED)
        if actor.pk in (locked.requested_by_id, locked.manager_by_id):
            raise PermissionDenied("申请人不能审批自己的申请，两级审批须由不同的人进行", code=Code.SELF_APPROVAL)
        before = {"status": locked.status}
        if locked.status == S.REQUESTED:
            if post != "manager":
                raise PermissionDenied("该申请须先由管理岗审批", code=Code.WRONG_POST)
            locked.status, locked.manager_by, locked.manager_at = S.MANAGER_APPROVED, actor, timezone.now()
            locked.save(update_fields=["status", "manager_by", "manager_at"])
            record_event(actor, "fund.risk_use_manager_approved", locked, region_id=locked.region_id, before=before,
                         after={"status": locked.status}, note="管理岗审批通过")
            return locked
        if post != "supervisor":
            raise PermissionDenied("该申请须由医保局监督审批", code=Code.WRONG_POST)
        held = services.risk_balance(locked.region_id, locked.on)
        if locked.amount > held:
            raise Conflict(f"风险调节基金余额 {held:,.2f} 元，不足动用 {locked.amount:,.2f} 元", code=Code.RISK_SHORTFALL)
        debit, credit, text = _USE_LINES[RiskFundUse.Purpose(locked.purpose)]
        txn = do_post_simple(debit, credit, amount=locked.amount, on=locked.on, reference=("fund.risk_use", str(locked.pk)),
                             key=f"fund:risk_use:{locked.pk}", region=locked.region_id,
                             description=f"{text}（申请 #{locked.pk}）", actor=actor)
        locked.status, locked.supervisor_by, locked.supervisor_at = S.POSTED, actor, timezone.now()
        locked.transaction = txn
        locked.save(update_fields=["status", "supervisor_by", "supervisor_at", "transaction"])
        record_event(actor, "fund.risk_use_posted", locked, region_id=locked.region_id, before=before,
                     after={"status": locked.status, "transaction": txn.pk, "amount": locked.amount},
                     note="医保局监督审批通过，已记账")
    return locked


def do_refuse_risk_use(actor: Any, use: RiskFundUse, reason: str) -> RiskFundUse:
    """Refuse a use waiting for the actor's post (manager or supervisor), with a reason; nothing is posted."""
    S = RiskFundUse.Status
    reason = require_reason(reason, "拒绝原因")
    with transaction.atomic():
        locked = RiskFundUse.objects.select_for_update().get(pk=use.pk)
        waiting_for = {S.REQUESTED: "manager", S.MANAGER_APPROVED: "supervisor"}.get(locked.status)
        if waiting_for is None:
            raise Conflict(f"该申请{locked.get_status_display()}，不能再审批", code=Code.RISK_USE_DECIDED)
        if actor.pk == locked.requested_by_id or getattr(actor, "post", "") != waiting_for:
            raise PermissionDenied("只有待审批岗位的其他人员可以拒绝该申请", code=Code.WRONG_POST)
        before = {"status": locked.status}
        locked.status, locked.refusal = S.REFUSED, reason[:300]
        locked.save(update_fields=["status", "refusal"])
        record_event(actor, "fund.risk_use_refused", locked, region_id=locked.region_id, before=before,
                     after={"status": locked.status}, note=reason)
    return locked
