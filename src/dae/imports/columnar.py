"""A ``columnar`` importer's CSV read by columns (``core.files.csv_table``): the rows it knows come as ``Known``
(``Importer.known_rows``, one step for the whole file), the rows whose every cell parses come as ``Parsed``
(parsed a column at a time: text cells checked with pyarrow, the other kinds once per distinct text), and
every other row as the cells the row reader gives — ``Importer.parse`` then reports its problems, so the
problems, their order and their row numbers are those of the row reader. Row ``i`` of the table is the file's
row ``i + 2`` (the header is row 1; a blank line is a row, as the row reader counts it).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from .framework import Column, Importer

#: Rows turned into Python values at a time.
CHUNK = 50_000

_SPACES = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
#: A cell that ``str.strip`` would change (pyarrow's own trimming may not know the same spaces).
EDGE_SPACE = "^[{0}]|[{0}]$".format("".join(f"\\x{{{ord(c):x}}}" for c in _SPACES))


@dataclass(frozen=True, slots=True)
class Known:
    """A row the importer knows (``known_rows``): the record standing for it."""

    record: Any


@dataclass(frozen=True, slots=True)
class Parsed:
    """A row whose every cell parsed: the values ``Importer.parse`` would return."""

    values: dict[str, Any]


def rows_of(importer: Importer, header: list[str], table: pa.Table, problems: Any) -> Iterator[tuple[int, Any]]:
    """The rows of the table in file order, as ``(row number, Known | Parsed | cells by column name)``."""
    index = importer._map_header(header, problems)
    blank = pc.equal(pc.binary_join_element_wise(*table.columns, ""), "")  # every cell empty: skipped
    empty = blank.to_pylist() if pc.any(blank).as_py() else None
    known = None if importer.header_incomplete else importer.known_rows(
        {name: table.column(i) for name, i in index.items()})
    importer.looked_up = known is not None
    todo = [i for i in range(table.num_rows) if (empty is None or not empty[i]) and (known is None or known[i] is None)]
    rows = _unknown_rows(importer, table, index, todo)
    for i in range(table.num_rows):
        if empty is not None and empty[i]:
            continue
        record = None if known is None else known[i]
        yield i + 2, (Known(record) if record is not None else next(rows))


def _unknown_rows(importer: Importer, table: pa.Table, index: dict[str, int], todo: list[int]) -> Iterator[Any]:
    names, positions = tuple(index), tuple(index.values())
    parse = not importer.header_incomplete  # a missing column: the cells are checked by ``parse`` as they are
    absent = {c.name: None for c in importer.columns if c.name not in index}
    columns = {c.name: c for c in importer.columns}
    for start in range(0, len(todo), CHUNK):
        part = table.take(pa.array(todo[start:start + CHUNK], pa.int64()))
        cells = [part.column(i) for i in positions]
        if not parse:
            yield from (dict(zip(names, row, strict=True)) for row in zip(*[c.to_pylist() for c in cells], strict=True))
            continue
        failed = pa.array([False] * part.num_rows)
        values = []
        for name, column in zip(names, cells, strict=True):
            column_values, column_failed = _parse_column(importer, columns[name], column)
            values.append(column_values)
            failed = pc.or_(failed, column_failed)
        raw = [c.to_pylist() for c in cells] if pc.any(failed).as_py() else None
        for j, (bad, row) in enumerate(zip(failed.to_pylist(), zip(*values, strict=True), strict=True)):
            if bad:
                assert raw is not None
                yield {name: raw[k][j] for k, name in enumerate(names)}
            else:
                yield Parsed(dict(zip(names, row, strict=True)) | absent)


def _parse_column(importer: Importer, col: Column, cells: pa.ChunkedArray) -> tuple[list[Any], pa.Array]:
    """A column's values as ``parse`` gives them, and which cells it would refuse (or strip: left to ``parse``)."""
    cells = cells.combine_chunks()
    if col.kind == "str":
        length = pc.utf8_length(cells)
        failed = pc.match_substring_regex(cells, EDGE_SPACE)
        if col.required:
            failed = pc.or_(failed, pc.equal(length, 0))
        if col.max_length is not None:
            failed = pc.or_(failed, pc.greater(length, col.max_length))
        return [text or None for text in cells.to_pylist()], failed
    distinct = pc.unique(cells)
    parsed = [_parse_text(importer, col, text) for text in distinct.to_pylist()]
    at = pc.index_in(cells, value_set=distinct)
    good = [value for _ok, value in parsed]
    return [good[i] for i in at.to_pylist()], pc.take(pa.array([not ok for ok, _v in parsed], pa.bool_()), at)


def _parse_text(importer: Importer, col: Column, text: str) -> tuple[bool, Any]:
    """One distinct text of a column of another kind, as ``parse`` would read it: ``(parsed, value)``."""
    cell = text.strip()
    if cell == "":
        return not col.required, None
    seen = importer._parsed.get(col.name)
    if seen is not None and cell in seen:
        return True, seen[cell]
    try:
        return True, importer._parse_cell(col, cell)
    except ValueError:
        return False, None  # ``parse`` reports it, on the row
