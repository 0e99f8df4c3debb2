"""The import framework: read a file, validate every row, then load all of it or nothing.

An importer (``<app>/importers.py``, decorated with ``@register``) declares its documented ``columns`` and
implements three steps:

``check(row_no, values, problems)``
    ``values`` are the row's cells already parsed by column kind (str, date, decimal, int, code); return the
    clean record, or ``None`` after reporting with ``problems.add(row_no, column, value, reason)``.
``check_all(records, problems)``
    cross-row checks (duplicates within the file, against the database) on ``[(row_no, record), ...]``.
``unchanged(row_no, raw)`` (optional)
    a record for a row known to be loaded already and unchanged since (the roster's row digests), so a file
    loaded again is not read cell by cell; ``None`` otherwise.
``known_rows(columns)`` (optional, with ``columnar = True``)
    the same for a whole CSV read by columns (pyarrow): every row's record or ``None``, found in one step.
``load(records, progress)``
    write everything; runs inside one transaction and only when no problem was found. Must be idempotent:
    a row equal to what is stored changes nothing, a changed row adds history. Returns ``Counts``.

Tabular files (CSV in UTF-8 or GB18030, Excel .xlsx) are read by column name (``psn_no``) or by the Chinese
label (``人员编号``); an unknown or missing required column rejects the file, but the rows are still checked
cell by cell (every column that is there), so one upload shows every problem; the importer's own row and
cross-row checks run only on a complete header. Row numbers are the file's own (header = row 1), as a clerk sees
them in Excel. An importer may override ``read`` for other shapes (JSON). A ``columnar`` importer's CSV is read
by columns (``core.files.csv_table``, then ``columnar``) when the file is of the plain kind: the rows it knows
come as ``Known``, the rows whose cells all parse as ``Parsed``, the others as the cells the row reader gives,
with the same row numbers and problems. Such an importer keeps the framework's ``parse``.

``imports.actions.do_start_import`` stores the upload and queues the job; ``imports.jobs.run_import`` is the job
(checking here, loading or refusing through the actions).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
from django.utils import timezone

from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput
from dae.core.exports import ExportColumn, xlsx_bytes
from dae.core.files import count_xlsx_rows, csv_rows, csv_table, text_and_encoding, xlsx_rows
from dae.core.inputs import header_index, json_document, visible
from dae.dictionaries import codes
from dae.dictionaries.models import CodeList

from . import registry
from .columnar import Parsed, rows_of
from .models import ImportBatch

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
MAX_UPLOAD = 1024 * 1024 * 1024  # 1 GiB


@dataclass(frozen=True)
class Column:
    """A documented column. ``kind``: str, date, decimal, money (≤ 2 decimals), int, code (needs ``codelist``)."""

    name: str
    label: str
    required: bool = False
    kind: str = "str"
    codelist: str | None = None
    max_length: int | None = None
    help: str = ""
    example: str = ""  # the value of the example file's row (derived from the kind when empty)
    earliest: date | None = None  # a date column's lower bound when not the input layer's 1990 (a date of birth)


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    same: int = 0
    ignored: int = 0


_UNSEEN = object()
MAX_PARSED = 100_000  # distinct texts remembered per column (dates of birth: ~30,000)

#: The problems kept for the report; the rest are counted per kind (a junk file may have millions).
MAX_KEPT_PROBLEMS = 1000
_SPECIFIC = re.compile(r"“[^”]*”|\"[^\"]*\"|：.*$|\d+")


def problem_kind(column: str, reason: str) -> str:
    """A problem's kind for the counts: its column and its reason without the particular value."""
    return f"{column}：{_SPECIFIC.sub('…', reason)[:120]}"


