"""Hypothesis strategies: settlements (totals or fee lines), person-years, openings, rule books with versions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from dae.benefits.engine.model import (
    ChargeLevel,
    FeeLine,
    NationalTotals,
    PlaceCategory,
    Settlement,
    SettleWay,
    SpecialDrugKind,
    YearSums,
)
from dae.benefits.engine.rules import RuleBook

from .helpers import book, ruleset_doc

YEAR_START = datetime(2025, 1, 1)


def fen(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Whole fen between ``low`` and ``high`` fen, as yuan."""
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


moments = st.integers(0, 365 * 24 * 3600 - 1).map(lambda s: YEAR_START + timedelta(seconds=s))
places = st.sampled_from(list(PlaceCategory))
ways = st.sampled_from(list(SettleWay))


@st.composite
def national_totals(draw: st.DrawFn, max_inscp: int = 30_000_000) -> NationalTotals:
    parts = [draw(fen(0, 500_000)), draw(fen(0, 200_000)), draw(fen(0, 300_000)), draw(fen(0, max_inscp))]
    return NationalTotals(sum(parts, Decimal("0.00")), *parts)


@st.composite
def fee_line_group(draw: st.DrawFn, sn: str) -> list[FeeLine]:
    """One original line, sometimes followed by a refund line that nets against it."""
    amount = draw(st.integers(0, 5_000_000))
    over_cap = draw(st.sampled_from([0, 0, amount // 10, amount]))
    original = FeeLine(
        feedetl_sn=sn,
        det_item_fee_sumamt=Decimal(amount).scaleb(-2),
        chrgitm_lv=draw(st.sampled_from(list(ChargeLevel))),
        med_chrgitm_type=draw(st.sampled_from(["03", "05", "08", "09", "10", "11", "0801"])),
        overlmt_amt=Decimal(over_cap).scaleb(-2),
        special_drug=draw(st.sampled_from([None, None, *SpecialDrugKind])),
        dialysis_session=draw(st.sampled_from([None, None, "d1", "d2"])),
    )
    if not draw(st.booleans()) or amount == 0:
        return [original]
    refund = draw(st.integers(1, amount))
    # Keep 0 <= net over-cap part <= net amount.
    refund_over = draw(st.integers(max(0, over_cap - (amount - refund)), min(over_cap, refund)))
    return [
        original,
        FeeLine(
            feedetl_sn=f"{sn}R",
            det_item_fee_sumamt=Decimal(-refund).scaleb(-2),
            chrgitm_lv=original.chrgitm_lv,
            med_chrgitm_type=original.med_chrgitm_type,
            cnt=Decimal(-1),
            overlmt_amt=Decimal(-refund_over).scaleb(-2),
            init_feedetl_sn=sn,
        ),
    ]


@st.composite
def fee_lines(draw: st.DrawFn) -> tuple[FeeLine, ...]:
    count = draw(st.integers(1, 5))
    return tuple(line for i in range(count) for line in draw(fee_line_group(f"L{i}")))


@st.composite
def settlement(draw: st.DrawFn, setl_id: str, psn_no: str = "P1", *, with_lines: bool = True) -> Settlement:
    use_lines = with_lines and draw(st.booleans())
    return Settlement(
        setl_id=setl_id,
        psn_no=psn_no,
        setl_time=draw(moments),
        place_category=draw(places),
        settle_way=draw(ways),
        fee_lines=draw(fee_lines()) if use_lines else (),
        totals=None if use_lines else draw(national_totals()),
    )


@st.composite
def person_year(draw: st.DrawFn, min_size: int = 1, max_size: int = 8, *, with_lines: bool = True) -> list[Settlement]:
    count = draw(st.integers(min_size, max_size))
    return [draw(settlement(f"S{i:02d}", with_lines=with_lines)) for i in range(count)]


@st.composite
def openings(draw: st.DrawFn, maximum: int = 41_000_000) -> YearSums:
    base = draw(st.integers(0, 20_000_000))
    eligible = base + draw(st.integers(0, 8_000_000))
    return YearSums(Decimal(eligible).scaleb(-2), Decimal(base).scaleb(-2), draw(fen(0, maximum)))


def _ratio(thousandths: int) -> str:
    return str(Decimal(thousandths).scaleb(-3))


@st.composite
def rule_book(draw: st.DrawFn, first_day: date = date(2025, 1, 1), days: int = 365, **fixed: Any) -> RuleBook:
    """One to three versions from ``first_day`` with random thresholds, ascending ratios, maxima and adjustments."""
    cuts = sorted(draw(st.sets(st.integers(30, days - 35), max_size=2)))
    starts = [first_day] + [first_day + timedelta(days=c) for c in cuts]
    docs: list[dict[str, Any]] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] - timedelta(days=1) if index + 1 < len(starts) else None
        low = draw(st.integers(500, 900))
        ratios = [low, low + draw(st.integers(0, 50)), low + draw(st.integers(50, 99))]
        docs.append(
            ruleset_doc(
                version=f"v{index}",
                valid_from=start.isoformat(),
                valid_to=None if end is None else end.isoformat(),
                entry_threshold=str(draw(fen(0, 8_000_000))),
                annual_maximum=str(draw(fen(1_000_000, 41_000_000))),
                segments=[
                    {"lower": "0", "upper": "50000.00", "ratio": _ratio(ratios[0])},
                    {"lower": "50000.00", "upper": "100000.00", "ratio": _ratio(ratios[1])},
                    {"lower": "100000.00", "upper": None, "ratio": _ratio(ratios[2])},
                ],
                place_adjustments={
                    "long_term_offsite_not_direct": _ratio(-draw(st.integers(0, 1000))),
                    "self_referred": f"-0.{draw(st.integers(0, 99)):02d}",
                },
                **fixed,
            )
        )
    return book(*docs)
