"""Money: the one way to make and round an amount.

Amounts are ``Decimal`` end to end. ``D()`` builds one from a string, int or Decimal and refuses a float,
``round_fen()`` rounds half up to 0.01 yuan (the policy's rounding), ``ratio_split()`` splits an amount into
parts that always add up to the whole (largest remainder). This module must never import Django: the payout
engine and the audit rules use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

MoneyLike = Decimal | int | str


class MoneyError(ValueError):
    """An amount could not be read (金额格式错误)."""


def D(value: MoneyLike) -> Decimal:
    """Make a Decimal from a string, int or Decimal. A float is refused: it cannot hold fen exactly."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"金额不能是浮点数: {value!r} (amounts must not be floats)")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", ""))
        except InvalidOperation as exc:
            raise MoneyError(f"金额格式错误: {value!r} (not a decimal amount)") from exc
    else:
        raise MoneyError(f"金额类型错误: {type(value).__name__} (unsupported amount type)")
    if not result.is_finite():
        raise MoneyError(f"金额必须是有限数: {value!r} (amount must be finite)")
    return result


def round_fen(value: Decimal) -> Decimal:
    """Round half up to 0.01 yuan (四舍五入到分)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def is_fen(value: Decimal) -> bool:
    """True when the amount has no more than two decimal places."""
    return value == value.quantize(FEN)


def ratio_split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split ``total`` (in fen) by ``weights`` so that the parts add up to ``total`` exactly.

    Largest-remainder method: each part is rounded down to the fen, then the leftover fen go to the parts with
    the largest remainders (ties to the earlier part).
    """
    if not weights:
        raise MoneyError("拆分权重不能为空 (weights must not be empty)")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise MoneyError("拆分权重之和不能为零 (weights must not sum to zero)")
    total_fen = int((round_fen(total) / FEN).to_integral_value())
    exact = [Decimal(total_fen) * w / weight_sum for w in weights]
    floors = [int(x.to_integral_value(rounding="ROUND_FLOOR")) for x in exact]
    leftover = total_fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(f) * FEN for f in floors]


def fmt_yuan(value: Decimal) -> str:
    """Format an amount for display with thousands separators, e.g. ``12,345.60``."""
    return f"{round_fen(value):,.2f}"
