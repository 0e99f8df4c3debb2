"""The business entries (业务记账): one recipe per kind of business fact, each posting exactly one balanced
transaction with a key derived from the fact, so a retry never posts twice.

Call them inside the business action's ``transaction.atomic()``; the change and its posting commit together.
The accounts are those of ``chart.yaml``; the table of entries is in ``docs/ledger.md``.

    from dae.ledger import entries
    entries.settlement_payable(settlement, on=day, actor=user)

``entry_*`` functions return the ``Entry`` for the bulk path (``posting.post_many``) instead of posting.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dae.core.money import ZERO

from .models import Transaction
from .posting import Cr, Dr, Entry, Line, post

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


def _post(entry: Entry | None, actor: Any) -> Transaction | None:
    if entry is None:
        return None
    return post(entry.lines, date=entry.date, description=entry.description, reference=entry.reference,
                key=entry.key, actor=actor, region=entry.region)


def settlement_payable(settlement: Any, *, on: dt.date, actor: Any) -> Transaction | None:
    return _post(entry_settlement_payable(settlement, on=on), actor)


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


def adjustment(adjustment: Any, *, on: dt.date, actor: Any, settle_way: str = "direct") -> Transaction | None:
    return _post(entry_adjustment(adjustment, on=on, settle_way=settle_way), actor)


def deduction(*, amount: Decimal, on: dt.date, reference: tuple[str, str | int], key: str, region: str,
              description: str, actor: Any) -> Transaction:
    """A confirmed deduction (审核扣款, 巡查扣款): recoverable from the hospital, less expenditure."""
    return post([Dr(RECOVERABLE, amount), Cr(CLAIMS_EXPENSE, amount)], date=on, description=description,
                reference=reference, key=key, actor=actor, region=region)


def offset(*, amount: Decimal, on: dt.date, reference: tuple[str, str | int], key: str, region: str,
           description: str, actor: Any, payable: str = PAYABLE_HOSPITALS) -> Transaction | None:
    """Recoverable amounts netted against what is owed (a statement's deductions and recoveries): 应付 / 应收扣款.
    A negative amount moves an excess of recoveries back into 应收扣款 (carried to the next statement)."""
    if amount == 0:
        return None
    lines = ([Dr(payable, amount), Cr(RECOVERABLE, amount)] if amount > 0
             else [Dr(RECOVERABLE, -amount), Cr(payable, -amount)])
    return post(lines, date=on, description=description, reference=reference, key=key, actor=actor, region=region)


def payment(*, amount: Decimal, payable: str, on: dt.date, reference: tuple[str, str | int], key: str,
            region: str, description: str, actor: Any) -> Transaction:
    """A payment the bank confirmed: 应付 / 支出户存款."""
    return post([Dr(payable, amount), Cr(SPENDING_BANK, amount)], date=on, description=description,
                reference=reference, key=key, actor=actor, region=region)


def simple(debit: str, credit: str, *, amount: Decimal, on: dt.date, reference: tuple[str, str | int], key: str,
           region: str, description: str, actor: Any) -> Transaction:
    """A two-leg entry of the fund's own movements (see the table in docs/ledger.md):

    funds raised 1131/4001, appropriation received 100201/1131, transfer 100202/100201, operating costs
    5101/100202, interest 100201/4101, revolving fund drawn 100202/2301 and repaid 2301/100202."""
    return post([Dr(debit, amount), Cr(credit, amount)], date=on, description=description, reference=reference,
                key=key, actor=actor, region=region)
