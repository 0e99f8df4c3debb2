"""The payment flow in one call, for tests that need settlements paid: build and approve the month's
statements, fund the spending account, create a batch, export it and import the bank's result (the demo's
simulated bank, ``result_file``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dae.demo.finance import bank_result as result_file
from dae.ledger import entries
from dae.ledger.actions import do_post_simple
from dae.payments.actions import (
    do_approve_statement,
    do_build_statements,
    do_create_batch,
    do_export_batch,
    do_import_result,
)
from dae.payments.models import ResultFile, Statement


def fund_spending(region: str, amount: Decimal | str, on: dt.date, actor: Any = None, key: str = "") -> None:
    """Money into the spending account (支出户) so that payments are not refused as an overdraft."""
    do_post_simple(entries.SPENDING_BANK, entries.FUND_INCOME, amount=Decimal(amount), on=on,
                         reference=("tests.funding", region), key=key or f"test-funding:{region}:{on}:{amount}",
                         region=region, description="测试拨入支出户", actor=actor)


def pay_month(region: str, month: str, actor: Any, on: dt.date, *, kind: str = "hospital") -> ResultFile | None:
    """Everything of ``month`` in ``region`` paid on ``on`` (funding the spending account as needed); None when
    nothing needed a transfer."""
    if kind == "hospital":
        for st in do_build_statements(region, month, actor=actor, on=on):
            do_approve_statement(st, actor=actor, on=on)
        if not Statement.objects.filter(region_id=region, status=Statement.Status.APPROVED).exists():
            return None
    fund_spending(region, "10000000.00", on, actor, key=f"test-funding:{region}:{month}:{kind}")
    batch = do_create_batch(region, kind, actor=actor, on=on)
    do_export_batch(batch, actor=actor)
    return do_import_result(batch, name="result.csv", chunks=[result_file(batch, day=on)], actor=actor)
