"""Reading a bank statement file (银行对账单): the documented layout, every bad row reported, nothing guessed.

Layout (header row required, columns in any order, by their Chinese names):

| column | required | content |
|---|---|---|
| 交易日期 | yes | YYYY-MM-DD |
| 银行流水号 | yes | the bank's serial of the line, at most 64 characters |
| 收支方向 | yes | 收 (money in) or 付 (money out) |
| 金额 | yes | positive yuan, at most 2 decimals |
| 对方户名 | no | counterparty name |
| 对方账号 | no | counterparty account number |
| 摘要 | no | memo / 附言 (a payment carries ``DAE-PO<order id>``) |
| 余额 | no | the account balance after the line |

CSV in UTF-8 (with or without BOM) or GB18030, or Excel .xlsx (first sheet). ``parse_statement`` returns the
lines, or raises ``InvalidInput`` whose ``details`` list every problem as row, column, value and a Chinese
reason (row numbers as the clerk sees them in Excel: the header is row 1). It reads only; it never writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput
from dae.core.files import csv_rows, text_and_encoding, xlsx_rows
from dae.core.inputs import header_index
from dae.imports.framework import Column, Problems, cell_text, parse_date, parse_decimal
from dae.ledger.rules import MAX_AMOUNT

from .codes import Code
from .rules import IN, OUT

COLUMNS = (
    Column("交易日期", "交易日期", required=True, kind="date", help=_("交易日期，格式 YYYY-MM-DD")),
    Column("银行流水号", "银行流水号", required=True, max_length=64, help=_("银行交易流水号，同一账户内唯一")),
    Column("收支方向", "收支方向", required=True, help=_("收 或 付")),
    Column("金额", "金额", required=True, kind="money", help=_("正数，单位元，最多两位小数")),
    Column("对方户名", "对方户名", max_length=200),
    Column("对方账号", "对方账号", max_length=64),
    Column("摘要", "摘要", max_length=300, help=_("附言；支付指令为 DAE-PO<指令号>")),
    Column("余额", "余额", kind="money", help=_("该笔交易后的账户余额（可空）")),
)
#: other header names banks use for the same columns
ALIASES = {"附言": "摘要", "交易流水号": "银行流水号", "借贷方向": "收支方向", "交易金额": "金额", "账户余额": "余额"}
DIRECTIONS = {"收": IN, "付": OUT}
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


@dataclass(frozen=True)
class ParsedLine:
    row_no: int
    date: date
    serial: str
    direction: str
    amount: Decimal
    counterparty: str
    counterparty_account: str
    memo: str
    balance: Decimal | None


@dataclass(frozen=True)
class ParsedStatement:
    lines: list[ParsedLine]
    encoding: str

    @property
    def period(self) -> tuple[date, date]:
        days = [line.date for line in self.lines]
        return min(days), max(days)

    @property
    def opening_balance(self) -> Decimal | None:
        """The balance before the first line, when the first line gives its balance."""
        first = self.lines[0]
        if first.balance is None:
            return None
        return first.balance - (first.amount if first.direction == IN else -first.amount)

    @property
    def closing_balance(self) -> Decimal | None:
        return self.lines[-1].balance


def template_csv() -> bytes:
    """The header row of the documented layout, UTF-8 with BOM (opens in Excel)."""
    out = io.StringIO()
    csv.writer(out).writerow([c.label for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_rows(raw: bytes) -> tuple[Iterator[tuple[int, list[Any]]], str]:
    text, encoding = text_and_encoding(raw)
    return csv_rows(text), encoding


def _xlsx_rows(raw: bytes) -> list[tuple[int, list[Any]]]:
    return list(xlsx_rows(raw))


def _header(cells: list[Any], problems: Problems) -> dict[str, int]:
    names = {c.name: c.name for c in COLUMNS} | {alias: name for alias, name in ALIASES.items()}
    index, found = header_index(cells, names, [c.name for c in COLUMNS if c.required])
    for text, kind in found:
        if kind == "missing":
            problems.add(1, text, "", f"缺少必填列：{text}")
        else:
            problems.add(1, text, text, "列重复" if kind == "duplicate" else "未知的列（请使用对账单格式说明中的列名）")
    return index


def _cell(col: Column, cell: Any) -> Any:
    """The cell parsed by the column's kind; ``ValueError`` carries the clerk's reason."""
    if col.kind == "date":
        return parse_date(cell, col.label)
    if col.kind == "money":
        return parse_decimal(cell, col.label, places=2)
    text = cell_text(cell).strip()
    if col.max_length is not None and len(text) > col.max_length:
        raise ValueError(f"{col.label}超过{col.max_length}个字符")
    return text


def _row(row_no: int, cells: list[Any], index: dict[str, int], problems: Problems) -> ParsedLine | None:
    values: dict[str, Any] = {}
    for col in COLUMNS:
        cell = cells[index[col.name]] if col.name in index and index[col.name] < len(cells) else None
        if isinstance(cell, str):
            cell = cell.strip()
        if cell is None or cell == "":
            if col.required:
                problems.add(row_no, col.name, "", f"{col.label}不能为空")
            values[col.name] = None if col.kind in ("date", "money") else ""
            continue
        try:
            values[col.name] = _cell(col, cell)
        except ValueError as exc:
            problems.add(row_no, col.name, cell, str(exc))
            values[col.name] = None
    direction = DIRECTIONS.get(values["收支方向"] or "")
    if values["收支方向"] and direction is None:
        problems.add(row_no, "收支方向", values["收支方向"], "收支方向应为“收”或“付”")
    amount = values["金额"]
    if amount is not None and amount <= 0:
        problems.add(row_no, "金额", amount, "金额须为正数（收付由收支方向列表示）")
    elif amount is not None and amount > MAX_AMOUNT:
        problems.add(row_no, "金额", amount, "金额超出可记录的范围")
    balance = values["余额"]
    if balance is not None and abs(balance) > MAX_AMOUNT:
        problems.add(row_no, "余额", balance, "余额超出可记录的范围")
    if row_no in problems.bad_rows:
        return None
    return ParsedLine(row_no, values["交易日期"], values["银行流水号"], direction or IN, amount,
                      values["对方户名"], values["对方账号"], values["摘要"], balance)


def parse_statement(raw: bytes, file_name: str) -> ParsedStatement:
    """The lines of a statement file, in file order; ``InvalidInput`` (code ``bad_statement``) listing every
    problem when any row or the header is wrong, or a file-level code (``bad_format``, ``bad_encoding``,
    ``empty_file``, ``no_lines``)."""
    fmt = FORMATS.get(Path(file_name).suffix.lower())
    if fmt is None:
        raise InvalidInput(f"不支持的文件格式“{Path(file_name).suffix or file_name}”，请上传 CSV 或 Excel (.xlsx) 文件",
                           code=CoreCode.BAD_FORMAT)
    if not raw:
        raise InvalidInput("文件为空", code=CoreCode.EMPTY_FILE)
    rows: Any
    rows, encoding = _csv_rows(raw) if fmt == "csv" else (iter(_xlsx_rows(raw)), "xlsx")
    header = next(rows, None)
    if header is None:
        raise InvalidInput("文件为空，没有表头", code=CoreCode.EMPTY_FILE)
    problems = Problems()
    index = _header(header[1], problems)
    lines: list[ParsedLine] = []
    if not problems:
        for row_no, cells in rows:
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            line = _row(row_no, cells, index, problems)
            if line is not None:
                lines.append(line)
    if problems:
        raise InvalidInput(f"对账单有 {len(problems.bad_rows)} 行错误，未导入任何数据", code=Code.BAD_STATEMENT,
                           details=[{"row": r, "column": c, "value": v, "reason": why} for r, c, v, why in problems.items])
    if not lines:
        raise InvalidInput("对账单没有交易流水行", code=CoreCode.NO_LINES)
    return ParsedStatement(lines, encoding)
