"""Recomputing a person-year after a change: a cancellation (2305) or a settlement that arrives late.

A paid settlement is never edited in place (policy §3): the change is applied to the person-year's inputs, the
whole year is computed again in order, and each settlement whose payout moved yields an adjustment, 补付 when the
fund owes more, 追回 when it recovers. By construction the new year equals a computation from scratch with the
change applied. Pure; must never import Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dae.benefits.engine.checks import cancellation_errors, settlement_errors
from dae.benefits.engine.errors import FieldError, InputInvalid
from dae.benefits.engine.model import Cancellation, Change, Settlement
from dae.benefits.engine.person_year import compute_person_year, policy_year_of
from dae.benefits.engine.results import (
    AdjustmentKind,
    AdjustmentReason,
    PayoutAdjustment,
    PersonYearResult,
    Recomputation,
)
from dae.benefits.engine.rules import RuleBook
from dae.core.money import ZERO


def recompute_person_year(
    previous: PersonYearResult, changes: Sequence[Change], book: RuleBook, *, trace: bool = False
) -> Recomputation:
    """Apply ``changes`` (in order) to a computed person-year and return old/new payouts and adjustments."""
    inputs = {r.setl_id: _input_of(r.setl_id, r.settlement) for r in previous.settlements}
    totals = {r.setl_id: r.totals for r in previous.settlements}
    reasons: dict[str, AdjustmentReason] = {}
    errors: list[FieldError] = []
    for index, change in enumerate(changes):
        path = f"changes[{index}]"
        if isinstance(change, Cancellation):
            original = inputs.get(change.setl_id)
            change_errors = cancellation_errors(change, original, totals.get(change.setl_id), path)
            if not change_errors:
                del inputs[change.setl_id]
                reasons[change.setl_id] = AdjustmentReason.CANCELLED
        else:
            change_errors = _late_settlement_errors(change, previous, inputs, book, path)
            if not change_errors:
                inputs[change.setl_id] = change
                reasons[change.setl_id] = AdjustmentReason.LATE_SETTLEMENT
        errors += change_errors
    if errors:
        raise InputInvalid(errors)
    after = compute_person_year(
        previous.psn_no, previous.policy_year, list(inputs.values()), book, opening=previous.opening, trace=trace
    )
    return Recomputation(previous.psn_no, previous.policy_year, previous, after, _adjustments(previous, after, reasons))


def _input_of(setl_id: str, settlement: Settlement | None) -> Settlement:
    if settlement is None:
        # Results built by the engine always keep their input; one without it cannot be recomputed.
        raise InputInvalid(
            [
                FieldError(
                    f"previous.settlements[{setl_id}]",
                    "input_missing",
                    "原计算结果未保存结算输入, 无法重算",
                    "the previous result does not keep its settlement input; it cannot be recomputed",
                )
            ]
        )
    return settlement


def _late_settlement_errors(
    settlement: Settlement, previous: PersonYearResult, inputs: dict[str, Settlement], book: RuleBook, path: str
) -> list[FieldError]:
    if settlement.setl_id in inputs:
        return [
            FieldError(
                f"{path}.setl_id",
                "duplicate_setl_id",
                f"结算ID {settlement.setl_id} 已在该人员年度中",
                f"setl_id {settlement.setl_id} is already in this person-year",
            )
        ]
    if settlement.psn_no != previous.psn_no:
        return [
            FieldError(
                f"{path}.psn_no",
                "other_person",
                f"结算属于人员 {settlement.psn_no}, 不是 {previous.psn_no}",
                f"the settlement belongs to {settlement.psn_no}, not {previous.psn_no}",
            )
        ]
    if settlement.basis_date(book.year_basis) is not None and policy_year_of(settlement, book) != previous.policy_year:
        return [
            FieldError(
                f"{path}.setl_time",
                "other_policy_year",
                f"结算不属于 {previous.policy_year} 年度",
                f"the settlement does not belong to policy year {previous.policy_year}",
            )
        ]
    return settlement_errors(settlement, path, book)


def _adjustments(
    before: PersonYearResult, after: PersonYearResult, reasons: dict[str, AdjustmentReason]
) -> tuple[PayoutAdjustment, ...]:
    old = {r.setl_id: r.payout for r in before.settlements}
    new = {r.setl_id: r.payout for r in after.settlements}
    order = [r.setl_id for r in before.settlements] + [i for i in new if i not in old]
    adjustments = []
    for setl_id in order:
        old_payout = old.get(setl_id, ZERO)
        new_payout = new.get(setl_id, ZERO)
        difference = new_payout - old_payout
        if difference == 0 and setl_id not in reasons:
            continue
        reason = reasons.get(setl_id, AdjustmentReason.RECOMPUTED)
        adjustments.append(PayoutAdjustment(setl_id, old_payout, new_payout, difference, _kind(difference), reason))
    return tuple(adjustments)


def _kind(difference: Decimal) -> AdjustmentKind:
    if difference > 0:
        return AdjustmentKind.SUPPLEMENT
    if difference < 0:
        return AdjustmentKind.RECOVERY
    return AdjustmentKind.NONE
