"""What the payout engine is given: settlements, fee lines, national totals, openings, cancellations.

Frozen dataclasses only; field names follow the national interface (2301 fee lines, 2304 ``setlinfo``) so a
platform message maps onto them one to one. Amounts are ``Decimal`` in yuan with at most two decimals. This
module holds no rule and no arithmetic beyond sums, and must never import Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from dae.core.money import ZERO


class ChargeLevel(StrEnum):
    """``chrgitm_lv`` 收费项目等级."""

    CLASS_A = "01"  # 甲类
    CLASS_B = "02"  # 乙类
    CLASS_C = "03"  # 丙类, wholly self-paid


class SpecialDrugKind(StrEnum):
    """How a special drug (特殊药品) is managed; the first self-pay ratio depends on it."""

    IN_BASIC_SCOPE = "in_basic_scope"  # 纳入基本医保支付范围, not managed as 乙类
    CLASS_B_MANAGED = "class_b_managed"  # 按国家医保目录乙类管理


class PlaceCategory(StrEnum):
    """Where and how the person was treated (benefit-policy.md §4)."""

    LOCAL = "local"  # 本地
    LONG_TERM_OFFSITE = "long_term_offsite"  # 长期异地就医人员, directly settled
    LONG_TERM_OFFSITE_NOT_DIRECT = "long_term_offsite_not_direct"  # 因个人原因未直接结算
    REFERRED = "referred"  # 转诊转院
    SELF_REFERRED = "self_referred"  # 未履行规定程序自行异地就医
    EMERGENCY_AWAY = "emergency_away"  # 临时外出突发疾病急诊


class SettleWay(StrEnum):
    """How the settlement was made."""

    DIRECT = "direct"  # 即时结算 at the hospital
    MANUAL = "manual"  # 手工/零星报销 at the window


class DateBasis(StrEnum):
    """Which date of a settlement decides its policy year or its rule-set version."""

    SETTLEMENT_DATE = "settlement_date"
    ADMISSION_DATE = "admission_date"


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One fee line (费用明细, 2301). A refund line has a negative ``cnt`` and names its original."""

    feedetl_sn: str
    det_item_fee_sumamt: Decimal
    chrgitm_lv: ChargeLevel
    med_chrgitm_type: str
    cnt: Decimal = Decimal(1)
    pric: Decimal | None = None
    med_list_codg: str = ""
    overlmt_amt: Decimal = ZERO
    special_drug: SpecialDrugKind | None = None
    dialysis_session: str | None = None
    init_feedetl_sn: str | None = None

    @property
    def is_refund(self) -> bool:
        return self.init_feedetl_sn is not None


@dataclass(frozen=True, slots=True)
class NationalTotals:
    """The five settlement totals of the national interface (2304 ``setlinfo``; negative in a 2305 cancel)."""

    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal

    def parts_sum(self) -> Decimal:
        return self.fulamt_ownpay_amt + self.overlmt_selfpay + self.preselfpay_amt + self.inscp_scp_amt

    def identity_holds(self) -> bool:
        """medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt (policy §2.1)."""
        return self.medfee_sumamt == self.parts_sum()

    def negated(self) -> NationalTotals:
        return NationalTotals(
            -self.medfee_sumamt,
            -self.fulamt_ownpay_amt,
            -self.overlmt_selfpay,
            -self.preselfpay_amt,
            -self.inscp_scp_amt,
        )


@dataclass(frozen=True, slots=True)
class Settlement:
    """One settlement (结算): a stay, a mid-stay settlement or an outpatient special-disease episode.

    Give either ``fee_lines`` (the engine computes the totals, step 1) or ``totals`` (the platform's totals; the
    engine starts at step 3 with ``inscp_scp_amt`` as the eligible amount), never both.
    """

    setl_id: str
    psn_no: str
    setl_time: datetime
    place_category: PlaceCategory = PlaceCategory.LOCAL
    settle_way: SettleWay = SettleWay.DIRECT
    adm_date: date | None = None
    dscg_date: date | None = None
    med_type: str = ""
    mdtrt_id: str = ""
    fee_lines: tuple[FeeLine, ...] = ()
    totals: NationalTotals | None = None

    def basis_date(self, basis: DateBasis) -> date | None:
        """The settlement date or the admission date, as a rule set's basis asks."""
        if basis is DateBasis.ADMISSION_DATE:
            return self.adm_date
        return self.setl_time.date()


@dataclass(frozen=True, slots=True)
class YearSums:
    """A person's cumulative figures in one policy year: eligible in-scope amount S, 大额 base B, paid P."""

    eligible_amount: Decimal = ZERO
    dae_base: Decimal = ZERO
    paid: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class YearOpening:
    """Cumulative figures a person-year already has from settlements not given to this calculation."""

    psn_no: str
    policy_year: int
    sums: YearSums


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A settlement cancelled (结算撤销, platform transaction 2305), referring to its ``setl_id``.

    ``amounts`` are the 2305 message's totals, negative as the platform sends them; when given they must be the
    exact negation of the cancelled settlement's totals.
    """

    setl_id: str
    psn_no: str
    amounts: NationalTotals | None = None


Change = Cancellation | Settlement
"""A change to a person-year already computed: a cancellation, or a (possibly late) new settlement."""
