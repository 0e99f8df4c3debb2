"""Batch mode on DuckDB: identical to the reference engine, strict about files, traces on demand."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dae.benefits.engine.batch import BatchRow, run_batch, run_batches
from dae.benefits.engine.batch_sql import AMOUNT_COLUMNS
from dae.benefits.engine.errors import InputInvalid
from dae.benefits.engine.model import (
    Cancellation,
    ChargeLevel,
    FeeLine,
    PlaceCategory,
    Settlement,
    SettleWay,
    YearOpening,
)
from dae.benefits.engine.person_year import calculate
from dae.benefits.engine.rules import RuleBook

from .helpers import BOOK, book, ruleset_doc, stay
from .strategies import fee_lines, fen, national_totals, openings, places, rule_book, ways

FIRST_DAY = datetime(2024, 7, 1)
SPAN_SECONDS = (datetime(2026, 1, 1) - FIRST_DAY).days * 24 * 3600


def row_of(s: Settlement, *, cancelled: bool = False) -> dict[str, Any]:
    assert s.totals is not None
    t = s.totals
    return {
        "setl_id": s.setl_id, "psn_no": s.psn_no, "setl_time": s.setl_time, "adm_date": s.adm_date,
        "place_category": s.place_category.value, "settle_way": s.settle_way.value,
        "medfee_sumamt": t.medfee_sumamt, "fulamt_ownpay_amt": t.fulamt_ownpay_amt, "overlmt_selfpay": t.overlmt_selfpay,
        "preselfpay_amt": t.preselfpay_amt, "inscp_scp_amt": t.inscp_scp_amt, "cancelled": cancelled,
    }  # fmt: skip


@st.composite
def batch_case(draw: st.DrawFn) -> tuple[RuleBook, list[Settlement], set[str], list[YearOpening]]:
    basis = draw(st.sampled_from(["settlement_date", "admission_date"]))
    rules = draw(rule_book(first_day=FIRST_DAY.date(), days=548, year_basis=basis))
    settlements = []
    for i in range(draw(st.integers(1, 25))):
        moment = FIRST_DAY + timedelta(seconds=draw(st.integers(10 * 86400, SPAN_SECONDS - 1)))
        if draw(st.integers(0, 4)) == 0:
            moment = settlements[-1].setl_time if settlements else moment  # ties are ordered by setl_id
        settlements.append(
            Settlement(
                setl_id=f"S{draw(st.integers(0, 10**6)):07d}-{i}",
                psn_no=draw(st.sampled_from(["P1", "P2", "P3"])),
                setl_time=moment,
                adm_date=moment.date() - timedelta(days=draw(st.integers(0, 9))),
                place_category=draw(places),
                settle_way=draw(ways),
                totals=draw(national_totals(max_inscp=40_000_000)),
            )
        )
    cancelled = {s.setl_id for s in settlements if draw(st.integers(0, 5)) == 0}
    opened = [
        YearOpening(psn, year, draw(openings())) for psn in ("P1", "P2") for year in (2024, 2025) if draw(st.booleans())
    ]
    return rules, settlements, cancelled, opened


def assert_same(row: BatchRow, reference: Any) -> None:
    assert (row.status, row.policy_year, row.version_id) == ("computed", reference.policy_year, reference.version_id)
    assert row.eligible_amount == reference.eligible_amount
    assert row.dae_base == reference.dae_base
    assert row.payout_before_cap == reference.payout_before_cap
    assert row.payout == reference.payout
    assert row.person_share == reference.person_share
    after = reference.after
    assert (row.cumulative_eligible, row.cumulative_base, row.cumulative_paid) == (
        after.eligible_amount,
        after.dae_base,
        after.paid,
    )


def _reference(case: tuple[RuleBook, list[Settlement], set[str], list[YearOpening]]) -> Any:
    """The reference engine's run of a generated case (its cancelled settlements cancelled)."""
    rules, settlements, cancelled, opened = case
    return calculate(settlements, rules, openings=opened, trace=False,
                     cancellations=[Cancellation(s.setl_id, s.psn_no) for s in settlements if s.setl_id in cancelled])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=batch_case())
