"""The appropriation request (拨款申请): prepared from the quarter's figures, adjusted, submitted, and the
appropriation received against it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region
from dae.core.money import ZERO

from .. import services
from ..codes import Code
from ..models import (
    AppropriationRequest,
    FundEntry,
    FundYear,
)
from .checks import K, R, money, valid_year
from .entries import record_entry, repayment_due


def _request_state(request: AppropriationRequest) -> dict[str, Any]:
    return {"status": request.status, "basis": request.basis, "payouts": request.payouts,
            "adjustments": request.adjustments, "operating_costs": request.operating_costs,
            "computed": request.computed, "adjustment": request.adjustment, "amount": request.amount}


def do_prepare_request(actor: Any, region: Region | str, year: int, quarter: int) -> AppropriationRequest:
    """编制用款申请 for a quarter from the ledger (see ``services.request_figures``); a draft is computed again
    (the ledger may have changed), a submitted request is refused."""
    code, year = inputs.known_region(region), valid_year(year)
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput("季度应为 1 到 4", code=Code.INVALID_QUARTER)
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
                           code=Code.REQUEST_NOT_DRAFT)
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
            raise Conflict("用款申请已提交，不能再调整", code=Code.REQUEST_NOT_DRAFT)
        if locked.computed + amount < 0:
            raise InvalidInput(f"调整后的申请金额不能为负（测算金额 {locked.computed} 元）", code=inputs.InputCode.INVALID_AMOUNT)
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
            raise Conflict("申请金额为零，无需提交", code=Code.REQUEST_ZERO)
        locked.status, locked.submitted_on = R.SUBMITTED, on
        locked.submitted_by = user_or_none(actor)
        locked.save(update_fields=["status", "submitted_on", "submitted_by"])
        record_event(actor, "fund.request_submitted", locked, region_id=locked.region_id,
                     before={"status": R.DRAFT}, after={"status": locked.status, "submitted_on": on},
                     note=f"提交用款申请 {locked.number}，金额 {locked.amount} 元")
    return locked


def refresh_request_status(actor: Any, request: AppropriationRequest) -> None:
    received = services.received_for(request)
    status = R.RECEIVED if received >= request.amount else (R.PARTLY_RECEIVED if received > 0 else R.SUBMITTED)
    if status != request.status:
        before = request.status
        request.status = status
        request.save(update_fields=["status"])
        record_event(actor, "fund.request_status", request, region_id=request.region_id, before={"status": before},
                     after={"status": status, "received": received})


def do_receive_appropriation(actor: Any, request: AppropriationRequest, *, amount: Any, on: dt.date, slip_no: str,
                             description: str = "") -> FundEntry:
    """拨款到账 against a submitted request: ``Dr 100201 / Cr 1131``, keyed by the bank slip (银行回单号), so the
    same slip is never booked twice. The request becomes 部分到账 / 已到账; with a revolving fund outstanding a
    repayment falls due the next working day."""
    slip_no = (slip_no or "").strip()
    if not slip_no:
        raise InvalidInput("请填写银行回单号", code=Code.SLIP_REQUIRED, details=[{"path": "slip_no", "message": "请填写银行回单号"}])
    with transaction.atomic():
        locked = AppropriationRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status == R.DRAFT:
            raise Conflict("用款申请尚未提交，不能登记拨款到账", code=Code.REQUEST_NOT_SUBMITTED)
        key = f"appropriation:{locked.region_id}:{slip_no}"
        known = FundEntry.objects.filter(key=key).exists()
        entry = record_entry(actor, K.APPROPRIATION, locked.region_id, on=on, amount=amount, key=key, reference_no=slip_no,
                             description=description or f"{locked.year} 年第 {locked.quarter} 季度拨款到账（回单 {slip_no}）",
                             request=locked)
        if not known:
            refresh_request_status(actor, locked)
            repayment_due(actor, entry)
    return entry
