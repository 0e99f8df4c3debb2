"""政策测算: every settlement of a past period re-run under the current rules and a draft, side by side.

The inputs are the stored settlements that count (as ``claims.payout.stored_inputs`` reads them: every counting
state, cancellations left out) whose policy year is the period's year. Every settlement, on the totals path or
the fee-line path (dialysis sessions with their fee lines), goes through the batch engine on DuckDB under both rule
books in one run (``run_batches``: read and checked once; integer fen, set operations and window functions; equal
to the reference engine to the fen, tests/benefits_engine/test_batch.py).

The current rules are the region's published versions as they stood (mid-year version changes included); the
draft is one rule-set document applied to the whole period (its ``valid_from`` moved to the first day). The
results are every settlement's payout in fen under both; the figures shown (totals, breakdowns by hospital level,
place category, month and the year's 大额 base segment, persons who gain or lose and the distribution of their
changes, the largest changes with the reference engine's explanation) are grouped from them, and the digest is
the SHA-256 of the sorted (settlement, current, draft) list, so a re-run shows whether it gives the same fen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dae.benefits.engine import model as em
from dae.benefits.engine.explain import format_trace_zh
from dae.benefits.engine.person_year import calculate, policy_year_of
from dae.benefits.engine.rules import RuleBook, load_rulebook
from dae.benefits.queries import book_documents, ruleset_for_region
from dae.claims.models import Adjustment, FeeLine, Settlement
from dae.claims.payout import COUNTING
from dae.claims.states import ClaimState
from dae.core.codes import CoreCode
from dae.core.errors import NotFound

from .simcore import Meta, aggregate, compute, compute_both, draft_book, engine_tables, fen, meta_table, with_changes

__all__ = ["compute", "current_book", "draft_book", "period_inputs", "simulate", "with_changes"]


@dataclass(frozen=True)
class Inputs:
    settlements: list[em.Settlement]
    meta: dict[str, Meta]
    version: str


SETTLEMENT_FIELDS = ("id", "setl_id", "psn_no", "setl_time", "place_category", "settle_way", "adm_date",
                     "dscg_date", "med_type", "mdtrt_id", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
                     "preselfpay_amt", "inscp_scp_amt", "hifob_pay", "computed_pay", "hospital__level")
LINE_FIELDS = ("settlement_id", "feedetl_sn", "det_item_fee_sumamt", "chrgitm_lv", "med_chrgitm_type", "cnt", "pric",
               "med_list_codg", "overlmt_amt", "sp_drug_kind", "dialysis_session", "init_feedetl_sn")
_SPECIAL = {"": None, "basic": em.SpecialDrugKind.IN_BASIC_SCOPE, "b_managed": em.SpecialDrugKind.CLASS_B_MANAGED}
# Enum members by value through a dict: calling the enum per row costs more than the rest of building the row.
_LEVEL = {member.value: member for member in em.ChargeLevel}
_PLACE = {member.value: member for member in em.PlaceCategory}
_WAY = {member.value: member for member in em.SettleWay}


def _line(v: dict[str, Any]) -> em.FeeLine:
    """The engine's fee line from a row of values (as ``claims.payout.engine_line`` builds it from a model)."""
    return em.FeeLine(
        feedetl_sn=v["feedetl_sn"], det_item_fee_sumamt=v["det_item_fee_sumamt"],
        chrgitm_lv=_LEVEL[v["chrgitm_lv"]], med_chrgitm_type=v["med_chrgitm_type"], cnt=v["cnt"],
        pric=v["pric"], med_list_codg=v["med_list_codg"], overlmt_amt=v["overlmt_amt"],
        special_drug=_SPECIAL.get(v.get("sp_drug_kind") or ""), dialysis_session=v["dialysis_session"] or None,
        init_feedetl_sn=v["init_feedetl_sn"] or None)


