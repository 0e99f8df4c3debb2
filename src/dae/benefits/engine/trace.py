"""The trace: every step of a payout, with its inputs, the rule applied, the output and a sentence.

A trace lets a clerk explain a payout to the insured person (计算依据) and lets anyone reproduce it from the stored
rule-set version. Steps are frozen values; the engine builds them only when asked (``trace=True``), because the
batch computes a million settlements without them. This module must never compute and never import Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

TraceValue = Decimal | str | int | bool | None
Pairs = tuple[tuple[str, TraceValue], ...]


class StepCode(StrEnum):
    """Stable codes of trace steps (programs match on these, people read the sentences)."""

    LINE_REFUND_NETTING = "LINE_REFUND_NETTING"
    LINE_CLASS_C = "LINE_CLASS_C"
    LINE_OVER_PRICE_CAP = "LINE_OVER_PRICE_CAP"
    LINE_FIRST_SELF_PAY = "LINE_FIRST_SELF_PAY"
    POLICY_YEAR = "POLICY_YEAR"
    RULESET_VERSION = "RULESET_VERSION"
    SETTLEMENT_TOTALS = "SETTLEMENT_TOTALS"
    DIALYSIS_SESSION = "DIALYSIS_SESSION"
    ELIGIBLE_AMOUNT = "ELIGIBLE_AMOUNT"
    ENTRY_THRESHOLD = "ENTRY_THRESHOLD"
    PLACE_ADJUSTMENT = "PLACE_ADJUSTMENT"
    SEGMENT = "SEGMENT"
    ROUNDING = "ROUNDING"
    ANNUAL_MAXIMUM = "ANNUAL_MAXIMUM"
    PERSON_SHARE = "PERSON_SHARE"
    CUMULATIVE = "CUMULATIVE"


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step: what went in, which parameter (and its value) was applied, what came out, said in words."""

    code: StepCode
    policy_ref: str
    inputs: Pairs
    rule: Pairs
    output: Pairs
    text_zh: str
    text_en: str

    def to_doc(self) -> dict[str, Any]:
        """JSON form: values as strings, so amounts keep their exact decimals."""
        return {
            "code": self.code.value,
            "policy_ref": self.policy_ref,
            "inputs": _pairs_doc(self.inputs),
            "rule": _pairs_doc(self.rule),
            "output": _pairs_doc(self.output),
            "text_zh": self.text_zh,
            "text_en": self.text_en,
        }


def make_step(
    code: StepCode,
    policy_ref: str,
    *,
    inputs: Mapping[str, TraceValue],
    rule: Mapping[str, TraceValue],
    output: Mapping[str, TraceValue],
    zh: str,
    en: str,
) -> TraceStep:
    return TraceStep(code, policy_ref, tuple(inputs.items()), tuple(rule.items()), tuple(output.items()), zh, en)


def _value_doc(value: TraceValue) -> str | bool | int | None:
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _pairs_doc(pairs: Pairs) -> dict[str, str | bool | int | None]:
    return {name: _value_doc(value) for name, value in pairs}