def test_batch_equals_the_reference_engine(
    case: tuple[RuleBook, list[Settlement], set[str], list[YearOpening]],
) -> None:
    rules, settlements, cancelled, opened = case
    reference = _reference(case)
    opening_rows = [
        {"psn_no": o.psn_no, "policy_year": o.policy_year, "eligible_amount": o.sums.eligible_amount,
         "dae_base": o.sums.dae_base, "paid": o.sums.paid}
        for o in opened
    ]  # fmt: skip
    rows = [row_of(s, cancelled=s.setl_id in cancelled) for s in settlements]
    with run_batch(rows, rules, openings=opening_rows or None) as result:
        batch_rows = list(result.rows())
        assert result.settlement_count == len(settlements) - len(cancelled)
        assert result.total_payout == sum(
            (py.closing.paid - py.opening.paid for py in reference.person_years), Decimal(0)
        )
    assert [r.setl_id for r in batch_rows] == [s.setl_id for s in settlements]
    for row in batch_rows:
        if row.setl_id in cancelled:
            assert (row.status, row.payout, row.cumulative_paid) == ("cancelled", Decimal(0), None)
        else:
            assert_same(row, reference.settlement(row.setl_id))


def fixed_rows() -> list[dict[str, Any]]:
    return [
        row_of(stay("S1", "2025-02-01 09:00:00", "90000.00")),
        row_of(stay("S2", "2025-05-01 09:00:00", "40000.00")),
        row_of(stay("S3", "2025-09-01 09:00:00", "50000.00", place=PlaceCategory.SELF_REFERRED)),
        row_of(stay("X1", "2025-03-01 09:00:00", "100000.00", psn="P2", way=SettleWay.MANUAL)),
    ]


def test_batch_reads_csv_and_parquet_files_and_writes_exact_decimals(tmp_path: Path) -> None:
    with run_batch(fixed_rows(), BOOK) as result:
        result.write(tmp_path / "out.parquet")
        payouts = {r.setl_id: r.payout for r in result.rows()}
    # S3 (self-referred, -20 points): 30,000 x 70% + 20,000 x 75% on B 70,000 -> 120,000.
    assert payouts == {"S1": Decimal("25500.00"), "S2": Decimal("35000.00"), "S3": Decimal("36000.00"),
                       "X1": Decimal("34000.00")}  # fmt: skip
    con = duckdb.connect()
    types = dict(
        con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{tmp_path}/out.parquet')"
        ).fetchall()
    )
    assert types["payout"] == "DECIMAL(18,2)"
    assert con.execute(f"SELECT sum(payout) FROM '{tmp_path}/out.parquet'").fetchone() == (Decimal("130500.00"),)
    # The same rows from a CSV file and from a Parquet file with DECIMAL columns.
    source = tmp_path / "source.csv"
    con.execute(
        "COPY (SELECT * FROM (VALUES ('S1','P1','2025-02-01 09:00:00','local','direct','90000.00','0','0','0','90000.00')) "
        "t(setl_id, psn_no, setl_time, place_category, settle_way, medfee_sumamt, fulamt_ownpay_amt, overlmt_selfpay, "
        f"preselfpay_amt, inscp_scp_amt)) TO '{source}' (HEADER)"
    )
    con.execute(
        f"COPY (SELECT setl_id, psn_no, CAST(setl_time AS TIMESTAMP) AS setl_time, place_category, settle_way, "
        "CAST(medfee_sumamt AS DECIMAL(16,2)) AS medfee_sumamt, CAST(fulamt_ownpay_amt AS DECIMAL(16,2)) AS fulamt_ownpay_amt, "
        "CAST(overlmt_selfpay AS DECIMAL(16,2)) AS overlmt_selfpay, CAST(preselfpay_amt AS DECIMAL(16,2)) AS preselfpay_amt, "
        f"CAST(inscp_scp_amt AS DECIMAL(16,2)) AS inscp_scp_amt FROM read_csv('{source}', all_varchar=true)) "
        f"TO '{tmp_path}/source.parquet' (FORMAT PARQUET)"
    )
    for path in (source, tmp_path / "source.parquet"):
        with run_batch(path, BOOK) as result:
            assert [(r.setl_id, r.payout) for r in result.rows()] == [("S1", Decimal("25500.00"))]


