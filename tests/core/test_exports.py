"""Exports keep text as text: no live formula in Excel, an apostrophe before a formula-like CSV cell."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from dae.core.exports import ExportColumn, csv_bytes, xlsx_bytes

COLUMNS = [ExportColumn("名称"), ExportColumn("金额", "money"), ExportColumn("笔数", "int")]
ROWS = [["=HYPERLINK(\"http://x\",\"点我\")", Decimal("12.30"), 3], ["+1", Decimal("0.05"), 1], ["@SUM(A1)", None, 0]]


def test_xlsx_writes_formula_like_text_as_text_and_money_as_yuan() -> None:
    data = xlsx_bytes([("清单", COLUMNS, ROWS)], header_lines=["导出人：manager", "导出时间：2026-12-07"],
                      totals=["合计", Decimal("12.35"), 4])
    ws = load_workbook(io.BytesIO(data))["清单"]
    rows = list(ws.iter_rows())
    assert [c.value for c in rows[2]] == ["名称", "金额", "笔数"]
    assert rows[3][0].value == ROWS[0][0] and rows[3][0].data_type == "s"
    assert rows[4][0].data_type == "s" and rows[5][0].data_type == "s"
    assert rows[3][1].value == Decimal("12.3") or float(rows[3][1].value) == 12.3
    assert rows[3][1].number_format == "#,##0.00"
    assert [c.value for c in rows[6]][0] == "合计"
    assert all(c.data_type != "f" for row in rows for c in row)


def test_csv_escapes_cells_a_spreadsheet_would_run() -> None:
    text = csv_bytes(COLUMNS, ROWS, header_lines=["导出人：manager"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["导出人：manager"]
    assert rows[2] == ["'=HYPERLINK(\"http://x\",\"点我\")", "12.30", "3"]
    assert rows[3][0] == "'+1" and rows[4][0] == "'@SUM(A1)"
