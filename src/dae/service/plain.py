"""The basis of a payout as an insured person reads it (计算依据·参保人版): plain Chinese sentences with the person's
own figures — what counted, the threshold, each segment and its ratio, the annual maximum, what is left to them.

Reads the engine's settlement document (``trial_io.settlement_doc``, the same one a manual claim stores) and never
computes anything the engine did not: every amount printed is one of the engine's, formatted. Never prints a field
name, a step code, formula notation, a file or rule-set identifier or a staff warning — staff keep the full trace
(``benefits.engine.explain.format_trace_zh``). Must never import Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from dae.core.money import fmt_yuan

ZERO = Decimal("0")
HUNDRED = Decimal("100")

#: Where the person was treated, in the words of the policy notice (benefit-policy.md §4).
PLACE_WORDS = {
    "local": "本地就医",
    "long_term_offsite": "长期异地就医",
    "long_term_offsite_not_direct": "异地就医未直接结算",
    "referred": "按规定转诊转院",
    "self_referred": "未按规定程序自行异地就医",
    "emergency_away": "临时外出急诊",
}


def _d(value: Any) -> Decimal:
    return ZERO if value in (None, "") else Decimal(str(value))


def yuan(value: Any) -> str:
    """An amount as the person reads it: ``12,345.60 元``."""
    return f"{fmt_yuan(_d(value))} 元"


def percent(ratio: Any) -> str:
    """``0.85`` → ``85%``; ``0.925`` → ``92.5%``."""
    value = (_d(ratio) * HUNDRED).normalize()
    text = format(value, "f")
    return f"{text}%"


def _step(doc: Mapping[str, Any], code: str) -> Mapping[str, Any] | None:
    for step in doc.get("trace") or ():
        if step.get("code") == code:
            return step  # type: ignore[no-any-return]
    return None


def annual_maximum(doc: Mapping[str, Any]) -> Decimal | None:
    """The year's maximum as the engine applied it (from its trace), or ``None`` when the trace was not kept."""
    step = _step(doc, "ANNUAL_MAXIMUM")
    if step is None:
        return None
    value = (step.get("rule") or {}).get("annual_maximum")
    return None if value in (None, "") else _d(value)


def _excluded(totals: Mapping[str, Any]) -> str:
    parts = [(word, _d(totals.get(name))) for word, name in (
        ("全部由个人自付的项目", "fulamt_ownpay_amt"),
        ("超出限价的部分", "overlmt_selfpay"),
        ("按规定先由个人自付的部分", "preselfpay_amt"),
    )]
    listed = "、".join(f"{word} {yuan(amount)}" for word, amount in parts if amount != ZERO)
    return f"其中{listed}不属于补助范围；" if listed else ""


def _segments(segments: Sequence[Mapping[str, Any]]) -> list[str]:
    out: list[str] = ["进入大额补助的费用按本年累计金额分段，各段比例不同："]
    for seg in segments:
        amount = _d(seg.get("amount"))
        if amount == ZERO:
            continue
        lower, upper = _d(seg.get("lower")), seg.get("upper")
        if upper in (None, ""):
            band = f"累计超过 {yuan(lower)}的部分"
        elif lower == ZERO:
            band = f"累计 {yuan(upper)}以内的部分"
        else:
            band = f"累计 {yuan(lower)}至 {yuan(upper)}的部分"
        out.append(f"{band}，这次有 {yuan(amount)}，按 {percent(seg.get('applied_ratio'))} 补助，"
                   f"计 {_contribution(seg.get('contribution'))}。")
    return out


def _contribution(value: Any) -> str:
    """An unrounded segment contribution: to the fen when it is whole fen, else every digit the engine kept."""
    amount = _d(value)
    if amount == amount.quantize(Decimal("0.01")):
        return yuan(amount)
    return f"{format(amount.normalize(), 'f')} 元"


def explain_for_person(doc: Mapping[str, Any], *, place_category: str = "") -> list[str]:
    """The sentences, in order. ``doc`` is the engine's settlement document with its trace."""
    if doc.get("status") == "cancelled":
        return ["这笔结算已撤销，不计入大额补助。"]
    totals = doc.get("totals") or {}
    before = doc.get("cumulative_before") or {}
    year = doc.get("policy_year")
    eligible = _d(doc.get("eligible_amount"))
    in_scope = _d(totals.get("inscp_scp_amt"))
    threshold = _d(doc.get("entry_threshold"))
    base = _d(doc.get("dae_base"))
    payout = _d(doc.get("hifob_pay"))
    before_cap = _d(doc.get("payout_before_cap"))
    paid_before = _d(before.get("paid"))
    out = [f"这次就医的医疗费用共 {yuan(totals.get('medfee_sumamt'))}。"
           f"{_excluded(totals)}符合政策范围的费用为 {yuan(in_scope)}。"]
    if eligible != in_scope:
        out.append(f"其中透析费用按每次限额计算，{yuan(in_scope - eligible)}不计入大额补助，"
                   f"计入的费用为 {yuan(eligible)}。")
    prior = _d(before.get("eligible_amount"))
    out.append(f"大额补助按年度累计：{year} 年您此前已累计符合范围的费用 {yuan(prior)}，"
               f"加上这次共 {yuan(prior + eligible)}。")
    if base == ZERO:
        out.append(f"每年先由基本医疗保险等支付的部分（起付标准）为 {yuan(threshold)}，"
                   f"您本年的累计费用还没有超过这个标准，这次没有进入大额补助的费用。")
    else:
        out.append(f"每年先由基本医疗保险等支付的部分（起付标准）为 {yuan(threshold)}，"
                   f"超过起付标准、进入大额补助计算的费用这次为 {yuan(base)}。")
        adjustments = {_d(seg.get("adjustment")) for seg in doc.get("segments") or ()}
        if adjustments - {ZERO}:
            where = PLACE_WORDS.get(place_category, "您的就医方式")
            out.append(f"因属于{where}，各段补助比例已按规定调整，下面的比例是调整后的。")
        out += _segments(doc.get("segments") or ())
        out.append(f"各段合计四舍五入到分为 {yuan(before_cap)}。")
    maximum = annual_maximum(doc)
    if maximum is not None:
        if payout < before_cap:
            out.append(f"每人每年大额补助最多 {yuan(maximum)}，本年此前已补助 {yuan(paid_before)}，"
                       f"这次最多还能补助 {yuan(doc.get('annual_room'))}。")
        else:
            out.append(f"每人每年大额补助最多 {yuan(maximum)}，本年此前已补助 {yuan(paid_before)}，这次补助在限额之内。")
    out.append(f"这次大额补助支付 {yuan(payout)}。医疗费用中其余的 {yuan(doc.get('person_share'))}"
               f"由基本医疗保险等其他待遇和您个人负担。")
    return out
