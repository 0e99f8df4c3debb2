"""Written findings drafted from the figures (运行分析报告 的文字部分): the largest changes and what drives them. The
manager edits the draft; nothing here is ever stored without them seeing it.

Pure Python on Decimal. Spending is split multiplicatively: payout = admissions × cost per stay × payout ratio,
so its year-on-year change divides into the three by the logarithmic (LMDI) rule — each factor's share is
ln(x₁/x₀) ÷ ln(P₁/P₀) of the change — whose parts add up exactly to the change (the last takes the remainder).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def _q(v: Decimal) -> Decimal:
    return v.quantize(FEN, rounding=ROUND_HALF_UP)


def decompose(p0: Decimal, p1: Decimal, factors: Mapping[str, tuple[Decimal, Decimal]]) -> dict[str, Decimal] | None:
    """The change p1 − p0 split over ``factors`` (name → (before, after)), in yuan; None when any value is not
    positive (no logarithm) or nothing changed."""
    if p0 <= 0 or p1 <= 0 or p0 == p1 or any(a <= 0 or b <= 0 for a, b in factors.values()):
        return None
    total = (p1 / p0).ln()
    change = p1 - p0
    parts: dict[str, Decimal] = {}
    names = list(factors)
    for name in names[:-1]:
        a, b = factors[name]
        parts[name] = _q(change * (b / a).ln() / total)
    parts[names[-1]] = _q(change) - sum(parts.values(), Decimal("0.00"))
    return parts


def _pct(v: Decimal | None) -> str:
    if v is None:
        return "—"
    return f"{'增长' if v >= 0 else '下降'} {abs(v)}%"


def draft(figures: Mapping[str, Mapping[str, str | None]], label: str) -> dict[str, str]:
    """The findings, problems and suggestions drafted from a report's frozen figures (indicator → {value,
    last_year, yoy}), for the manager to edit."""

    def val(ind: str, key: str = "value") -> Decimal | None:
        raw = figures.get(ind, {}).get(key)
        return None if raw in (None, "") else Decimal(str(raw))

    lines = []
    pay, pay0 = val("payout_amount"), val("payout_amount", "last_year")
    lines.append(f"{label}大额医疗费用补助支出 {pay if pay is not None else '无数据'} 元, 同比{_pct(val('payout_amount', 'yoy'))}; "
                 f"赔付 {val('payout_episodes') or 0} 人次、{val('claimants') or 0} 人。")
    lines.append(f"住院 {val('admissions') or 0} 人次 (同比{_pct(val('admissions', 'yoy'))}), 次均住院费用 "
                 f"{val('cost_per_stay') or '—'} 元 (同比{_pct(val('cost_per_stay', 'yoy'))}), 平均住院日 "
                 f"{val('avg_stay') or '—'} 天, 异地就医占比 {val('offsite_share') or '—'}%。")
    adm, adm0 = val("admissions"), val("admissions", "last_year")
    cps, cps0 = val("cost_per_stay"), val("cost_per_stay", "last_year")
    if None not in (pay, pay0, adm, adm0, cps, cps0):
        assert pay is not None and pay0 is not None and adm is not None and adm0 is not None
        assert cps is not None and cps0 is not None
        ratio0, ratio1 = pay0 / (adm0 * cps0), pay / (adm * cps)
        parts = decompose(pay0, pay, {"住院人次": (adm0, adm), "次均费用": (cps0, cps), "补偿比": (ratio0, ratio1)})
        if parts:
            lead = max(parts, key=lambda k: abs(parts[k]))
            detail = "、".join(f"{k} {'+' if v >= 0 else ''}{v} 元" for k, v in parts.items())
            lines.append(f"支出同比变化 {_q(pay - pay0)} 元, 其中 {detail}; 主要因素是{lead}。")
    problems = []
    drug = val("drug_share")
    if drug is not None and drug > Decimal("40"):
        problems.append(f"药品费用占比 {drug}%, 偏高。")
    if (v := val("cost_per_stay", "yoy")) is not None and v > Decimal("10"):
        problems.append(f"次均住院费用同比增长 {v}%, 超过 10%。")
    if (v := val("offsite_share")) is not None and v > Decimal("20"):
        problems.append(f"异地就医占比 {v}%, 需关注转诊管理。")
    profit = val("profit_rate")
    if profit is not None and profit > Decimal("3.85"):
        problems.append(f"盈利率 {profit}% 超过合同上限 3.85%。")
    suggestions = ["加强对次均费用增长较快医疗机构的病历审核与现场巡查。" if problems else "保持现有审核与支付节奏。"]
    return {"findings": "\n".join(lines), "problems": "\n".join(problems) or "本期未发现突出问题。",
            "suggestions": "\n".join(suggestions)}
