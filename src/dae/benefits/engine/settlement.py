"""Steps 2–8 of the payout for one settlement, given the person's cumulative sums before it.

Dialysis limit, entry threshold, segments with the place-category adjustment, one rounding, the annual maximum
and the person's share (benefit-policy.md §2). The settlement's inputs are assumed checked (``checks.py``); the
four-totals identity is asserted again here because a payout must never rest on totals that do not add up. Pure:
no I/O, no clock, never imports Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dae.benefits.engine.errors import CalculationError
from dae.benefits.engine.lines import compute_lines, totals_of
from dae.benefits.engine.model import NationalTotals, Settlement, YearSums
from dae.benefits.engine.results import DialysisSessionResult, LineResult, SegmentShare, SettlementResult
from dae.benefits.engine.rules import RuleSet
from dae.benefits.engine.trace import StepCode, TraceStep, make_step
from dae.core.money import ZERO, fmt_yuan, round_fen

Steps = list[TraceStep] | None


def compute_settlement(
    settlement: Settlement,
    rules: RuleSet,
    before: YearSums,
    *,
    policy_year: int,
    trace: bool,
    lead_steps: Sequence[TraceStep] = (),
) -> SettlementResult:
    """The payout of ``settlement`` under ``rules`` for a person whose year so far is ``before``."""
    steps: Steps = list(lead_steps) if trace else None
    lines = compute_lines(settlement.fee_lines, rules.first_self_pay, trace=trace)
    totals = _settlement_totals(settlement, lines, steps)
    sessions = dialysis_sessions(settlement, lines, rules, steps)
    eligible = _eligible_amount(totals, sessions, steps)
    base = entry_base(before.eligible_amount, eligible, rules.entry_threshold)
    if steps is not None:
        steps.append(_entry_step(before.eligible_amount, eligible, rules.entry_threshold, base))
    adjustment = rules.place_adjustments[settlement.place_category]
    if steps is not None:
        steps.append(_adjustment_step(settlement, adjustment))
    shares = segment_shares(before.dae_base, base, rules, adjustment, steps)
    unrounded = sum((s.contribution for s in shares), ZERO)
    before_cap = round_fen(unrounded)
    if steps is not None:
        steps.append(_rounding_step(unrounded, before_cap))
    room = max(ZERO, rules.annual_maximum - before.paid)
    payout = min(before_cap, room)
    if steps is not None:
        steps.append(_cap_step(rules.annual_maximum, before.paid, before_cap, payout))
    person_share = totals.medfee_sumamt - payout
    after = YearSums(before.eligible_amount + eligible, before.dae_base + base, before.paid + payout)
    if steps is not None:
        steps.append(_person_share_step(totals.medfee_sumamt, payout, person_share))
        steps.append(_cumulative_step(after))
    return SettlementResult(
        setl_id=settlement.setl_id,
        psn_no=settlement.psn_no,
        policy_year=policy_year,
        version_id=rules.version_id,
        totals=totals,
        dialysis_sessions=sessions,
        eligible_amount=eligible,
        entry_threshold=rules.entry_threshold,
        dae_base=base,
        segments=shares,
        payout_unrounded=unrounded,
        payout_before_cap=before_cap,
        annual_room=room,
        payout=payout,
        person_share=person_share,
        before=before,
        after=after,
        lines=lines,
        trace=tuple(steps or ()),
        settlement=settlement,
    )


def entry_base(cumulative_eligible: Decimal, eligible: Decimal, threshold: Decimal) -> Decimal:
    """Policy §2 step 3: base = max(0, S + E − max(T, S))."""
    return max(ZERO, cumulative_eligible + eligible - max(threshold, cumulative_eligible))


def segment_shares(
    cumulative_base: Decimal, base: Decimal, rules: RuleSet, adjustment: Decimal, steps: Steps
) -> tuple[SegmentShare, ...]:
    """Policy §2 steps 4–5: overlap([B, B + base], segment) × max(0, ratio + adjustment), per segment touched."""
    shares = []
    end = cumulative_base + base
    for segment in rules.segments:
        upper = end if segment.upper is None else min(end, segment.upper)
        amount = upper - max(cumulative_base, segment.lower)
        if amount <= 0:
            continue
        applied = max(ZERO, segment.ratio + adjustment)
        share = SegmentShare(segment.lower, segment.upper, segment.ratio, adjustment, applied, amount, amount * applied)
        shares.append(share)
        if steps is not None:
            steps.append(_segment_step(share, cumulative_base, end))
    return tuple(shares)


def dialysis_sessions(
    settlement: Settlement, lines: Sequence[LineResult], rules: RuleSet, steps: Steps
) -> tuple[DialysisSessionResult, ...]:
    """Policy §2 step 2: per session min(in-scope, limit) when locally and directly settled, else nothing."""
    in_scope: dict[str, Decimal] = {}
    for line in lines:
        if line.dialysis_session is not None:
            in_scope[line.dialysis_session] = in_scope.get(line.dialysis_session, ZERO) + line.inscp_scp_amt
    is_eligible = rules.dialysis.is_eligible(settlement.place_category, settlement.settle_way)
    limit = rules.dialysis.per_session_limit
    sessions = []
    for session_id, amount in in_scope.items():
        eligible = min(amount, limit) if is_eligible else ZERO
        session = DialysisSessionResult(session_id, amount, limit, is_eligible, eligible, amount - eligible)
        sessions.append(session)
        if steps is not None:
            steps.append(_dialysis_step(session, settlement))
    return tuple(sessions)


def _settlement_totals(settlement: Settlement, lines: Sequence[LineResult], steps: Steps) -> NationalTotals:
    totals = totals_of(lines) if settlement.totals is None else settlement.totals
    if not totals.identity_holds():
        raise CalculationError(f"settlement {settlement.setl_id}: medfee_sumamt != sum of the four totals")
    if steps is not None:
        steps.append(_totals_step(totals, from_lines=settlement.totals is None, line_count=len(lines)))
    return totals


def _eligible_amount(totals: NationalTotals, sessions: Sequence[DialysisSessionResult], steps: Steps) -> Decimal:
    dialysis_self_paid = sum((s.self_paid for s in sessions), ZERO)
    eligible = totals.inscp_scp_amt - dialysis_self_paid
    if steps is not None:
        steps.append(
            make_step(
                StepCode.ELIGIBLE_AMOUNT,
                "benefit-policy.md §2 steps 2-3",
                inputs={"inscp_scp_amt": totals.inscp_scp_amt, "dialysis_self_paid": dialysis_self_paid},
                rule={"eligible_amount": "inscp_scp_amt - dialysis amounts not eligible"},
                output={"eligible_amount": eligible},
                zh=f"本次可进入大额计算的符合范围金额 E = {fmt_yuan(totals.inscp_scp_amt)} - 透析不予计入 "
                f"{fmt_yuan(dialysis_self_paid)} = {fmt_yuan(eligible)} 元.",
                en=f"Eligible amount E = in-scope {totals.inscp_scp_amt} - dialysis not eligible "
                f"{dialysis_self_paid} = {eligible}.",
            )
        )
    return eligible


def _totals_step(totals: NationalTotals, *, from_lines: bool, line_count: int) -> TraceStep:
    source_zh = f"由 {line_count} 条费用明细汇总" if from_lines else "取平台结算合计 (合计路径)"
    source_en = f"summed from {line_count} fee line(s)" if from_lines else "as given by the platform (totals path)"
    return make_step(
        StepCode.SETTLEMENT_TOTALS,
        "benefit-policy.md §2 step 1",
        inputs={"source": "fee_lines" if from_lines else "totals"},
        rule={"identity": "medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt"},
        output={
            "medfee_sumamt": totals.medfee_sumamt,
            "fulamt_ownpay_amt": totals.fulamt_ownpay_amt,
            "overlmt_selfpay": totals.overlmt_selfpay,
            "preselfpay_amt": totals.preselfpay_amt,
            "inscp_scp_amt": totals.inscp_scp_amt,
        },
        zh=f"结算合计{source_zh}: 医疗费总额 {fmt_yuan(totals.medfee_sumamt)} = 全自费 "
        f"{fmt_yuan(totals.fulamt_ownpay_amt)} + 超限价 {fmt_yuan(totals.overlmt_selfpay)} + 先行自付 "
        f"{fmt_yuan(totals.preselfpay_amt)} + 符合政策范围 {fmt_yuan(totals.inscp_scp_amt)} 元, 恒等式成立.",
        en=f"Totals {source_en}: medfee_sumamt {totals.medfee_sumamt} = {totals.fulamt_ownpay_amt} + "
        f"{totals.overlmt_selfpay} + {totals.preselfpay_amt} + {totals.inscp_scp_amt}; the identity holds.",
    )


def _dialysis_step(session: DialysisSessionResult, settlement: Settlement) -> TraceStep:
    if session.is_eligible:
        zh = (
            f"透析 {session.session_id}: 符合范围金额 {fmt_yuan(session.inscp_scp_amt)} 元, 每次限额 "
            f"{fmt_yuan(session.per_session_limit)} 元, 计入 {fmt_yuan(session.eligible_amount)} 元, 超出部分 "
            f"{fmt_yuan(session.self_paid)} 元自付."
        )
    else:
        zh = (
            f"透析 {session.session_id}: 非本市定点医疗机构直接结算 ({settlement.place_category.value}, "
            f"{settlement.settle_way.value}), {fmt_yuan(session.inscp_scp_amt)} 元不进入大额赔付范围."
        )
    return make_step(
        StepCode.DIALYSIS_SESSION,
        "benefit-policy.md §2 step 2",
        inputs={
            "session_id": session.session_id,
            "inscp_scp_amt": session.inscp_scp_amt,
            "place_category": settlement.place_category.value,
            "settle_way": settlement.settle_way.value,
        },
        rule={"dialysis.per_session_limit": session.per_session_limit, "dialysis.eligible": session.is_eligible},
        output={"eligible_amount": session.eligible_amount, "self_paid": session.self_paid},
        zh=zh,
        en=f"Dialysis session {session.session_id}: in-scope {session.inscp_scp_amt}, eligible "
        f"{session.eligible_amount} (limit {session.per_session_limit}, eligible place/way: {session.is_eligible}), "
        f"self-paid {session.self_paid}.",
    )


def _entry_step(cumulative: Decimal, eligible: Decimal, threshold: Decimal, base: Decimal) -> TraceStep:
    return make_step(
        StepCode.ENTRY_THRESHOLD,
        "benefit-policy.md §2 step 3",
        inputs={"cumulative_eligible_before": cumulative, "eligible_amount": eligible},
        rule={"entry_threshold": threshold},
        output={"dae_base": base},
        zh=f"起付: 本年此前累计 S = {fmt_yuan(cumulative)}, 本次 E = {fmt_yuan(eligible)}, 起付线 T = "
        f"{fmt_yuan(threshold)}; 大额基数 = max(0, S + E - max(T, S)) = {fmt_yuan(base)} 元.",
        en=f"Entry: S = {cumulative}, E = {eligible}, T = {threshold}; base = max(0, S + E - max(T, S)) = {base}.",
    )


def _adjustment_step(settlement: Settlement, adjustment: Decimal) -> TraceStep:
    category = settlement.place_category.value
    return make_step(
        StepCode.PLACE_ADJUSTMENT,
        "benefit-policy.md §2 step 5, §4",
        inputs={"place_category": category},
        rule={f"place_adjustments.{category}": adjustment},
        output={"adjustment": adjustment},
        zh=f"就医类别 {category}: 各段比例调整 {adjustment} (不低于 0).",
        en=f"Place category {category}: every segment ratio adjusted by {adjustment} (never below 0).",
    )


def _segment_step(share: SegmentShare, start: Decimal, end: Decimal) -> TraceStep:
    upper_text = "以上" if share.upper is None else f"至 {fmt_yuan(share.upper)}"
    upper_en = "and above" if share.upper is None else f"to {share.upper}"
    return make_step(
        StepCode.SEGMENT,
        "benefit-policy.md §2 steps 4-5",
        inputs={"cumulative_base_before": start, "cumulative_base_after": end},
        rule={
            "segment.lower": share.lower,
            "segment.upper": share.upper,
            "segment.ratio": share.ratio,
            "adjustment": share.adjustment,
        },
        output={"amount": share.amount, "applied_ratio": share.applied_ratio, "contribution": share.contribution},
        zh=f"分段 {fmt_yuan(share.lower)} {upper_text}: 累计基数 {fmt_yuan(start)} -> {fmt_yuan(end)} 中落在本段 "
        f"{fmt_yuan(share.amount)} 元, x {share.applied_ratio} = {share.contribution}.",
        en=f"Segment {share.lower} {upper_en}: of cumulative base {start} -> {end}, {share.amount} falls here, "
        f"x {share.applied_ratio} = {share.contribution}.",
    )


def _rounding_step(unrounded: Decimal, rounded: Decimal) -> TraceStep:
    return make_step(
        StepCode.ROUNDING,
        "benefit-policy.md §2 step 6",
        inputs={"payout_unrounded": unrounded},
        rule={"rounding": "half_up 0.01, once per settlement"},
        output={"payout_before_cap": rounded},
        zh=f"各段合计 {unrounded}, 四舍五入到分 (每次结算一次): {fmt_yuan(rounded)} 元.",
        en=f"Sum of segments {unrounded}, rounded once half up to the fen: {rounded}.",
    )


def _cap_step(maximum: Decimal, paid: Decimal, before_cap: Decimal, payout: Decimal) -> TraceStep:
    return make_step(
        StepCode.ANNUAL_MAXIMUM,
        "benefit-policy.md §2 step 7",
        inputs={"payout_before_cap": before_cap, "paid_before": paid},
        rule={"annual_maximum": maximum},
        output={"payout": payout},
        zh=f"年度最高支付限额 {fmt_yuan(maximum)}, 本年已付 {fmt_yuan(paid)}: 本次支付 = min({fmt_yuan(before_cap)}, "
        f"max(0, {fmt_yuan(maximum)} - {fmt_yuan(paid)})) = {fmt_yuan(payout)} 元 (hifob_pay).",
        en=f"Annual maximum {maximum}, paid so far {paid}: payout = min({before_cap}, max(0, {maximum} - {paid})) "
        f"= {payout} (hifob_pay).",
    )


def _person_share_step(total: Decimal, payout: Decimal, share: Decimal) -> TraceStep:
    return make_step(
        StepCode.PERSON_SHARE,
        "benefit-policy.md §2 step 8",
        inputs={"medfee_sumamt": total, "payout": payout},
        rule={"person_share": "medfee_sumamt - payout"},
        output={"person_share": share},
        zh=f"个人负担 (大额基金未支付部分) = {fmt_yuan(total)} - {fmt_yuan(payout)} = {fmt_yuan(share)} 元.",
        en=f"Person's share (not paid by the fund) = {total} - {payout} = {share}.",
    )


def _cumulative_step(after: YearSums) -> TraceStep:
    return make_step(
        StepCode.CUMULATIVE,
        "benefit-policy.md §2",
        inputs={},
        rule={},
        output={
            "cumulative_eligible": after.eligible_amount,
            "cumulative_base": after.dae_base,
            "cumulative_paid": after.paid,
        },
        zh=f"本次结算后本年累计: 符合范围金额 {fmt_yuan(after.eligible_amount)}, 大额基数 "
        f"{fmt_yuan(after.dae_base)}, 已付 {fmt_yuan(after.paid)} 元.",
        en=f"After this settlement the year stands at: eligible {after.eligible_amount}, base {after.dae_base}, "
        f"paid {after.paid}.",
    )
