"""Write a demo city to disk, one file per table, through DuckDB with exact column types.

Money columns are ``DECIMAL(16,2)`` (``cnt``, ``max_per_day`` and ``max_per_stay`` 16,4; ``pric`` and
``pric_uplmt_amt`` 16,6; ``selfpay_prop`` 5,4), never DOUBLE: the rows are staged as text and DuckDB parses them
into typed columns. Output is deterministic (rows in the city's order, one writer thread), so the same city gives
the same bytes. The plants' ground truth (``City.planted``) is not a table: ``dae.demo.audit_data.write_truth``
keeps it.
"""

from __future__ import annotations

import csv
import tempfile
import typing
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from dae.demo.city import City

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_NULL = "\\N"
_DECIMAL_TYPES = {
    "cnt": "DECIMAL(16,4)",
    "max_per_day": "DECIMAL(16,4)",
    "max_per_stay": "DECIMAL(16,4)",
    "pric": "DECIMAL(16,6)",
    "pric_uplmt_amt": "DECIMAL(16,6)",
    "selfpay_prop": "DECIMAL(5,4)",
}
_SQL_TYPES: dict[object, str] = {
    str: "VARCHAR",
    int: "BIGINT",
    bool: "BOOLEAN",
    date: "DATE",
    datetime: "TIMESTAMP",
}


def _column_type(name: str, annotation: object) -> str:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = args[0] if args else annotation
    if base is Decimal:
        return _DECIMAL_TYPES.get(name, "DECIMAL(16,2)")
    return _SQL_TYPES[base]


def table_schema(row_type: type[DataclassInstance]) -> list[tuple[str, str]]:
    """Column names and DuckDB types of a row dataclass, in field order."""
    hints = typing.get_type_hints(row_type)
    return [(f.name, _column_type(f.name, hints[f.name])) for f in fields(row_type)]


def _stage(rows: tuple[object, ...], row_type: type[DataclassInstance], path: Path) -> None:
    """Stage rows as CSV text for DuckDB to parse into typed columns.

    ``csv`` writes ``str()`` of each value: Decimals keep their places, datetimes read ``YYYY-MM-DD HH:MM:SS``,
    booleans ``True``/``False``. Only a None must be spelled out, as ``\\N``, so that it is NULL while an empty
    string stays empty.
    """
    names = [f.name for f in fields(row_type)]
    getter = attrgetter(*names)
    hints = typing.get_type_hints(row_type)
    nullable = [i for i, name in enumerate(names) if type(None) in typing.get_args(hints[name])]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(names)
        if not nullable:
            writer.writerows(map(getter, rows))
            return
        for row in rows:
            values = list(getter(row))
            for i in nullable:
                if values[i] is None:
                    values[i] = _NULL
            writer.writerow(values)


# The row class of each table, read from City's annotations (``tuple[Unit, ...]`` → Unit).
_ROW_TYPES: dict[str, type[DataclassInstance]] = {
    name: typing.get_args(hint)[0] for name, hint in typing.get_type_hints(City).items() if typing.get_origin(hint) is tuple
}


def _write(city: City, directory: Path | str, fmt: str) -> dict[str, Path]:
    import duckdb  # imported here so that generating a city never needs it

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 1")
        con.execute("SET preserve_insertion_order TO true")
        with tempfile.TemporaryDirectory(prefix="dae-demo-") as staging:
            for name, rows in city.tables().items():
                row_type = _ROW_TYPES[name]
                staged = Path(staging) / f"{name}.csv"
                _stage(rows, row_type, staged)
                columns = ", ".join(f"'{col}': '{sql}'" for col, sql in table_schema(row_type))
                source = (
                    f"read_csv('{staged}', header = true, columns = {{{columns}}}, nullstr = '{_NULL}', "
                    "allow_quoted_nulls = false, quote = '\"', escape = '\"', delim = ',')"
                )
                target = out / f"{name}.{fmt}"
                options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
                con.execute(f"COPY (SELECT * FROM {source}) TO '{target}' ({options})")
                written[name] = target
    finally:
        con.close()
    return written


def write_parquet(city: City, directory: Path | str) -> dict[str, Path]:
    """One ``<table>.parquet`` per table; returns the paths by table name."""
    return _write(city, directory, "parquet")


def write_csv(city: City, directory: Path | str) -> dict[str, Path]:
    """One ``<table>.csv`` (UTF-8, header row, NULL as empty field) per table; returns the paths by table name."""
    return _write(city, directory, "csv")
