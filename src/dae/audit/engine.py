"""The audit engine: table schemas, loading them into DuckDB or Spark, running rules, collecting findings.

Data comes in as :class:`AuditData` (pyarrow tables conformed to :data:`SCHEMAS`: from pyarrow or pandas, a
directory of Parquet files, or Django querysets through :func:`data_from_querysets`), is bound to a backend as
:class:`AuditTables` (Ibis tables on DuckDB in memory, or on a Spark session), and :func:`run_rules` runs the rule
expressions on it and returns :class:`Findings` — the same rules, the same Ibis expressions, on either backend.
:func:`check_one` runs them for one settlement (the person's slice of the data, in a fresh in-memory DuckDB).

No Django import at module level: the engine takes tables, not models.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from ibis import _
from ibis.expr.types import Table

from dae.audit.params import ParamError, resolve
from dae.audit.relevance import rules_that_may_fire
from dae.audit.rules import RULES, Rule
from dae.audit.rules.base import (
    OUTPUT_SCHEMA,
    dropped_settlements,
    net_lines,
    net_lines_over,
    refund_totals,
    stays,
    valid_settlements,
    visit_diagnoses,
)

Backend = Literal["duckdb", "pyspark"]

_MONEY = pa.decimal128(16, 2)
_QTY = pa.decimal128(16, 4)
_PRICE = pa.decimal128(16, 6)
_TIME = pa.timestamp("us")

#: The tables the rules read, with their columns (national field names where one exists). ``nullable=False``
#: columns must be filled; the others may be null (an empty restriction means "no restriction").
SCHEMAS: dict[str, pa.Schema] = {
    # 2301 fee details (FEE_LIST_D): one row per line; refunds have negative cnt and init_feedetl_sn.
    "fee_line": pa.schema([
        pa.field("feedetl_sn", pa.string(), nullable=False),  # 费用明细流水号 (unique within a visit)
        pa.field("init_feedetl_sn", pa.string()),  # 原费用流水号 (on a refund line)
        pa.field("setl_id", pa.string(), nullable=False),  # 结算ID of the settlement that paid the line
        pa.field("mdtrt_id", pa.string(), nullable=False),  # 就诊ID
        pa.field("psn_no", pa.string(), nullable=False),  # 人员编号
        pa.field("fixmedins_code", pa.string(), nullable=False),  # 定点医药机构编号
        pa.field("fee_ocur_time", _TIME, nullable=False),  # 费用发生时间
        pa.field("med_list_codg", pa.string(), nullable=False),  # 医疗目录编码
        pa.field("med_chrgitm_type", pa.string(), nullable=False),  # 医疗收费项目类别 01 床位 … 14 其他
        pa.field("cnt", _QTY, nullable=False),  # 数量
        pa.field("pric", _PRICE, nullable=False),  # 单价
        pa.field("det_item_fee_sumamt", _MONEY, nullable=False),  # 明细项目费用总额
    ]),
    # 2304 settlements (SETL_D); a 2305 cancellation has init_setl_id = the settlement it cancels.
    "settlement": pa.schema([
        pa.field("setl_id", pa.string(), nullable=False),
        pa.field("init_setl_id", pa.string()),
        pa.field("mdtrt_id", pa.string(), nullable=False),
        pa.field("psn_no", pa.string(), nullable=False),
        pa.field("fixmedins_code", pa.string(), nullable=False),
        pa.field("med_type", pa.string(), nullable=False),  # 医疗类别: 2x / 52 inpatient
        pa.field("adm_date", pa.date32(), nullable=False),  # 入院日期
        pa.field("dscg_date", pa.date32(), nullable=False),  # 出院日期
        pa.field("setl_time", _TIME, nullable=False),  # 结算时间
        pa.field("dise_codg", pa.string()),  # 主诊断编码
        pa.field("medfee_sumamt", _MONEY, nullable=False),  # 医疗费总额
    ]),
    # 1101 baseinfo.
    "person": pa.schema([
        pa.field("psn_no", pa.string(), nullable=False),
        pa.field("gend", pa.string()),  # 1 男, 2 女
        pa.field("brdy", pa.date32()),  # 出生日期
    ]),
    "hospital": pa.schema([
        pa.field("fixmedins_code", pa.string(), nullable=False),
        pa.field("hosp_lv", pa.string()),  # 医院等级 01–14 (national-interface.md A.7)
    ]),
    # The catalogue with the restriction columns (catalog.CatalogueItem), one row per version.
    "catalogue": pa.schema([
        pa.field("med_list_codg", pa.string(), nullable=False),
        pa.field("name", pa.string()),
        pa.field("begin_date", pa.date32(), nullable=False),
        pa.field("end_date", pa.date32()),  # first day no longer valid; null = open
        pa.field("pric_uplmt_amt", _PRICE),  # 定价上限金额
        pa.field("lmt_sex", pa.string()),  # 限定性别 1/2
        pa.field("lmt_age_min", pa.int32()),  # years, inclusive
        pa.field("lmt_age_max", pa.int32()),  # years, inclusive
        pa.field("max_per_day", _QTY),
        pa.field("max_per_stay", _QTY),
        pa.field("min_hosp_grade", pa.int32()),  # 3 三级, 2 二级, 1 一级
        pa.field("inpatient_only", pa.bool_()),
        pa.field("outpatient_only", pa.bool_()),
    ]),
    # CatalogueItem.dise_prefixes, one row per prefix of a version (限定支付范围).
    "item_dise_prefix": pa.schema([
        pa.field("med_list_codg", pa.string(), nullable=False),
        pa.field("begin_date", pa.date32(), nullable=False),
        pa.field("dise_prefix", pa.string(), nullable=False),
    ]),
    # CatalogueItem.hosp_lvs, one row per allowed hosp_lv of a version.
    "item_hosp_lv": pa.schema([
        pa.field("med_list_codg", pa.string(), nullable=False),
        pa.field("begin_date", pa.date32(), nullable=False),
        pa.field("hosp_lv", pa.string(), nullable=False),
    ]),
    # Diagnoses of a visit besides the settlement's main one (SETL_LIST_DIAG_D).
    "diagnosis": pa.schema([
        pa.field("mdtrt_id", pa.string(), nullable=False),
        pa.field("dise_codg", pa.string(), nullable=False),
    ]),
    # --- parameter tables (edited by the manager) ---
    "once_daily_item": pa.schema([pa.field("med_list_codg", pa.string(), nullable=False)]),
    "bundle_pair": pa.schema([
        pa.field("main_codg", pa.string(), nullable=False),
        pa.field("acc_codg", pa.string(), nullable=False),
    ]),
    "period_limit": pa.schema([
        pa.field("med_list_codg", pa.string(), nullable=False),
        pa.field("window_days", pa.int32(), nullable=False),
        pa.field("max_cnt", _QTY, nullable=False),
    ]),
    "course_limit": pa.schema([
        pa.field("med_list_codg", pa.string(), nullable=False),
        pa.field("max_days", pa.int32(), nullable=False),
    ]),
    "material_procedure": pa.schema([
        pa.field("material_codg", pa.string(), nullable=False),
        pa.field("procedure_codg", pa.string(), nullable=False),
    ]),
}  # fmt: skip

#: Tables that may be left out (an empty table of the schema stands in).
OPTIONAL_TABLES = frozenset(
    {
        "item_dise_prefix",
        "item_hosp_lv",
        "diagnosis",
        "once_daily_item",
        "bundle_pair",
        "period_limit",
        "course_limit",
        "material_procedure",
    }
)
PARAM_TABLES = ("once_daily_item", "bundle_pair", "period_limit", "course_limit", "material_procedure")

FINDING_COLUMNS = ("rule_id", "finding_key", "setl_id", "psn_no", "fixmedins_code", "amount_at_issue", "detail")
EVIDENCE_COLUMNS = ("rule_id", "finding_key", "ev_setl_id", "ev_feedetl_sn", "ev_role")


class AuditInputError(ValueError):
    """An input table does not fit its schema (审核数据格式错误); the message names the table and column."""


# --- data ---------------------------------------------------------------------------------------------------------


def conform(name: str, table: pa.Table | Any) -> pa.Table:
    """``table`` (pyarrow or pandas) with exactly the columns of ``SCHEMAS[name]``, cast to their types.

    Refuses a missing column, a float where a decimal is expected (money is never float) and a null in a
    required column, naming the table and column.
    """
    schema = SCHEMAS[name]
    if not isinstance(table, pa.Table):
        table = pa.Table.from_pandas(table, preserve_index=False)
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise AuditInputError(f"表 {name} 缺少列 {', '.join(missing)} (missing columns)")
    columns = []
    for f in schema:
        column = table.column(f.name)
        if pa.types.is_decimal(f.type) and pa.types.is_floating(column.type):
            raise AuditInputError(f"表 {name} 的列 {f.name} 不能是浮点数 (must be decimal, not float)")
        try:
            column = column.cast(f.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise AuditInputError(f"表 {name} 的列 {f.name} 无法转换为 {f.type}: {exc}") from exc
        if not f.nullable and column.null_count:
            raise AuditInputError(f"表 {name} 的列 {f.name} 不能为空 ({column.null_count} empty values)")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=stored_schema(name))


def stored_schema(name: str) -> pa.Schema:
    """The schema as stored on a backend: every column nullable (required ones were checked on the way in), so
    DuckDB and Spark (which reads Parquet columns as nullable) see the same types."""
    return pa.schema([f.with_nullable(True) for f in SCHEMAS[name]])


@dataclass(frozen=True)
class AuditData:
    """The audit tables as pyarrow tables, each conformed to its schema (see :data:`SCHEMAS`)."""

    tables: Mapping[str, pa.Table]

    @classmethod
    def of(cls, tables: Mapping[str, Any]) -> AuditData:
        """From pyarrow tables or pandas frames by name; optional tables may be left out, unknown names are refused."""
        unknown = sorted(set(tables) - set(SCHEMAS))
        if unknown:
            raise AuditInputError(f"未知的审核数据表: {', '.join(unknown)} (unknown tables)")
        out = {}
        for name in SCHEMAS:
            if name in tables:
                out[name] = conform(name, tables[name])
            elif name in OPTIONAL_TABLES:
                out[name] = stored_schema(name).empty_table()
            else:
                raise AuditInputError(f"缺少审核数据表 {name} (missing table)")
        return cls(out)

    @classmethod
    def from_parquet_dir(cls, path: str | Path) -> AuditData:
        """From ``<name>.parquet`` files in a directory (optional ones may be absent)."""
        folder = Path(path)
        found = {name: pq.read_table(folder / f"{name}.parquet") for name in SCHEMAS
                 if (folder / f"{name}.parquet").exists()}  # fmt: skip
        return cls.of(found)

    def write_parquet(self, path: str | Path) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name, table in self.tables.items():
            pq.write_table(table, folder / f"{name}.parquet")

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def slice_for_person(self, psn_no: str) -> AuditData:
        """The data one person's audit needs: their settlements, lines, visit diagnoses; reference data whole."""
        out = dict(self.tables)
        for name in ("fee_line", "settlement", "person"):
            table = self.tables[name]
            out[name] = table.filter(pc.equal(table["psn_no"], psn_no))
        mdtrt = out["settlement"]["mdtrt_id"]
        out["diagnosis"] = self.tables["diagnosis"].filter(pc.is_in(self.tables["diagnosis"]["mdtrt_id"], mdtrt))
        return AuditData(out)


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
    from dae.claims.models import FeeLine  # lazily: the engine itself never needs Django

    setl_rows = list(settlements.values_list(
        "id", "setl_id", "init_setl_id", "mdtrt_id", "psn_no", "hospital__code", "med_type", "adm_date", "dscg_date",
        "setl_time", "dise_codg", "medfee_sumamt",
    ))  # fmt: skip
    setl_cols = ("setl_id", "init_setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "med_type", "adm_date",
                 "dscg_date", "setl_time", "dise_codg", "medfee_sumamt")  # fmt: skip
    by_column = list(zip(*setl_rows, strict=True)) if setl_rows else [()] * (len(setl_cols) + 1)
    types = {f.name: f.type for f in (*SCHEMAS["settlement"], *SCHEMAS["fee_line"])}
    settlement = {c: _column(by_column[i + 1], types[c]) for i, c in enumerate(setl_cols)}
    setl_pks = pa.array(by_column[0], pa.int64())
    line_cols = ("feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "med_chrgitm_type", "cnt", "pric",
                 "det_item_fee_sumamt")  # fmt: skip
    # Column by column, not value by value: the declaration's automatic audit reads millions of lines here.
    query = FeeLine.objects.filter(settlement_id__in=settlements.values("id")).order_by("pk")
    chunks = []
    for chunk in _row_chunks(query.values_list("settlement_id", *line_cols).iterator(chunk_size=20_000), 100_000):
        cols = list(zip(*chunk, strict=True))
        part = {c: _column(cols[i + 1], types[c]) for i, c in enumerate(line_cols)}
        where = pc.index_in(pa.array(cols[0], pa.int64()), value_set=setl_pks)
        for c in ("setl_id", "mdtrt_id", "psn_no", "fixmedins_code"):
            part[c] = pc.take(settlement[c], where)
        chunks.append(pa.table(part))
    if chunks:
        fee_line: Any = pa.concat_tables(chunks)
        sn = fee_line["init_feedetl_sn"]
        fee_line = fee_line.set_column(fee_line.schema.get_field_index("init_feedetl_sn"), "init_feedetl_sn",
                                       pc.if_else(pc.equal(sn, ""), pa.scalar(None, sn.type), sn))  # fmt: skip
    else:
        fee_line = stored_schema("fee_line").empty_table()
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
        "person": pa.table({"psn_no": [r[0] for r in person_rows], "gend": [r[1] for r in person_rows],
                            "brdy": [r[2] for r in person_rows]}),
        "hospital": pa.table({"fixmedins_code": [r[0] for r in hospital_rows],
                              "hosp_lv": [r[1] for r in hospital_rows]}),
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


