"""Step 1 of the payout: each fee line split into self-paid parts and the in-scope amount (policy §2 step 1).

Refund lines are netted against their original first, so the first self-pay is rounded once on what was really
charged. 丙类 is wholly self-paid; the part above the price cap is self-paid; of the rest the first self-pay is
``round_half_up(base × r, 0.01)`` and the in-scope amount is what remains. Inputs are assumed checked
(``checks.py``). Must never import Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from dae.benefits.engine.model import ChargeLevel, FeeLine, NationalTotals
from dae.benefits.engine.results import LineResult
from dae.benefits.engine.rules import FirstSelfPayRatios
from dae.benefits.engine.trace import StepCode, TraceStep, make_step
from dae.core.money import ZERO, fmt_yuan, round_fen

REF = "benefit-policy.md §2 step 1"


def net_refunds(lines: Sequence[FeeLine]) -> list[tuple[FeeLine, tuple[FeeLine, ...]]]:
    """Each original line with the refund lines that name it, in the order the originals were given."""
    refunds: dict[str, list[FeeLine]] = {}
    for line in lines:
        if line.init_feedetl_sn is not None:
            refunds.setdefault(line.init_feedetl_sn, []).append(line)
    return [(line, tuple(refunds.get(line.feedetl_sn, ()))) for line in lines if not line.is_refund]


def compute_lines(lines: Sequence[FeeLine], ratios: FirstSelfPayRatios, *, trace: bool) -> tuple[LineResult, ...]:
    return tuple(compute_line(original, refunds, ratios, trace=trace) for original, refunds in net_refunds(lines))


def compute_line(
    original: FeeLine, refunds: Sequence[FeeLine], ratios: FirstSelfPayRatios, *, trace: bool
) -> LineResult:
    steps: list[TraceStep] | None = [] if trace else None
    amount = original.det_item_fee_sumamt + sum((r.det_item_fee_sumamt for r in refunds), ZERO)
    if steps is not None and refunds:
        steps.append(_netting_step(original, refunds, amount))
    if original.chrgitm_lv is ChargeLevel.CLASS_C:
        if steps is not None:
            steps.append(_class_c_step(amount))
        return _result(original, refunds, amount, (amount, ZERO, ZERO, ZERO), steps)
    over_cap = original.overlmt_amt + sum((r.overlmt_amt for r in refunds), ZERO)
    base = amount - over_cap
    ratio, parameter = ratios.ratio_for(original.chrgitm_lv, original.med_chrgitm_type, original.special_drug)
    if steps is not None:
        steps.append(_over_cap_step(amount, over_cap, base))
        steps.append(_first_self_pay_step(original, base, ratio, parameter, round_fen(base * ratio)))
    return _result(original, refunds, amount, (ZERO, over_cap, base, ratio), steps)


def _result(
    original: FeeLine,
    refunds: Sequence[FeeLine],
    amount: Decimal,
    parts: tuple[Decimal, Decimal, Decimal, Decimal],
    steps: list[TraceStep] | None,
) -> LineResult:
    fulamt, over_cap, base, ratio = parts
    first_self_pay = round_fen(base * ratio)
    return LineResult(
        feedetl_sn=original.feedetl_sn,
        refund_feedetl_sns=tuple(r.feedetl_sn for r in refunds),
        det_item_fee_sumamt=amount,
        fulamt_ownpay_amt=fulamt,
        overlmt_selfpay=over_cap,
        first_self_pay_base=base,
        first_self_pay_ratio=ratio,
        preselfpay_amt=first_self_pay,
        inscp_scp_amt=base - first_self_pay,
        dialysis_session=original.dialysis_session,
        trace=tuple(steps or ()),
    )


def totals_of(lines: Sequence[LineResult]) -> NationalTotals:
    """The settlement's five totals as sums of its lines (so the identity holds line by line)."""
    return NationalTotals(
        medfee_sumamt=sum((r.det_item_fee_sumamt for r in lines), ZERO),
        fulamt_ownpay_amt=sum((r.fulamt_ownpay_amt for r in lines), ZERO),
        overlmt_selfpay=sum((r.overlmt_selfpay for r in lines), ZERO),
        preselfpay_amt=sum((r.preselfpay_amt for r in lines), ZERO),
        inscp_scp_amt=sum((r.inscp_scp_amt for r in lines), ZERO),
    )


def _netting_step(original: FeeLine, refunds: Sequence[FeeLine], amount: Decimal) -> TraceStep:
    sns = ", ".join(r.feedetl_sn for r in refunds)
    return make_step(
        StepCode.LINE_REFUND_NETTING,
        "benefit-policy.md §1",
        inputs={
            "feedetl_sn": original.feedetl_sn,
            "det_item_fee_sumamt": original.det_item_fee_sumamt,
            "refund_feedetl_sns": sns,
        },
        rule={"refund_lines": "net against init_feedetl_sn"},
        output={"net_amount": amount},
        zh=f"明细 {original.feedetl_sn} 原金额 {fmt_yuan(original.det_item_fee_sumamt)} 元, "
        f"冲销退费明细 {sns} 后净额 {fmt_yuan(amount)} 元.",
        en=f"Line {original.feedetl_sn}: {original.det_item_fee_sumamt} netted with refund line(s) {sns} = {amount}.",
    )


def _class_c_step(amount: Decimal) -> TraceStep:
    return make_step(
        StepCode.LINE_CLASS_C,
        REF,
        inputs={"det_item_fee_sumamt": amount, "chrgitm_lv": ChargeLevel.CLASS_C.value},
        rule={"chrgitm_lv 03": "wholly self-paid"},
        output={"fulamt_ownpay_amt": amount, "inscp_scp_amt": ZERO},
        zh=f"丙类项目, {fmt_yuan(amount)} 元全部自费 (全自费金额).",
        en=f"丙类 (class C) item: {amount} wholly self-paid.",
    )


def _over_cap_step(amount: Decimal, over_cap: Decimal, base: Decimal) -> TraceStep:
    return make_step(
        StepCode.LINE_OVER_PRICE_CAP,
        REF,
        inputs={"det_item_fee_sumamt": amount, "overlmt_amt": over_cap},
        rule={"overlmt_amt": "self-paid"},
        output={"overlmt_selfpay": over_cap, "first_self_pay_base": base},
        zh=f"超限价部分 {fmt_yuan(over_cap)} 元自付; 余下 {fmt_yuan(base)} 元计算先行自付.",
        en=f"Over the price cap: {over_cap} self-paid; {base} remains for the first self-pay.",
    )


def _first_self_pay_step(
    line: FeeLine, base: Decimal, ratio: Decimal, parameter: str, first_self_pay: Decimal
) -> TraceStep:
    in_scope = base - first_self_pay
    return make_step(
        StepCode.LINE_FIRST_SELF_PAY,
        REF,
        inputs={
            "first_self_pay_base": base,
            "chrgitm_lv": line.chrgitm_lv.value,
            "med_chrgitm_type": line.med_chrgitm_type,
            "special_drug": None if line.special_drug is None else line.special_drug.value,
        },
        rule={parameter: ratio, "rounding": "half_up 0.01"},
        output={"preselfpay_amt": first_self_pay, "inscp_scp_amt": in_scope},
        zh=f"先行自付 = {fmt_yuan(base)} x {ratio} = {base * ratio} -> 四舍五入 {fmt_yuan(first_self_pay)} 元; "
        f"符合政策范围金额 {fmt_yuan(in_scope)} 元.",
        en=f"First self-pay = {base} x {ratio} = {base * ratio}, rounded half up to {first_self_pay}; "
        f"in-scope {in_scope}.",
    )