def test_bad_rows_are_refused_with_row_and_column(tmp_path: Path) -> None:
    rows = fixed_rows()
    rows[0]["inscp_scp_amt"] = "90000.001"
    rows[1]["medfee_sumamt"] = "1.00"
    rows[2]["place_category"] = "abroad"
    rows[3]["setl_id"] = "S1"
    rows[3]["setl_time"] = "2024-05-01 09:00:00"
    with pytest.raises(InputInvalid) as caught:
        run_batch(rows, BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("rows[1].inscp_scp_amt", "bad_amount"),  # no follow-on identity error for a value already refused
        ("rows[2].medfee_sumamt", "identity_broken"),
        ("rows[3].place_category", "bad_place"),
        ("rows[4].setl_id", "duplicate_setl_id"),
        ("rows[4].setl_time", "no_ruleset_in_force"),
    ]
    assert caught.value.errors[0].message_zh == "金额缺失或格式错误: 应为不为负, 最多两位小数的金额"


def test_float_values_and_float_columns_are_refused(tmp_path: Path) -> None:
    rows = fixed_rows()
    rows[0]["inscp_scp_amt"] = 90000.0
    with pytest.raises(InputInvalid) as caught:
        run_batch(rows, BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [("rows[1].inscp_scp_amt", "float_value")]
    path = tmp_path / "floats.parquet"
    duckdb.connect().execute(
        "COPY (SELECT 'S1' AS setl_id, 'P1' AS psn_no, TIMESTAMP '2025-02-01 09:00:00' AS setl_time, "
        "'local' AS place_category, 'direct' AS settle_way, 1.5::DOUBLE AS medfee_sumamt, 0::DOUBLE AS fulamt_ownpay_amt, "
        "0 AS overlmt_selfpay, 0 AS preselfpay_amt, 1.5::DOUBLE AS inscp_scp_amt) "
        f"TO '{path}' (FORMAT PARQUET)"
    )
    with pytest.raises(InputInvalid) as caught:
        run_batch(path, BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("columns.medfee_sumamt", "float_column"),
        ("columns.fulamt_ownpay_amt", "float_column"),
        ("columns.inscp_scp_amt", "float_column"),
    ]


def test_missing_columns_and_missing_file_are_refused(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "settle_way"} for r in fixed_rows()]
    with pytest.raises(InputInvalid) as caught:
        run_batch(rows, BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [("columns.settle_way", "column_missing")]
    with pytest.raises(InputInvalid) as caught:
        run_batch(tmp_path / "nowhere.parquet", BOOK)
    assert caught.value.errors[0].code == "file_missing"


def test_admission_basis_needs_admission_dates() -> None:
    rules = book(ruleset_doc(year_basis="admission_date"))
    with pytest.raises(InputInvalid) as caught:
        run_batch(fixed_rows()[:1], rules)
    assert [(e.path, e.code) for e in caught.value.errors] == [("rows[1].adm_date", "admission_date_required")]


def test_bad_openings_are_refused() -> None:
    opening_rows = [
        {"psn_no": "P1", "policy_year": "2025", "eligible_amount": "1.00", "dae_base": "2.00", "paid": "0"},
        {"psn_no": "P1", "policy_year": "2025", "eligible_amount": "1.00", "dae_base": "0", "paid": "x"},
    ]
    with pytest.raises(InputInvalid) as caught:
        run_batch(fixed_rows(), BOOK, openings=opening_rows)
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("openings[1].dae_base", "opening_base_above_eligible"),
        ("openings[2].paid", "bad_amount"),
        ("openings[2].policy_year", "duplicate_opening"),
    ]