def _row_chunks(rows: Iterable[Any], size: int) -> Iterable[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _column(values: tuple[Any, ...] | list[Any], type_: pa.DataType) -> pa.Array:
    """Values read through the ORM as one Arrow column of ``type_``; aware datetimes become naive local time in
    one step (the hospital's own clock: what it recorded)."""
    first = next((v for v in values if v is not None), None)
    if hasattr(first, "tzinfo") and first.tzinfo is not None:
        from django.utils import timezone

        utc = pa.array(values, pa.timestamp("us", tz="UTC"))
        local = pc.local_timestamp(utc.cast(pa.timestamp("us", tz=timezone.get_current_timezone_name())))
        return local.cast(type_)
    return pa.array(values, type_)


# --- tables on a backend ----------------------------------------------------------------------------------------


@dataclass
class AuditTables:
    """The audit tables as Ibis tables on one backend, plus the derived tables rules share.

    ``lines()`` (net fee lines of valid settlements), ``stays()`` (one row per visit) and ``visit_dx()`` are built
    from the raw tables; :func:`prepare` materialises them once per run (a DuckDB temporary table, a cached Spark
    frame) so the rules do not recompute the refund netting each.
    """

    backend: Backend
    con: Any
    raw: dict[str, Table]
    _derived: dict[str, Table] = field(default_factory=dict)
    _tmpdir: str | None = None
    prepared: bool = False
    #: Seconds each derived step took in the last :func:`prepare` (DuckDB).
    step_seconds: dict[str, float] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Table:
        raw = self.__dict__.get("raw", {})
        if name in raw:
            return raw[name]
        raise AttributeError(name)

    def lines(self) -> Table:
        if "lines" not in self._derived:
            self._derived["lines"] = net_lines(self.raw["fee_line"], self.raw["settlement"])
        return self._derived["lines"]

    def stays(self) -> Table:
        if "stays" not in self._derived:
            self._derived["stays"] = stays(self.raw["settlement"])
        return self._derived["stays"]

    def valid_settlements(self) -> Table:
        return valid_settlements(self.raw["settlement"])

    def visit_dx(self) -> Table:
        if "visit_dx" not in self._derived:
            self._derived["visit_dx"] = visit_diagnoses(self.raw["settlement"], self.raw["diagnosis"])
        return self._derived["visit_dx"]

    def close(self) -> None:
        """Drop what this binding made (cached frames, the Spark staging folder)."""
        for table in self._derived.values():
            release = getattr(table, "release", None)
            if release is not None and self.backend == "pyspark":
                release()
        self._derived.clear()
        self.prepared = False
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


DERIVED = ("lines", "stays", "visit_dx")

#: How :func:`prepare` builds the derived tables on DuckDB, in order: (name, kind). The fee lines are never
#: copied: ``audit_lines`` is a view over ``fee_line`` that leaves out the few dropped settlements
#: (``audit_drop``) and subtracts the refunds (``audit_refunds``, one row per refunded line), both small tables
#: made by one pass each over the lines. Stays and visit diagnoses (one row per visit) are tables.
DUCK_STEPS: tuple[tuple[str, str], ...] = (
    ("drop", "TABLE"),
    ("refunds", "TABLE"),
    ("lines", "VIEW"),
    ("stays", "TABLE"),
    ("visit_dx", "TABLE"),
)


#: DuckDB's common-subplan elimination would materialise the whole net-lines view when a rule reads it twice (e.g.
#: 串换: materials and procedures), before the rule's narrow item filter: off on the audit connections.
DUCK_DISABLED_OPTIMIZERS = "common_subplan"


def steps_read_by(sql: str) -> list[str]:
    """The derived steps a compiled rule (or other SQL) reads, with the steps those read, in build order."""
    wanted = {name for name, _kind in DUCK_STEPS if f'"audit_{name}"' in sql}
    for name, _kind in reversed(DUCK_STEPS):
        if name in wanted:
            wanted |= {n for n, _k in DUCK_STEPS if f'"audit_{n}"' in derived_sql(name)}
    return [name for name, _kind in DUCK_STEPS if name in wanted]


def _step_expression(tables: AuditTables, name: str) -> Table:
    raw = tables.raw
    if name == "drop":
        return dropped_settlements(raw["fee_line"], raw["settlement"])
    if name == "refunds":
        return refund_totals(raw["fee_line"], tables._derived["drop"])
    if name == "lines":
        return net_lines_over(raw["fee_line"], tables._derived["drop"], tables._derived["refunds"])
    return getattr(tables, name)()


def prepare(tables: AuditTables) -> AuditTables:
    """Build the derived tables once per binding (:func:`run_rules` prepares unprepared tables): on DuckDB by
    :data:`DUCK_STEPS` as ``audit_<name>`` (SQL compiled once per process, :func:`derived_sql`; the net lines a
    view, nothing copied), on Spark as persisted frames (Ibis ``cache``). Prepare again after changing the raw
    tables."""
    if tables.backend == "duckdb":
        tables.con.con.execute(f"SET disabled_optimizers = '{DUCK_DISABLED_OPTIMIZERS}'")
        for name, kind in DUCK_STEPS:
            started = time.perf_counter()
            tables.con.con.execute(f'CREATE OR REPLACE {kind} "audit_{name}" AS {derived_sql(name)}')
            tables._derived[name] = _duck_table(tables.con, f"audit_{name}")
            tables.step_seconds[name] = time.perf_counter() - started
    else:
        for name in DERIVED:
            tables._derived[name] = getattr(tables, name)().cache()
    tables.prepared = True
    return tables


def _duck_table(con: Any, name: str) -> Table:
    """``con.table(name)`` without the DeprecationWarning ibis 12 triggers on DuckDB 2 (``fetch_arrow_table``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        return con.table(name)


def load_duckdb(data: AuditData, con: Any = None) -> AuditTables:
    """The data as DuckDB tables under their schema names (copied into DuckDB's own storage: faster than scanning
    Arrow on each rule). One binding per connection: the names are fixed (compiled rule SQL relies on them)."""
    con = con or ibis.duckdb.connect()
    raw = {}
    for name, table in data.tables.items():
        con.con.register("audit_in", table)
        con.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM audit_in')
        con.con.unregister("audit_in")
        raw[name] = _duck_table(con, name)
    return AuditTables("duckdb", con, raw)


def load_duckdb_parquet(folder: str | Path, con: Any = None) -> AuditTables:
    """Tables straight from ``<name>.parquet`` files into DuckDB, cast to the schemas on the way (for data too big
    to pass through Python). Absent optional tables become empty ones."""
    con = con or ibis.duckdb.connect()
    raw = {}
    for name, schema in SCHEMAS.items():
        path = Path(folder) / f"{name}.parquet"
        if path.exists():
            source = con.read_parquet(str(path), table_name=f"{name}_file")
            typed = source.select(**{f.name: source[f.name].cast(ibis.dtype(f.type)) for f in schema})
            raw[name] = con.create_table(name, typed, overwrite=True)
            con.drop_view(f"{name}_file")
        elif name in OPTIONAL_TABLES:
            raw[name] = con.create_table(name, stored_schema(name).empty_table(), overwrite=True)
        else:
            raise AuditInputError(f"缺少审核数据文件 {path} (missing file)")
    return AuditTables("duckdb", con, raw)


def load_spark(data: AuditData, spark: Any) -> AuditTables:
    """The data as Spark temporary views (staged through Parquet, which keeps decimals, dates and times exact)."""
    con = ibis.pyspark.connect(spark)
    folder = tempfile.mkdtemp(prefix="dae-audit-spark-")
    raw = {}
    for name, table in data.tables.items():
        path = Path(folder) / f"{name}.parquet"
        pq.write_table(table, path)
        raw[name] = con.read_parquet(str(path), table_name=name)
    return AuditTables("pyspark", con, raw, _tmpdir=folder)


def load_spark_parquet(folder: str | Path, spark: Any) -> AuditTables:
    """Tables straight from ``<name>.parquet`` files (or folders of part files) on a Spark session, cast to the
    schemas: the province-scale path, where the files sit on storage every executor reads (HDFS, S3, a shared
    disk) and nothing passes through this process. Absent optional tables become empty ones."""
    con = ibis.pyspark.connect(spark)
    staging = tempfile.mkdtemp(prefix="dae-audit-spark-")
    raw = {}
    for name, schema in SCHEMAS.items():
        path = Path(folder) / f"{name}.parquet"
        if not path.exists():
            if name not in OPTIONAL_TABLES:
                raise AuditInputError(f"缺少审核数据文件 {path} (missing file)")
            path = Path(staging) / f"{name}.parquet"
            pq.write_table(stored_schema(name).empty_table(), path)
        source = con.read_parquet(str(path), table_name=f"audit_{name}_file")
        raw[name] = source.select(**{f.name: source[f.name].cast(ibis.dtype(f.type)) for f in schema})
    return AuditTables("pyspark", con, raw, _tmpdir=staging)


def bind(data: AuditData, backend: Backend = "duckdb", *, spark: Any = None) -> AuditTables:
    if backend == "duckdb":
        return load_duckdb(data)
    if backend == "pyspark":
        if spark is None:
            raise ValueError("pyspark 后端需要 SparkSession (pass spark=SparkSession)")
        return load_spark(data, spark)
    raise ValueError(f"未知的后端 {backend!r} (backend must be duckdb or pyspark)")


# --- running rules --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Findings:
    """The result of a run: one row per finding, one per piece of evidence, both in a fixed order, plus the
    parameters used and each rule's time in seconds."""

    findings: pa.Table
    evidence: pa.Table
    params: Mapping[str, Mapping[str, Any]]
    seconds: Mapping[str, float]

    def records(self) -> list[dict[str, Any]]:
        return self.findings.to_pylist()

    def evidence_records(self) -> list[dict[str, Any]]:
        return self.evidence.to_pylist()

    def same_as(self, other: Findings) -> bool:
        """Identical findings and evidence (times aside)."""
        return self.findings.equals(other.findings) and self.evidence.equals(other.evidence)

    def count_by_rule(self) -> dict[str, int]:
        counts = self.findings.group_by("rule_id").aggregate([("finding_key", "count")])
        return dict(zip(counts["rule_id"].to_pylist(), counts["finding_key_count"].to_pylist(), strict=True))


def select_rules(rule_ids: Iterable[str] | None) -> list[Rule]:
    if rule_ids is None:
        return list(RULES.values())
    chosen = list(rule_ids)
    unknown = [r for r in chosen if r not in RULES]
    if unknown:
        raise ParamError(f"未知的规则: {', '.join(unknown)} (unknown rule ids)")
    return [RULES[r] for r in chosen]


def resolve_params(rules: list[Rule], params: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    params = params or {}
    unknown = sorted(set(params) - {rule.id for rule in rules})
    if unknown:
        raise ParamError(f"参数指向未运行的规则: {', '.join(unknown)} (params for rules not in the run)")
    return {rule.id: resolve(rule.id, rule.params, params.get(rule.id)) for rule in rules}


def rule_expression(rule: Rule, tables: AuditTables, params: Mapping[str, Any]) -> Table:
    """The rule's query, checked to have exactly the output schema."""
    expr = rule(tables, params)
    if expr.schema() != OUTPUT_SCHEMA:
        raise TypeError(f"规则 {rule.id} 的输出结构不符: {expr.schema()} (rule output schema differs)")
    return expr


def run_rules(
    tables: AuditTables | AuditData,
    rule_ids: Iterable[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    backend: Backend = "duckdb",
    *,
    spark: Any = None,
) -> Findings:
    """Run the rules (all, or ``rule_ids`` in that order) and collect their findings.

    ``tables`` bound to a backend are used as they are; :class:`AuditData` is loaded into ``backend`` first (and
    released afterwards). ``params`` maps rule id → parameter values (defaults for the rest). Each rule is one
    query, timed on its own (``Findings.seconds``). On Spark the Ibis expressions run as they are; on DuckDB the
    same expressions run through SQL compiled once per process and parameters (:func:`rule_sql`), because
    building and compiling an expression costs more than running it on small data.
    """
    rules = select_rules(rule_ids)
    resolved = resolve_params(rules, params)
    owned = isinstance(tables, AuditData)
    bound = bind(tables, backend, spark=spark) if isinstance(tables, AuditData) else tables
    try:
        if not bound.prepared:
            prepare(bound)
        seconds: dict[str, float] = {}
        parts: list[pa.Table] = []
        for rule in rules:
            started = time.perf_counter()
            if bound.backend == "duckdb":
                sql = rule_sql(rule.id, _freeze({rule.id: resolved[rule.id]}))
                parts.append(bound.con.con.sql(sql).to_arrow_table())
            else:
                parts.append(rule_expression(rule, bound, resolved[rule.id]).to_pyarrow())
            seconds[rule.id] = time.perf_counter() - started
    finally:
        if owned:
            bound.close()
    return collect(parts, resolved, seconds)


def collect(parts: list[pa.Table], params: Mapping[str, Mapping[str, Any]], seconds: Mapping[str, float]) -> Findings:
    """Split the rules' long rows into findings and evidence, sorted; refuses a finding whose own columns differ
    between its rows (a rule bug)."""
    target = OUTPUT_SCHEMA.to_pyarrow()
    rows = pa.concat_tables([p.cast(target) for p in parts]) if parts else target.empty_table()
    findings = rows.select(list(FINDING_COLUMNS)).group_by(list(FINDING_COLUMNS), use_threads=False).aggregate([])
    if (
        findings.num_rows
        != rows.select(["rule_id", "finding_key"]).group_by(["rule_id", "finding_key"]).aggregate([]).num_rows
    ):
        raise RuntimeError("同一发现的结算、金额或说明不一致 (a finding's columns differ between its rows)")
    evidence = rows.select(list(EVIDENCE_COLUMNS)).group_by(list(EVIDENCE_COLUMNS), use_threads=False).aggregate([])
    findings = findings.select(list(FINDING_COLUMNS)).sort_by([("rule_id", "ascending"), ("setl_id", "ascending"),
                                                                ("finding_key", "ascending")])  # fmt: skip
    evidence = evidence.select(list(EVIDENCE_COLUMNS)).sort_by([(c, "ascending") for c in EVIDENCE_COLUMNS])
    return Findings(findings.combine_chunks(), evidence.combine_chunks(), dict(params), dict(seconds))


def check_one(
    data: AuditData | AuditTables,
    setl_id: str,
    rule_ids: Iterable[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> Findings:
    """The rules for one settlement, fast enough to answer a hospital during a stay (3101/3102).

    Runs on the person's slice of the data (all their visits, for the rules across stays) in an in-memory DuckDB,
    as one prepared query compiled once per rule set and parameters (:class:`CompiledSuite`: Ibis builds the same
    expressions as :func:`run_rules`; only the compilation is reused). Keeps the findings on that settlement and those whose
    evidence names it (e.g. the later of two overlapping stays when the settlement is the earlier one).
    """
    rules = select_rules(rule_ids)
    resolved = resolve_params(rules, params)
    if isinstance(data, AuditTables):
        piece = _person_slice_from(data, setl_id)
    else:
        match = data["settlement"].filter(pc.equal(data["settlement"]["setl_id"], setl_id))
        if not match.num_rows:
            raise AuditInputError(f"结算 {setl_id} 不存在 (unknown settlement)")
        piece = data.slice_for_person(match["psn_no"][0].as_py())
    started = time.perf_counter()
    ids = tuple(rule.id for rule in rules)
    rows = compiled_suite(ids, _freeze(resolved)).run(piece, rules_that_may_fire(ids, piece, resolved, setl_id))
    found = collect([rows], resolved, {"*": time.perf_counter() - started})
    return _touching(found, setl_id)


#: Tables a single-claim check keeps loaded between calls (reloaded only when their rows differ).
RESIDENT = frozenset({"hospital", "catalogue", "item_dise_prefix", "item_hosp_lv", *PARAM_TABLES})


class CompiledSuite:
    """A rule set compiled once to DuckDB SQL and prepared, one statement per rule, on its own in-memory
    connection.

    The SQL is compiled against empty tables of the schemas with fixed names, so each check only replaces the
    rows: the person's slice goes into the raw tables, the small derived tables are rebuilt, and the prepared
    statements of the rules that may fire (:mod:`dae.audit.relevance`) are executed (no parsing or planning per
    call). Reference tables (catalogue, hospitals, parameter tables) stay loaded while they are unchanged. One
    check at a time per suite (a lock).
    """

    def __init__(self, rule_ids: tuple[str, ...], params: Mapping[str, Mapping[str, Any]]) -> None:
        self.rule_ids = rule_ids
        self.con = duckdb.connect()
        self.con.execute("SET threads = 1")
        self.con.execute(f"SET disabled_optimizers = '{DUCK_DISABLED_OPTIMIZERS}'")
        for name in SCHEMAS:
            self.con.register("empty_in", stored_schema(name).empty_table())
            self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM empty_in')
            self.con.unregister("empty_in")
        self.steps = [name for name, _kind in DUCK_STEPS]
        for name in self.steps:  # tables here: a person's lines are few, a copy is cheaper than netting per rule
            self.con.execute(f'CREATE TABLE "audit_{name}" AS {derived_sql(name)}')
            self.con.execute(f'PREPARE build_{name} AS INSERT INTO "audit_{name}" {derived_sql(name)}')
        self.reads: dict[str, set[str]] = {}
        for rule_id in rule_ids:
            sql = rule_sql(rule_id, _freeze({rule_id: params[rule_id]}))
            self.con.execute(f"PREPARE rule_{rule_id} AS {sql}")
            self.reads[rule_id] = set(steps_read_by(sql))
        self.loaded: dict[str, pa.Table] = {}
        self.lock = threading.Lock()

    def run(self, piece: AuditData, rule_ids: Iterable[str] | None = None) -> pa.Table:
        """The long rows of the rules ``rule_ids`` (default all of the suite's) on ``piece``."""
        wanted = self.rule_ids if rule_ids is None else tuple(rule_ids)
        target = OUTPUT_SCHEMA.to_pyarrow()
        if not wanted:  # no rule may fire: nothing to load or run
            return target.empty_table()
        with self.lock:
            for name, table in piece.tables.items():
                before = self.loaded.get(name)
                if name in RESIDENT and before is not None and (before is table or before.equals(table)):
                    continue
                if before is None or before.num_rows or table.num_rows:
                    self.con.execute(f'DELETE FROM "{name}"')
                    if table.num_rows:
                        self.con.register("piece_in", table)
                        self.con.execute(f'INSERT INTO "{name}" SELECT * FROM piece_in')
                        self.con.unregister("piece_in")
                self.loaded[name] = table
            read = set().union(*(self.reads[rule_id] for rule_id in wanted))
            for name in self.steps:  # only the derived tables these rules read (the others are not looked at)
                if name in read:
                    self.con.execute(f'DELETE FROM "audit_{name}"')
                    self.con.execute(f"EXECUTE build_{name}")
            parts = [self.con.sql(f"EXECUTE rule_{rule_id}").to_arrow_table() for rule_id in wanted]
        return pa.concat_tables([p.cast(target) for p in parts]) if parts else target.empty_table()


def _freeze(resolved: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    return tuple((rule_id, tuple(sorted(values.items()))) for rule_id, values in resolved.items())


@functools.lru_cache(maxsize=1)
def _template() -> AuditTables:
    """Empty tables of the schemas on DuckDB, with the derived tables: what rule SQL is compiled against."""
    template = load_duckdb(AuditData.of({name: stored_schema(name).empty_table() for name in SCHEMAS}))
    for name, kind in DUCK_STEPS:
        template.con.con.execute(f'CREATE {kind} "audit_{name}" AS {derived_sql(name)}')
        template._derived[name] = _duck_table(template.con, f"audit_{name}")
    return template


@functools.cache
def derived_sql(name: str) -> str:
    """The DuckDB SQL of a derived step (:data:`DUCK_STEPS`) over the raw tables (by their schema names) and the
    steps before it (as ``audit_<name>``)."""
    return _derived_sqls()[name]


@functools.cache
def _derived_sqls() -> dict[str, str]:
    con = ibis.duckdb.connect()
    raw = {}
    for table in SCHEMAS:
        con.con.register("empty_in", stored_schema(table).empty_table())
        con.con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM empty_in')
        con.con.unregister("empty_in")
        raw[table] = _duck_table(con, table)
    tables = AuditTables("duckdb", con, raw)
    out = {}
    for name, kind in DUCK_STEPS:
        out[name] = str(con.compile(_step_expression(tables, name)))
        con.con.execute(f'CREATE {kind} "audit_{name}" AS {out[name]}')
        tables._derived[name] = _duck_table(con, f"audit_{name}")
    return out


@functools.lru_cache(maxsize=512)
def rule_sql(rule_id: str, frozen: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]) -> str:
    """The DuckDB SQL of one rule with these parameters, compiled from its Ibis expression once per process.
    It reads the raw tables by their schema names and the derived ones as ``audit_<name>``."""
    template = _template()
    return str(template.con.compile(rule_expression(RULES[rule_id], template, dict(frozen[0][1]))))


def rule_fingerprint(rule_id: str, params: Mapping[str, Any]) -> str:
    """The SHA-256 of the rule's compiled SQL with these (resolved) parameters: what a run records as the rule's
    version — it changes when the rule's code or its parameters change, and only then."""
    import hashlib

    return hashlib.sha256(rule_sql(rule_id, _freeze({rule_id: params})).encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def compiled_suite(
    rule_ids: tuple[str, ...], frozen: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
) -> CompiledSuite:
    """The compiled suite of these rules and parameters (kept: compiling all rules takes seconds)."""
    return CompiledSuite(rule_ids, {rule_id: dict(values) for rule_id, values in frozen})


def _touching(found: Findings, setl_id: str) -> Findings:
    ev = found.evidence
    touching = ev.filter(pc.equal(ev["ev_setl_id"], setl_id))
    keys = set(zip(touching["rule_id"].to_pylist(), touching["finding_key"].to_pylist(), strict=True))
    f = found.findings
    keep = [(r, k) in keys or s == setl_id for r, k, s in zip(f["rule_id"].to_pylist(), f["finding_key"].to_pylist(),
                                                                  f["setl_id"].to_pylist(), strict=True)]  # fmt: skip
    kept = f.filter(pa.array(keep, pa.bool_()))
    kept_keys = set(zip(kept["rule_id"].to_pylist(), kept["finding_key"].to_pylist(), strict=True))
    ev_keep = [(r, k) in kept_keys for r, k in zip(ev["rule_id"].to_pylist(), ev["finding_key"].to_pylist(),
                                                     strict=True)]  # fmt: skip
    return Findings(kept, ev.filter(pa.array(ev_keep, pa.bool_())), found.params, found.seconds)


def _person_slice_from(tables: AuditTables, setl_id: str) -> AuditData:
    """One person's slice of tables already bound to a backend: on DuckDB plain parameterised queries (a
    single-claim check must not pay for compiling expressions), elsewhere Ibis filters."""
    raw = tables.raw
    if tables.backend == "duckdb":

        def person_of() -> pa.Table:
            return tables.con.con.sql(
                'SELECT psn_no FROM "settlement" WHERE setl_id = ?', params=[setl_id]
            ).to_arrow_table()

        def part(name: str, psn_no: str) -> pa.Table:
            if name in ("fee_line", "settlement", "person"):
                sql = f'SELECT * FROM "{name}" WHERE psn_no = ?'
            elif name == "diagnosis":
                sql = 'SELECT * FROM "diagnosis" WHERE mdtrt_id IN (SELECT mdtrt_id FROM "settlement" WHERE psn_no = ?)'
            else:
                return tables.con.con.sql(f'SELECT * FROM "{name}"').to_arrow_table()
            return tables.con.con.sql(sql, params=[psn_no]).to_arrow_table()
    else:

        def person_of() -> pa.Table:
            return raw["settlement"].filter(_.setl_id == setl_id).select("psn_no").to_pyarrow()

        def part(name: str, psn_no: str) -> pa.Table:
            table = raw[name]
            if name in ("fee_line", "settlement", "person"):
                return table.filter(table.psn_no == psn_no).to_pyarrow()
            if name == "diagnosis":
                visits = raw["settlement"].filter(_.psn_no == psn_no).select("mdtrt_id")
                return table.semi_join(visits, "mdtrt_id").to_pyarrow()
            return table.to_pyarrow()

    found = person_of()
    if not found.num_rows:
        raise AuditInputError(f"结算 {setl_id} 不存在 (unknown settlement)")
    psn_no = found["psn_no"][0].as_py()
    return AuditData({name: part(name, psn_no).cast(stored_schema(name)) for name in raw})


def rule_catalogue() -> list[dict[str, Any]]:
    """Every rule with its classification and parameters, for pages and docs."""
    return [
        {
            "id": r.id, "name_zh": r.name_zh, "name_en": r.name_en, "category": r.category, "result": r.result,
            "window_zh": r.window_zh, "window_en": r.window_en, "amount_zh": r.amount_zh, "amount_en": r.amount_en,
            "params": [{"name": p.name, "kind": p.kind, "default": p.default, "label_zh": p.label_zh,
                        "label_en": p.label_en, "unit": p.unit} for p in r.params],
        }
        for r in RULES.values()
    ]  # fmt: skip
