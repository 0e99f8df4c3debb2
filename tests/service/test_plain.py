"""The insured person's explanation: plain Chinese, the person's own figures equal to the engine's, and none of the
engine's field names, step codes, formula notation, rule-set or file identifiers."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from dae.benefits.engine.model import NationalTotals, PlaceCategory, YearSums
from dae.benefits.engine.person_year import compute_person_year
from dae.benefits.engine.results import SegmentShare, SettlementResult
from dae.benefits.engine.trace import StepCode
from dae.benefits.engine.trial_io import settlement_doc
from dae.core.money import fmt_yuan
from dae.service.plain import explain_for_person
from tests.benefits_engine.helpers import BOOK, stay

FORBIDDEN_NOTATION = ("max(", "min(", " = ", " x ", "->", "S +", "E =", "T =", "hifob", ".md", "@", "[", "]",
                      "null", "None", "trace", "规则集", "2027")


def engine_words(result: SettlementResult) -> set[str]:
    """Every field name and code the engine's result and trace use."""
    names = {f.name for cls in (NationalTotals, YearSums, SegmentShare, SettlementResult)
             for f in dataclasses.fields(cls)}
    names |= {code.value for code in StepCode}
    for step in result.trace:
        names |= {name for name, _ in (*step.inputs, *step.rule, *step.output)}
    names |= {"psn_no", "setl_id", "version_id", result.version_id, result.setl_id, result.psn_no}
    return {n for n in names if len(n) > 1}


def sentences(result: SettlementResult, place: str = "local") -> str:
    return "\n".join(explain_for_person(settlement_doc(result, trace=True), place_category=place))


def check_clean(text: str, result: SettlementResult) -> None:
    for word in sorted(engine_words(result)):
        assert word not in text, word
    for mark in FORBIDDEN_NOTATION:
        assert mark not in text, mark
    assert not re.search(r"[A-Za-z_]{2,}", text), re.findall(r"[A-Za-z_]{2,}", text)


def yuan(value: Decimal) -> str:
    return f"{fmt_yuan(value)} 元"


def test_two_segments_read_plainly_with_the_engines_figures() -> None:
    year = compute_person_year("P1", 2025, [stay("S1", "2025-02-01 09:00:00", "90000.00"),
                                            stay("S2", "2025-05-01 09:00:00", "40000.00")], BOOK)
    result = year.settlements[1]
    text = sentences(result)
    check_clean(text, result)
    assert yuan(result.totals.medfee_sumamt) in text
    assert yuan(result.entry_threshold) in text  # the threshold
    assert yuan(result.dae_base) in text
    assert yuan(result.before.eligible_amount) in text
    for seg in result.segments:
        if seg.amount:
            assert yuan(seg.amount) in text
            assert f"{(seg.applied_ratio * 100).normalize():f}%" in text
    assert yuan(result.payout_before_cap) in text
    assert f"这次大额补助支付 {yuan(result.payout)}" in text
    assert yuan(result.person_share) in text
    maximum = dict(next(s for s in result.trace if s.code is StepCode.ANNUAL_MAXIMUM).rule)["annual_maximum"]
    assert yuan(maximum) in text


def test_below_the_threshold_says_nothing_entered() -> None:
    result = compute_person_year("P1", 2025, [stay("S1", "2025-02-01 09:00:00", "20000.00")], BOOK).settlements[0]
    text = sentences(result)
    check_clean(text, result)
    assert result.payout == Decimal("0.00")
    assert "没有超过这个标准" in text and f"这次大额补助支付 {yuan(Decimal('0'))}" in text


def test_annual_maximum_caps_the_payout() -> None:
    year = compute_person_year("P1", 2025, [stay(f"S{i}", f"2025-0{i}-01 09:00:00", "300000.00")
                                            for i in range(1, 4)], BOOK)
    result = year.settlements[-1]
    assert result.payout < result.payout_before_cap
    text = sentences(result)
    check_clean(text, result)
    assert f"这次最多还能补助 {yuan(result.annual_room)}" in text
    assert yuan(result.before.paid) in text


@pytest.mark.parametrize("place", [PlaceCategory.SELF_REFERRED, PlaceCategory.REFERRED])
def test_place_adjustment_is_said_in_words(place: PlaceCategory) -> None:
    result = compute_person_year("P1", 2025, [stay("S1", "2025-02-01 09:00:00", "150000.00", place=place)],
                                 BOOK).settlements[0]
    text = sentences(result, place.value)
    check_clean(text, result)
    if any(seg.adjustment for seg in result.segments):
        assert "补助比例已按规定调整" in text


def test_excluded_parts_are_named() -> None:
    result = compute_person_year("P1", 2025, [stay("S1", "2025-02-01 09:00:00", "100000.00", fulamt="3000.00")],
                                 BOOK).settlements[0]
    text = sentences(result)
    check_clean(text, result)
    assert "其中全部由个人自付的项目 3,000.00 元不属于补助范围" in text
    assert "超出限价" not in text  # a part that is zero is not mentioned
