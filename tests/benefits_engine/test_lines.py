"""Step 1, line by line: 丙类, over the price cap, first self-pay half up to the fen, refunds netted."""

from __future__ import annotations

import pytest

from dae.benefits.engine.errors import InputInvalid
from dae.benefits.engine.lines import compute_lines, totals_of
from dae.benefits.engine.model import SpecialDrugKind
from dae.benefits.engine.person_year import compute_person_year
from dae.benefits.engine.rules import load_ruleset

from .helpers import BOOK, line, lines_stay, ruleset_doc, y

RATIOS = BOOK.versions[0].first_self_pay


@pytest.mark.parametrize(
    ("name", "fee_line", "fulamt", "over_cap", "first_self_pay", "in_scope"),
    [
        ("甲类 no first self-pay", line("a", "200.00", "01", "03"), "0.00", "0.00", "0.00", "200.00"),
        ("丙类 wholly self-paid", line("c", "300.00", "03", "09"), "300.00", "0.00", "0.00", "0.00"),
        ("丙类 ignores its price cap part", line("c", "300.00", "03", "09", over_cap="50.00"), "300.00", "0.00", "0.00", "0.00"),
        ("乙类 drug 0.445 rounds half up", line("b", "4.45", "02", "09"), "0.00", "0.00", "0.45", "4.00"),
        ("乙类 中成药 1.005 rounds half up", line("b", "10.05", "02", "11"), "0.00", "0.00", "1.01", "9.04"),
        ("乙类 treatment item 12.345", line("b", "123.45", "02", "05"), "0.00", "0.00", "12.35", "111.10"),
        ("乙类 regional sub-code 0801", line("b", "55.55", "02", "0801"), "0.00", "0.00", "5.56", "49.99"),
        ("乙类 below the half stays down", line("b", "4.44", "02", "09"), "0.00", "0.00", "0.44", "4.00"),
        ("over price cap then 乙类 10%", line("b", "500.00", "02", "05", over_cap="100.00"), "0.00", "100.00", "40.00", "360.00"),
        ("甲类 over price cap", line("a", "1000.00", "01", "08", over_cap="200.00"), "0.00", "200.00", "0.00", "800.00"),
        (
            "special drug in basic scope 20%",
            line("s", "12.34", "01", "09", special=SpecialDrugKind.IN_BASIC_SCOPE),
            "0.00", "0.00", "2.47", "9.87",
        ),
        (
            "special drug managed as 乙类 10%",
            line("s", "1000.05", "02", "09", special=SpecialDrugKind.CLASS_B_MANAGED),
            "0.00", "0.00", "100.01", "900.04",
        ),
    ],
)  # fmt: skip
def test_first_self_pay_by_charge_level_and_special_drug(
    name: str, fee_line: object, fulamt: str, over_cap: str, first_self_pay: str, in_scope: str
) -> None:
    (result,) = compute_lines([fee_line], RATIOS, trace=False)  # type: ignore[list-item]
    assert (result.fulamt_ownpay_amt, result.overlmt_selfpay, result.preselfpay_amt, result.inscp_scp_amt) == (
        y(fulamt),
        y(over_cap),
        y(first_self_pay),
        y(in_scope),
    ), name


def test_national_sample_2204_line_with_a_5_percent_ratio() -> None:
    """4.52 x 0.05 = 0.226 -> 0.23, in scope 4.29 (national-interface.md A.1b); 4.50 x 0.05 = 0.225 -> 0.23."""
    ratios = load_ruleset(ruleset_doc(first_self_pay={"class_b_drugs": "0.05"})).first_self_pay
    sample, exact_half = compute_lines(
        [line("1", "4.52", "02", "09"), line("2", "4.50", "02", "09")], ratios, trace=False
    )
    assert (sample.preselfpay_amt, sample.inscp_scp_amt) == (y("0.23"), y("4.29"))
    assert (exact_half.preselfpay_amt, exact_half.inscp_scp_amt) == (y("0.23"), y("4.27"))


