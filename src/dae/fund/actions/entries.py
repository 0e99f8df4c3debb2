"""The fund's own entries (划转, 经办费用, 利息, 临时周转金): one record, its two-leg posting and its event; a
revolving fund drawn becomes a repayment due, repaid settles the dues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from dae.approvals.actions import require
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region
from dae.core.money import ZERO
from dae.ledger import entries as E
from dae.ledger.actions import do_post_simple
from dae.workdays.service import deadline

from .. import services
from ..codes import Code
from ..models import (
    AppropriationRequest,
    FundEntry,
    RepaymentDue,
)
from .checks import K, money


@dataclass(frozen=True)
class EntrySpec:
    """How a kind of entry posts: the debit and credit accounts and the summary shown in the ledger."""

    debit: str
    credit: str
    text: str


SPECS: dict[str, EntrySpec] = {
    K.APPROPRIATION: EntrySpec(E.INCOME_BANK, E.APPROPRIATIONS_DUE, "拨款到账"),
    K.TRANSFER: EntrySpec(E.SPENDING_BANK, E.INCOME_BANK, "收入户划转支出户"),
    K.OPERATING_COST: EntrySpec(E.OPERATING_COSTS, E.SPENDING_BANK, "经办费用"),
    K.INTEREST: EntrySpec(E.INCOME_BANK, E.INTEREST_INCOME, "存款利息"),
    K.REVOLVING_DRAW: EntrySpec(E.SPENDING_BANK, E.REVOLVING_FUND, "借入临时周转金"),
    K.REVOLVING_REPAY: EntrySpec(E.REVOLVING_FUND, E.SPENDING_BANK, "归还临时周转金"),
}
#: Kinds entered on the entry form / API (an appropriation is received against its request).
FORM_KINDS = (K.TRANSFER, K.OPERATING_COST, K.INTEREST, K.REVOLVING_DRAW, K.REVOLVING_REPAY)


def _same(entry: FundEntry, kind: str, region: str, on: dt.date, amount: Decimal, reference_no: str) -> bool:
    return (entry.kind, entry.region_id, entry.on, entry.amount, entry.reference_no) == (
        kind, region, on, amount, reference_no)


def _replayed(key: str, kind: str, region: str, on: dt.date, amount: Decimal, reference_no: str) -> FundEntry | None:
    existing = FundEntry.objects.filter(key=key).first()
    if existing is None:
        return None
    if not _same(existing, kind, region, on, amount, reference_no):
        raise Conflict(f"该记录已提交过（{existing}），但内容不同；新的记录请重新打开表单",
                       code=CoreCode.IDEMPOTENCY_CONFLICT, details={"entry": existing.pk})
    return existing


def _check_funds(kind: str, region: str, on: dt.date, amount: Decimal) -> None:
    """Money leaves a bank account only if it is there; the revolving fund is repaid only up to what is owed."""
    if kind == K.TRANSFER:
        held = services.balances(region, on, (E.INCOME_BANK,)).get(E.INCOME_BANK, ZERO)
        if amount > held:
            raise Conflict(f"收入户存款余额 {held:,.2f} 元，不足划转 {amount:,.2f} 元", code=Code.INCOME_SHORTFALL)
    if kind in (K.OPERATING_COST, K.REVOLVING_REPAY):
        short = services.spending_shortfall(region, amount, on)
        if short > 0:
            raise Conflict(f"支出户存款余额不足，还差 {short:,.2f} 元；请先划转资金或借入临时周转金",
                           code=Code.SPENDING_SHORTFALL, details={"shortfall": str(short)})
    if kind == K.REVOLVING_REPAY:
        owed = services.revolving_outstanding(region, on)
        if amount > owed:
            raise Conflict(f"归还金额 {amount:,.2f} 元超过未归还的临时周转金 {owed:,.2f} 元", code=Code.REPAY_TOO_MUCH)


def _settle_dues(region: str, amount: Decimal, on: dt.date) -> None:
    """A repayment pays the open dues, the oldest first."""
    left = amount
    for due in RepaymentDue.objects.select_for_update().filter(region_id=region, repaid_on__isnull=True):
        if left <= 0:
            break
        take = min(left, due.open_amount)
        due.repaid = due.repaid + take
        left -= take
        if due.open_amount <= 0:
            due.repaid_on = on
        due.save(update_fields=["repaid", "repaid_on"])


def repayment_due(actor: Any, entry: FundEntry) -> RepaymentDue | None:
    """Income funds arrived while the revolving fund is outstanding: repay it (up to the amount received, less
    what is already due) on the next working day."""
    owed = services.revolving_outstanding(entry.region_id)
    already = sum((d.open_amount for d in services.open_dues(entry.region_id)), ZERO)
    amount = min(entry.amount, owed - already)
    if amount <= 0:
        return None
    due_on = deadline(entry.on, 1).due
    due = RepaymentDue.objects.create(region_id=entry.region_id, source=entry, amount=amount, due_on=due_on)
    record_event(actor, "fund.repayment_due", due, region_id=entry.region_id, after={"amount": amount, "due_on": due_on},
                 note=f"收入资金到账，临时周转金 {amount} 元应于 {due_on} 归还")
    return due


def record_entry(actor: Any, kind: str, region: Region | str, *, on: dt.date, amount: Any, key: str,
                 reference_no: str = "", description: str = "", reason: str = "", approval_no: str = "",
                 request: AppropriationRequest | None = None) -> FundEntry:
    code = inputs.known_region(region)
    value = money(amount)
    reference_no = (reference_no or "").strip()
    key = (key or "").strip()
    if not key or len(key) > 90:
        raise InvalidInput("缺少幂等键或幂等键过长（不超过 90 个字符）", code=CoreCode.BAD_KEY)
    spec = SPECS[kind]
    text = (description or "").strip() or (f"{spec.text} {reference_no}".strip())
    with transaction.atomic():
        existing = _replayed(key, kind, code, on, value, reference_no)
        if existing is not None:
            return existing
        _check_funds(kind, code, on, value)
        txn = do_post_simple(spec.debit, spec.credit, amount=value, on=on, reference=(f"fund.{kind}", (reference_no or key)[:64]),
                             key=f"fund:{key}", region=code, description=text[:300], actor=actor)
        try:
            with transaction.atomic():
                entry = FundEntry.objects.create(
                    kind=kind, region_id=code, on=on, amount=value, reference_no=reference_no, description=text[:300],
                    reason=reason, approval_no=approval_no, request=request, key=key, transaction=txn,
                    created_by=user_or_none(actor))
        except IntegrityError:
            # a concurrent submit of the same key committed first: answer as for a retry
            existing = _replayed(key, kind, code, on, value, reference_no)
            if existing is None:
                raise
            return existing
        if kind == K.REVOLVING_REPAY:
            _settle_dues(code, value, on)
        record_event(actor, f"fund.{kind}", entry, region_id=code, after={
            "on": on, "amount": value, "reference_no": reference_no, "reason": reason, "approval_no": approval_no,
            "transaction": txn.pk, "request": request.pk if request else None}, note=text)
    return entry


def do_record_entry(actor: Any, kind: str, region: Region | str, *, on: dt.date, amount: Any, key: str,
                    reference_no: str = "", description: str = "", reason: str = "",
                    approval_no: str = "") -> FundEntry:
    """Record one of the fund's own movements and post it: 划转 ``Dr 100202 / Cr 100201``, 经办费用
    ``Dr 5101 / Cr 100202``, 利息 ``Dr 100201 / Cr 4101``, 借入临时周转金 ``Dr 100202 / Cr 2301`` (reason and
    approval number 审批文号 required), 归还 ``Dr 2301 / Cr 100202`` (settles the open dues, oldest first)."""
    if kind not in FORM_KINDS:
        raise InvalidInput(f"不支持的记录类型：{kind}", code=CoreCode.INVALID_KIND)
    if kind == K.TRANSFER:
        require(actor, "fund.transfer", amount=money(amount), region_id=inputs.known_region(region),
                target=("fund.transfer", key), summary=f"{inputs.known_region(region)} 划转支出户 {reference_no}".strip(),
                payload={"region": inputs.known_region(region), "on": on.isoformat(), "amount": str(money(amount)), "key": key,
                         "reference_no": reference_no, "description": description, "reason": reason,
                         "approval_no": approval_no})
    if kind == K.REVOLVING_DRAW:
        reason = require_reason(reason, "借入原因")
        approval_no = (approval_no or "").strip()
        if not approval_no:
            raise InvalidInput("请填写审批文号", code=Code.APPROVAL_REQUIRED,
                               details=[{"path": "approval_no", "message": "请填写审批文号"}])
    return record_entry(actor, kind, region, on=on, amount=amount, key=key, reference_no=reference_no,
                        description=description, reason=(reason or "").strip()[:300], approval_no=approval_no[:64])
