"""The demo's declared payouts (``hifob_pay``): each region's settlements through the reference engine.

Haemodialysis settlements go in with their fee lines (the per-session limit needs them), the rest with the
national totals. A 2305 cancellation carries the negated payout of the settlement it cancels, as the platform
sends it. Must never import Django.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from dae.benefits.engine.model import ChargeLevel, FeeLine, NationalTotals, PlaceCategory, Settlement, SettleWay
from dae.benefits.engine.model import SpecialDrugKind as Kind
from dae.benefits.engine.person_year import calculate
from dae.benefits.engine.rules import RuleBook

from . import city as c

_SPECIAL = {"": None, "basic": Kind.IN_BASIC_SCOPE, "b_managed": Kind.CLASS_B_MANAGED}


def _fee_line(line: c.FeeLine) -> FeeLine:
    return FeeLine(
        feedetl_sn=line.feedetl_sn, det_item_fee_sumamt=line.det_item_fee_sumamt,
        chrgitm_lv=ChargeLevel(line.chrgitm_lv), med_chrgitm_type=line.med_chrgitm_type, cnt=line.cnt,
        pric=line.pric, med_list_codg=line.med_list_codg, overlmt_amt=line.overlmt_amt,
        special_drug=_SPECIAL[line.sp_drug_kind], dialysis_session=line.dialysis_session_id,
        init_feedetl_sn=line.init_feedetl_sn,
    )


def _engine_settlement(s: c.Settlement, lines: list[c.FeeLine]) -> Settlement:
    dialysis = any(line.dialysis_session_id for line in lines)
    totals = None if dialysis else NationalTotals(s.medfee_sumamt, s.fulamt_ownpay_amt, s.overlmt_selfpay,
                                                  s.preselfpay_amt, s.inscp_scp_amt)
    return Settlement(
        setl_id=s.setl_id, psn_no=s.psn_no, setl_time=s.setl_time, place_category=PlaceCategory(s.place_category),
        settle_way=SettleWay(s.settle_way), adm_date=s.adm_date, dscg_date=s.dscg_date, med_type=s.med_type,
        mdtrt_id=s.mdtrt_id, fee_lines=tuple(_fee_line(x) for x in lines) if dialysis else (), totals=totals,
    )


def demo_payouts(city: c.City, books: Mapping[str, RuleBook]) -> dict[str, Decimal]:
    """``hifob_pay`` of every settlement of ``city``, by ``setl_id``; ``books`` by region (admdvs)."""
    lines_by_setl: dict[str, list[c.FeeLine]] = defaultdict(list)
    for line in city.fee_lines:
        lines_by_setl[line.setl_id].append(line)
    by_region: dict[str, list[Settlement]] = defaultdict(list)
    cancellations = [s for s in city.settlements if s.init_setl_id]
    for s in city.settlements:
        if not s.init_setl_id:
            by_region[s.admdvs].append(_engine_settlement(s, lines_by_setl[s.setl_id]))
    payouts: dict[str, Decimal] = {}
    for region, settlements in by_region.items():
        calculation = calculate(settlements, books[region], trace=False)
        for person_year in calculation.person_years:
            for result in person_year.settlements:
                payouts[result.setl_id] = result.payout
    for s in cancellations:
        assert s.init_setl_id is not None
        payouts[s.setl_id] = -payouts[s.init_setl_id]
    return payouts
