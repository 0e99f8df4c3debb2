"""The checks every fund write shares: an amount as money, a fund year, the warning levels, a contract
period; the short names of the entry kinds and request states."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dae.core import inputs
from dae.core.errors import InvalidInput
from dae.core.money import ZERO

from ..codes import Code
from ..models import (
    AppropriationRequest,
    FundEntry,
)

K = FundEntry.Kind
R = AppropriationRequest.Status
MAX_AMOUNT = Decimal("99999999999999.99")
FIRST_YEAR, LAST_YEAR = 2000, 2099


def money(value: Any, what: str = "金额", *, path: str = "amount", positive: bool = True) -> Decimal:
    """An amount in yuan through the input layer (bounded by ``FUND_MAX``), positive unless ``positive`` is False
    (then it may also be negative: an adjustment, a refund)."""
    try:
        amount = inputs.signed_amount(value, field=path, label=what, maximum=inputs.FUND_MAX)
    except InvalidInput as exc:  # worded as finance knows it; too large keeps the input layer's words
        kind = inputs.refusal_kind(exc)
        if kind in ("maximum", "minimum"):
            raise
        if kind == "places":
            raise InvalidInput(f"{what}须精确到分", code=inputs.InputCode.INVALID_AMOUNT,
                               details=[{"path": path, "message": f"{what}须精确到分"}]) from None
        raise InvalidInput(f"{what}格式错误，请填写如 1234.56 的数字", code=inputs.InputCode.INVALID_AMOUNT,
                           details=[{"path": path, "message": f"{what}格式错误"}]) from None
    if positive and amount <= 0:
        raise InvalidInput(f"{what}须大于零", code=inputs.InputCode.INVALID_AMOUNT, details=[{"path": path, "message": f"{what}须大于零"}])
    return amount


def valid_year(year: int) -> int:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise InvalidInput(f"年度须在 {FIRST_YEAR} 到 {LAST_YEAR} 之间", code=inputs.InputCode.INVALID_YEAR)
    return int(year)


def check_levels(yellow: Decimal, red: Decimal) -> None:
    if not (ZERO <= yellow <= red <= Decimal(100)):
        raise InvalidInput(f"预警线须满足 0 ≤ 黄色（{yellow}%）≤ 红色（{red}%）≤ 100", code=Code.INVALID_LEVELS,
                           details=[{"path": "yellow_level", "message": "黄色预警线不能高于红色预警线"}])


def check_contract(start: dt.date | None, end: dt.date | None) -> None:
    if (start is None) != (end is None):
        raise InvalidInput("合同起始日和终止日须同时填写", code=Code.INVALID_CONTRACT)
    if start is not None and end is not None and start > end:
        raise InvalidInput("合同起始日不能晚于终止日", code=Code.INVALID_CONTRACT)
