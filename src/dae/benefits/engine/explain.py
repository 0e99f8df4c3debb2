"""Readable Chinese explanations of computed results (计算依据), built only from their traces.

``format_trace_zh`` prints what a clerk tells an insured person or attaches to a payment notice: one numbered
line per step with the rule applied. It reads results and never computes; must never import Django.
"""

from __future__ import annotations

from collections.abc import Iterable

from dae.benefits.engine.results import LineResult, PersonYearResult, SettlementResult
from dae.benefits.engine.trace import StepCode, TraceStep, TraceValue
from dae.core.money import fmt_yuan

NO_TRACE = "(未记录计算过程: 计算时关闭了 trace)"


def format_trace_zh(result: SettlementResult | PersonYearResult | LineResult) -> str:
    """The result's trace as numbered Chinese sentences, with the rule (parameter = value) of each step."""
    if isinstance(result, PersonYearResult):
        return _person_year(result)
    if isinstance(result, SettlementResult):
        return "\n".join(_settlement(result))
    return "\n".join(_line(result, indent="  "))


def _person_year(result: PersonYearResult) -> str:
    closing = result.closing
    out = [
        f"人员 {result.psn_no} {result.policy_year} 年度: {len(result.settlements)} 次结算, 大额累计支付 "
        f"{fmt_yuan(closing.paid)} 元 (期初已付 {fmt_yuan(result.opening.paid)} 元).",
    ]
    for settlement in result.settlements:
        out.append("")
        out += _settlement(settlement)
    return "\n".join(out)


def _settlement(result: SettlementResult) -> list[str]:
    out = [
        f"结算 {result.setl_id} (人员 {result.psn_no}, {result.policy_year} 年度, 规则集 {result.version_id}): "
        f"大额支付 {fmt_yuan(result.payout)} 元, 个人负担 {fmt_yuan(result.person_share)} 元.",
    ]
    if not result.trace:
        return [*out, f"  {NO_TRACE}"]
    for number, step in enumerate(result.trace, start=1):
        if step.code is StepCode.SETTLEMENT_TOTALS and result.lines:
            out.append("  费用明细:")
            for line in result.lines:
                out += _line(line, indent="     ")
        out.append(f"  {number:>2}. {_step_text(step)}")
    return out


def _line(result: LineResult, *, indent: str) -> list[str]:
    head = (
        f"{indent}明细 {result.feedetl_sn}: 金额 {fmt_yuan(result.det_item_fee_sumamt)}, 符合政策范围 "
        f"{fmt_yuan(result.inscp_scp_amt)} 元"
    )
    if not result.trace:
        return [head]
    return [head] + [f"{indent}  - {_step_text(step)}" for step in result.trace]


def _step_text(step: TraceStep) -> str:
    rule = _pairs(step.rule)
    return f"[{step.code.value}] {step.text_zh}" + (f"  (规则: {rule})" if rule else "")


def _pairs(pairs: Iterable[tuple[str, TraceValue]]) -> str:
    return "; ".join(f"{name} = {'null' if value is None else value}" for name, value in pairs)