class Problems:
    """The problems found, in file order: the first ``MAX_KEPT_PROBLEMS`` in full, all of them counted per kind."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str, str, str]] = []
        self.bad_rows: set[int] = set()
        self.total = 0
        self.counts: dict[str, int] = {}

    def add(self, row_no: int, column: str, value: Any, reason: str) -> None:
        column, reason = visible(column), visible(reason)  # both may quote the file (an unknown column's name)
        self.total += 1
        kind = problem_kind(column, reason)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if len(self.items) < MAX_KEPT_PROBLEMS:
            self.items.append((row_no, column[:60], "" if value is None else visible(value)[:200], reason[:300]))
        self.bad_rows.add(row_no)

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total


class Importer:
    kind: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    formats: ClassVar[tuple[str, ...]] = ("csv", "xlsx")
    posts: ClassVar[frozenset[str]] = frozenset({"manager"})
    regional: ClassVar[bool] = False  # rows belong to the batch's region (checked by the importer)
    columnar: ClassVar[bool] = False  # a CSV is read by columns when it can be (see the module's docstring)

    def __init__(self, batch: ImportBatch, user: Any) -> None:
        self.batch = batch
        self.user = user
        self.today = timezone.localdate()
        #: a required column is missing: rows are checked cell by cell only (see the module's docstring)
        self.header_incomplete = False
        #: cells already parsed, by column, for the kinds whose value depends only on the text (codes, dates,
        #: numbers): a roster repeats a few hundred such texts a million times. Only values that parsed are kept.
        self._parsed: dict[str, dict[str, Any]] = {c.name: {} for c in self.columns if c.kind != "str"}
        #: the rows were read by columns and looked up at once (``known_rows``): ``unchanged`` is not asked
        self.looked_up = False

    # -- reading ---------------------------------------------------------------------------------------
    def estimate_rows(self, path: Path, fmt: str) -> int:
        if fmt == "csv":
            with path.open("rb") as fh:
                return max(sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1, 0)
        if fmt == "xlsx":
            return max(count_xlsx_rows(path) - 1, 0)
        return 0

    def read(self, path: Path, fmt: str, problems: Problems) -> Iterator[tuple[int, Any]]:
        if fmt == "csv":
            text, encoding = text_and_encoding(path.read_bytes())
            if encoding != "UTF-8":
                self.batch.note = f"文件编码：{encoding}"
            table = csv_table(text) if self.columnar else None
            if table is not None:
                del text
                yield from rows_of(self, table[0], table[1], problems)
                return
            rows = csv_rows(text)
        else:
            rows = _read_xlsx(path)
        header = next(rows, None)
        if header is None:
            raise InvalidInput("文件为空，没有表头", code=CoreCode.EMPTY_FILE)
        index = self._map_header(header[1], problems)
        names, positions = tuple(index), tuple(index.values())
        width = max(positions, default=-1) + 1
        for row_no, cells in rows:
            if not any(c not in (None, "") for c in cells):
                continue
            if len(cells) >= width:  # the usual row: every mapped cell is there
                yield row_no, dict(zip(names, [cells[i] for i in positions], strict=True))
            else:
                yield row_no, {name: (cells[i] if i < len(cells) else None) for name, i in index.items()}

    def _map_header(self, header: list[Any], problems: Problems) -> dict[str, int]:
        names = {col.name: col.name for col in self.columns} | {col.label: col.name for col in self.columns}
        labels = {col.name: col.label for col in self.columns}
        index, found = header_index(header, names, [c.name for c in self.columns if c.required])
        for text, kind in found:
            if kind == "missing":
                problems.add(1, text, "", f"缺少必填列：{text}（{labels[text]}）")
                self.header_incomplete = True  # the rows are still checked cell by cell
            else:
                problems.add(1, text, text, "列重复" if kind == "duplicate" else "未知的列（请使用导入说明中的列名）")
        return index

    # -- parsing cells by kind --------------------------------------------------------------------------
    def parse(self, row_no: int, raw: dict[str, Any] | Parsed, problems: Problems) -> dict[str, Any] | None:
        if type(raw) is Parsed:  # read by columns, every cell parsed there (``columnar``)
            return raw.values
        assert isinstance(raw, dict)
        values: dict[str, Any] = {}
        ok = True
        for col in self.columns:
            if col.name not in raw:
                values[col.name] = None
                continue
            cell = raw[col.name]
            if isinstance(cell, str):
                cell = cell.strip()
            if cell is None or cell == "":
                if col.required:
                    problems.add(row_no, col.name, "", f"{col.label}不能为空")
                    ok = False
                values[col.name] = None
                continue
            seen = self._parsed.get(col.name) if type(cell) is str else None
            if seen is not None:
                value = seen.get(cell, _UNSEEN)
                if value is not _UNSEEN:
                    values[col.name] = value
                    continue
            try:
                values[col.name] = value = self._parse_cell(col, cell)
            except ValueError as exc:
                problems.add(row_no, col.name, cell, str(exc))
                ok = False
                continue
            if seen is not None and len(seen) < MAX_PARSED:
                seen[cell] = value
        return values if ok else None

    def _parse_cell(self, col: Column, cell: Any) -> Any:
        kind = col.kind
        if kind == "date":
            return parse_date(cell, col.label, col.earliest)
        if kind in ("decimal", "money"):
            return parse_decimal(cell, col.label, places=2 if kind == "money" else None)
        if kind == "int":
            text = str(cell)
            if not text.lstrip("-").isdigit():
                raise ValueError(f"{col.label}应为整数")
            return int(text)
        text = cell_text(cell)
        if col.max_length is not None and len(text) > col.max_length:
            raise ValueError(f"{col.label}超过{col.max_length}个字符")
        if kind == "code":
            assert col.codelist is not None
            if text not in self.valid(col.codelist):
                raise ValueError(f"代码“{text}”不在字典 {col.codelist} 中")
        return text

    def valid(self, codelist: str) -> frozenset[str]:
        return codes.valid_codes(codelist)

    # -- documentation ----------------------------------------------------------------------------------------
    #: a sentence for the import page (e.g. what the file is, where it comes from)
    page_note: ClassVar[str] = ""

    @classmethod
    def example_file(cls) -> tuple[bytes, str] | None:
        """An example file ``(content, extension)`` when the CSV made from the columns does not fit."""
        return None

    @classmethod
    def example_format(cls) -> str:
        own = cls.example_file()
        return own[1] if own is not None else "csv"

    # -- the importer's own steps -------------------------------------------------------------------------
    def unchanged(self, row_no: int, raw: dict[str, Any]) -> Any:
        """A record standing for a row the importer knows it loaded before, unchanged since (its cell and row
        checks are then skipped; ``check_all`` and ``load`` receive it among the records), or ``None``."""
        return None

    def known_rows(self, columns: dict[str, pa.ChunkedArray]) -> list[Any] | None:
        """For a CSV read by columns (cells by column name, every one a string): the record of each row
        ``unchanged`` would find, ``None`` for the others — or ``None`` to have ``unchanged`` asked per row."""
        return None

    def check(self, row_no: int, values: dict[str, Any], problems: Problems) -> Any:
        return values

    def check_all(self, records: list[tuple[int, Any]], problems: Problems) -> None:
        return None

    def load(self, records: list[tuple[int, Any]], progress: Callable[[int], None]) -> Counts:
        raise NotImplementedError


def parse_date(cell: Any, label: str, earliest: date | None = None) -> date:
    """A date cell (an Excel date, ``YYYY-MM-DD``, ``YYYY/MM/DD`` or ``YYYYMMDD``) within the input layer's range
    (1990–2100, or from ``earliest``); ``ValueError`` carries the clerk's reason."""
    day: date | None = None
    if isinstance(cell, datetime):
        day = cell.date()
    elif isinstance(cell, date):
        day = cell
    else:
        text = str(cell).strip()
        try:
            if len(text) == 8 and text.isdigit():
                day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
            elif len(text) >= 10 and text[4] in "-/" and text[7] in "-/":
                day = date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        except ValueError:
            day = None
    if day is None:
        raise ValueError(f"{label}不是有效日期（格式 YYYY-MM-DD）")
    try:
        return inputs.date(day, field=label, label=label, minimum=earliest or inputs.DATE_MIN)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


