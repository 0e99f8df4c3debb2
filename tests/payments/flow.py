"""The payment flow in one call, for tests that need settlements paid: build and approve the month's
statements, fund the spending account, create a batch, export it and import the bank's result."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from dae.ledger import entries
from dae.payments.batches import RESULT_COLUMNS, create_batch, export_batch, import_result
from dae.payments.models import PaymentBatch, ResultFile, Statement
from dae.payments.statements import approve_statement, build_statements


def fund_spending(region: str, amount: Decimal | str, on: dt.date, actor: Any = None, key: str = "") -> None:
    """Money into the spending account (支出户) so that payments are not refused as an overdraft."""
    entries.simple(entries.SPENDING_BANK, entries.FUND_INCOME, amount=Decimal(amount), on=on,
                   reference=("tests.funding", region), key=key or f"test-funding:{region}:{on}:{amount}",
                   region=region, description="测试拨入支出户", actor=actor)


def result_file(batch: PaymentBatch, outcomes: dict[int, str] | None = None, *, day: dt.date,
                reason: str = "账户已冻结") -> bytes:
    """The bank's result file for ``batch``: every order 成功 unless ``outcomes`` says 失败 / 处理中 by seq;
    an outcome of ``None`` leaves the line out."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RESULT_COLUMNS)
    for order in batch.orders.order_by("seq"):
        outcome = (outcomes or {}).get(order.seq, "成功")
        if outcome is None:
            continue
        writer.writerow([batch.number, order.seq, order.bank_account, f"{order.amount:.2f}", outcome,
                         f"B{batch.number}{order.seq:04d}" if outcome == "成功" else "", day.isoformat(),
                         reason if outcome == "失败" else ""])
    return out.getvalue().encode("utf-8")


def pay_month(region: str, month: str, actor: Any, on: dt.date, *, kind: str = "hospital") -> ResultFile | None:
    """Everything of ``month`` in ``region`` paid on ``on`` (funding the spending account as needed); None when
    nothing needed a transfer."""
    if kind == "hospital":
        for st in build_statements(region, month, actor=actor, on=on):
            approve_statement(st, actor=actor, on=on)
        if not Statement.objects.filter(region_id=region, status=Statement.Status.APPROVED).exists():
            return None
    fund_spending(region, "10000000.00", on, actor, key=f"test-funding:{region}:{month}:{kind}")
    batch = create_batch(region, kind, actor=actor, on=on)
    export_batch(batch, actor=actor)
    return import_result(batch, name="result.csv", chunks=[result_file(batch, day=on)], actor=actor)
