"""The year-end and contract-end clearing (清算), with the set-aside to the risk-adjustment fund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from dae.core.codes import InputCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.money import ZERO
from dae.ledger import entries as E
from dae.ledger.actions import do_post_simple

from .. import services
from ..codes import Code
from ..models import (
    Clearing,
    FundYear,
)
from .checks import money


def do_record_clearing(actor: Any, fund_year: FundYear, kind: str, *, on: dt.date, reason: str,
                       amount: Any = None) -> Clearing:
    """记录清算: keep the report's figures and post the amount to return ``Dr 4001 / Cr 2401`` (default: the
    profit above the red level, ``ClearingReport.excess``). Recording again with the same amount returns the
    clearing already recorded; another amount is refused."""
    reason = require_reason(reason, "清算说明")
    report = services.clearing_report(fund_year, kind)
    value = report.excess if amount in (None, "") else money(amount, "退还金额", positive=False)
    if value < 0:
        raise InvalidInput("退还金额不能为负", code=InputCode.INVALID_AMOUNT)
    with transaction.atomic():
        existing = Clearing.objects.select_for_update().filter(fund_year=fund_year, kind=kind).first()
        if existing is not None:
            if existing.amount == value:
                return existing
            raise Conflict(f"该{existing.get_kind_display()}已于 {existing.on} 记录（退还 {existing.amount} 元），不能重复记录",
                           code=Code.CLEARING_EXISTS, details={"clearing": existing.pk})
        txn = None
        if value > 0:
            txn = do_post_simple(E.FUND_INCOME, E.CLEARING, amount=value, on=on,
                                 reference=("fund.clearing", f"{fund_year.pk}:{kind}"),
                                 key=f"fund:clearing:{fund_year.pk}:{kind}", region=fund_year.region_id,
                                 description=f"{fund_year.year} 年度{Clearing.Kind(kind).label}：多拨退还"[:300], actor=actor)
        clearing = Clearing.objects.create(
            fund_year=fund_year, region_id=fund_year.region_id, kind=kind, on=on, period_start=report.start,
            period_end=report.end, figures=report.as_dict(), amount=value, reason=reason, transaction=txn,
            recorded_by=user_or_none(actor))
        record_event(actor, "fund.clearing_recorded", clearing, region_id=fund_year.region_id,
                     after={"kind": kind, "amount": value, "transaction": txn.pk if txn else None,
                            "figures": report.as_dict()}, note=reason)
        if kind == Clearing.Kind.YEAR_END:
            set_aside(actor, clearing, report.profit - value)
    return clearing


def set_aside(actor: Any, clearing: Clearing, surplus: Decimal) -> None:
    """提取风险调节基金 at year-end clearing, inside its transaction: the rule's share of the year's surplus (the
    profit left after the amount returned) posted ``Dr 4001 / Cr 3101`` under the key of the clearing; nothing
    on a deficit or without a rule."""
    rule = services.reserve_rule(clearing.region_id, clearing.period_end)
    share = Decimal(rule.share) if rule is not None else ZERO
    amount = services.reserve_share(surplus, share)
    if amount <= 0:
        return
    fund_year = clearing.fund_year
    txn = do_post_simple(E.FUND_INCOME, E.RISK_ADJUSTMENT, amount=amount, on=clearing.on,
                         reference=("fund.reserve", f"{fund_year.pk}:{clearing.kind}"),
                         key=f"fund:reserve:{fund_year.pk}:{clearing.kind}", region=clearing.region_id,
                         description=f"{fund_year.year} 年度结余提取风险调节基金（{share}%）", actor=actor)
    clearing.reserve, clearing.reserve_transaction = amount, txn
    clearing.save(update_fields=["reserve", "reserve_transaction"])
    record_event(actor, "fund.risk_set_aside", clearing, region_id=clearing.region_id,
                 after={"surplus": surplus, "share": share, "rule": rule.pk, "amount": amount, "transaction": txn.pk},
                 note=f"按结余 {surplus} 元的 {share}% 提取风险调节基金 {amount} 元")
