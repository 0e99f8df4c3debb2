"""Trial calculation (试算) through the public JSON formats: input document in, output document out.

The formats are versioned and published as JSON Schemas (``schemas/calc-input.schema.json``,
``calc-output.schema.json``). The input is checked completely before anything is computed: a bad document raises
``InputInvalid`` (or ``RuleSetInvalid`` for the rules) listing every field at fault with a Chinese and an English
reason, and yields no partial result. Amounts travel as decimal strings; a JSON number with a fraction is refused
because most JSON tools have already turned it into a binary float. Must never import Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dae.benefits.engine.checks import TOTAL_FIELDS, input_errors, opening_errors
from dae.benefits.engine.errors import FieldError, InputInvalid
from dae.benefits.engine.model import (
    Cancellation,
    ChargeLevel,
    FeeLine,
    NationalTotals,
    PlaceCategory,
    Settlement,
    SettleWay,
    SpecialDrugKind,
    YearOpening,
    YearSums,
)
from dae.benefits.engine.person_year import calculate
from dae.benefits.engine.results import (
    Calculation,
    DialysisSessionResult,
    LineResult,
    PersonYearResult,
    SegmentShare,
    SettlementResult,
)
from dae.benefits.engine.rules import RuleBook, load_rulebook
from dae.benefits.engine.schemas import CALC_INPUT_SCHEMA, schema_errors
from dae.core.money import FEN, ZERO, D

FORMAT_VERSION = "1"


@dataclass(frozen=True, slots=True)
class TrialRequest:
    """A parsed, checked trial-calculation input."""

    settlements: tuple[Settlement, ...]
    openings: tuple[YearOpening, ...]
    cancellations: tuple[Cancellation, ...]


def calculate_from_json(rules_docs: Sequence[Mapping[str, Any]], input_doc: Any, trace: bool = False) -> dict[str, Any]:
    """Validate the rules and the input, compute, and return the output document (format 1).

    Raises ``RuleSetInvalid`` or ``InputInvalid`` (both carry ``to_doc()`` for the JSON error object).
    """
    book = load_rulebook(rules_docs)
    request = parse_input(input_doc, book)
    calculation = calculate(
        request.settlements, book, openings=request.openings, cancellations=request.cancellations, trace=trace
    )
    return render_output(request, calculation, trace=trace)


def parse_input(document: Any, book: RuleBook) -> TrialRequest:
    """Schema first (shape), then values (dates), then meaning (identity, refunds, versions, cancellations)."""
    errors = schema_errors(CALC_INPUT_SCHEMA, document)
    if errors:
        raise InputInvalid(errors)
    parser = _Parser()
    openings = parser.openings(document["persons"])
    settlements = tuple(parser.settlement(s, f"settlements[{i}]") for i, s in enumerate(document["settlements"]))
    cancellations = tuple(parser.cancellation(c) for c in document.get("cancellations", []))
    errors = parser.errors + _person_errors(document) + _declared_total_errors(document)
    if not parser.errors:
        errors += input_errors(settlements, book, cancellations=cancellations)
    if errors:
        raise InputInvalid(errors)
    return TrialRequest(settlements, openings, cancellations)


class _Parser:
    """Builds model values from a schema-valid document, collecting value errors (e.g. 2025-02-30)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def day(self, text: str | None, path: str) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors.append(FieldError(path, "invalid_date", f"{text!r} 不是有效日期", f"{text!r} is not a date"))
            return None

    def moment(self, text: str, path: str) -> datetime:
        try:
            return datetime.fromisoformat(text.replace(" ", "T"))
        except ValueError:
            self.errors.append(
                FieldError(path, "invalid_datetime", f"{text!r} 不是有效日期时间", f"{text!r} is not a date-time")
            )
            return datetime(1970, 1, 1)

    def openings(self, persons: Sequence[Mapping[str, Any]]) -> tuple[YearOpening, ...]:
        result = []
        for i, person in enumerate(persons):
            seen: set[int] = set()
            for j, item in enumerate(person.get("openings", [])):
                path = f"persons[{i}].openings[{j}]"
                sums = YearSums(D(item["eligible_amount"]), D(item["dae_base"]), D(item["paid"]))
                self.errors += opening_errors(sums, path)
                if item["policy_year"] in seen:
                    self.errors.append(
                        FieldError(
                            f"{path}.policy_year",
                            "duplicate_opening",
                            f"{item['policy_year']} 年度的期初累计重复",
                            f"opening for {item['policy_year']} given twice",
                        )
                    )
                seen.add(item["policy_year"])
                result.append(YearOpening(person["psn_no"], item["policy_year"], sums))
        return tuple(result)

    def settlement(self, doc: Mapping[str, Any], path: str) -> Settlement:
        lines = tuple(self.fee_line(line) for line in doc.get("fee_lines", []))
        return Settlement(
            setl_id=doc["setl_id"],
            psn_no=doc["psn_no"],
            setl_time=self.moment(doc["setl_time"], f"{path}.setl_time"),
            place_category=PlaceCategory(doc["place_category"]),
            settle_way=SettleWay(doc["settle_way"]),
            adm_date=self.day(doc.get("adm_date"), f"{path}.adm_date"),
            dscg_date=self.day(doc.get("dscg_date"), f"{path}.dscg_date"),
            med_type=doc.get("med_type", ""),
            mdtrt_id=doc.get("mdtrt_id", ""),
            fee_lines=lines,
            totals=None if lines else _totals(doc),
        )

    def fee_line(self, doc: Mapping[str, Any]) -> FeeLine:
        special = doc.get("special_drug")
        return FeeLine(
            feedetl_sn=doc["feedetl_sn"],
            det_item_fee_sumamt=D(doc["det_item_fee_sumamt"]),
            chrgitm_lv=ChargeLevel(doc["chrgitm_lv"]),
            med_chrgitm_type=doc["med_chrgitm_type"],
            cnt=D(doc["cnt"]),
            pric=None if doc.get("pric") is None else D(doc["pric"]),
            med_list_codg=doc["med_list_codg"],
            overlmt_amt=D(doc.get("overlmt_amt", "0")),
            special_drug=None if special is None else SpecialDrugKind(special),
            dialysis_session=doc.get("dialysis_session"),
            init_feedetl_sn=doc.get("init_feedetl_sn"),
        )

    def cancellation(self, doc: Mapping[str, Any]) -> Cancellation:
        amounts = _totals(doc) if "medfee_sumamt" in doc else None
        return Cancellation(setl_id=doc["setl_id"], psn_no=doc["psn_no"], amounts=amounts)


