"""The Django side of the audit engine: audit data read from the stored claims, persons, hospitals and
catalogue (querysets), for the pure engine in :mod:`dae.audit`, which takes tables, not models."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.utils import timezone

from dae.audit.schemas import SCHEMAS, AuditData, stored_schema
from dae.claims.stream import stored_line_columns


def data_from_querysets(
    settlements: Any,
    *,
    persons: Any,
    hospitals: Any,
    catalogue: Any,
    params: Mapping[str, Any] | None = None,
) -> AuditData:
    """Audit data from Django querysets (``claims.Settlement``, ``enrollment.Person``, ``catalog.Hospital``,
    ``catalog.CatalogueItem``); fee lines are those of ``settlements``. ``params`` adds parameter tables (pyarrow
    or pandas, by name). Reads with ``values_list`` in chunks: no model instances for the millions of lines."""
    setl_rows = list(settlements.values_list("id", *SETTLEMENT_COLUMNS))
    settlement, setl_pks = settlement_columns(setl_rows)
    # Column by column, not value by value: the declaration's automatic audit reads millions of lines here, with
    # one SQL read of the stored lines (``claims.stream``), no ORM conversion per value.
    chunks = []
    local = pa.timestamp("us", tz=timezone.get_current_timezone_name())
    for cols in stored_line_columns(settlements, LINE_COLUMNS):
        part = {}
        for c, values in zip(LINE_COLUMNS, cols[1:], strict=True):
            if pa.types.is_timestamp(values.type):  # UTC: naive local time, the hospital's own clock
                values = pc.local_timestamp(values.cast(local))
            part[c] = values.cast(_TYPES[c])
        where = pc.index_in(cols[0], value_set=setl_pks)
        for c in ("setl_id", "mdtrt_id", "psn_no", "fixmedins_code"):
            part[c] = pc.take(settlement[c], where)
        chunks.append(pa.table(part))
    fee_line = fee_line_table(chunks)
    person_rows = list(persons.values_list("psn_no", "gend", "brdy"))
    hospital_rows = list(hospitals.values_list("code", "level"))
    cat_cols = (
        "med_list_codg",
        "name",
        "begin_date",
        "end_date",
        "pric_uplmt_amt",
        "lmt_sex",
        "lmt_age_min",
        "lmt_age_max",
        "max_per_day",
        "max_per_stay",
        "min_hosp_grade",
        "inpatient_only",
        "outpatient_only",
    )
    cat_rows = list(catalogue.values_list(*cat_cols, "dise_prefixes", "hosp_lvs"))
    tables: dict[str, Any] = {
        "settlement": pa.table(settlement),
        "fee_line": fee_line,
        "person": person_table(person_rows),
        "hospital": hospital_table(hospital_rows),
        "catalogue": pa.table({c: [row[i] or None if c == "lmt_sex" else row[i] for row in cat_rows]
                               for i, c in enumerate(cat_cols)}),
        "item_dise_prefix": pa.table({
            "med_list_codg": [r[0] for r in cat_rows for _p in r[-2]],
            "begin_date": [r[2] for r in cat_rows for _p in r[-2]],
            "dise_prefix": [p for r in cat_rows for p in r[-2]],
        }),
        "item_hosp_lv": pa.table({
            "med_list_codg": [r[0] for r in cat_rows for _v in r[-1]],
            "begin_date": [r[2] for r in cat_rows for _v in r[-1]],
            "hosp_lv": [v for r in cat_rows for v in r[-1]],
        }),
    }  # fmt: skip
    for name in ("item_dise_prefix", "item_hosp_lv"):
        if not tables[name].num_rows:
            tables[name] = SCHEMAS[name].empty_table()
    tables.update(params or {})
    return AuditData.of(tables)


#: The settlement columns read from the database (after the primary key), with ``hospital__code`` as
#: ``fixmedins_code``; the fee line columns (after the settlement's primary key).
SETTLEMENT_COLUMNS = ("setl_id", "init_setl_id", "mdtrt_id", "psn_no", "hospital__code", "med_type", "adm_date",
                      "dscg_date", "setl_time", "dise_codg", "medfee_sumamt")  # fmt: skip
_SETL_NAMES = tuple("fixmedins_code" if c == "hospital__code" else c for c in SETTLEMENT_COLUMNS)
LINE_COLUMNS = ("feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "med_chrgitm_type", "cnt", "pric",
                "det_item_fee_sumamt")  # fmt: skip
_TYPES = {f.name: f.type for f in (*SCHEMAS["settlement"], *SCHEMAS["fee_line"])}


def settlement_columns(setl_rows: list[tuple[Any, ...]]) -> tuple[dict[str, pa.Array], pa.Array]:
    """The settlement table's columns from rows ``(pk, *SETTLEMENT_COLUMNS)`` as the ORM gives them, and the
    primary keys (to place the fee lines)."""
    by_column = list(zip(*setl_rows, strict=True)) if setl_rows else [()] * (len(_SETL_NAMES) + 1)
    settlement = {c: _column(by_column[i + 1], _TYPES[c]) for i, c in enumerate(_SETL_NAMES)}
    return settlement, pa.array(by_column[0], pa.int64())


def fee_line_part(chunk: list[tuple[Any, ...]], settlement: dict[str, pa.Array], setl_pks: pa.Array) -> pa.Table:
    """Fee lines from rows ``(settlement pk, *LINE_COLUMNS)``, with their settlement's id, visit, person and
    hospital."""
    cols = list(zip(*chunk, strict=True))
    part = {c: _column(cols[i + 1], _TYPES[c]) for i, c in enumerate(LINE_COLUMNS)}
    where = pc.index_in(pa.array(cols[0], pa.int64()), value_set=setl_pks)
    for c in ("setl_id", "mdtrt_id", "psn_no", "fixmedins_code"):
        part[c] = pc.take(settlement[c], where)
    return pa.table(part)


def fee_line_table(chunks: list[pa.Table]) -> pa.Table:
    """The fee line table from its parts; an empty ``init_feedetl_sn`` (not a refund) becomes null."""
    if not chunks:
        return stored_schema("fee_line").empty_table()
    fee_line: Any = pa.concat_tables(chunks)
    sn = fee_line["init_feedetl_sn"]
    return fee_line.set_column(fee_line.schema.get_field_index("init_feedetl_sn"), "init_feedetl_sn",
                               pc.if_else(pc.equal(sn, ""), pa.scalar(None, sn.type), sn))  # fmt: skip


def person_table(person_rows: list[tuple[Any, ...]]) -> pa.Table:
    return pa.table({"psn_no": [r[0] for r in person_rows], "gend": [r[1] for r in person_rows],
                     "brdy": [r[2] for r in person_rows]})  # fmt: skip


def hospital_table(hospital_rows: list[tuple[Any, ...]]) -> pa.Table:
    return pa.table({"fixmedins_code": [r[0] for r in hospital_rows], "hosp_lv": [r[1] for r in hospital_rows]})


def _column(values: tuple[Any, ...] | list[Any], type_: pa.DataType) -> pa.Array:
    """Values read through the ORM as one Arrow column of ``type_``; aware datetimes become naive local time in
    one step (the hospital's own clock: what it recorded)."""
    first = next((v for v in values if v is not None), None)
    if hasattr(first, "tzinfo") and first.tzinfo is not None:
        utc = pa.array(values, pa.timestamp("us", tz="UTC"))
        local = pc.local_timestamp(utc.cast(pa.timestamp("us", tz=timezone.get_current_timezone_name())))
        return local.cast(type_)
    return pa.array(values, type_)
