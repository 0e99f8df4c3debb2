"""Every indicator on the hand-built city (``builders.py``) with exact expected values, an empty period (无数据,
never 0 or 0%) and a division by zero (—)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dae.reports import indicator_data
from dae.reports import indicators as engine
from dae.reports.periods import Period

from .builders import tables

MAR, APR, MAY, Q1, LY = (Period.parse(p) for p in ("2026-03", "2026-04", "2026-05", "2026Q1", "2025-03"))
BEFORE = Period.parse("2019-06")  # before every enrolment and every movement

#: indicator → expected value in March 2026 (Decimal text), April 2026, and May 2026 (None = no data)
EXPECTED = {
    "insured": ("3", "3", "3"),
    "joins": ("1", None, None),
    "leavers": ("1", None, None),
    "claimants": ("1", None, None),
    "payout_episodes": ("2", None, None),
    "payout_amount": ("1500.00", "-500.00", None),
    "payout_ratio": ("11.1", "16.7", None),
    "admissions": ("1", None, None),
    "admission_rate": ("4000.0", "0.0", "0.0"),
    "avg_stay": ("10.0", None, None),
    "cost_per_stay": ("10000.00", None, None),
    "cost_per_person": ("10000.00", None, None),
    "offsite_admissions": ("0", None, None),
    "offsite_share": ("0.0", None, None),
    "special_outpatient": ("1", None, None),
    "total_cost": ("13500.00", "-3000.00", None),
    "inscp_share": ("77.0", "66.7", None),
    "fee_amount": ("6000.00", None, None),
    "drug_share": ("33.3", None, None),
    "class_a_share": ("33.3", None, None),
    "class_b_share": ("16.7", None, None),
    "class_c_share": ("50.0", None, None),
    "deductions": ("120.00", None, None),
    "funds_raised": ("100000.00", None, None),
    "claims_expense": ("1500.00", None, None),
    "payments_made": ("900.00", None, None),
    "operating_costs": ("500.00", "10.00", None),
    "fund_balance": ("98600.00", "98590.00", "98590.00"),
    "profit_rate": ("98.00", "undefined", None),
    "balance_rate": ("98.50", "undefined", None),
}


@pytest.fixture(scope="module")
def bound() -> indicator_data.Bound:
    return indicator_data.bind_duckdb(tables())


def test_the_registry_is_covered_by_this_table() -> None:
    assert set(EXPECTED) == set(engine.REGISTRY)
    for ind in engine.INDICATORS:
        assert ind.zh and ind.en and ind.definition_zh and ind.definition_en and ind.dims


@pytest.mark.parametrize("ind_id", sorted(EXPECTED))
def test_each_indicator_exactly(bound: indicator_data.Bound, ind_id: str) -> None:
    cells = engine.total(bound, ind_id, [MAR, APR, MAY])
    for period, expected in zip((MAR, APR, MAY), EXPECTED[ind_id], strict=True):
        cell = cells[period.id]
        if expected is None:
            assert (cell.value, cell.status) == (None, "no_data"), (ind_id, period.id, cell)
        elif expected == "undefined":
            assert (cell.value, cell.status) == (None, "undefined"), (ind_id, period.id, cell)
        else:
            assert (str(cell.value), cell.status) == (expected, "ok"), (ind_id, period.id, cell)


@pytest.mark.parametrize("ind_id", sorted(EXPECTED))
def test_a_period_before_everything_is_no_data_never_zero(bound: indicator_data.Bound, ind_id: str) -> None:
    cell = engine.total(bound, ind_id, [BEFORE])[BEFORE.id]
    assert (cell.value, cell.status, cell.n) == (None, "no_data", 0)


def test_quarter_and_year_on_year(bound: indicator_data.Bound) -> None:
    cells = engine.total(bound, "payout_amount", [Q1, LY, MAR])
    assert cells[Q1.id].value == Decimal("1500.00")
    assert cells[LY.id].value == Decimal("100.00")
    assert engine.growth(cells[MAR.id], cells[LY.id]) == Decimal("1400.0")
    feb = engine.total(bound, "payout_amount", [MAR.previous()])[MAR.previous().id]
    assert feb.status == "no_data" and engine.growth(cells[MAR.id], feb) is None  # against nothing: "—"
    zero = engine.Cell("x", (), 1, 0, 0, Decimal("0.00"), "ok")
    assert engine.growth(cells[MAR.id], zero) is None  # against zero: "—", never ∞


def test_division_by_zero_is_undefined_not_zero() -> None:
    ind = engine.REGISTRY["cost_per_stay"]
    assert engine.value_of(ind, 3, 100, 0, 1) == (None, "undefined")
    assert engine.value_of(ind, 0, 0, 0, 1) == (None, "no_data")
    assert engine.value_of(ind, 2, 100_001, 2, 1) == (Decimal("500.01"), "ok")  # 500.005 half-up


def test_breakdowns(bound: indicator_data.Bound) -> None:
    by_hospital = {c.key: str(c.value) for c in engine.evaluate(bound, "payout_amount", [MAR], ("hospital",))}
    assert by_hospital == {("1",): "1000.00", ("2",): "500.00"}
    stays = engine.evaluate(bound, "admissions", [MAR], ("icd_chapter", "age_band"))
    assert [(c.key, c.value) for c in stays] == [(("IX", "60-69"), Decimal("1"))]
    fees = {c.key[0]: str(c.value) for c in engine.evaluate(bound, "fee_amount", [MAR], ("fee_category",))}
    assert fees == {"drug": "2000.00", "exam": "1000.00", "surgery": "3000.00"}
    levels = {c.key[0]: str(c.value) for c in engine.evaluate(bound, "fee_amount", [MAR], ("fee_level",))}
    assert levels == {"甲": "2000.00", "乙": "1000.00", "丙": "3000.00"}
    segments = {c.key[0]: str(c.value) for c in engine.evaluate(bound, "payout_amount", [MAR], ("cost_segment",))}
    assert segments == {"0-5万": "1500.00"}
    insured = {c.key: str(c.value) for c in engine.evaluate(bound, "insured", [MAR], ("sex", "age_band"))}
    assert insured == {("1", "20-29"): "1", ("1", "60-69"): "1", ("2", "40-49"): "1"}
    kinds = {c.key[0]: str(c.value) for c in engine.evaluate(bound, "deductions", [MAR], ("deduction_kind",))}
    assert kinds == {"audit": "120.00"}


def test_scope_sees_only_its_region_or_hospital(bound: indicator_data.Bound) -> None:
    other = bound.scoped(indicator_data.Scope(regions=("B",)))
    assert engine.total(other, "payout_amount", [MAR])[MAR.id].status == "no_data"
    h2 = bound.scoped(indicator_data.Scope(hospital="2"))
    assert engine.total(h2, "payout_amount", [MAR])[MAR.id].value == Decimal("500.00")
    assert engine.total(h2, "insured", [MAR])[MAR.id].status == "no_data"  # not a hospital's figure


def test_unknown_indicator_or_dimension_is_refused(bound: indicator_data.Bound) -> None:
    with pytest.raises(engine.IndicatorError):
        engine.evaluate(bound, "nope", [MAR])
    with pytest.raises(engine.IndicatorError):
        engine.evaluate(bound, "funds_raised", [MAR], ("hospital",))
