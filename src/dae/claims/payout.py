"""The engine over stored settlements: a person-year recomputed from the database, with its explanation.

Used by the declaration check, by manual reimbursement and by the self-service explanation. A settlement goes
into the engine with its fee lines when it has dialysis sessions (the per-session limit needs them) and with the
national totals otherwise — the same choice the demo and the batch make.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Q

from dae.benefits.engine import model as em
from dae.benefits.engine.person_year import calculate, policy_year_of
from dae.benefits.engine.results import PersonYearResult, SettlementResult
from dae.benefits.engine.rules import RuleBook
from dae.benefits.queries import rulebook_for, ruleset_for_region
from dae.core.codes import CoreCode
from dae.core.errors import NotFound

from .models import FeeLine, Settlement
from .states import ClaimState

#: States whose settlements count in a person-year (a rejected, returned or cancelled one does not).
COUNTING = (ClaimState.COMPUTED, ClaimState.CHECKED, ClaimState.APPROVED, ClaimState.PAYABLE, ClaimState.PAID)

_SPECIAL = {"": None, "basic": em.SpecialDrugKind.IN_BASIC_SCOPE, "b_managed": em.SpecialDrugKind.CLASS_B_MANAGED}


def book_for_region(region_id: str) -> RuleBook:
    ruleset = ruleset_for_region(region_id)
    if ruleset is None:
        raise NotFound("该统筹区尚未设置补偿规则", code=CoreCode.NO_RULESET)
    return rulebook_for(ruleset)


def engine_line(line: FeeLine) -> em.FeeLine:
    return em.FeeLine(
        feedetl_sn=line.feedetl_sn, det_item_fee_sumamt=line.det_item_fee_sumamt,
        chrgitm_lv=em.ChargeLevel(line.chrgitm_lv), med_chrgitm_type=line.med_chrgitm_type, cnt=line.cnt,
        pric=line.pric, med_list_codg=line.med_list_codg, overlmt_amt=line.overlmt_amt,
        special_drug=_SPECIAL.get(getattr(line, "sp_drug_kind", "") or ""),
        dialysis_session=line.dialysis_session or None, init_feedetl_sn=line.init_feedetl_sn or None,
    )


def engine_settlement(s: Settlement, lines: Sequence[FeeLine] = ()) -> em.Settlement:
    """The engine's input for a stored settlement (``lines`` only matter when they carry dialysis sessions)."""
    dialysis = any(line.dialysis_session for line in lines)
    totals = None if dialysis else em.NationalTotals(s.medfee_sumamt, s.fulamt_ownpay_amt, s.overlmt_selfpay,
                                                     s.preselfpay_amt, s.inscp_scp_amt)
    return em.Settlement(
        setl_id=s.setl_id, psn_no=s.psn_no, setl_time=s.setl_time, place_category=em.PlaceCategory(s.place_category),
        settle_way=em.SettleWay(s.settle_way), adm_date=s.adm_date, dscg_date=s.dscg_date, med_type=s.med_type,
        mdtrt_id=s.mdtrt_id, fee_lines=tuple(engine_line(x) for x in lines) if dialysis else (), totals=totals,
    )


def stored_inputs(psn_nos: Iterable[str], *, exclude: Iterable[str] = (),
                  include: Iterable[str] = ()) -> dict[str, list[em.Settlement]]:
    """Every counting settlement of these persons as engine inputs, by person (cancellations excluded);
    ``include`` counts these settlements too whatever their state (e.g. an original before its 2305)."""
    excluded = set(exclude)
    states = Q(state__in=COUNTING) | Q(setl_id__in=set(include))
    rows = list(Settlement.objects.filter(states, psn_no__in=set(psn_nos), init_setl_id="")
                .exclude(setl_id__in=excluded))
    dialysis_ids = set(FeeLine.objects.filter(settlement__in=rows).exclude(dialysis_session="")
                       .values_list("settlement_id", flat=True))
    lines: dict[int, list[FeeLine]] = defaultdict(list)
    if dialysis_ids:
        for line in FeeLine.objects.filter(settlement_id__in=dialysis_ids).order_by("feedetl_sn"):
            lines[line.settlement_id].append(line)
    out: dict[str, list[em.Settlement]] = defaultdict(list)
    for row in rows:
        out[row.psn_no].append(engine_settlement(row, lines.get(row.pk, ())))
    return out


def person_year(psn_no: str, region_id: str, policy_year: int, *, extra: Sequence[em.Settlement] = (),
                exclude: Iterable[str] = (), trace: bool = True) -> PersonYearResult | None:
    """The person-year computed from the database, with ``extra`` settlements added and ``exclude`` left out."""
    book = book_for_region(region_id)
    inputs = stored_inputs([psn_no], exclude=exclude).get(psn_no, []) + list(extra)
    members = [s for s in inputs if policy_year_of(s, book) == policy_year]
    if not members:
        return None
    return calculate(members, book, trace=trace).person_years[0]


def explain(settlement: Settlement) -> SettlementResult | None:
    """The settlement's computation with its trace, as the engine gives it today from the stored person-year."""
    book = book_for_region(settlement.region_id)
    lines = list(settlement.lines.all()) if settlement.lines.exclude(dialysis_session="").exists() else []
    mine = engine_settlement(settlement, lines)
    result = person_year(settlement.psn_no, settlement.region_id, policy_year_of(mine, book),
                         extra=[] if settlement.state in COUNTING else [mine], trace=True)
    if result is None:
        return None
    for item in result.settlements:
        if item.setl_id == settlement.setl_id:
            return item
    return None