def test_traces_for_selected_settlements_come_from_the_reference_engine() -> None:
    with run_batch(fixed_rows(), BOOK, trace_setl_ids=["S2"]) as result:
        traced = result.traces["S2"]
        assert traced.payout == Decimal("35000.00") and traced.trace[0].code.value == "POLICY_YEAR"
        assert result.trace("X1").payout == Decimal("34000.00")
        with pytest.raises(InputInvalid):
            result.trace("NOPE")


def test_empty_input_gives_an_empty_result() -> None:
    with run_batch([], BOOK) as result:
        assert (result.settlement_count, result.total_payout, list(result.rows())) == (0, Decimal(0), [])


def test_batch_keeps_cross_year_stays_in_one_year_by_admission_date() -> None:
    rules = book(ruleset_doc(valid_from="2024-01-01", year_basis="admission_date"))
    rows = [
        row_of(stay("A", "2024-11-20 10:00:00", "70000.00", adm=date(2024, 11, 1))),
        row_of(stay("B", "2025-01-05 10:00:00", "20000.00", adm=date(2024, 12, 20))),
    ]
    with run_batch(rows, rules) as result:
        assert [(r.setl_id, r.policy_year, r.payout) for r in result.rows()] == [
            ("A", 2024, Decimal("8500.00")),
            ("B", 2024, Decimal("17000.00")),
        ]


def line_row(setl_id: str, line: FeeLine) -> dict[str, Any]:
    return {
        "setl_id": setl_id, "feedetl_sn": line.feedetl_sn, "det_item_fee_sumamt": line.det_item_fee_sumamt,
        "chrgitm_lv": line.chrgitm_lv.value, "med_chrgitm_type": line.med_chrgitm_type,
        "overlmt_amt": line.overlmt_amt, "special_drug": None if line.special_drug is None else line.special_drug.value,
        "dialysis_session": line.dialysis_session, "init_feedetl_sn": line.init_feedetl_sn,
    }  # fmt: skip


def settlement_row(s: Settlement, *, cancelled: bool = False) -> dict[str, Any]:
    """The batch row of a settlement on either path: a fee-line settlement leaves its amounts empty."""
    if s.totals is not None:
        return row_of(s, cancelled=cancelled)
    return {
        "setl_id": s.setl_id, "psn_no": s.psn_no, "setl_time": s.setl_time, "adm_date": s.adm_date,
        "place_category": s.place_category.value, "settle_way": s.settle_way.value,
        **dict.fromkeys(AMOUNT_COLUMNS), "cancelled": cancelled,
    }  # fmt: skip


def _ratio_text(st_draw: st.DrawFn, top: int = 1000) -> str:
    return str(Decimal(st_draw(st.integers(0, top))).scaleb(-3))


