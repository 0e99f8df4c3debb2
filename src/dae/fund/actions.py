"""The writes of fund management (finance; the warning levels also the manager). Each ``do_*`` is one
transaction: the record, its ledger posting (through ``dae.ledger.entries``) and its event commit or fail
together, so a failed write leaves no posting and a refused posting leaves no record.

Idempotency: every posting's key is derived from the business fact — the fund year and its version, the bank
slip of an appropriation, the form's key of a manual entry (generated when the form is shown, like the ledger's
手工记账), the fund year and kind of a clearing. A retry with the same key and content returns what was done;
the same key with other content is refused (409).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, PermissionDenied, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region
from dae.core.money import ZERO
from dae.ledger import entries as E
from dae.ledger.actions import do_post_simple
from dae.ledger.models import Transaction
from dae.workdays.service import deadline

from . import services
from .models import (
    RED_LEVEL,
    YELLOW_LEVEL,
    AppropriationRequest,
    Clearing,
    FundEntry,
    FundYear,
    FundYearChange,
    RepaymentDue,
    RiskFundUse,
    RiskReserveRule,
)

K = FundEntry.Kind
R = AppropriationRequest.Status
MAX_AMOUNT = Decimal("99999999999999.99")
FIRST_YEAR, LAST_YEAR = 2000, 2099


# -- checks --------------------------------------------------------------------------------------------------

def money(value: Any, what: str = "金额", *, path: str = "amount", positive: bool = True) -> Decimal:
    """An amount in yuan through the input layer (bounded by ``FUND_MAX``), positive unless ``positive`` is False
    (then it may also be negative: an adjustment, a refund)."""
    try:
        amount = inputs.signed_amount(value, field=path, label=what, maximum=inputs.FUND_MAX)
    except InvalidInput as exc:  # worded as finance knows it; too large keeps the input layer's words
        kind = inputs.refusal_kind(exc)
        if kind in ("maximum", "minimum"):
            raise
        if kind == "places":
            raise InvalidInput(f"{what}须精确到分", code="invalid_amount",
                               details=[{"path": path, "message": f"{what}须精确到分"}]) from None
        raise InvalidInput(f"{what}格式错误，请填写如 1234.56 的数字", code="invalid_amount",
                           details=[{"path": path, "message": f"{what}格式错误"}]) from None
    if positive and amount <= 0:
        raise InvalidInput(f"{what}须大于零", code="invalid_amount", details=[{"path": path, "message": f"{what}须大于零"}])
    return amount


def _region(region: Region | str) -> str:
    code = region.pk if isinstance(region, Region) else str(region)
    if not Region.objects.filter(pk=code).exists():
        raise InvalidInput(f"统筹区 {code} 不存在", code=inputs.InputCode.INVALID_REGION)
    return str(code)


def _year(year: int) -> int:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise InvalidInput(f"年度须在 {FIRST_YEAR} 到 {LAST_YEAR} 之间", code="invalid_year")
    return int(year)


def _levels(yellow: Decimal, red: Decimal) -> None:
    if not (ZERO <= yellow <= red <= Decimal(100)):
        raise InvalidInput(f"预警线须满足 0 ≤ 黄色（{yellow}%）≤ 红色（{red}%）≤ 100", code="invalid_levels",
                           details=[{"path": "yellow_level", "message": "黄色预警线不能高于红色预警线"}])


def _contract(start: dt.date | None, end: dt.date | None) -> None:
    if (start is None) != (end is None):
        raise InvalidInput("合同起始日和终止日须同时填写", code="invalid_contract")
    if start is not None and end is not None and start > end:
        raise InvalidInput("合同起始日不能晚于终止日", code="invalid_contract")


# -- fund year -----------------------------------------------------------------------------------------------

def _funds_lines(fund_year: FundYear, difference: Decimal, on: dt.date, actor: Any) -> Transaction:
    """Dr 1131 / Cr 4001 for an increase, the reverse direction for a decrease."""
    debit, credit = (E.APPROPRIATIONS_DUE, E.FUND_INCOME) if difference > 0 else (E.FUND_INCOME, E.APPROPRIATIONS_DUE)
    text = (f"{fund_year.year} 年度筹集资金" if fund_year.version == 1
            else f"{fund_year.year} 年度筹集资金变更（第 {fund_year.version} 版）")
    return do_post_simple(debit, credit, amount=abs(difference), on=on, reference=("fund.year", fund_year.pk),
                          key=f"fund:year:{fund_year.pk}:v{fund_year.version}", region=fund_year.region_id,
                          description=text, actor=actor)


def _history(fund_year: FundYear, actor: Any, reason: str, txn: Transaction | None) -> FundYearChange:
    return FundYearChange.objects.create(
        fund_year=fund_year, version=fund_year.version, funds_raised=fund_year.funds_raised,
        yellow_level=fund_year.yellow_level, red_level=fund_year.red_level, contract_start=fund_year.contract_start,
        contract_end=fund_year.contract_end, reason=reason, transaction=txn,
        actor=user_or_none(actor))


def _year_state(fund_year: FundYear) -> dict[str, Any]:
    return {"funds_raised": fund_year.funds_raised, "version": fund_year.version,
            "yellow_level": fund_year.yellow_level, "red_level": fund_year.red_level,
            "contract_start": fund_year.contract_start, "contract_end": fund_year.contract_end}


def do_enter_funds(actor: Any, region: Region | str, year: int, funds_raised: Any, *, on: dt.date,
                   contract_start: dt.date | None = None, contract_end: dt.date | None = None,
                   yellow_level: Decimal | None = None, red_level: Decimal | None = None) -> FundYear:
    """录入筹集资金: create the fund year and post ``Dr 1131 / Cr 4001`` for the amount (key ``fund:year:<pk>:v1``).
    Entering the same figures again returns the year unchanged; other figures for an existing year are refused
    (change them with a reason: ``do_change_funds``)."""
    code, year = _region(region), _year(year)
    amount = money(funds_raised, "筹集资金", path="funds_raised")
    yellow = YELLOW_LEVEL if yellow_level is None else yellow_level
    red = RED_LEVEL if red_level is None else red_level
    _levels(yellow, red)
    _contract(contract_start, contract_end)
    with transaction.atomic():
        existing = FundYear.objects.select_for_update().filter(region_id=code, year=year).first()
        if existing is not None:
            if existing.funds_raised == amount:
                return existing
            raise Conflict(f"{code} {year} 年度筹集资金已录入（{existing.funds_raised} 元）；如需变更请填写变更原因",
                           code="fund_year_exists", details={"fund_year": existing.pk})
        fund_year = FundYear.objects.create(
            region_id=code, year=year, funds_raised=amount, yellow_level=yellow, red_level=red,
            contract_start=contract_start, contract_end=contract_end,
            created_by=user_or_none(actor))
        txn = _funds_lines(fund_year, amount, on, actor)
        _history(fund_year, actor, "", txn)
        record_event(actor, "fund.year_entered", fund_year, region_id=code, after=_year_state(fund_year),
                     note=f"录入 {year} 年度筹集资金 {amount} 元")
    return fund_year


def do_change_funds(actor: Any, fund_year: FundYear, funds_raised: Any, *, on: dt.date, reason: str) -> FundYear:
    """变更筹集资金 with a reason: a new version posting only the difference (a decrease in the reverse
    direction). The same amount again changes nothing (a double submit)."""
    amount = money(funds_raised, "筹集资金", path="funds_raised")
    reason = require_reason(reason, "变更原因")
    with transaction.atomic():
        locked = FundYear.objects.select_for_update().get(pk=fund_year.pk)
        difference = amount - locked.funds_raised
        if difference == 0:
            return locked
        before = _year_state(locked)
        locked.funds_raised = amount
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["funds_raised", "version", "updated_at"])
        txn = _funds_lines(locked, difference, on, actor)
        _history(locked, actor, reason, txn)
        record_event(actor, "fund.funds_changed", locked, region_id=locked.region_id, before=before,
                     after=_year_state(locked), note=reason)
    return locked


def do_change_levels(actor: Any, fund_year: FundYear, *, yellow_level: Decimal, red_level: Decimal,
                     contract_start: dt.date | None, contract_end: dt.date | None, reason: str) -> FundYear:
    """变更预警线 / 合同期 (finance or manager) with a reason, kept in the history; nothing is posted."""
    _levels(yellow_level, red_level)
    _contract(contract_start, contract_end)
    reason = require_reason(reason, "变更原因")
    with transaction.atomic():
        locked = FundYear.objects.select_for_update().get(pk=fund_year.pk)
        before = _year_state(locked)
        locked.yellow_level, locked.red_level = yellow_level, red_level
        locked.contract_start, locked.contract_end = contract_start, contract_end
        if _year_state(locked) == before:
            return locked
        locked.updated_at = timezone.now()
        locked.save(update_fields=["yellow_level", "red_level", "contract_start", "contract_end", "updated_at"])
        _history(locked, actor, reason, None)
        record_event(actor, "fund.levels_changed", locked, region_id=locked.region_id, before=before,
                     after=_year_state(locked), note=reason)
    return locked


# -- the appropriation request -------------------------------------------------------------------------------

def _request_state(request: AppropriationRequest) -> dict[str, Any]:
    return {"status": request.status, "basis": request.basis, "payouts": request.payouts,
            "adjustments": request.adjustments, "operating_costs": request.operating_costs,
            "computed": request.computed, "adjustment": request.adjustment, "amount": request.amount}


def do_prepare_request(actor: Any, region: Region | str, year: int, quarter: int) -> AppropriationRequest:
    """编制用款申请 for a quarter from the ledger (see ``services.request_figures``); a draft is computed again
    (the ledger may have changed), a submitted request is refused."""
    code, year = _region(region), _year(year)
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput("季度应为 1 到 4", code="invalid_quarter")
    fund_year = FundYear.objects.filter(region_id=code, year=year).first()
    figures = services.request_figures(code, year, quarter, fund_year.funds_raised if fund_year else None)
    values = {"basis": figures.basis, "basis_start": figures.basis_start, "basis_end": figures.basis_end,
              "payouts": figures.movements.payouts, "adjustments": figures.movements.adjustments_and_deductions,
              "operating_costs": figures.movements.operating_costs, "computed": figures.computed}
    with transaction.atomic():
        request = (AppropriationRequest.objects.select_for_update()
                   .filter(region_id=code, year=year, quarter=quarter).first())
        if request is None:
            request = AppropriationRequest.objects.create(
                region_id=code, year=year, quarter=quarter, amount=figures.computed, **values,
                prepared_by=user_or_none(actor))
            record_event(actor, "fund.request_prepared", request, region_id=code, after=_request_state(request),
                         note=f"编制 {year} 年第 {quarter} 季度用款申请")
            return request
        if request.status != R.DRAFT:
            raise Conflict(f"{year} 年第 {quarter} 季度用款申请已{request.get_status_display()}，不能重新测算",
                           code="request_not_draft")
        before = _request_state(request)
        for name, value in values.items():
            setattr(request, name, value)
        request.amount = request.computed + request.adjustment
        if request.amount < 0:
            request.adjustment, request.adjustment_reason, request.amount = ZERO, "", request.computed
        if _request_state(request) != before:
            request.prepared_at = timezone.now()
            request.save()
            record_event(actor, "fund.request_recomputed", request, region_id=code, before=before,
                         after=_request_state(request), note="重新测算")
    return request


def do_adjust_request(actor: Any, request: AppropriationRequest, adjustment: Any, reason: str) -> AppropriationRequest:
    """财务调整: add (or, negative, take off) an amount with a reason; only while the request is a draft."""
    amount = money(adjustment, "调整金额", path="adjustment", positive=False)
    reason = require_reason(reason, "调整原因") if amount != 0 else ""
    with transaction.atomic():
        locked = AppropriationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != R.DRAFT:
            raise Conflict("用款申请已提交，不能再调整", code="request_not_draft")
        if locked.computed + amount < 0:
            raise InvalidInput(f"调整后的申请金额不能为负（测算金额 {locked.computed} 元）", code="invalid_amount")
        before = _request_state(locked)
        locked.adjustment, locked.adjustment_reason, locked.amount = amount, reason, locked.computed + amount
        locked.save(update_fields=["adjustment", "adjustment_reason", "amount"])
        record_event(actor, "fund.request_adjusted", locked, region_id=locked.region_id, before=before,
                     after=_request_state(locked), note=reason)
    return locked


def do_submit_request(actor: Any, request: AppropriationRequest, *, on: dt.date) -> AppropriationRequest:
    """提交用款申请 to the bureau (草稿 → 已提交). Submitting again changes nothing."""
    with transaction.atomic():
        locked = AppropriationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != R.DRAFT:
            return locked
        if locked.amount <= 0:
            raise Conflict("申请金额为零，无需提交", code="request_zero")
        locked.status, locked.submitted_on = R.SUBMITTED, on
        locked.submitted_by = user_or_none(actor)
        locked.save(update_fields=["status", "submitted_on", "submitted_by"])
        record_event(actor, "fund.request_submitted", locked, region_id=locked.region_id,
                     before={"status": R.DRAFT}, after={"status": locked.status, "submitted_on": on},
                     note=f"提交用款申请 {locked.number}，金额 {locked.amount} 元")
    return locked


def _refresh_request_status(actor: Any, request: AppropriationRequest) -> None:
    received = services.received_for(request)
    status = R.RECEIVED if received >= request.amount else (R.PARTLY_RECEIVED if received > 0 else R.SUBMITTED)
    if status != request.status:
        before = request.status
        request.status = status
        request.save(update_fields=["status"])
        record_event(actor, "fund.request_status", request, region_id=request.region_id, before={"status": before},
                     after={"status": status, "received": received})


# -- entries -------------------------------------------------------------------------------------------------

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
                       code="idempotency_conflict", details={"entry": existing.pk})
    return existing


def _check_funds(kind: str, region: str, on: dt.date, amount: Decimal) -> None:
    """Money leaves a bank account only if it is there; the revolving fund is repaid only up to what is owed."""
    if kind == K.TRANSFER:
        held = services.balances(region, on, (E.INCOME_BANK,)).get(E.INCOME_BANK, ZERO)
        if amount > held:
            raise Conflict(f"收入户存款余额 {held:,.2f} 元，不足划转 {amount:,.2f} 元", code="income_shortfall")
    if kind in (K.OPERATING_COST, K.REVOLVING_REPAY):
        short = services.spending_shortfall(region, amount, on)
        if short > 0:
            raise Conflict(f"支出户存款余额不足，还差 {short:,.2f} 元；请先划转资金或借入临时周转金",
                           code="spending_shortfall", details={"shortfall": str(short)})
    if kind == K.REVOLVING_REPAY:
        owed = services.revolving_outstanding(region, on)
        if amount > owed:
            raise Conflict(f"归还金额 {amount:,.2f} 元超过未归还的临时周转金 {owed:,.2f} 元", code="repay_too_much")


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


def _repayment_due(actor: Any, entry: FundEntry) -> RepaymentDue | None:
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


def _record(actor: Any, kind: str, region: Region | str, *, on: dt.date, amount: Any, key: str,
            reference_no: str = "", description: str = "", reason: str = "", approval_no: str = "",
            request: AppropriationRequest | None = None) -> FundEntry:
    code = _region(region)
    value = money(amount)
    reference_no = (reference_no or "").strip()
    key = (key or "").strip()
    if not key or len(key) > 90:
        raise InvalidInput("缺少幂等键或幂等键过长（不超过 90 个字符）", code="bad_key")
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
        raise InvalidInput(f"不支持的记录类型：{kind}", code="invalid_kind")
    if kind == K.TRANSFER:
        from dae.approvals.actions import require

        require(actor, "fund.transfer", amount=money(amount), region_id=_region(region),
                target=("fund.transfer", key), summary=f"{_region(region)} 划转支出户 {reference_no}".strip(),
                payload={"region": _region(region), "on": on.isoformat(), "amount": str(money(amount)), "key": key,
                         "reference_no": reference_no, "description": description, "reason": reason,
                         "approval_no": approval_no})
    if kind == K.REVOLVING_DRAW:
        reason = require_reason(reason, "借入原因")
        approval_no = (approval_no or "").strip()
        if not approval_no:
            raise InvalidInput("请填写审批文号", code="approval_required",
                               details=[{"path": "approval_no", "message": "请填写审批文号"}])
    return _record(actor, kind, region, on=on, amount=amount, key=key, reference_no=reference_no,
                   description=description, reason=(reason or "").strip()[:300], approval_no=approval_no[:64])


def do_receive_appropriation(actor: Any, request: AppropriationRequest, *, amount: Any, on: dt.date, slip_no: str,
                             description: str = "") -> FundEntry:
    """拨款到账 against a submitted request: ``Dr 100201 / Cr 1131``, keyed by the bank slip (银行回单号), so the
    same slip is never booked twice. The request becomes 部分到账 / 已到账; with a revolving fund outstanding a
    repayment falls due the next working day."""
    slip_no = (slip_no or "").strip()
    if not slip_no:
        raise InvalidInput("请填写银行回单号", code="slip_required", details=[{"path": "slip_no", "message": "请填写银行回单号"}])
    with transaction.atomic():
        locked = AppropriationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == R.DRAFT:
            raise Conflict("用款申请尚未提交，不能登记拨款到账", code="request_not_submitted")
        key = f"appropriation:{locked.region_id}:{slip_no}"
        known = FundEntry.objects.filter(key=key).exists()
        entry = _record(actor, K.APPROPRIATION, locked.region_id, on=on, amount=amount, key=key, reference_no=slip_no,
                        description=description or f"{locked.year} 年第 {locked.quarter} 季度拨款到账（回单 {slip_no}）",
                        request=locked)
        if not known:
            _refresh_request_status(actor, locked)
            _repayment_due(actor, entry)
    return entry


# -- clearing ------------------------------------------------------------------------------------------------

def do_record_clearing(actor: Any, fund_year: FundYear, kind: str, *, on: dt.date, reason: str,
                       amount: Any = None) -> Clearing:
    """记录清算: keep the report's figures and post the amount to return ``Dr 4001 / Cr 2401`` (default: the
    profit above the red level, ``ClearingReport.excess``). Recording again with the same amount returns the
    clearing already recorded; another amount is refused."""
    reason = require_reason(reason, "清算说明")
    report = services.clearing_report(fund_year, kind)
    value = report.excess if amount in (None, "") else money(amount, "退还金额", positive=False)
    if value < 0:
        raise InvalidInput("退还金额不能为负", code="invalid_amount")
    with transaction.atomic():
        existing = Clearing.objects.select_for_update().filter(fund_year=fund_year, kind=kind).first()
        if existing is not None:
            if existing.amount == value:
                return existing
            raise Conflict(f"该{existing.get_kind_display()}已于 {existing.on} 记录（退还 {existing.amount} 元），不能重复记录",
                           code="clearing_exists", details={"clearing": existing.pk})
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
            _set_aside(actor, clearing, report.profit - value)
    return clearing


# -- risk-adjustment fund (风险调节基金) ------------------------------------------------------------------------

def _set_aside(actor: Any, clearing: Clearing, surplus: Decimal) -> None:
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


def do_set_reserve_rule(actor: Any, *, share: Any, effective_from: dt.date, reason: str,
                        region: Region | str | None = None) -> RiskReserveRule:
    """设置风险调节基金提取比例 (manager): a new dated row; the one in force before stays in the history."""
    value = inputs.percent(share, field="share", label="提取比例")
    reason = require_reason(reason, "设置说明")
    code = _region(region) if region else None
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
    code = _region(region)
    if purpose not in RiskFundUse.Purpose.values:
        raise InvalidInput(f"不支持的用途：{purpose}", code="invalid_purpose")
    value = money(amount)
    reason = require_reason(reason, "申请理由")
    with transaction.atomic():
        held = services.risk_balance(code, on)
        if value > held:
            raise Conflict(f"风险调节基金余额 {held:,.2f} 元，不足动用 {value:,.2f} 元", code="risk_shortfall")
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
            raise Conflict(f"该申请{locked.get_status_display()}，不能再审批", code="risk_use_decided")
        if actor.pk in (locked.requested_by_id, locked.manager_by_id):
            raise PermissionDenied("申请人不能审批自己的申请，两级审批须由不同的人进行", code="self_approval")
        before = {"status": locked.status}
        if locked.status == S.REQUESTED:
            if post != "manager":
                raise PermissionDenied("该申请须先由管理岗审批", code="wrong_post")
            locked.status, locked.manager_by, locked.manager_at = S.MANAGER_APPROVED, actor, timezone.now()
            locked.save(update_fields=["status", "manager_by", "manager_at"])
            record_event(actor, "fund.risk_use_manager_approved", locked, region_id=locked.region_id, before=before,
                         after={"status": locked.status}, note="管理岗审批通过")
            return locked
        if post != "supervisor":
            raise PermissionDenied("该申请须由医保局监督审批", code="wrong_post")
        held = services.risk_balance(locked.region_id, locked.on)
        if locked.amount > held:
            raise Conflict(f"风险调节基金余额 {held:,.2f} 元，不足动用 {locked.amount:,.2f} 元", code="risk_shortfall")
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
            raise Conflict(f"该申请{locked.get_status_display()}，不能再审批", code="risk_use_decided")
        if actor.pk == locked.requested_by_id or getattr(actor, "post", "") != waiting_for:
            raise PermissionDenied("只有待审批岗位的其他人员可以拒绝该申请", code="wrong_post")
        before = {"status": locked.status}
        locked.status, locked.refusal = S.REFUSED, reason[:300]
        locked.save(update_fields=["status", "refusal"])
        record_event(actor, "fund.risk_use_refused", locked, region_id=locked.region_id, before=before,
                     after={"status": locked.status}, note=reason)
    return locked