def cell_text(cell: Any) -> str:
    """A cell as text; an Excel number cell in a text column (a code such as 1101) without a trailing ``.0``."""
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return format(Decimal(repr(cell)).normalize(), "f")
    return str(cell)


def parse_decimal(cell: Any, label: str, places: int | None = None) -> Decimal:
    """A number cell, bounded by what a DECIMAL(16,2) column holds; exponent notation typed by a person is refused
    (an Excel number cell is read as the number it shows). ``ValueError`` carries the clerk's reason."""
    if isinstance(cell, float):  # an Excel number cell: its shortest repr is the number the clerk typed
        cell = format(Decimal(repr(cell)), "f")
    text = str(cell).replace(",", "").strip()
    if "e" in text.lower() or len(text) > 40:
        raise ValueError(f"{label}应为数字（不能使用科学计数法）")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{label}应为数字") from None
    if not value.is_finite():
        raise ValueError(f"{label}应为数字")
    if places is not None and -value.as_tuple().exponent > places:  # type: ignore[operator]
        raise ValueError(f"{label}最多{places}位小数")
    try:  # the bound of the input layer; the number itself is kept as written
        inputs.signed_amount(value, field=label, label=label, maximum=inputs.COLUMN_MAX,
                             places=places if places is not None else 8)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None
    return value


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    yield from xlsx_rows(path)