@st.composite
def line_case(draw: st.DrawFn) -> tuple[RuleBook, list[Settlement], set[str], list[YearOpening]]:
    """Random settlements, about half with random fee lines (refunds, 丙类, price caps, special drugs, dialysis
    sessions), under one to three random versions with random first self-pay ratios and dialysis rules."""
    fixed = {
        "first_self_pay": {
            "class_a": _ratio_text(draw, 200), "class_b_drugs": _ratio_text(draw), "class_b_treatment_items":
            _ratio_text(draw), "drug_fee_types": sorted(draw(st.sets(st.sampled_from(["03", "05", "08", "09", "10"]), min_size=1))),
            "special_drug_in_basic_scope": _ratio_text(draw), "special_drug_class_b_managed": _ratio_text(draw),
        },
        "dialysis": {
            "per_session_limit": str(draw(fen(0, 100_000))),
            "eligible_place_categories": sorted({p.value for p in draw(st.sets(places, min_size=1))}),
            "eligible_settle_ways": sorted({w.value for w in draw(st.sets(ways, min_size=1))}),
        },
    }  # fmt: skip
    rules = draw(rule_book(first_day=FIRST_DAY.date(), days=548, **fixed))
    settlements = []
    for i in range(draw(st.integers(1, 16))):
        moment = FIRST_DAY + timedelta(seconds=draw(st.integers(10 * 86400, SPAN_SECONDS - 1)))
        on_lines = draw(st.booleans())
        settlements.append(
            Settlement(
                setl_id=f"S{i:03d}",
                psn_no=draw(st.sampled_from(["P1", "P2"])),
                setl_time=moment,
                adm_date=moment.date() - timedelta(days=draw(st.integers(0, 9))),
                place_category=draw(places),
                settle_way=draw(ways),
                fee_lines=draw(fee_lines()) if on_lines else (),
                totals=None if on_lines else draw(national_totals(max_inscp=20_000_000)),
            )
        )
    cancelled = {s.setl_id for s in settlements if draw(st.integers(0, 6)) == 0}
    opened = [YearOpening("P1", 2025, draw(openings()))] if draw(st.booleans()) else []
    return rules, settlements, cancelled, opened


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=line_case())
def test_fee_line_path_equals_the_reference_engine_to_the_fen(
    case: tuple[RuleBook, list[Settlement], set[str], list[YearOpening]],
) -> None:
    rules, settlements, cancelled, opened = case
    reference = _reference(case)
    rows = [settlement_row(s, cancelled=s.setl_id in cancelled) for s in settlements]
    lines = [line_row(s.setl_id, line) for s in settlements for line in s.fee_lines]
    opening_rows = [
        {"psn_no": o.psn_no, "policy_year": o.policy_year, "eligible_amount": o.sums.eligible_amount,
         "dae_base": o.sums.dae_base, "paid": o.sums.paid}
        for o in opened
    ]  # fmt: skip
    with run_batch(rows, rules, fee_lines=lines, openings=opening_rows or None) as result:
        batch_rows = list(result.rows())
        live = [r for r in batch_rows if r.status == "computed"]
        if live:  # a traced fee-line settlement is rebuilt with its lines, and agrees
            assert result.trace(live[-1].setl_id).payout == live[-1].payout
    for row in batch_rows:
        if row.setl_id in cancelled:
            assert (row.status, row.payout) == ("cancelled", Decimal(0))
            continue
        expected = reference.settlement(row.setl_id)
        assert_same(row, expected)
        t = expected.totals
        assert (row.medfee_sumamt, row.fulamt_ownpay_amt, row.overlmt_selfpay, row.preselfpay_amt,
                row.inscp_scp_amt) == (t.medfee_sumamt, t.fulamt_ownpay_amt, t.overlmt_selfpay, t.preselfpay_amt,
                                       t.inscp_scp_amt)  # fmt: skip


def test_fee_line_path_dialysis_and_first_self_pay_by_hand() -> None:
    """Two dialysis sessions of 480 (limit 430 each, local + direct) and a 乙类 drug of 1,000.05 at 10%."""
    when = datetime(2025, 3, 1, 9)
    lines = (
        FeeLine("L1", Decimal("480.00"), ChargeLevel.CLASS_A, "05", dialysis_session="d1"),
        FeeLine("L2", Decimal("480.00"), ChargeLevel.CLASS_A, "05", dialysis_session="d2"),
        FeeLine("L3", Decimal("1000.05"), ChargeLevel.CLASS_B, "09"),
        FeeLine("L3R", Decimal("-0.10"), ChargeLevel.CLASS_B, "09", cnt=Decimal(-1), init_feedetl_sn="L3"),
        FeeLine("L4", Decimal("50.00"), ChargeLevel.CLASS_C, "03"),
    )
    s = Settlement("F1", "P1", when, adm_date=when.date(), fee_lines=lines)
    with run_batch([settlement_row(s)], BOOK, fee_lines=[line_row("F1", x) for x in lines]) as result:
        (row,) = result.rows()
    # net 999.95 -> first self-pay round(99.995) = 100.00 (half up), in scope 899.95; sessions 2 x 430
    assert (row.medfee_sumamt, row.fulamt_ownpay_amt, row.preselfpay_amt, row.inscp_scp_amt) == (
        Decimal("2009.95"), Decimal("50.00"), Decimal("100.00"), Decimal("1859.95"))
    assert row.eligible_amount == Decimal("1759.95")


