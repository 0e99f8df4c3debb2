"""Fee lines of a manual claim: the documented columns, and reading them from a CSV or Excel fee list.

The file is the hospital's 费用明细清单 typed or exported into a table, one fee line a row, with a header of the
column names or their Chinese labels (either works). CSV is UTF-8 (with or without BOM) or GB18030; Excel is
.xlsx (first sheet). Every problem is reported at once with the file's row number (header = row 1); nothing is
taken from a file with any problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dae.core.errors import InvalidInput
from dae.core.files import csv_rows, text_and_encoding, xlsx_rows
from dae.core.inputs import header_index
from dae.imports.framework import cell_text, parse_decimal

from .codes import Code

MAX_FILE = 5 * 1024 * 1024
MAX_LINES = 5000


@dataclass(frozen=True)
class LineColumn:
    name: str
    label: str
    required: bool = False
    kind: str = "str"  # str, money, qty, price


COLUMNS: tuple[LineColumn, ...] = (
    LineColumn("feedetl_sn", "费用明细流水号", required=True),
    LineColumn("init_feedetl_sn", "原费用流水号"),
    LineColumn("med_list_codg", "医疗目录编码"),
    LineColumn("item_name", "项目名称"),
    LineColumn("chrgitm_lv", "收费项目等级", required=True),
    LineColumn("med_chrgitm_type", "医疗收费项目类别", required=True),
    LineColumn("cnt", "数量", kind="qty"),
    LineColumn("pric", "单价", kind="price"),
    LineColumn("det_item_fee_sumamt", "明细项目费用总额", required=True, kind="money"),
    LineColumn("overlmt_amt", "超限价金额", kind="money"),
    LineColumn("special_drug", "特殊药品"),
)
SPECIAL_DRUG = {"": "", "in_basic_scope": "in_basic_scope", "class_b_managed": "class_b_managed",
                "纳入基本医保支付范围": "in_basic_scope", "乙类管理": "class_b_managed"}
_PLACES = {"money": 2, "qty": 4, "price": 6}


@dataclass(frozen=True)
class LineInput:
    feedetl_sn: str
    chrgitm_lv: str
    med_chrgitm_type: str
    det_item_fee_sumamt: Decimal
    cnt: Decimal = Decimal(1)
    pric: Decimal | None = None
    init_feedetl_sn: str = ""
    med_list_codg: str = ""
    item_name: str = ""
    overlmt_amt: Decimal = Decimal("0.00")
    special_drug: str = ""


def read_fee_file(name: str, content: bytes) -> list[LineInput]:
    """The fee lines of an uploaded CSV/XLSX file, or ``InvalidInput`` listing every problem."""
    if len(content) > MAX_FILE:
        raise InvalidInput("费用明细文件过大（上限 5 MB）", code=Code.FEE_FILE_TOO_LARGE)
    lower = name.lower()
    if lower.endswith(".csv"):
        rows = _csv_rows(content)
    elif lower.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    else:
        raise InvalidInput("费用明细文件应为 CSV 或 Excel (.xlsx)", code=Code.FEE_FILE_FORMAT)
    return lines_from_rows(rows)


def lines_from_rows(rows: list[tuple[int, list[Any]]]) -> list[LineInput]:
    if not rows:
        raise InvalidInput("费用明细文件为空，没有表头", code=Code.FEE_FILE_EMPTY)
    problems: list[dict[str, Any]] = []
    index = _header(rows[0][1], problems)
    if problems:
        raise InvalidInput("费用明细文件的表头有误", code=Code.FEE_FILE_INVALID, details=problems)
    lines: list[LineInput] = []
    for row_no, cells in rows[1:]:
        if not any(c not in (None, "") for c in cells):
            continue
        raw = {name: (cells[i] if i < len(cells) else None) for name, i in index.items()}
        line = line_from_mapping(raw, f"fee_file[第{row_no}行]", problems)
        if line is not None:
            lines.append(line)
    if not lines and not problems:
        problems.append({"path": "fee_file", "message": "费用明细文件没有数据行"})
    if len(lines) > MAX_LINES:
        problems.append({"path": "fee_file", "message": f"费用明细超过 {MAX_LINES} 行"})
    if problems:
        raise InvalidInput(f"费用明细文件有 {len(problems)} 处错误", code=Code.FEE_FILE_INVALID, details=problems)
    return lines


def line_from_mapping(raw: dict[str, Any], path: str, problems: list[dict[str, Any]]) -> LineInput | None:
    """One line from a mapping of column name → cell (a file row or an API object); problems are appended."""
    values: dict[str, Any] = {}
    ok = True
    for col in COLUMNS:
        cell = raw.get(col.name)
        if isinstance(cell, str):
            cell = cell.strip()
        if cell is None or cell == "":
            if col.required:
                problems.append({"path": f"{path}.{col.name}", "message": f"{col.label}不能为空"})
                ok = False
            continue
        if col.kind == "str":
            values[col.name] = cell_text(cell)
            continue
        try:
            values[col.name] = parse_decimal(cell, col.label, places=_PLACES[col.kind])
        except ValueError as exc:
            problems.append({"path": f"{path}.{col.name}", "message": str(exc)})
            ok = False
    special = values.get("special_drug", "")
    if special not in SPECIAL_DRUG:
        problems.append({"path": f"{path}.special_drug",
                         "message": "特殊药品应为空、in_basic_scope（纳入基本医保支付范围）或 class_b_managed（乙类管理）"})
        ok = False
    if not ok:
        return None
    values["special_drug"] = SPECIAL_DRUG[special]
    return LineInput(**values)


def _header(header: list[Any], problems: list[dict[str, Any]]) -> dict[str, int]:
    names = {c.name: c.name for c in COLUMNS} | {c.label: c.name for c in COLUMNS}
    labels = {c.name: c.label for c in COLUMNS}
    index, found = header_index(header, names, [c.name for c in COLUMNS if c.required])
    words = {"unknown": "未知的列", "duplicate": "列重复"}
    for text, kind in found:
        message = f"缺少必填列：{text}（{labels[text]}）" if kind == "missing" else f"{words[kind]}：{text}"
        problems.append({"path": "fee_file[第1行]", "message": message})
    return index


def _csv_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    return list(csv_rows(text_and_encoding(content)[0]))


def _xlsx_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    return list(xlsx_rows(content))


def template_csv() -> str:
    """A fee-list template: the header with the Chinese labels and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label for c in COLUMNS])
    writer.writerow(["1", "", "XA01", "示例药品", "02", "09", "4", "300", "1200.00", "0.00", ""])
    return out.getvalue()
