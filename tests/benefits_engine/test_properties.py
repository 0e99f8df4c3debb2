"""What must always hold, whatever the amounts: bounds, the annual maximum, shares, monotonicity, splitting,
and recomputation after a change equal to computing from scratch."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dae.benefits.engine.model import Cancellation, NationalTotals, PlaceCategory, Settlement, SettleWay, YearSums
from dae.benefits.engine.person_year import compute_person_year
from dae.benefits.engine.recompute import recompute_person_year
from dae.benefits.engine.results import PersonYearResult

from .helpers import BOOK
from .strategies import fee_lines, moments, openings, person_year, rule_book

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HALF_FEN = Decimal("0.005")


def year_total(result: PersonYearResult) -> Decimal:
    return result.closing.paid - result.opening.paid


@PROPERTY
@given(settlements=person_year(), opening=openings(), book=rule_book())
def test_payout_bounds_shares_identity_and_annual_maximum(
    settlements: list[Settlement], opening: YearSums, book: object
) -> None:
    result = compute_person_year("P1", 2025, settlements, book, opening=opening, trace=False)  # type: ignore[arg-type]
    paid = opening.paid
    for r in result.settlements:
        assert r.totals.identity_holds()
        assert Decimal(0) <= r.payout <= r.dae_base <= r.eligible_amount <= r.totals.inscp_scp_amt
        assert r.payout <= r.annual_room
        assert r.payout + r.person_share == r.totals.medfee_sumamt
        assert r.payout == r.payout.quantize(Decimal("0.01"))
        assert r.after.paid == paid + r.payout
        paid = r.after.paid
        # A version with a lower maximum pays nothing more, but never takes back what an earlier one paid.
        maximum = book.version_for(r.settlement.setl_time.date()).annual_maximum  # type: ignore[attr-defined,union-attr]
        assert r.after.paid <= max(maximum, r.before.paid)


@PROPERTY
@given(settlements=person_year(max_size=12), opening=openings())
def test_annual_maximum_is_never_exceeded(settlements: list[Settlement], opening: YearSums) -> None:
    result = compute_person_year("P1", 2025, settlements, BOOK, opening=opening, trace=False)
    assert result.closing.paid <= Decimal("410000.00")


@PROPERTY
@given(
    settlements=person_year(with_lines=False),
    index=st.integers(0, 7),
    extra=st.integers(1, 20_000_000),
    opening=openings(),
)
def test_adding_cost_never_lowers_the_years_payout(
    settlements: list[Settlement], index: int, extra: int, opening: YearSums
) -> None:
    before = year_total(compute_person_year("P1", 2025, settlements, BOOK, opening=opening, trace=False))
    target = settlements[index % len(settlements)]
    assert target.totals is not None
    more = Decimal(extra).scaleb(-2)
    t = target.totals
    bigger = NationalTotals(t.medfee_sumamt + more, t.fulamt_ownpay_amt, t.overlmt_selfpay, t.preselfpay_amt,
                            t.inscp_scp_amt + more)  # fmt: skip
    changed = [dataclasses.replace(s, totals=bigger) if s is target else s for s in settlements]
    after = year_total(compute_person_year("P1", 2025, changed, BOOK, opening=opening, trace=False))
    assert after >= before


@PROPERTY
@given(settlements=person_year(), extra=person_year(min_size=1, max_size=1), opening=openings())
def test_adding_a_settlement_never_lowers_the_years_payout(
    settlements: list[Settlement], extra: list[Settlement], opening: YearSums
) -> None:
    before = year_total(compute_person_year("P1", 2025, settlements, BOOK, opening=opening, trace=False))
    added = dataclasses.replace(extra[0], setl_id="NEW")
    after = year_total(compute_person_year("P1", 2025, [*settlements, added], BOOK, opening=opening, trace=False))
    assert after >= before


@st.composite
def one_pool_two_splits(draw: st.DrawFn) -> tuple[list[Settlement], list[Settlement]]:
    """The same whole fee lines spread over stays in two ways; one place category and settle way throughout."""
    pool = [ln for ln in draw(fee_lines()) + draw(fee_lines()) + draw(fee_lines()) if not ln.is_refund]
    # Unique ids, and every dialysis session kept whole inside its line.
    pool = [
        dataclasses.replace(ln, feedetl_sn=f"L{i}", dialysis_session=None if ln.dialysis_session is None else f"d{i}")
        for i, ln in enumerate(pool)
    ]
    place = draw(st.sampled_from(list(PlaceCategory)))
    way = draw(st.sampled_from(list(SettleWay)))

    def split(tag: str) -> list[Settlement]:
        count = draw(st.integers(1, 5))
        stays: dict[int, list[object]] = {}
        for ln in pool:
            stays.setdefault(draw(st.integers(0, count - 1)), []).append(ln)
        return [
            Settlement(f"{tag}{k}", "P1", draw(moments), place, way, fee_lines=tuple(lines))  # type: ignore[arg-type]
            for k, lines in stays.items()
        ]

    return split("A"), split("B")


@PROPERTY
@given(splits=one_pool_two_splits())
def test_years_payout_does_not_depend_on_how_lines_are_split_between_stays(
    splits: tuple[list[Settlement], list[Settlement]],
) -> None:
    first, second = splits
    total_first = year_total(compute_person_year("P1", 2025, first, BOOK, trace=False))
    total_second = year_total(compute_person_year("P1", 2025, second, BOOK, trace=False))
    assert abs(total_first - total_second) <= HALF_FEN * (len(first) + len(second))


@PROPERTY
@given(settlements=person_year(min_size=2), picks=st.lists(st.integers(0, 7), min_size=1, max_size=3), book=rule_book())
def test_recompute_after_cancellations_equals_computing_from_scratch(
    settlements: list[Settlement], picks: list[int], book: object
) -> None:
    cancelled = list(dict.fromkeys(settlements[i % len(settlements)].setl_id for i in picks))
    previous = compute_person_year("P1", 2025, settlements, book, trace=False)  # type: ignore[arg-type]
    change = recompute_person_year(previous, [Cancellation(s, "P1") for s in cancelled], book)  # type: ignore[arg-type]
    remaining = [s for s in settlements if s.setl_id not in cancelled]
    assert change.after == compute_person_year("P1", 2025, remaining, book, trace=False)  # type: ignore[arg-type]
    old = {r.setl_id: r.payout for r in previous.settlements}
    for adjustment in change.adjustments:
        assert adjustment.difference == adjustment.new_payout - adjustment.old_payout
        assert adjustment.old_payout == old[adjustment.setl_id]


@PROPERTY
@given(settlements=person_year(min_size=2), late=st.integers(0, 7), book=rule_book())
def test_recompute_after_a_late_settlement_equals_computing_from_scratch(
    settlements: list[Settlement], late: int, book: object
) -> None:
    arriving = settlements[late % len(settlements)]
    earlier = [s for s in settlements if s is not arriving]
    previous = compute_person_year("P1", 2025, earlier, book, trace=False)  # type: ignore[arg-type]
    change = recompute_person_year(previous, [arriving], book)  # type: ignore[arg-type]
    assert change.after == compute_person_year("P1", 2025, settlements, book, trace=False)  # type: ignore[arg-type]
    net = sum((a.difference for a in change.adjustments), Decimal(0))
    assert net == year_total(change.after) - year_total(previous)