def _totals(doc: Mapping[str, Any]) -> NationalTotals:
    return NationalTotals(*(D(doc[field]) for field in TOTAL_FIELDS))


def _person_errors(document: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    known: set[str] = set()
    for i, person in enumerate(document["persons"]):
        if person["psn_no"] in known:
            errors.append(
                FieldError(
                    f"persons[{i}].psn_no",
                    "duplicate_person",
                    f"人员编号 {person['psn_no']} 重复",
                    f"psn_no {person['psn_no']} is listed twice",
                )
            )
        known.add(person["psn_no"])
    for i, settlement in enumerate(document["settlements"]):
        if settlement["psn_no"] not in known:
            errors.append(
                FieldError(
                    f"settlements[{i}].psn_no",
                    "unknown_person",
                    f"人员编号 {settlement['psn_no']} 未在 persons 中列出",
                    f"psn_no {settlement['psn_no']} is not listed in persons",
                )
            )
    return errors


def _declared_total_errors(document: Mapping[str, Any]) -> list[FieldError]:
    """With fee lines, a declared medfee_sumamt is a check: it must equal the lines' sum."""
    errors = []
    for i, settlement in enumerate(document["settlements"]):
        if "fee_lines" not in settlement or "medfee_sumamt" not in settlement:
            continue
        declared = D(settlement["medfee_sumamt"])
        summed = sum((D(line["det_item_fee_sumamt"]) for line in settlement["fee_lines"]), ZERO)
        if declared != summed:
            errors.append(
                FieldError(
                    f"settlements[{i}].medfee_sumamt",
                    "declared_total_mismatch",
                    f"医疗费总额 {declared} 与费用明细合计 {summed} 不一致",
                    f"medfee_sumamt {declared} differs from the fee lines' sum {summed}",
                )
            )
    return errors


def money(value: Decimal) -> str:
    """An amount for the output: always two decimals (values are already whole fen)."""
    return format(value.quantize(FEN), "f")


def plain(value: Decimal) -> str:
    """A ratio or an unrounded amount, every digit kept and never in exponent notation."""
    return format(value, "f")


def render_output(request: TrialRequest, calculation: Calculation, *, trace: bool) -> dict[str, Any]:
    results = {r.setl_id: r for py in calculation.person_years for r in py.settlements}
    cancelled = {c.setl_id: c for c in request.cancellations}
    settlements = []
    for settlement in request.settlements:
        if settlement.setl_id in cancelled:
            settlements.append(_cancelled_doc(settlement, cancelled[settlement.setl_id]))
        else:
            settlements.append(settlement_doc(results[settlement.setl_id], trace=trace))
    return {
        "format_version": FORMAT_VERSION,
        "settlements": settlements,
        "person_years": [_person_year_doc(py) for py in calculation.person_years],
    }


def settlement_doc(result: SettlementResult, *, trace: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "setl_id": result.setl_id,
        "psn_no": result.psn_no,
        "status": "computed",
        "policy_year": result.policy_year,
        "version_id": result.version_id,
        "totals": _totals_doc(result.totals),
        "dialysis_sessions": [_session_doc(s) for s in result.dialysis_sessions],
        "eligible_amount": money(result.eligible_amount),
        "entry_threshold": money(result.entry_threshold),
        "dae_base": money(result.dae_base),
        "segments": [_segment_doc(s) for s in result.segments],
        "payout_unrounded": plain(result.payout_unrounded),
        "payout_before_cap": money(result.payout_before_cap),
        "annual_room": money(result.annual_room),
        "hifob_pay": money(result.payout),
        "person_share": money(result.person_share),
        "cumulative_before": _sums_doc(result.before),
        "cumulative_after": _sums_doc(result.after),
        "lines": [_line_doc(line, trace=trace) for line in result.lines],
    }
    if trace:
        doc["trace"] = [step.to_doc() for step in result.trace]
    return doc


def _cancelled_doc(settlement: Settlement, cancellation: Cancellation) -> dict[str, Any]:
    return {
        "setl_id": settlement.setl_id,
        "psn_no": settlement.psn_no,
        "status": "cancelled",
        "hifob_pay": money(ZERO),
        "cancellation": None if cancellation.amounts is None else _totals_doc(cancellation.amounts),
    }


def _totals_doc(totals: NationalTotals) -> dict[str, str]:
    return {field: money(getattr(totals, field)) for field in TOTAL_FIELDS}


def _sums_doc(sums: YearSums) -> dict[str, str]:
    return {"eligible_amount": money(sums.eligible_amount), "dae_base": money(sums.dae_base), "paid": money(sums.paid)}


def _session_doc(session: DialysisSessionResult) -> dict[str, Any]:
    return {
        "session_id": session.session_id,
        "inscp_scp_amt": money(session.inscp_scp_amt),
        "per_session_limit": money(session.per_session_limit),
        "is_eligible": session.is_eligible,
        "eligible_amount": money(session.eligible_amount),
        "self_paid": money(session.self_paid),
    }


def _segment_doc(share: SegmentShare) -> dict[str, Any]:
    return {
        "lower": money(share.lower),
        "upper": None if share.upper is None else money(share.upper),
        "ratio": plain(share.ratio),
        "adjustment": plain(share.adjustment),
        "applied_ratio": plain(share.applied_ratio),
        "amount": money(share.amount),
        "contribution": plain(share.contribution),
    }


def _line_doc(line: LineResult, *, trace: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "feedetl_sn": line.feedetl_sn,
        "refund_feedetl_sns": list(line.refund_feedetl_sns),
        "det_item_fee_sumamt": money(line.det_item_fee_sumamt),
        "fulamt_ownpay_amt": money(line.fulamt_ownpay_amt),
        "overlmt_selfpay": money(line.overlmt_selfpay),
        "first_self_pay_base": money(line.first_self_pay_base),
        "first_self_pay_ratio": plain(line.first_self_pay_ratio),
        "preselfpay_amt": money(line.preselfpay_amt),
        "inscp_scp_amt": money(line.inscp_scp_amt),
        "dialysis_session": line.dialysis_session,
    }
    if trace:
        doc["trace"] = [step.to_doc() for step in line.trace]
    return doc


def _person_year_doc(result: PersonYearResult) -> dict[str, Any]:
    return {
        "psn_no": result.psn_no,
        "policy_year": result.policy_year,
        "settlement_count": len(result.settlements),
        "opening": _sums_doc(result.opening),
        "closing": _sums_doc(result.closing),
    }
