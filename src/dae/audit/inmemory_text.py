"""Text and amounts of the in-memory evaluators (:mod:`dae.audit.inmemory`) as the rules' DuckDB casts give them:
money rounded half away from zero to the fen with two places, a unit price with six places less up to four
trailing zeros (``rules.base.price_text``), a quantity without padding zeros (``qty_text``).

Pure: no Django, no DuckDB.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: One output row: rule_id, finding_key, setl_id, amount_at_issue, detail, ev_setl_id, ev_feedetl_sn, ev_role
#: (psn_no and fixmedins_code are added from the finding's settlement, as ``rules.base.emit``).
Row = tuple[str, str, str, Decimal, str, str, str | None, str]

VIOLATION = "violation"
_FEN = Decimal("0.01")
MICRO = Decimal("0.000001")
_TRAILING = re.compile(r"0{1,4}$")
_QTY = Decimal("0.0001")
_QTY_TRAILING = re.compile(r"\.?0+$")


def money(value: Decimal) -> Decimal:
    """Rounded half away from zero to the fen (``line_amount``; a cast to DECIMAL(16,2))."""
    return value.quantize(_FEN, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    return f"{money(value):f}"


def price_text(value: Decimal) -> str:
    """Six places, then up to four trailing zeros dropped (``rules.base.price_text``)."""
    return _TRAILING.sub("", f"{value.quantize(MICRO, rounding=ROUND_HALF_UP):f}", count=1)


def floor_of(params: Mapping[str, Any]) -> Decimal | None:
    """The rule's ``min_amount`` as the rules compare it (DECIMAL(16,2)), or None when it reports everything."""
    floor = Decimal(str(params["min_amount"]))
    return None if floor <= 0 else money(floor)


def qty_text(value: Decimal) -> str:
    """Four places, then the trailing zeros (and a bare point) dropped (``rules.base.qty_text``)."""
    return _QTY_TRAILING.sub("", f"{value.quantize(_QTY, rounding=ROUND_HALF_UP):f}", count=1)
