"""A person's slice of the audit tables for the single-claim check, read without the ORM's per-query cost.

Three plain SQL statements through ``connection.cursor()`` (the person's settlements in the window, their fee
lines, the person), each value passed through the very converters the ORM applies to that column (so the tables
are exactly those of :func:`engine_adapters.data_from_querysets`: types, time zones, empty → null; a test compares
them), and the hospitals kept resident: their two columns are read each time (a hospital's level is edited in
place, so no count or highest id would notice) and the Arrow table is reused while the rows are the same, so the
compiled suite sees the same object and does not reload it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type stubs
from django.db import connection
from django.db.models import Model

from dae.audit.schemas import conform
from dae.catalog.models import Hospital
from dae.claims.models import FeeLine, Settlement
from dae.enrollment.models import Person

from .engine_adapters import (
    LINE_COLUMNS,
    SETTLEMENT_COLUMNS,
    fee_line_part,
    fee_line_table,
    hospital_table,
    person_table,
    settlement_columns,
)

Converter = Callable[[Any, Any, Any], Any]

#: The hospital table as last read: (its rows, the Arrow table).
_HOSPITALS: dict[str, tuple[list[tuple[Any, ...]], pa.Table]] = {}


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _c(model: type[Model], name: str) -> str:
    """The quoted column of a field."""
    return _q(str(model._meta.get_field(name).column))  # type: ignore[union-attr]


def _column_of(model: type[Model], name: str) -> tuple[str, list[tuple[Converter, Any]]]:
    """The quoted column of ``model.name`` (``hospital__code`` via the settlement's hospital) and the ORM's
    converters of its values on this database."""
    if name == "hospital__code":
        model, name, table = Hospital, "code", "h"
    else:
        table = "t"
    field = model._meta.get_field(name)
    col = field.get_col(table)  # type: ignore[union-attr]
    converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
    return f"{table}.{_c(model, name)}", [(c, col) for c in converters]


@functools.cache
def _statements(vendor: str) -> dict[str, tuple[str, list[list[tuple[Converter, Any]]]]]:
    """The three statements of a slice and hospitals, with each column's converters (built once per database
    vendor)."""
    del vendor  # the cache key: quoting and converters are the backend's
    s_cols = [_column_of(Settlement, c) for c in ("id", *SETTLEMENT_COLUMNS)]
    l_cols = [_column_of(FeeLine, c) for c in ("settlement", *LINE_COLUMNS)]
    p_cols = [_column_of(Person, c) for c in ("psn_no", "gend", "brdy")]
    h_cols = [_column_of(Hospital, c) for c in ("code", "level")]
    s_table, l_table = _q(Settlement._meta.db_table), _q(FeeLine._meta.db_table)
    p_table, h_table = _q(Person._meta.db_table), _q(Hospital._meta.db_table)
    settlements = (
        f"SELECT {', '.join(c for c, _ in s_cols)} FROM {s_table} t "
        f"INNER JOIN {h_table} h ON (t.{_c(Settlement, 'hospital')} = h.{_q('id')}) "
        f"WHERE t.{_c(Settlement, 'psn_no')} = %s AND t.{_c(Settlement, 'dscg_date')} >= %s "
        f"AND t.{_c(Settlement, 'adm_date')} <= %s "
        f"ORDER BY t.{_c(Settlement, 'setl_time')} DESC, t.{_q('id')} DESC"
    )
    lines = (
        f"SELECT {', '.join(c for c, _ in l_cols)} FROM {l_table} t "
        f"WHERE t.{_c(FeeLine, 'settlement')} IN ({{ids}}) ORDER BY t.{_q('id')}"
    )
    person = (
        f"SELECT {', '.join(c for c, _ in p_cols)} FROM {p_table} t WHERE t.{_q('psn_no')} = %s "
        f"ORDER BY t.{_q('psn_no')}"
    )
    hospitals = f"SELECT {', '.join(c for c, _ in h_cols)} FROM {h_table} t ORDER BY t.{_q('code')}"
    return {
        "settlement": (settlements, [c for _, c in s_cols]),
        "fee_line": (lines, [c for _, c in l_cols]),
        "person": (person, [c for _, c in p_cols]),
        "hospital": (hospitals, [c for _, c in h_cols]),
    }


def _rows(cursor: Any, name: str, params: list[Any], **fill: str) -> list[tuple[Any, ...]]:
    sql, converters = _statements(connection.vendor)[name]
    cursor.execute(sql.format(**fill) if fill else sql, params)
    raw = cursor.fetchall()
    if not any(converters):
        return [tuple(r) for r in raw]
    out = []
    for row in raw:
        values = list(row)
        for i, convert in enumerate(converters):
            for c, col in convert:
                values[i] = c(values[i], col, connection)
        out.append(tuple(values))
    return out


def hospitals() -> pa.Table:
    """The hospital table, the same object while its rows are unchanged."""
    with connection.cursor() as cursor:
        rows = _rows(cursor, "hospital", [])
    cached = _HOSPITALS.get("table")
    if cached is not None and cached[0] == rows:
        return cached[1]
    table = conform("hospital", hospital_table(rows))
    _HOSPITALS["table"] = (rows, table)
    return table


def person_tables(psn_no: str, lo: dt.date, hi: dt.date) -> dict[str, pa.Table]:
    """The person's settlements discharged from ``lo`` and admitted by ``hi``, their fee lines, and the person."""
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        setl_rows = _rows(cursor, "settlement", [psn_no, adapt(lo), adapt(hi)])
        settlement, setl_pks = settlement_columns(setl_rows)
        line_rows = []
        if setl_rows:
            marks = ", ".join(["%s"] * len(setl_rows))
            line_rows = _rows(cursor, "fee_line", [r[0] for r in setl_rows], ids=marks)
        person_rows = _rows(cursor, "person", [psn_no])
    chunks = [fee_line_part(line_rows, settlement, setl_pks)] if line_rows else []
    return {
        "settlement": pa.table(settlement),
        "fee_line": fee_line_table(chunks),
        "person": person_table(person_rows),
    }
