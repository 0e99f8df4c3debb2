"""Builders for the payout-engine tests: settlements in yuan strings, rule-set variants of the default."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dae.benefits.engine.model import (
    ChargeLevel,
    FeeLine,
    NationalTotals,
    PlaceCategory,
    Settlement,
    SettleWay,
    SpecialDrugKind,
    YearSums,
)
from dae.benefits.engine.rules import RuleBook, default_ruleset_document, load_rulebook

DEFAULT_DOC = default_ruleset_document()
BOOK = load_rulebook([DEFAULT_DOC])


def y(text: str) -> Decimal:
    """Yuan from a string: the tests never write money any other way."""
    return Decimal(text)


def ruleset_doc(**changes: Any) -> dict[str, Any]:
    """The default (桦甸) document with top-level fields replaced; nested dicts are merged one level deep."""
    doc = copy.deepcopy(DEFAULT_DOC)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    return doc


def book(*docs: dict[str, Any]) -> RuleBook:
    return load_rulebook(list(docs) or [DEFAULT_DOC])


def totals(inscp: str, *, fulamt: str = "0.00", overlmt: str = "0.00", pre: str = "0.00") -> NationalTotals:
    parts = [y(fulamt), y(overlmt), y(pre), y(inscp)]
    return NationalTotals(sum(parts, Decimal("0.00")), *parts)


def stay(
    setl_id: str,
    when: datetime | str,
    inscp: str,
    *,
    psn: str = "P1",
    place: PlaceCategory = PlaceCategory.LOCAL,
    way: SettleWay = SettleWay.DIRECT,
    adm: date | None = None,
    fulamt: str = "0.00",
) -> Settlement:
    """A settlement on the totals path with ``inscp`` yuan in scope."""
    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    return Settlement(
        setl_id=setl_id,
        psn_no=psn,
        setl_time=moment,
        place_category=place,
        settle_way=way,
        adm_date=adm,
        totals=totals(inscp, fulamt=fulamt),
    )


def line(
    sn: str,
    amount: str,
    level: str = "01",
    fee_type: str = "05",
    *,
    over_cap: str = "0.00",
    special: SpecialDrugKind | None = None,
    session: str | None = None,
    refund_of: str | None = None,
    cnt: str | None = None,
) -> FeeLine:
    return FeeLine(
        feedetl_sn=sn,
        det_item_fee_sumamt=y(amount),
        chrgitm_lv=ChargeLevel(level),
        med_chrgitm_type=fee_type,
        cnt=y(cnt) if cnt is not None else (Decimal(-1) if refund_of else Decimal(1)),
        overlmt_amt=y(over_cap),
        special_drug=special,
        dialysis_session=session,
        init_feedetl_sn=refund_of,
    )


def lines_stay(
    setl_id: str,
    when: str,
    lines: tuple[FeeLine, ...],
    *,
    psn: str = "P1",
    place: PlaceCategory = PlaceCategory.LOCAL,
    way: SettleWay = SettleWay.DIRECT,
) -> Settlement:
    return Settlement(
        setl_id=setl_id,
        psn_no=psn,
        setl_time=datetime.fromisoformat(when),
        place_category=place,
        settle_way=way,
        fee_lines=lines,
    )


def sums(eligible: str, base: str, paid: str) -> YearSums:
    return YearSums(y(eligible), y(base), y(paid))