def test_bad_fee_lines_are_refused_with_row_and_column() -> None:
    when = datetime(2025, 3, 1, 9)
    s = Settlement("F1", "P1", when, adm_date=when.date(), fee_lines=(FeeLine("L1", Decimal(1), ChargeLevel.CLASS_A, "05"),))
    good = line_row("F1", s.fee_lines[0])
    with_totals = {**row_of(stay("F1", "2025-03-01 09:00:00", "10.00"))}
    bad_lines = [
        good,
        {**good, "feedetl_sn": "L1"},
        {**good, "feedetl_sn": "L2", "chrgitm_lv": "04"},
        {**good, "feedetl_sn": "L3", "det_item_fee_sumamt": "1.005"},
        {**good, "feedetl_sn": "L4", "setl_id": "NOPE"},
        {**good, "feedetl_sn": "L5", "det_item_fee_sumamt": "-1.00", "init_feedetl_sn": "L9"},
    ]
    with pytest.raises(InputInvalid) as refused:
        run_batch([with_totals], BOOK, fee_lines=bad_lines)
    assert [(e.path, e.code) for e in refused.value.errors] == [("rows[1].medfee_sumamt", "totals_and_lines")]
    with pytest.raises(InputInvalid) as refused:
        run_batch([settlement_row(s)], BOOK, fee_lines=bad_lines)
    assert [(e.path, e.code) for e in refused.value.errors] == [
        ("fee_lines[2].feedetl_sn", "duplicate_feedetl_sn"),
        ("fee_lines[3].chrgitm_lv", "bad_level"),
        ("fee_lines[4].det_item_fee_sumamt", "bad_line_amount"),
        ("fee_lines[5].setl_id", "line_without_settlement"),
        ("fee_lines[6].init_feedetl_sn", "refund_original_missing"),
    ]
    too_much = [good, {**good, "feedetl_sn": "L1R", "det_item_fee_sumamt": "-2.00", "init_feedetl_sn": "L1"}]
    with pytest.raises(InputInvalid) as refused:
        run_batch([settlement_row(s)], BOOK, fee_lines=too_much)
    assert [(e.path, e.code) for e in refused.value.errors] == [
        ("fee_lines[1].det_item_fee_sumamt", "refund_exceeds_original")]


def test_several_books_share_one_read_and_equal_separate_runs() -> None:
    lower = book(ruleset_doc(entry_threshold="10000.00"))
    rows = fixed_rows()
    with run_batch(rows, BOOK) as alone_now, run_batch(rows, lower) as alone_draft:
        expected = ([r.payout for r in alone_now.rows()], [r.payout for r in alone_draft.rows()])
    now, draft = run_batches(rows, [BOOK, lower])
    try:
        assert ([r.payout for r in now.rows()], [r.payout for r in draft.rows()]) == expected
        assert expected[0] != expected[1]
        assert now.columns("setl_id", "payout")[1] == [int(p * 100) for p in expected[0]]
        now.close()
        assert draft.columns("payout") == [[int(p * 100) for p in expected[1]]]  # still open for the other book
    finally:
        draft.close()
