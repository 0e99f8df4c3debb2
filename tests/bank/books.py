"""Cash movements for the bank tests, posted through the ledger's public API, and statement files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dae.ledger.actions import Cr, Dr, do_post
from dae.ledger.models import Leg, Transaction
from tests.factories import REGION_A

MARCH = dt.date(2026, 3, 1)


def day(n: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, n)


def move(debit: str, credit: str, amount: str, on: dt.date, key: str, *, actor: Any = None,
         reference: tuple[str, str | int] = ("ledger.manual", ""), description: str = "",
         region: str = REGION_A) -> Transaction:
    return do_post([Dr(debit, amount), Cr(credit, amount)], date=on, description=description or key,
                   reference=reference, key=key, actor=actor, region=region)


def pay_order(order: int, amount: str, on: dt.date, **kw: Any) -> Transaction:
    """A payment order paid to a hospital: 2201 / 100202, reference ("payments.order", id)."""
    return move("2201", "100202", amount, on, f"po-{order}", reference=("payments.order", order),
                description=f"支付指令 {order}", **kw)


def cash_leg(txn: Transaction, account: str) -> Leg:
    return txn.legs.get(account__code=account)


def statement_csv(*rows: str, header: str = "交易日期,银行流水号,收支方向,金额,对方户名,对方账号,摘要,余额") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")