def _aware(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the local time zone: a range on the indexed column, not a date function per row."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def period_inputs(region: str, year: int, book: RuleBook) -> Inputs:
    """The counting settlements of ``region`` whose policy year (under ``book``) is ``year``, as engine inputs
    (dialysis settlements with their fee lines, the rest with the national totals, as ``claims.payout`` does),
    with what the breakdowns need; the data version is a digest of what was read. Two queries of values."""
    start = dt.date(year - 1, 12, 1)  # a policy year by admission date may begin before the calendar year
    counted = Settlement.objects.filter(region_id=region, state__in=COUNTING, init_setl_id="",
                                        setl_time__gte=_aware(start), setl_time__lt=_aware(dt.date(year + 1, 2, 1)))
    rows = list(counted.order_by("id").values(*SETTLEMENT_FIELDS))
    line_fields = [f for f in LINE_FIELDS if f != "sp_drug_kind" or hasattr(FeeLine, "sp_drug_kind")]
    dialysis = FeeLine.objects.filter(settlement__in=counted.values("id")).exclude(dialysis_session="")
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in FeeLine.objects.filter(settlement_id__in=dialysis.values("settlement_id")).order_by(
            "settlement_id", "feedetl_sn").values(*line_fields):
        lines[v["settlement_id"]].append(v)
    adjusted = _adjusted(counted)
    settlements, meta = [], {}
    digest = hashlib.sha256()
    for row in rows:
        mine = lines.get(row["id"], ())
        totals = None if mine else em.NationalTotals(row["medfee_sumamt"], row["fulamt_ownpay_amt"],
                                                     row["overlmt_selfpay"], row["preselfpay_amt"],
                                                     row["inscp_scp_amt"])
        s = em.Settlement(
            setl_id=row["setl_id"], psn_no=row["psn_no"], setl_time=row["setl_time"],
            place_category=_PLACE[row["place_category"]], settle_way=_WAY[row["settle_way"]],
            adm_date=row["adm_date"], dscg_date=row["dscg_date"], med_type=row["med_type"], mdtrt_id=row["mdtrt_id"],
            fee_lines=tuple(_line(v) for v in mine), totals=totals)
        if policy_year_of(s, book) != year:
            continue
        settlements.append(s)
        meta[row["setl_id"]] = Meta(psn_no=row["psn_no"], hospital_level=row["hospital__level"],
                                    place_category=row["place_category"], month=f"{row['setl_time']:%Y-%m}",
                                    stored_fen=fen(system_payout(row, adjusted)), dialysis=bool(mine),
                                    declared_fen=fen(row["hifob_pay"]))
        digest.update(f"{row['setl_id']}|{row['setl_time'].isoformat()}|{row['medfee_sumamt']}|"
                      f"{row['inscp_scp_amt']}|{row['hifob_pay']}|{len(mine)}\n".encode())
    return Inputs(settlements=settlements, meta=meta, version=digest.hexdigest())


def _adjusted(counted: Any) -> dict[int, Decimal]:
    """The latest 补付/追回 of each settlement that has one: its payout as last recomputed by the system."""
    rows = Adjustment.objects.filter(settlement__in=counted.values("id")).order_by("settlement_id", "created_at", "id")
    return dict(rows.values_list("settlement_id", "new_payout"))  # later adjustments overwrite earlier ones


def system_payout(row: dict[str, Any], adjusted: dict[int, Decimal]) -> Decimal | None:
    """What the system computed for a settlement: the last 补付/追回's payout, else its 核定 payout
    (``computed_pay``, written by the declaration check), else — never computed — what the hospital declared."""
    if row["id"] in adjusted:
        return adjusted[row["id"]]
    return row["computed_pay"] if row["computed_pay"] is not None else row["hifob_pay"]


def current_book(region: str) -> tuple[RuleBook, list[str]]:
    ruleset = ruleset_for_region(region)
    if ruleset is None:
        raise NotFound("该统筹区尚未设置补偿规则", code=CoreCode.NO_RULESET)
    documents = book_documents(ruleset)
    return load_rulebook(documents), [str(d.get("version")) for d in documents]


def simulate(region: str, year: int, draft_document: dict[str, Any], *, explain_top: int = 5) -> dict[str, Any]:
    """Run the period under both rule sets; returns the figures (fen, ints) and the digest."""
    started = time.perf_counter()
    book_now, versions = current_book(region)
    book_draft = draft_book(draft_document, year)
    inputs = period_inputs(region, year, book_now)
    read = time.perf_counter()
    side = compute_both(engine_tables(inputs.settlements), meta_table(inputs.meta), book_now, book_draft)
    computed = time.perf_counter()
    results = {"region": region, "year": year, "current_versions": versions,
               "draft_version": str(draft_document.get("version", "")), "data_version": inputs.version,
               **aggregate(region, side, book_now)}
    explain_differences(region, year, results["reconciliation"]["rows"])
    grouped = time.perf_counter()
    results["explanations"] = explain_people([t["psn_no"] for t in results["top"][:explain_top]],
                                             inputs.settlements, book_now, book_draft)
    done = time.perf_counter()
    results["seconds"] = round(done - started, 2)
    results["timings"] = {"read": round(read - started, 2), "compute": round(computed - read, 2),
                          "group": round(grouped - computed, 2), "explain": round(done - grouped, 2)}
    return results


#: why a settlement's current-rule payout differs from what the system stored (the page names each reason)
NOT_COMPUTED = "not_computed"      # no 核定 payout: the declaration check has not run on it (declared compared)
CANCELLED_LATER = "cancelled"      # another settlement of the person's year stopped counting after it was computed
ADJUSTED = "adjusted"              # recomputed by a 补付/追回 that still differs
RECOMPUTED = "recomputed"          # none of the above: the rules or the settlement's data changed since
#: the states of a settlement that counted once and no longer does (a 2305 cancellation is not one of them)
STOPPED = (ClaimState.CANCELLED, ClaimState.REJECTED, ClaimState.RETURNED)


def explain_differences(region: str, year: int, rows: list[dict[str, Any]]) -> None:
    """Give each listed difference its reason (``reason``, and ``causes``: the setl_ids of the person's year that
    stopped counting) and the hospital's name, from what is stored; three queries."""
    if not rows:
        return
    start, end = _aware(dt.date(year - 1, 12, 1)), _aware(dt.date(year + 1, 2, 1))
    stored = {r["setl_id"]: r for r in Settlement.objects.filter(region_id=region, setl_id__in=[x["setl_id"] for x in rows])
              .values("id", "setl_id", "computed_pay", "hospital__name")}
    adjusted = set(Adjustment.objects.filter(settlement_id__in=[r["id"] for r in stored.values()])
                   .values_list("settlement_id", flat=True))
    dropped: dict[str, list[str]] = defaultdict(list)
    for psn, setl_id in (Settlement.objects.filter(region_id=region, psn_no__in={x["psn_no"] for x in rows},
                                                   setl_time__gte=start, setl_time__lt=end)
                         .filter(state__in=STOPPED, init_setl_id="").order_by("setl_time")
                         .values_list("psn_no", "setl_id")):
        dropped[psn].append(setl_id)
    for row in rows:
        mine = stored.get(row["setl_id"], {})
        row["hospital"] = mine.get("hospital__name", "")
        row["causes"] = dropped.get(row["psn_no"], [])[:5]
        if mine.get("computed_pay") is None:
            row["reason"] = NOT_COMPUTED
        elif mine.get("id") in adjusted:
            row["reason"] = ADJUSTED
        elif row["causes"]:
            row["reason"] = CANCELLED_LATER
        else:
            row["reason"] = RECOMPUTED


def explain_people(psn_nos: list[str], settlements: list[em.Settlement], book_now: RuleBook,
                   book_draft: RuleBook) -> dict[str, dict[str, str]]:
    """The reference engine's explanation of a person's year under both rule sets."""
    out = {}
    for psn in psn_nos:
        mine = [s for s in settlements if s.psn_no == psn]
        if not mine:
            continue
        before = calculate(mine, book_now, trace=True).person_years
        after = calculate(mine, book_draft, trace=True).person_years
        out[psn] = {"current": "\n".join(format_trace_zh(py) for py in before),
                    "draft": "\n".join(format_trace_zh(py) for py in after)}
    return out


def person_delta_reference(psn_no: str, settlements: list[em.Settlement], book_now: RuleBook,
                           book_draft: RuleBook) -> int:
    """A person's change (fen) computed by the reference engine alone (used by the tests)."""
    mine = [s for s in settlements if s.psn_no == psn_no]
    total = 0
    for book, sign in ((book_draft, 1), (book_now, -1)):
        for py in calculate(mine, book, trace=False).person_years:
            total += sign * sum(fen(r.payout) for r in py.settlements)
    return total
