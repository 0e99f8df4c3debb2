"""The one export helper: tables written to Excel (.xlsx) and CSV with text kept as text.

Every download of figures or rows goes through ``xlsx_bytes`` / ``csv_bytes`` (or ``export_response``):
- a text cell is always written as a string — in Excel its data type is set to string, so ``=HYPERLINK(…)``
  stays text; in CSV a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
  with an apostrophe (OWASP "CSV injection");
- money is a ``Decimal`` written as a number with the yuan format ``#,##0.00`` (never a float in Python);
- a header block says what was exported, by whom and when;
- the workbook is written in write-only mode, so memory stays bounded by a row, not by the file.
Masking what a post may not see and recording the export in the access log are the caller's (the list component
does both); this module only writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpResponse

Kind = Literal["text", "money", "int", "date", "datetime", "percent"]
YUAN_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportColumn:
    label: str
    kind: Kind = "text"
    width: int = 16


def csv_safe(value: Any) -> str:
    """A cell for CSV: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _xlsx_cell(ws: Any, value: Any, kind: Kind) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return WriteOnlyCell(ws, value=None)
    if kind == "money" and isinstance(value, Decimal | int):
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = YUAN_FORMAT
        return cell
    if kind == "percent" and isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value / 100)
        cell.number_format = PERCENT_FORMAT
        return cell
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return WriteOnlyCell(ws, value=value)
    if kind in ("date", "datetime") and isinstance(value, dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm" if kind == "datetime" else "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(ws, value=str(value))
    cell.data_type = "s"  # never a formula, whatever the text begins with
    return cell


def text_cell(ws: Any, value: Any) -> Any:
    """A write-only cell that holds ``value`` as text (for callers that build their own sheets)."""
    return _xlsx_cell(ws, value, "text")


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[ExportColumn], Iterable[Sequence[Any]]]],
    *,
    header_lines: Sequence[str] = (),
    totals: Sequence[Any] | None = None,
) -> bytes:
    """A workbook of one or more sheets ``(name, columns, rows)``; the first sheet carries ``header_lines`` above
    its column row (who exported what, when) and ``totals`` as its last row. The header row is frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    for index, (name, columns, rows) in enumerate(sheets):
        ws = wb.create_sheet(name[:31] or f"Sheet{index + 1}")
        for i, column in enumerate(columns):
            ws.column_dimensions[_column_letter(i)].width = column.width
        lines = list(header_lines) if index == 0 else []
        ws.freeze_panes = f"A{len(lines) + 2}"
        for line in lines:
            ws.append([_xlsx_cell(ws, line, "text")])
        bold = Font(bold=True)
        head = []
        for column in columns:
            cell = _xlsx_cell(ws, column.label, "text")
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for row in rows:
            ws.append([_xlsx_cell(ws, v, c.kind) for v, c in zip(row, columns, strict=False)])
        if totals is not None and index == 0:
            cells = [_xlsx_cell(ws, v, c.kind) for v, c in zip(totals, columns, strict=False)]
            for cell in cells:
                cell.font = bold
            ws.append(cells)
    with tempfile.TemporaryFile() as spool:
        wb.save(spool)
        spool.seek(0)
        return spool.read()


def csv_bytes(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *, header_lines: Sequence[str] = (),
    totals: Sequence[Any] | None = None,
) -> bytes:
    """UTF-8 CSV with a BOM (so Excel opens Chinese correctly); every cell made safe by ``csv_safe``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in header_lines:
        writer.writerow([csv_safe(line)])
    writer.writerow([csv_safe(c.label) for c in columns])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    if totals is not None:
        writer.writerow([csv_safe(v) for v in totals])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_response(content: bytes, filename: str, fmt: str) -> HttpResponse:
    """A download of ``content`` (``fmt`` is ``xlsx`` or ``csv``) named ``filename.fmt`` (UTF-8 name allowed)."""
    from urllib.parse import quote

    content_type = XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(filename)}.{fmt}"
    )
    return response


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
