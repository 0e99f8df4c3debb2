"""The business entries (业务记账): the chart's account codes and one recipe per kind of business fact, each
giving exactly one balanced transaction with a key derived from the fact, so a retry never posts twice.

Nothing here writes: ``entry_*`` functions return the ``Entry`` that ``actions.do_post_many`` (the bulk path)
posts, and ``actions.do_post_<fact>`` posts one of them inside the business action's transaction
(the change and its posting commit together):

    from dae.ledger.actions import do_post_settlement_payable
    do_post_settlement_payable(settlement, on=day, actor=user)

The accounts are those of ``chart.yaml``; the table of entries is in ``docs/ledger.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dae.core.money import ZERO

from .models import Transaction
from .rules import Cr, Dr, Line

Reference = tuple[str, str | int]


@dataclass(frozen=True)
class Entry:
    """One transaction for ``actions.do_post_many`` (the same arguments as ``actions.do_post``)."""

    lines: Sequence[Line]
    date: dt.date
    description: str
    reference: Reference
    key: str
    region: str


# account codes of the chart (chart.yaml)
INCOME_BANK = "100201"        # 收入户存款
SPENDING_BANK = "100202"      # 支出户存款
APPROPRIATIONS_DUE = "1131"   # 应收拨款
RECOVERABLE = "1132"          # 应收扣款
PAYABLE_HOSPITALS = "2201"    # 应付医疗机构
PAYABLE_PERSONS = "2202"      # 应付参保人
REVOLVING_FUND = "2301"       # 临时周转金
CLEARING = "2401"             # 待清算
RISK_ADJUSTMENT = "3101"      # 风险调节基金
FUND_INCOME = "4001"          # 基金收入
INTEREST_INCOME = "4101"      # 利息收入
CLAIMS_EXPENSE = "5001"       # 补助支出
OPERATING_COSTS = "5101"      # 经办费用
CASH_ACCOUNTS = (INCOME_BANK, SPENDING_BANK)


def payable_account(settle_way: str) -> str:
    """Who the payout is owed to: the hospital (direct settlement) or the insured person (manual claim)."""
    return PAYABLE_PERSONS if settle_way == "manual" else PAYABLE_HOSPITALS


def _expense_lines(amount: Decimal, payable: str) -> list[Line]:
    """A payout owed (positive) or given back (negative, e.g. the 2305 cancellation of a payable settlement)."""
    if amount > 0:
        return [Dr(CLAIMS_EXPENSE, amount), Cr(payable, amount)]
    return [Dr(payable, -amount), Cr(CLAIMS_EXPENSE, -amount)]


def settlement_amount(settlement: Any) -> Decimal:
    """The amount a payable settlement is owed: the recomputed payout (``computed_pay``)."""
    value = settlement.computed_pay if settlement.computed_pay is not None else settlement.hifob_pay
    return value if value is not None else ZERO


def settlement_key(setl_id: str) -> str:
    return f"settlement:{setl_id}:payable"


def entry_settlement_payable(settlement: Any, *, on: dt.date) -> Entry | None:
    """补助支出 / 应付: a settlement became payable. None for a zero payout (nothing is owed)."""
    amount = settlement_amount(settlement)
    if amount == 0:
        return None
    return Entry(_expense_lines(amount, payable_account(settlement.settle_way)), on,
                 f"结算 {settlement.setl_id} 确认应付" if amount > 0 else f"撤销结算 {settlement.setl_id} 冲减应付",
                 ("claims.settlement", settlement.setl_id), settlement_key(settlement.setl_id),
                 str(settlement.region_id))


def settlement_payable_txn(setl_id: str) -> Transaction | None:
    return Transaction.objects.filter(idempotency_key=settlement_key(setl_id)).first()


def entry_adjustment(adjustment: Any, *, on: dt.date, settle_way: str = "direct") -> Entry | None:
    """补付 (amount > 0): more is owed. 追回 (amount < 0): the overpaid amount becomes recoverable (应收扣款),
    netted on the next statement."""
    amount: Decimal = adjustment.amount
    if amount == 0:
        return None
    if amount > 0:
        lines = [Dr(CLAIMS_EXPENSE, amount), Cr(payable_account(settle_way), amount)]
        text = f"补付 {amount} 元（结算 {adjustment.settlement.setl_id}）"
    else:
        lines = [Dr(RECOVERABLE, -amount), Cr(CLAIMS_EXPENSE, -amount)]
        text = f"追回 {-amount} 元（结算 {adjustment.settlement.setl_id}）"
    return Entry(lines, on, text, ("claims.adjustment", adjustment.pk), f"adjustment:{adjustment.pk}",
                 str(adjustment.region_id))