def read_json(path: Path) -> Any:
    """A JSON file through the input layer (size already bounded by the upload; depth, NaN and encoding here)."""
    return json_document(path.read_bytes(), field="file", label="JSON 文件")


def problems_workbook(batch: ImportBatch, exported_by: Any = "") -> bytes:
    """The error report as Excel through the one export helper (values stay text, never formulas): the first
    ``MAX_KEPT_PROBLEMS`` problems with row, column, value and reason, and the count of every kind of problem.
    Its size is bounded by the cap, whatever the file held."""
    importer = registry.get(batch.kind)
    labels = {c.name: c.label for c in importer.columns}
    total = batch.problems_total or batch.problems.count()
    header = [f"{importer.title} 导入错误报告：{batch.file_name}（批次 #{batch.pk}）",
              f"共 {total} 个问题，{batch.rows_bad} 行有错误；以下列出前 {min(total, MAX_KEPT_PROBLEMS)} 个，"
              f"各类问题的数目见“问题分类”",
              f"导出人 {exported_by}  {timezone.localtime():%Y-%m-%d %H:%M}"]
    rows = ((row_no, column, labels.get(column, ""), value, reason) for row_no, column, value, reason
            in batch.problems.values_list("row_no", "column", "value", "reason")[:MAX_KEPT_PROBLEMS].iterator())
    columns = [ExportColumn("行号 row", "int", 10), ExportColumn("列 column", "text", 18),
               ExportColumn("列名 label", "text", 18), ExportColumn("值 value", "text", 30),
               ExportColumn("原因 reason", "text", 60)]
    counts = sorted((batch.problem_counts or {}).items(), key=lambda kv: -kv[1])
    kinds = [ExportColumn("问题分类 kind", "text", 80), ExportColumn("数目 count", "int", 12)]
    return xlsx_bytes([("错误报告", columns, rows), ("问题分类", kinds, counts)], header_lines=header)


def template_csv(kind: str) -> bytes:
    """A CSV with the header row of ``kind`` (column names), for clerks to fill."""
    importer = registry.get(kind)
    out = io.StringIO()
    csv.writer(out).writerow([c.name for c in importer.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- the import pages' documentation --------------------------------------------------------------------------

KIND_LABELS = {"str": "文本", "date": "日期（YYYY-MM-DD）", "decimal": "数字", "money": "金额（元，最多两位小数）",
               "int": "整数", "code": "字典代码"}


def example_value(col: Column) -> str:
    """The example file's value of ``col``: its own example, else one made from its kind."""
    if col.example:
        return col.example
    if not col.required:
        return ""
    if col.kind == "code" and col.codelist:
        valid = sorted(codes.valid_codes(col.codelist))
        return valid[0] if valid else ""
    return {"date": "2025-01-01", "decimal": "1.00", "money": "1234.56", "int": "2025"}.get(col.kind, "")


def describe(importer: type[Importer]) -> dict[str, Any]:
    """What the import page says about one kind: its columns with Chinese type names, whether each is required,
    the dictionary it takes codes from (by name), and an example value (plain data: a template never calls it)."""
    lists = dict(CodeList.objects.filter(key__in=[c.codelist for c in importer.columns if c.codelist])
                 .values_list("key", "name"))
    columns = [{"name": c.name, "label": c.label, "required": c.required, "kind": KIND_LABELS.get(c.kind, c.kind),
                "codelist": c.codelist or "", "codelist_name": lists.get(c.codelist or "", ""),
                "max_length": c.max_length, "help": c.help, "example": example_value(c)} for c in importer.columns]
    return {"kind": importer.kind, "title": str(importer.title), "formats": list(importer.formats),
            "columns": columns, "example_format": importer.example_format(), "note": str(importer.page_note)}


def example_file(kind: str) -> tuple[bytes, str]:
    """An example file of ``kind`` (the importer's own, else a CSV with the header and one example row)."""
    importer = registry.get(kind)
    own = importer.example_file()
    if own is not None:
        return own
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in importer.columns])
    writer.writerow([example_value(c) for c in importer.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8"), "csv"
