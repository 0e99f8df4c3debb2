"""Steps 2–8 with exact yuan: entry threshold, segments, one rounding, annual maximum, dialysis, off-site, time.

Default rule set (桦甸, seed 003): T = 60,000 (example), segments 85% / 90% / 95% at 50,000 and 100,000 of the
cumulative 大额 base, annual maximum 410,000, dialysis 430 per session for local direct settlements.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dae.benefits.engine.errors import InputInvalid
from dae.benefits.engine.model import PlaceCategory, Settlement, SettleWay
from dae.benefits.engine.person_year import calculate, compute_person_year
from dae.benefits.engine.results import PersonYearResult

from .helpers import BOOK, book, line, lines_stay, ruleset_doc, stay, sums, y


def year_of(*settlements: Settlement, opening: str | None = None, rules: object = BOOK) -> PersonYearResult:
    parts = opening.split("/") if opening else None
    calc = compute_person_year(
        "P1",
        2025,
        settlements,
        rules,
        opening=sums(*parts) if parts else None,
        trace=True,  # type: ignore[arg-type]
    )
    return calc


def payouts(result: PersonYearResult) -> list[str]:
    return [f"{r.payout:.2f}" for r in result.settlements]


@pytest.mark.parametrize(
    ("inscp", "base", "payout", "segment_amounts"),
    [
        ("59999.99", "0.00", "0.00", []),
        ("60000.00", "0.00", "0.00", []),
        ("60000.01", "0.01", "0.01", ["0.01"]),  # 0.0085 -> 0.01
        ("60000.10", "0.10", "0.09", ["0.10"]),  # 0.085 exactly half -> up
        ("100000.00", "40000.00", "34000.00", ["40000.00"]),
        ("110000.00", "50000.00", "42500.00", ["50000.00"]),  # the 50,000 edge is inclusive: all at 85%
        ("110000.01", "50000.01", "42500.01", ["50000.00", "0.01"]),  # 42,500 + 0.009
        ("180000.00", "120000.00", "106500.00", ["50000.00", "50000.00", "20000.00"]),  # 42,500 + 45,000 + 19,000
    ],
)
def test_one_stay_entry_threshold_and_segments(inscp: str, base: str, payout: str, segment_amounts: list[str]) -> None:
    (result,) = year_of(stay("S1", "2025-03-01 10:00:00", inscp)).settlements
    assert (result.eligible_amount, result.dae_base, result.payout) == (y(inscp), y(base), y(payout))
    assert [f"{s.amount:.2f}" for s in result.segments] == segment_amounts
    assert result.person_share == result.totals.medfee_sumamt - result.payout


def test_segments_crossed_across_stays_add_up_to_the_single_stay() -> None:
    result = year_of(
        stay("S1", "2025-02-01 09:00:00", "90000.00"),  # base 30,000 x 85%
        stay("S2", "2025-05-01 09:00:00", "40000.00"),  # base 30,000 -> 70,000: 20,000 x 85% + 20,000 x 90%
        stay("S3", "2025-09-01 09:00:00", "50000.00"),  # base 70,000 -> 120,000: 30,000 x 90% + 20,000 x 95%
    )
    assert payouts(result) == ["25500.00", "35000.00", "46000.00"]
    assert [(f"{s.lower}", f"{s.contribution:.4f}") for s in result.settlements[2].segments] == [
        ("50000.00", "27000.0000"),
        ("100000.00", "19000.0000"),
    ]
    after = result.settlements[-1].after
    assert (after.eligible_amount, after.dae_base, after.paid) == (y("180000.00"), y("120000.00"), y("106500.00"))


def test_entry_threshold_is_crossed_by_the_second_stay() -> None:
    result = year_of(stay("S1", "2025-02-01 09:00:00", "50000.00"), stay("S2", "2025-03-01 09:00:00", "30000.00"))
    assert payouts(result) == ["0.00", "17000.00"]
    assert [r.dae_base for r in result.settlements] == [y("0.00"), y("20000.00")]


def test_payout_is_rounded_once_per_settlement_not_per_segment() -> None:
    result = year_of(
        stay("S1", "2025-02-01 09:00:00", "109999.99"),  # base 49,999.99 x 0.85 = 42,499.9915 -> 42,499.99
        stay("S2", "2025-03-01 09:00:00", "0.06"),  # 0.01 x 0.85 + 0.05 x 0.90 = 0.0535 -> 0.05 (per segment: 0.06)
    )
    assert payouts(result) == ["42499.99", "0.05"]
    assert result.settlements[1].payout_unrounded == y("0.0535")


def test_annual_maximum_reached_mid_stay_then_nothing_more() -> None:
    result = year_of(
        stay("S1", "2025-02-01 09:00:00", "400000.00"),  # base 340,000: 42,500 + 45,000 + 228,000 = 315,500
        stay("S2", "2025-05-01 09:00:00", "200000.00"),  # 190,000 before the cap; room 94,500
        stay("S3", "2025-08-01 09:00:00", "10000.00"),  # 9,500 before the cap; room 0
    )
    assert payouts(result) == ["315500.00", "94500.00", "0.00"]
    assert [r.payout_before_cap for r in result.settlements] == [y("315500.00"), y("190000.00"), y("9500.00")]
    assert [r.annual_room for r in result.settlements] == [y("410000.00"), y("94500.00"), y("0.00")]
    assert result.closing.paid == y("410000.00")


def test_annual_maximum_within_one_stay() -> None:
    (result,) = year_of(stay("S1", "2025-02-01 09:00:00", "600000.00")).settlements
    assert (result.payout_before_cap, result.payout) == (y("505500.00"), y("410000.00"))


def test_opening_sums_carry_into_the_year() -> None:
    # An earlier, separately recorded settlement left S = 100,000, B = 40,000, P = 34,000.
    (result,) = year_of(
        stay("S1", "2025-06-01 09:00:00", "20000.00"), opening="100000.00/40000.00/34000.00"
    ).settlements
    assert result.payout == y("17500.00")  # 10,000 x 85% + 10,000 x 90%
    assert result.after.paid == y("51500.00")


@pytest.mark.parametrize(
    ("place", "payout_100k", "payout_180k"),
    [
        (PlaceCategory.LOCAL, "34000.00", "106500.00"),
        (PlaceCategory.LONG_TERM_OFFSITE, "34000.00", "106500.00"),
        (PlaceCategory.LONG_TERM_OFFSITE_NOT_DIRECT, "30000.00", "94500.00"),  # 75/80/85%
        (PlaceCategory.REFERRED, "34000.00", "106500.00"),
        (PlaceCategory.SELF_REFERRED, "26000.00", "82500.00"),  # 65/70/75%
        (PlaceCategory.EMERGENCY_AWAY, "34000.00", "106500.00"),
    ],
)
def test_each_place_category_adjusts_every_segment_ratio(
    place: PlaceCategory, payout_100k: str, payout_180k: str
) -> None:
    small = year_of(stay("S1", "2025-02-01 09:00:00", "100000.00", place=place)).settlements[0]
    large = year_of(stay("S1", "2025-02-01 09:00:00", "180000.00", place=place)).settlements[0]
    assert (small.payout, large.payout) == (y(payout_100k), y(payout_180k))


def test_adjusted_ratio_never_goes_below_zero() -> None:
    rules = book(ruleset_doc(place_adjustments={"self_referred": "-0.90", "long_term_offsite_not_direct": "-1"}))
    deep = year_of(stay("S1", "2025-02-01 09:00:00", "180000.00", place=PlaceCategory.SELF_REFERRED), rules=rules)
    assert [s.applied_ratio for s in deep.settlements[0].segments] == [0, 0, y("0.05")]
    assert deep.settlements[0].payout == y("1000.00")  # only 20,000 x (0.95 - 0.90)
    nothing = year_of(
        stay("S1", "2025-02-01 09:00:00", "180000.00", place=PlaceCategory.LONG_TERM_OFFSITE_NOT_DIRECT), rules=rules
    )
    assert nothing.settlements[0].payout == y("0.00")


# Dialysis: the person is already above T (S = 100,000, B = 40,000), so eligible amounts pass at 85%.
DIALYSIS_LINES = (
    line("d1a", "300.00", "01", "05", session="d1"),
    line("d1b", "200.00", "01", "09", session="d1"),  # session d1: 500 -> 430 eligible, 70 self-paid
    line("d2", "400.00", "01", "05", session="d2"),  # session d2: 400 -> 400
    line("x", "100.00", "01", "04"),  # not dialysis
)


@pytest.mark.parametrize(
    ("place", "way", "eligible", "payout", "session_eligible"),
    [
        (PlaceCategory.LOCAL, SettleWay.DIRECT, "930.00", "790.50", ["430.00", "400.00"]),
        (PlaceCategory.LOCAL, SettleWay.MANUAL, "100.00", "85.00", ["0.00", "0.00"]),
        (PlaceCategory.REFERRED, SettleWay.DIRECT, "100.00", "85.00", ["0.00", "0.00"]),
        (PlaceCategory.LONG_TERM_OFFSITE, SettleWay.DIRECT, "100.00", "85.00", ["0.00", "0.00"]),
    ],
)
def test_dialysis_limit_per_session_and_only_local_direct(
    place: PlaceCategory, way: SettleWay, eligible: str, payout: str, session_eligible: list[str]
) -> None:
    settlement = lines_stay("S1", "2025-06-01 09:00:00", DIALYSIS_LINES, place=place, way=way)
    (result,) = year_of(settlement, opening="100000.00/40000.00/34000.00").settlements
    assert result.totals.inscp_scp_amt == y("1000.00")  # the national total is not changed by the 大额 limit
    assert (result.eligible_amount, result.payout) == (y(eligible), y(payout))
    assert [f"{s.eligible_amount:.2f}" for s in result.dialysis_sessions] == session_eligible
    assert [s.session_id for s in result.dialysis_sessions] == ["d1", "d2"]


def test_dialysis_session_below_the_limit_and_after_first_self_pay() -> None:
    settlement = lines_stay(
        "S1",
        "2025-06-01 09:00:00",
        (line("a", "420.00", "01", "05", session="s1"), line("b", "500.00", "02", "09", session="s2")),
    )
    (result,) = year_of(settlement, opening="100000.00/40000.00/34000.00").settlements
    s1, s2 = result.dialysis_sessions
    assert (s1.inscp_scp_amt, s1.eligible_amount, s1.self_paid) == (y("420.00"), y("420.00"), y("0.00"))
    assert (s2.inscp_scp_amt, s2.eligible_amount, s2.self_paid) == (y("450.00"), y("430.00"), y("20.00"))
    assert result.eligible_amount == y("850.00")


# --- Time: policy year by settlement date or admission date, versions within a year ---

CROSS_YEAR_RULES = {"valid_from": "2024-01-01"}


def cross_year_stays() -> list[Settlement]:
    return [
        stay("A", "2024-11-20 10:00:00", "70000.00", adm=date(2024, 11, 1)),
        stay("B", "2025-01-05 10:00:00", "20000.00", adm=date(2024, 12, 20)),  # across 31 December
    ]


def test_stay_across_year_end_counts_in_the_settlement_year_by_default() -> None:
    calc = calculate(cross_year_stays(), book(ruleset_doc(**CROSS_YEAR_RULES)))
    assert [(py.policy_year, [r.setl_id for r in py.settlements]) for py in calc.person_years] == [
        (2024, ["A"]),
        (2025, ["B"]),
    ]
    assert calc.settlement("A").payout == y("8500.00")  # type: ignore[union-attr]
    assert calc.settlement("B").payout == y("0.00")  # type: ignore[union-attr]  # a new year: S = 0 < T


def test_stay_across_year_end_counts_in_the_admission_year_when_set() -> None:
    rules = book(ruleset_doc(year_basis="admission_date", **CROSS_YEAR_RULES))
    calc = calculate(cross_year_stays(), rules)
    assert [(py.policy_year, [r.setl_id for r in py.settlements]) for py in calc.person_years] == [(2024, ["A", "B"])]
    assert calc.settlement("B").payout == y("17000.00")  # type: ignore[union-attr]  # 20,000 x 85%


def test_mid_stay_settlements_of_one_stay_stay_in_the_admission_year() -> None:
    rules = book(ruleset_doc(year_basis="admission_date", **CROSS_YEAR_RULES))
    stays = [
        stay("A", "2024-11-20 10:00:00", "70000.00", adm=date(2024, 11, 1)),
        stay("C1", "2024-12-31 18:00:00", "40000.00", adm=date(2024, 12, 1)),  # mid-stay settlement
        stay("C2", "2025-01-10 10:00:00", "30000.00", adm=date(2024, 12, 1)),  # final settlement of the same stay
    ]
    calc = calculate(stays, rules)
    assert [py.policy_year for py in calc.person_years] == [2024]
    assert payouts(calc.person_years[0]) == ["8500.00", "34000.00", "27000.00"]


def test_admission_basis_requires_the_admission_date() -> None:
    rules = book(ruleset_doc(year_basis="admission_date", **CROSS_YEAR_RULES))
    with pytest.raises(InputInvalid) as caught:
        calculate([stay("A", "2024-11-20 10:00:00", "1.00")], rules)
    assert [(e.path, e.code) for e in caught.value.errors] == [("settlements[0].adm_date", "admission_date_required")]


def two_versions(**second: object) -> object:
    first = ruleset_doc(valid_to="2025-06-30")
    return book(first, ruleset_doc(version="2025.2", valid_from="2025-07-01", **second))


V2_CHEAPER_ENTRY = {
    "entry_threshold": "50000.00",
    "annual_maximum": "420000.00",
    "segments": [
        {"lower": "0", "upper": "50000.00", "ratio": "0.88"},
        {"lower": "50000.00", "upper": "100000.00", "ratio": "0.92"},
        {"lower": "100000.00", "upper": None, "ratio": "0.96"},
    ],
}


def test_version_change_mid_year_keeps_cumulative_sums_and_applies_new_parameters_from_then_on() -> None:
    rules = two_versions(**V2_CHEAPER_ENTRY)
    below = compute_person_year(
        "P1", 2025, [stay("M", "2025-03-01 09:00:00", "55000.00"), stay("A", "2025-08-01 09:00:00", "10000.00")], rules
    )
    # March under 2025.1: 55,000 < T 60,000. August under 2025.2: base = 65,000 - max(50,000, 55,000) = 10,000.
    assert [r.version_id for r in below.settlements] == ["huadian-dae@2025.1", "huadian-dae@2025.2"]
    assert payouts(below) == ["0.00", "8800.00"]
    above = compute_person_year(
        "P1", 2025, [stay("M", "2025-03-01 09:00:00", "70000.00"), stay("A", "2025-08-01 09:00:00", "20000.00")], rules
    )
    # March: base 10,000 x 85%. August: base 20,000 on B 10,000 -> 30,000 at the new 88%.
    assert payouts(above) == ["8500.00", "17600.00"]
    assert above.closing.dae_base == y("30000.00")


def test_raised_threshold_mid_year_is_measured_against_the_cumulative_eligible_amount() -> None:
    rules = two_versions(entry_threshold="80000.00")
    result = compute_person_year(
        "P1", 2025, [stay("M", "2025-03-01 09:00:00", "70000.00"), stay("A", "2025-08-01 09:00:00", "20000.00")], rules
    )
    # August: base = 90,000 - max(80,000, 70,000) = 10,000 (70,000-80,000 is not paid again), B 10,000 -> 20,000.
    assert payouts(result) == ["8500.00", "8500.00"]


def test_annual_maximum_of_the_new_version_counts_what_was_paid_under_the_old_one() -> None:
    rules = two_versions(**V2_CHEAPER_ENTRY)
    result = compute_person_year(
        "P1", 2025, [stay("M", "2025-03-01 09:00:00", "600000.00"), stay("A", "2025-08-01 09:00:00", "10000.00")], rules
    )
    # March: capped at 410,000. August: 10,000 x 96% = 9,600 fits the new room 420,000 - 410,000 = 10,000.
    assert payouts(result) == ["410000.00", "9600.00"]


def test_settlement_on_a_day_without_a_version_is_refused() -> None:
    with pytest.raises(InputInvalid) as caught:
        compute_person_year("P1", 2024, [stay("S1", "2024-12-31 23:59:59", "1.00")], BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [("settlements[0].setl_time", "no_ruleset_in_force")]


def test_same_settlement_time_is_ordered_by_settlement_id() -> None:
    moment = datetime(2025, 3, 1, 10)
    result = year_of(stay("S2", moment, "40000.00"), stay("S1", moment, "90000.00"))
    assert [r.setl_id for r in result.settlements] == ["S1", "S2"]
    assert payouts(result) == ["25500.00", "35000.00"]


def test_every_computed_settlement_satisfies_the_identity_and_shares() -> None:
    result = year_of(
        stay("S1", "2025-02-01 09:00:00", "90000.00", fulamt="1234.56"),
        lines_stay("S2", "2025-03-01 09:00:00", DIALYSIS_LINES),
    )
    for r in result.settlements:
        assert r.totals.identity_holds()
        assert r.payout + r.person_share == r.totals.medfee_sumamt
