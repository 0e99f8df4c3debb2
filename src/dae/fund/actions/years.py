"""The fund year (基金年度): funds raised entered and changed (each version with its posting and history),
the warning levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region
from dae.ledger import entries as E
from dae.ledger.actions import do_post_simple
from dae.ledger.models import Transaction

from ..codes import Code
from ..models import (
    RED_LEVEL,
    YELLOW_LEVEL,
    FundYear,
    FundYearChange,
)
from .checks import check_contract, check_levels, money, valid_year


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
    code, year = inputs.known_region(region), valid_year(year)
    amount = money(funds_raised, "筹集资金", path="funds_raised")
    yellow = YELLOW_LEVEL if yellow_level is None else yellow_level
    red = RED_LEVEL if red_level is None else red_level
    check_levels(yellow, red)
    check_contract(contract_start, contract_end)
    with transaction.atomic():
        existing = FundYear.objects.select_for_update().filter(region_id=code, year=year).first()
        if existing is not None:
            if existing.funds_raised == amount:
                return existing
            raise Conflict(f"{code} {year} 年度筹集资金已录入（{existing.funds_raised} 元）；如需变更请填写变更原因",
                           code=Code.FUND_YEAR_EXISTS, details={"fund_year": existing.pk})
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
    check_levels(yellow_level, red_level)
    check_contract(contract_start, contract_end)
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
