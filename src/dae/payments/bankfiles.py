"""The bank files of a payment batch (付款文件 and 回盘文件): their columns, the payment file as a pure function of
the batch's orders, where it is written, and reading a result file against the batch (every problem listed).
The steps that write — create, export, import the result, confirm an order — are in ``actions/batches.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

from dae.core.errors import InvalidInput
from dae.core.files import text_and_encoding
from dae.core.money import ZERO, D, MoneyError

from .codes import Code
from .models import PaymentBatch, PaymentOrder

#: The bank payment file (付款文件), UTF-8 with a byte-order mark so that Excel opens it; documented in
#: docs/payments.md.
PAYMENT_COLUMNS = ("批次号", "指令序号", "收款人", "开户银行", "收款账号", "金额", "用途", "附言")
#: The bank's result file (回盘文件).
RESULT_COLUMNS = ("批次号", "指令序号", "收款账号", "金额", "结果", "银行流水号", "处理日期", "失败原因")
OUTCOMES = {"成功": PaymentOrder.Status.PAID, "失败": PaymentOrder.Status.FAILED, "处理中": PaymentOrder.Status.SENT}
MAX_RESULT_BYTES = 20 * 1024 * 1024


def payment_file(batch: PaymentBatch) -> bytes:
    """The bank payment file of ``batch``: a pure function of its orders (the same bytes every time)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAYMENT_COLUMNS)
    for order in batch.orders.order_by("seq"):
        writer.writerow([batch.number, order.seq, order.payee_name, order.bank_name, order.bank_account,
                         f"{order.amount:.2f}", order.purpose, order.memo])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def batch_path(batch: PaymentBatch) -> Path:
    return Path(settings.UPLOAD_DIR) / "payments" / f"{batch.number}.csv"


# -- results -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResultLine:
    row: int
    seq: int
    account: str
    amount: Decimal
    outcome: str
    serial: str
    day: dt.date
    reason: str


def _problem(row: int, column: str, value: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "value": value, "message": message}


def _check_order(row: int, cell: dict[str, str], orders: dict[int, PaymentOrder], seen: set[int],
                 problems: list[dict[str, Any]]) -> tuple[int, Decimal]:
    """The row's instruction: in the batch, once in the file, with the instruction's amount and account."""
    try:
        seq = int(cell["指令序号"])
    except ValueError:
        seq = 0
    order = orders.get(seq)
    if order is None:
        problems.append(_problem(row, "指令序号", cell["指令序号"], "本批次没有这条指令"))
    elif seq in seen:
        problems.append(_problem(row, "指令序号", cell["指令序号"], "同一指令在文件中重复"))
    try:
        amount = D(cell["金额"])
    except MoneyError:
        amount = ZERO
        problems.append(_problem(row, "金额", cell["金额"], "金额格式错误"))
    if order is not None and amount and amount != order.amount:
        problems.append(_problem(row, "金额", cell["金额"], f"与指令金额 {order.amount} 不符"))
    if order is not None and cell["收款账号"] != order.bank_account:
        problems.append(_problem(row, "收款账号", cell["收款账号"], "与指令收款账号不符"))
    return seq, amount


def _check_outcome(row: int, cell: dict[str, str], problems: list[dict[str, Any]]) -> tuple[str | None, dt.date]:
    """The row's outcome and processing day, with the serial of a payment and the reason of a failure."""
    outcome = OUTCOMES.get(cell["结果"])
    if outcome is None:
        problems.append(_problem(row, "结果", cell["结果"], "结果应为 成功、失败 或 处理中"))
    try:
        day = dt.date.fromisoformat(cell["处理日期"])
    except ValueError:
        day = dt.date.min
        problems.append(_problem(row, "处理日期", cell["处理日期"], "日期格式应为 YYYY-MM-DD"))
    if outcome == PaymentOrder.Status.PAID and not cell["银行流水号"]:
        problems.append(_problem(row, "银行流水号", "", "支付成功的指令须有银行流水号"))
    if outcome == PaymentOrder.Status.FAILED and not cell["失败原因"]:
        problems.append(_problem(row, "失败原因", "", "支付失败的指令须写明失败原因"))
    return outcome, day


def parse_result(content: bytes, batch: PaymentBatch) -> list[ResultLine]:
    """Read and check a result file against the batch; every problem is listed (InvalidInput.details)."""
    text = text_and_encoding(content)[0]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in RESULT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(f"回盘文件缺少列：{'、'.join(missing)}", code=Code.MISSING_COLUMNS,
                           details=[_problem(1, c, "", "缺少此列") for c in missing])
    orders = {o.seq: o for o in batch.orders.all()}
    problems: list[dict[str, Any]] = []
    lines: list[ResultLine] = []
    seen: set[int] = set()
    for row, raw in enumerate(reader, start=2):
        cell = {k: (raw.get(k) or "").strip() for k in RESULT_COLUMNS}
        before = len(problems)
        if cell["批次号"] != batch.number:
            problems.append(_problem(row, "批次号", cell["批次号"], f"不是本批次 {batch.number}"))
        seq, amount = _check_order(row, cell, orders, seen, problems)
        outcome, day = _check_outcome(row, cell, problems)
        seen.add(seq)
        if len(problems) == before and outcome is not None:
            lines.append(ResultLine(row, seq, cell["收款账号"], amount, outcome, cell["银行流水号"], day,
                                    cell["失败原因"][:200]))
    if problems:
        first = problems[0]
        raise InvalidInput(f"回盘文件第 {first['row']} 行 {first['column']}：{first['message']}（共 {len(problems)} 处问题）",
                           code=Code.BAD_RESULT_FILE, details=problems)
    return lines
