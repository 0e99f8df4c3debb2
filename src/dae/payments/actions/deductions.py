"""Confirmed deductions (扣款): an amount a hospital must give back — an audit finding confirmed by the three
parties, an on-site inspection, or another confirmed recovery — taken from its next monthly statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from dae.approvals.actions import require
from dae.catalog.models import Hospital
from dae.core.codes import CoreCode, InputCode
from dae.core.errors import InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.money import D, MoneyError
from dae.ledger.actions import do_post_deduction

from ..models import Deduction


def do_record_deduction(hospital: Hospital, *, amount: Decimal | str, kind: str, reason: str,
                        source: tuple[str, str | int], confirmed_on: dt.date, actor: Any) -> Deduction:
    """Register a confirmed deduction and post it (应收扣款 / 补助支出) in one transaction. ``source`` names the
    confirming business object (e.g. ``("audit.finding", 42)``); the same source again returns the first one."""
    reason = require_reason(reason, "扣款原因")
    try:
        value = D(amount)
    except MoneyError as exc:
        raise InvalidInput(f"扣款金额格式错误：{amount}", code=InputCode.INVALID_AMOUNT) from exc
    if value <= 0:
        raise InvalidInput("扣款金额须大于 0", code=InputCode.INVALID_AMOUNT)
    if kind not in Deduction.Kind.values or kind == Deduction.Kind.CARRIED:
        raise InvalidInput(f"扣款类型应为 audit、inspection 或 other：{kind}", code=CoreCode.INVALID_KIND)
    source_type, source_id = source[0], str(source[1])
    if source_type == "document":  # audit and inspection deductions come through their own confirmation
        require(actor, "payments.deduction", amount=value, region_id=hospital.region_id,
                target=("payments.deduction_source", f"{source_type}:{source_id}"),
                summary=f"{hospital.name} 扣款 {source_id}",
                payload={"hospital": hospital.pk, "amount": str(value), "kind": kind, "reason": reason,
                         "source": [source_type, source_id], "confirmed_on": confirmed_on.isoformat()})
    with transaction.atomic():
        existing = Deduction.objects.filter(source_type=source_type, source_id=source_id).first()
        if existing is not None:
            return existing
        deduction = Deduction.objects.create(
            hospital=hospital, region_id=hospital.region_id, kind=kind, amount=value, reason=reason,
            source_type=source_type, source_id=source_id, confirmed_on=confirmed_on,
            created_by=user_or_none(actor))
        do_post_deduction(amount=value, on=confirmed_on, reference=("payments.deduction", deduction.pk),
                          key=f"deduction:{deduction.pk}", region=hospital.region_id, actor=actor,
                          description=f"{hospital.name} {deduction.get_kind_display()} {value} 元：{reason}"[:300])
        record_event(actor, "deduction.recorded", deduction, region_id=hospital.region_id,
                     after={"hospital": hospital.code, "kind": kind, "amount": value, "source": [source_type, source_id]})
    return deduction
