"""Fund fixtures: the chart of accounts, two regions, a finance clerk of region A and helpers that build a ledger
by hand (settlements payable, adjustments, deductions, operating costs, interest)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from dae.ledger.actions import Cr, Dr, do_post
from tests.factories import REGION_A, make_user

_counter = {"n": 0}


@pytest.fixture
def clerk(chart: None) -> Any:
    return make_user("finance", username="fund-finance", regions=(REGION_A,))


def _key(prefix: str) -> str:
    _counter["n"] += 1
    return f"test:{prefix}:{_counter['n']}"


@pytest.fixture
def book(clerk: Any) -> Callable[..., Any]:
    """``book(kind, amount, on, region=A)``: post one movement of a hand-built ledger.

    kinds: payout (Dr 5001 / Cr 2201, claims.settlement), cancel (a payout given back), top_up (补付),
    recover (追回: Dr 1132 / Cr 5001), deduction (审核扣款, audit.deduction), cost (Dr 5101 / Cr 100202),
    interest (Dr 100201 / Cr 4101), pay (Dr 2201 / Cr 100202), cash (Dr 100202 / Cr 100201)."""

    def make(kind: str, amount: str, on: dt.date, region_code: str = REGION_A) -> Any:
        value = Decimal(amount)
        lines, ref = {
            "payout": ([Dr("5001", value), Cr("2201", value)], "claims.settlement"),
            "cancel": ([Dr("2201", value), Cr("5001", value)], "claims.settlement"),
            "top_up": ([Dr("5001", value), Cr("2201", value)], "claims.adjustment"),
            "recover": ([Dr("1132", value), Cr("5001", value)], "claims.adjustment"),
            "deduction": ([Dr("1132", value), Cr("5001", value)], "audit.deduction"),
            "cost": ([Dr("5101", value), Cr("100202", value)], "ledger.manual"),
            "interest": ([Dr("100201", value), Cr("4101", value)], "ledger.manual"),
            "pay": ([Dr("2201", value), Cr("100202", value)], "payments.batch"),
            "cash": ([Dr("100202", value), Cr("100201", value)], "ledger.manual"),
        }[kind]
        return do_post(lines, date=on, description=f"测试 {kind}", reference=(ref, "T"), key=_key(kind), actor=clerk,
                       region=region_code)

    return make
