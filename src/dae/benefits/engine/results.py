"""What the payout engine returns: per fee line, per settlement, per person-year, and recomputation adjustments.

Frozen dataclasses; amounts are ``Decimal`` yuan, rounded to the fen except the unrounded segment contributions.
Every result carries its trace (empty when traces were switched off). ``SettlementResult.settlement`` keeps the
input, so a person-year can be recomputed after a cancellation without asking the database again. Must never
import Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from dae.benefits.engine.model import NationalTotals, Settlement, YearSums
from dae.benefits.engine.trace import TraceStep


@dataclass(frozen=True, slots=True)
class LineResult:
    """One fee line after refunds netted against it (policy §2 step 1)."""

    feedetl_sn: str
    refund_feedetl_sns: tuple[str, ...]
    det_item_fee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    first_self_pay_base: Decimal
    first_self_pay_ratio: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    dialysis_session: str | None
    trace: tuple[TraceStep, ...] = ()


@dataclass(frozen=True, slots=True)
class DialysisSessionResult:
    """One haemodialysis session (policy §2 step 2): what of its in-scope amount is eligible."""

    session_id: str
    inscp_scp_amt: Decimal
    per_session_limit: Decimal
    is_eligible: bool
    eligible_amount: Decimal
    self_paid: Decimal


@dataclass(frozen=True, slots=True)
class SegmentShare:
    """The part of this settlement's 大额 base falling in one segment, and what it contributes (unrounded)."""

    lower: Decimal
    upper: Decimal | None
    ratio: Decimal
    adjustment: Decimal
    applied_ratio: Decimal
    amount: Decimal
    contribution: Decimal


@dataclass(frozen=True, slots=True)
class SettlementResult:
    """The payout of one settlement (``payout`` is the national ``hifob_pay``), and the year's sums after it."""

    setl_id: str
    psn_no: str
    policy_year: int
    version_id: str
    totals: NationalTotals
    dialysis_sessions: tuple[DialysisSessionResult, ...]
    eligible_amount: Decimal
    entry_threshold: Decimal
    dae_base: Decimal
    segments: tuple[SegmentShare, ...]
    payout_unrounded: Decimal
    payout_before_cap: Decimal
    annual_room: Decimal
    payout: Decimal
    person_share: Decimal
    before: YearSums
    after: YearSums
    lines: tuple[LineResult, ...] = ()
    trace: tuple[TraceStep, ...] = ()
    settlement: Settlement | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class PersonYearResult:
    """All settlements of one person in one policy year, in the order they were computed."""

    psn_no: str
    policy_year: int
    opening: YearSums
    settlements: tuple[SettlementResult, ...]

    @property
    def closing(self) -> YearSums:
        return self.settlements[-1].after if self.settlements else self.opening

    def payout_of(self, setl_id: str) -> Decimal | None:
        for result in self.settlements:
            if result.setl_id == setl_id:
                return result.payout
        return None


class AdjustmentKind(StrEnum):
    """How a difference found by recomputation is settled in the next monthly statement (policy §3)."""

    SUPPLEMENT = "supplement"  # 补付: the fund pays more
    RECOVERY = "recovery"  # 追回: the fund recovers
    NONE = "none"  # 无差额

    @property
    def label_zh(self) -> str:
        return {"supplement": "补付", "recovery": "追回", "none": "无差额"}[self.value]


class AdjustmentReason(StrEnum):
    CANCELLED = "cancelled"  # the settlement itself was cancelled (2305)
    LATE_SETTLEMENT = "late_settlement"  # the settlement arrived after later ones were paid
    RECOMPUTED = "recomputed"  # a later settlement whose cumulative position moved


@dataclass(frozen=True, slots=True)
class PayoutAdjustment:
    """Old and new payout of one settlement after a change, and the difference to book (never edited in place)."""

    setl_id: str
    old_payout: Decimal
    new_payout: Decimal
    difference: Decimal
    kind: AdjustmentKind
    reason: AdjustmentReason


@dataclass(frozen=True, slots=True)
class Recomputation:
    """A person-year before and after a change, and the adjustments it causes."""

    psn_no: str
    policy_year: int
    before: PersonYearResult
    after: PersonYearResult
    adjustments: tuple[PayoutAdjustment, ...]


@dataclass(frozen=True, slots=True)
class Calculation:
    """The result of one calculation over many persons: person-years ordered by person and year."""

    person_years: tuple[PersonYearResult, ...]
    cancelled_setl_ids: tuple[str, ...] = ()

    def settlement(self, setl_id: str) -> SettlementResult | None:
        for person_year in self.person_years:
            for result in person_year.settlements:
                if result.setl_id == setl_id:
                    return result
        return None
