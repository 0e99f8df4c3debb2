"""The trace: every step with inputs, the rule and its value, the output and a sentence; and the engine's purity."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

from dae.benefits.engine.explain import NO_TRACE, format_trace_zh
from dae.benefits.engine.person_year import compute_person_year
from dae.benefits.engine.trace import StepCode

from .helpers import BOOK, line, lines_stay, stay, y


def test_settlement_trace_lists_each_step_with_its_rule_and_value() -> None:
    result = compute_person_year(
        "P1", 2025, [stay("S1", "2025-02-01 09:00:00", "90000.00"), stay("S2", "2025-05-01 09:00:00", "40000.00")], BOOK
    ).settlements[1]
    assert [s.code for s in result.trace] == [
        StepCode.POLICY_YEAR,
        StepCode.RULESET_VERSION,
        StepCode.SETTLEMENT_TOTALS,
        StepCode.ELIGIBLE_AMOUNT,
        StepCode.ENTRY_THRESHOLD,
        StepCode.PLACE_ADJUSTMENT,
        StepCode.SEGMENT,
        StepCode.SEGMENT,
        StepCode.ROUNDING,
        StepCode.ANNUAL_MAXIMUM,
        StepCode.PERSON_SHARE,
        StepCode.CUMULATIVE,
    ]
    entry = result.trace[4]
    assert dict(entry.inputs) == {"cumulative_eligible_before": y("90000.00"), "eligible_amount": y("40000.00")}
    assert dict(entry.rule) == {"entry_threshold": y("60000.00")}
    assert dict(entry.output) == {"dae_base": y("40000.00")}
    assert "起付线 T = 60,000.00" in entry.text_zh and "T = 60000.00" in entry.text_en
    second_segment = result.trace[7]
    assert dict(second_segment.rule)["segment.ratio"] == Decimal("0.90")
    assert dict(second_segment.output) == {
        "amount": y("20000.00"),
        "applied_ratio": Decimal("0.90"),
        "contribution": Decimal("18000.0000"),
    }
    assert dict(result.trace[9].rule) == {"annual_maximum": y("410000.00")}
    assert all(step.policy_ref.startswith("benefit-policy.md") for step in result.trace)


def test_format_trace_zh_reads_like_a_payment_notice() -> None:
    settlement = lines_stay(
        "S1",
        "2025-06-01 09:00:00",
        (
            line("L1", "100000.00", "01", "05"),
            line("L2", "4.45", "02", "09"),
            line("R2", "-1.00", "02", "09", refund_of="L2"),
        ),
    )
    text = format_trace_zh(compute_person_year("P1", 2025, [settlement], BOOK))
    assert text.splitlines()[0] == "人员 P1 2025 年度: 1 次结算, 大额累计支付 34,002.64 元 (期初已付 0.00 元)."
    assert "结算 S1 (人员 P1, 2025 年度, 规则集 huadian-dae@2025.1): 大额支付 34,002.64 元" in text
    assert "明细 L2 原金额 4.45 元, 冲销退费明细 R2 后净额 3.45 元." in text
    assert "先行自付 = 3.45 x 0.10 = 0.3450 -> 四舍五入 0.35 元" in text
    assert "(规则: entry_threshold = 60000.00)" in text
    assert "[ANNUAL_MAXIMUM]" in text and "(hifob_pay)" in text


def test_traces_can_be_switched_off() -> None:
    result = compute_person_year(
        "P1", 2025, [lines_stay("S1", "2025-06-01 09:00:00", (line("L1", "1.00", "02", "09"),))], BOOK, trace=False
    )
    settlement = result.settlements[0]
    assert settlement.trace == () and settlement.lines[0].trace == ()
    assert NO_TRACE in format_trace_zh(settlement)
    with_trace = compute_person_year("P1", 2025, [settlement.settlement], BOOK, trace=True)  # type: ignore[list-item]
    assert with_trace.settlements[0].payout == settlement.payout


def test_engine_never_imports_django() -> None:
    code = (
        "import sys; import dae.benefits.engine, dae.benefits.engine.cli, dae.benefits.engine.batch; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_engine_source_has_no_float_on_money() -> None:
    from pathlib import Path

    import dae.benefits.engine as engine

    for path in Path(engine.__file__).parent.glob("*.py"):
        assert "float(" not in path.read_text(encoding="utf-8"), path.name


def test_format_trace_zh_of_one_line() -> None:
    result = compute_person_year(
        "P1", 2025, [lines_stay("S1", "2025-06-01 09:00:00", (line("L1", "4.45", "02", "09"),))], BOOK
    )
    text = format_trace_zh(result.settlements[0].lines[0])
    assert text.splitlines() == [
        "  明细 L1: 金额 4.45, 符合政策范围 4.00 元",
        "    - [LINE_OVER_PRICE_CAP] 超限价部分 0.00 元自付; 余下 4.45 元计算先行自付.  (规则: overlmt_amt = self-paid)",
        "    - [LINE_FIRST_SELF_PAY] 先行自付 = 4.45 x 0.10 = 0.4450 -> 四舍五入 0.45 元; 符合政策范围金额 4.00 元.  "
        "(规则: first_self_pay.class_b_drugs = 0.10; rounding = half_up 0.01)",
    ]