def test_refund_lines_net_against_their_original_before_rounding() -> None:
    lines = [
        line("L1", "100.00", "02", "09", cnt="10"),
        line("R1", "-20.00", "02", "09", refund_of="L1", cnt="-2"),
        line("L2", "10.05", "02", "09"),
        line("R2", "-5.00", "02", "09", refund_of="L2"),
    ]
    first, second = compute_lines(lines, RATIOS, trace=False)
    assert (first.feedetl_sn, first.refund_feedetl_sns, first.det_item_fee_sumamt) == ("L1", ("R1",), y("80.00"))
    assert (first.preselfpay_amt, first.inscp_scp_amt) == (y("8.00"), y("72.00"))
    assert (second.det_item_fee_sumamt, second.preselfpay_amt, second.inscp_scp_amt) == (
        y("5.05"),
        y("0.51"),
        y("4.54"),
    )


def test_fully_refunded_line_contributes_nothing() -> None:
    (result,) = compute_lines(
        [
            line("L1", "99.99", "02", "09", over_cap="9.99"),
            line("R1", "-99.99", "02", "09", over_cap="-9.99", refund_of="L1"),
        ],
        RATIOS,
        trace=False,
    )
    assert (result.det_item_fee_sumamt, result.overlmt_selfpay, result.preselfpay_amt, result.inscp_scp_amt) == (
        y("0.00"),
        y("0.00"),
        y("0.00"),
        y("0.00"),
    )


def test_settlement_totals_are_the_sums_of_its_lines_and_satisfy_the_identity() -> None:
    lines = compute_lines(
        [
            line("a", "200.00"),
            line("b", "4.45", "02", "09"),
            line("c", "300.00", "03"),
            line("d", "500.00", "02", over_cap="100.00"),
        ],
        RATIOS,
        trace=False,
    )
    totals = totals_of(lines)
    assert (totals.medfee_sumamt, totals.fulamt_ownpay_amt, totals.overlmt_selfpay) == (
        y("1004.45"),
        y("300.00"),
        y("100.00"),
    )
    assert (totals.preselfpay_amt, totals.inscp_scp_amt) == (y("40.45"), y("564.00"))
    assert totals.identity_holds()


@pytest.mark.parametrize(
    ("lines", "path", "code"),
    [
        ((line("L1", "10.00"), line("L1", "5.00")), "settlements[0].fee_lines[1].feedetl_sn", "duplicate_feedetl_sn"),
        ((line("L1", "10.00"), line("R1", "-5.00", refund_of="NOPE")), "settlements[0].fee_lines[1].init_feedetl_sn",
         "refund_original_missing"),
        ((line("L1", "10.00"), line("R1", "-15.00", refund_of="L1")), "settlements[0].fee_lines[0].det_item_fee_sumamt",
         "refund_exceeds_original"),
        ((line("L1", "10.00", cnt="-1"),), "settlements[0].fee_lines[0].init_feedetl_sn", "refund_without_original"),
        ((line("L1", "10.00"), line("R1", "-1.00", refund_of="L1", cnt="1")), "settlements[0].fee_lines[1].cnt",
         "refund_count_not_negative"),
        ((line("L1", "10.001"),), "settlements[0].fee_lines[0].det_item_fee_sumamt", "not_fen"),
        ((line("L1", "-10.00"),), "settlements[0].fee_lines[0].det_item_fee_sumamt", "negative_amount"),
        ((line("L1", "10.00", over_cap="11.00"),), "settlements[0].fee_lines[0].overlmt_amt", "over_cap_out_of_range"),
    ],
)  # fmt: skip
def test_bad_fee_lines_are_refused_with_their_path(lines: tuple[object, ...], path: str, code: str) -> None:
    settlement = lines_stay("S1", "2025-03-01 10:00:00", lines)  # type: ignore[arg-type]
    with pytest.raises(InputInvalid) as caught:
        compute_person_year("P1", 2025, [settlement], BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [(path, code)]
    assert caught.value.errors[0].message_zh
