"""Cancellations (2305) and late settlements: the year is recomputed, differences become 补付 / 追回."""

from __future__ import annotations

import pytest

from dae.benefits.engine.errors import InputInvalid
from dae.benefits.engine.model import Cancellation
from dae.benefits.engine.person_year import calculate, compute_person_year
from dae.benefits.engine.recompute import recompute_person_year
from dae.benefits.engine.results import AdjustmentKind, AdjustmentReason

from .helpers import BOOK, stay, totals, y

S1 = stay("S1", "2025-03-01 10:00:00", "70000.00")  # base 10,000 -> 8,500
S2 = stay("S2", "2025-06-01 10:00:00", "50000.00")  # B 10,000 -> 60,000: 34,000 + 9,000 = 43,000
S3 = stay("S3", "2025-09-01 10:00:00", "30000.00")  # B 60,000 -> 90,000: 27,000


def adjustments_of(recomputation: object) -> list[tuple[str, str, str, str, str, str]]:
    return [
        (a.setl_id, f"{a.old_payout:.2f}", f"{a.new_payout:.2f}", f"{a.difference:.2f}", a.kind.value, a.reason.value)
        for a in recomputation.adjustments  # type: ignore[attr-defined]
    ]


def test_cancellation_mid_year_recovers_it_and_recomputes_the_later_settlement() -> None:
    previous = compute_person_year("P1", 2025, [S1, S2, S3], BOOK)
    assert [f"{r.payout:.2f}" for r in previous.settlements] == ["8500.00", "43000.00", "27000.00"]
    change = recompute_person_year(previous, [Cancellation("S2", "P1")], BOOK)
    # Without S2, S3 sits on B 10,000 -> 40,000: 25,500.
    assert adjustments_of(change) == [
        ("S2", "43000.00", "0.00", "-43000.00", "recovery", "cancelled"),
        ("S3", "27000.00", "25500.00", "-1500.00", "recovery", "recomputed"),
    ]
    assert change.adjustments[0].kind.label_zh == "追回"
    assert change.after == compute_person_year("P1", 2025, [S1, S3], BOOK, trace=False)


def test_late_older_settlement_is_paid_and_later_ones_are_topped_up() -> None:
    previous = compute_person_year("P1", 2025, [S1, S3], BOOK)
    assert [f"{r.payout:.2f}" for r in previous.settlements] == ["8500.00", "25500.00"]
    change = recompute_person_year(previous, [S2], BOOK)
    assert adjustments_of(change) == [
        ("S3", "25500.00", "27000.00", "1500.00", "supplement", "recomputed"),
        ("S2", "0.00", "43000.00", "43000.00", "supplement", "late_settlement"),
    ]
    assert change.adjustments[0].kind.label_zh == "补付"
    assert [r.setl_id for r in change.after.settlements] == ["S1", "S2", "S3"]


def test_unchanged_settlements_are_not_listed() -> None:
    previous = compute_person_year("P1", 2025, [S1, S2, S3], BOOK)
    change = recompute_person_year(previous, [Cancellation("S3", "P1")], BOOK)
    assert adjustments_of(change) == [("S3", "27000.00", "0.00", "-27000.00", "recovery", "cancelled")]


def test_cancelling_a_settlement_that_paid_nothing_still_moves_the_later_ones() -> None:
    first = stay("S0", "2025-01-15 10:00:00", "100.00")
    previous = compute_person_year("P1", 2025, [first, S1], BOOK)
    assert [f"{r.payout:.2f}" for r in previous.settlements] == ["0.00", "8585.00"]  # S1: base 70,100 - 60,000
    change = recompute_person_year(previous, [Cancellation("S0", "P1")], BOOK)
    assert [(a.setl_id, a.kind, a.reason) for a in change.adjustments] == [
        ("S0", AdjustmentKind.NONE, AdjustmentReason.CANCELLED),
        ("S1", AdjustmentKind.RECOVERY, AdjustmentReason.RECOMPUTED),
    ]
    assert change.adjustments[1].difference == y("-85.00")


def test_2305_cancel_amounts_must_mirror_the_settlement() -> None:
    previous = compute_person_year("P1", 2025, [S1, S2], BOOK)
    mirrored = Cancellation("S2", "P1", totals("50000.00").negated())
    assert recompute_person_year(previous, [mirrored], BOOK).after.closing.paid == y("8500.00")
    wrong = Cancellation("S2", "P1", totals("49999.99").negated())
    with pytest.raises(InputInvalid) as caught:
        recompute_person_year(previous, [wrong], BOOK)
    assert [(e.path, e.code) for e in caught.value.errors] == [("changes[0].medfee_sumamt", "cancel_amounts_mismatch")]


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        (Cancellation("NOPE", "P1"), "changes[0].setl_id", "cancel_unknown_settlement"),
        (Cancellation("S1", "P2"), "changes[0].psn_no", "cancel_person_mismatch"),
        (stay("S1", "2025-05-01 10:00:00", "1.00"), "changes[0].setl_id", "duplicate_setl_id"),
        (stay("S9", "2025-05-01 10:00:00", "1.00", psn="P2"), "changes[0].psn_no", "other_person"),
        (stay("S9", "2026-01-02 10:00:00", "1.00"), "changes[0].setl_time", "other_policy_year"),
        (stay("S9", "2025-05-01 10:00:00", "-1.00"), "changes[0].inscp_scp_amt", "negative_amount"),
    ],
)
def test_bad_changes_are_refused_and_nothing_is_recomputed(change: object, path: str, code: str) -> None:
    previous = compute_person_year("P1", 2025, [S1], BOOK)
    with pytest.raises(InputInvalid) as caught:
        recompute_person_year(previous, [change], BOOK)  # type: ignore[list-item]
    assert (path, code) in [(e.path, e.code) for e in caught.value.errors]


def test_calculate_drops_cancelled_settlements_and_equals_computing_without_them() -> None:
    with_cancel = calculate([S1, S2, S3], BOOK, cancellations=[Cancellation("S2", "P1")], trace=False)
    without = calculate([S1, S3], BOOK, trace=False)
    assert with_cancel.person_years == without.person_years
    assert with_cancel.cancelled_setl_ids == ("S2",)


def test_cancelling_twice_is_refused() -> None:
    with pytest.raises(InputInvalid) as caught:
        calculate([S1, S2], BOOK, cancellations=[Cancellation("S2", "P1"), Cancellation("S2", "P1")])
    assert [(e.path, e.code) for e in caught.value.errors] == [("cancellations[1].setl_id", "duplicate_cancellation")]
