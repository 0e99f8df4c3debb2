"""Reading uploaded tabular files (CSV and Excel) with a clear Chinese refusal for every way a file can be bad.

Every file parser (imports, bank statements, bank results, fee files, catalogue code lists) reads its rows here:
text through ``core.inputs.decode_text`` (UTF-8 or GB18030, never replaced characters), CSV rows with a bound on
a field's length, Excel through openpyxl in read-only mode. A file that is not a workbook, a damaged workbook,
an empty file and a field too long each answer ``InvalidInput`` with a stable code and a message that says what
is wrong — never an internal error, whatever the bytes.

A large CSV can also be read by columns (``csv_table``, pyarrow, every cell a string) when it is of the plain
rectangular kind that both readers read alike; any other file is left to ``csv_rows`` and its messages.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .codes import CoreCode
from .errors import InvalidInput
from .inputs import decode_text

#: The longest CSV field read: Python's csv limit (a name, a memo or a code is far shorter; a 20 MB field is junk).
CSV_FIELD_MAX = csv.field_size_limit()


def empty_file() -> InvalidInput:
    return InvalidInput("文件为空（0 字节），请重新选择文件", code=CoreCode.EMPTY_FILE,
                        details=[{"path": "file", "message": "文件为空"}])


def text_and_encoding(raw: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding (``UTF-8`` or ``GB18030``)."""
    if not raw:
        raise empty_file()
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return decode_text(raw, "gb18030"), "GB18030"


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of CSV text, row 1 = the header; a field longer than ``CSV_FIELD_MAX`` characters
    or a malformed line is refused naming the row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    row_no = 0
    while True:
        row_no += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InvalidInput(f"第 {reader.line_num} 行有一个字段超过 {CSV_FIELD_MAX} 个字符，文件不像是本系统的表格",
                                   code=CoreCode.FIELD_TOO_LONG,
                                   details=[{"path": f"row {reader.line_num}", "message": "字段过长"}]) from None
            raise InvalidInput(f"第 {reader.line_num} 行不是有效的 CSV：{exc}", code=CoreCode.BAD_CSV,
                               details=[{"path": f"row {reader.line_num}", "message": str(exc)}]) from None
        yield row_no, cells


#: Characters that make ``csv_table`` step aside: NUL, and the separators of the importers' row digests.
NOT_COLUMNAR = ("\x00", "\x1d", "\x1e", "\x1f")


def csv_table(text: str) -> tuple[list[str], pa.Table] | None:
    """The header (row 1) and the other rows of CSV text as columns of strings (``f0``, ``f1`` …; an empty cell
    is ``""``, a blank line a row of them, so the table's row ``i`` is the file's row ``i + 2``). ``None`` when
    the two readers might differ or ``csv_rows`` would refuse the file: a ragged row, a field longer than
    ``CSV_FIELD_MAX``, a NUL or a digest separator, a header the two read differently — ``csv_rows`` then reads
    it."""
    if any(c in text for c in NOT_COLUMNAR):
        return None
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), None)
    except csv.Error:
        return None  # csv_rows says what is wrong with the first line
    if not header or len(header) < 2:  # one column: pyarrow reads a blank line as a cell, csv as no row
        return None
    types = {f"f{i}": pa.string() for i in range(len(header))}
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None  # a ragged or malformed row: csv_rows reads the file and names the row if it is bad
    if table.num_columns != len(header) or table.num_rows == 0:
        return None
    table = table.combine_chunks()
    if [table.column(i)[0].as_py() for i in range(len(header))] != header:
        return None
    for column in table.columns:
        longest = pc.max(pc.utf8_length(column)).as_py()
        if longest is not None and longest > CSV_FIELD_MAX:
            return None
    return header, table.slice(1)


def _not_a_workbook() -> InvalidInput:
    return InvalidInput("文件不是 Excel 工作簿（.xlsx）：请在 Excel 中“另存为 Excel 工作簿”，或上传 CSV",
                        code=CoreCode.NOT_A_WORKBOOK, details=[{"path": "file", "message": "不是 Excel 工作簿"}])


def _corrupt(exc: BaseException) -> InvalidInput:
    return InvalidInput(f"Excel 文件已损坏，无法读取（{type(exc).__name__}）：请重新导出后上传",
                        code=CoreCode.CORRUPT_WORKBOOK, details=[{"path": "file", "message": "文件已损坏"}])


#: What openpyxl and zipfile raise for a damaged or foreign file (they have no common base class).
_DAMAGED = (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError, TypeError, IndexError, EOFError,
            OSError, AttributeError)


def xlsx_rows(source: Path | bytes) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)`` of the first sheet of an .xlsx file (a path or its bytes)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    stream: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    if size == 0:
        raise empty_file()
    if not zipfile.is_zipfile(stream):
        head = source[:4] if isinstance(source, bytes) else Path(source).open("rb").read(4)
        if head == b"PK\x03\x04":  # a zip's first bytes without its directory: a workbook cut short
            raise _corrupt(zipfile.BadZipFile("truncated"))
        raise _not_a_workbook()
    if isinstance(stream, io.BytesIO):
        stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise _not_a_workbook()
        if isinstance(stream, io.BytesIO):
            stream.seek(0)
        wb = load_workbook(stream, read_only=True, data_only=True)
    except InvalidInput:
        raise
    except (*_DAMAGED, InvalidFileException) as exc:
        raise _corrupt(exc) from None
    try:
        if not wb.worksheets:
            raise _not_a_workbook()
        rows = wb.worksheets[0].iter_rows(values_only=True)
        row_no = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except _DAMAGED as exc:
                raise _corrupt(exc) from None
            row_no += 1
            yield row_no, list(cells)
    finally:
        wb.close()


def count_xlsx_rows(path: Path) -> int:
    """The first sheet's row count as the workbook states it (0 when it does not say), for progress bars."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
    except _DAMAGED:
        return 0  # the reading itself will refuse the file with its message
    try:
        return int(wb.worksheets[0].max_row or 0) if wb.worksheets else 0
    finally:
        wb.close()
