"""The audit tables on a backend: :class:`AuditTables` (Ibis tables on DuckDB in memory or on a Spark session),
the loaders (:func:`load_duckdb`, :func:`load_spark` and their Parquet variants, :func:`bind`) and the derived tables
the rules share, built once per binding (:func:`prepare`; on DuckDB by the SQL of :func:`derived_sql`).

Pure: no Django.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import ibis  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis.expr.types import Table  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.rules.base import (
    dropped_settlements,
    net_lines,
    net_lines_over,
    refund_totals,
    stays,
    valid_settlements,
    visit_diagnoses,
)
from dae.audit.schemas import OPTIONAL_TABLES, SCHEMAS, AuditData, AuditInputError, stored_schema

Backend = Literal["duckdb", "pyspark"]


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
            tables._derived[name] = duck_table(tables.con, f"audit_{name}")
            tables.step_seconds[name] = time.perf_counter() - started
    else:
        for name in DERIVED:
            tables._derived[name] = getattr(tables, name)().cache()
    tables.prepared = True
    return tables


def duck_table(con: Any, name: str) -> Table:
    """``con.table(name)`` without the DeprecationWarning ibis 12 triggers on DuckDB 2 (``fetch_arrow_table``)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "fetch_arrow_table", DeprecationWarning)
        return con.table(name)


def copy_in(duck: Any, name: str, rows: pa.Table, *, insert: bool = False) -> None:
    """``rows`` into the table ``name`` on a DuckDB connection (``duckdb``'s own, not Ibis's): as a new table
    (replacing one of that name), or ``insert``-ed into the existing one."""
    duck.register("audit_in", rows)
    if insert:
        duck.execute(f'INSERT INTO "{name}" SELECT * FROM audit_in')
    else:
        duck.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM audit_in')
    duck.unregister("audit_in")


def load_duckdb(data: AuditData, con: Any = None) -> AuditTables:
    """The data as DuckDB tables under their schema names (copied into DuckDB's own storage: faster than scanning
    Arrow on each rule). One binding per connection: the names are fixed (compiled rule SQL relies on them)."""
    con = con or ibis.duckdb.connect()
    raw = {}
    for name, table in data.tables.items():
        copy_in(con.con, name, table)
        raw[name] = duck_table(con, name)
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
        copy_in(con.con, table, stored_schema(table).empty_table())
        raw[table] = duck_table(con, table)
    tables = AuditTables("duckdb", con, raw)
    out = {}
    for name, kind in DUCK_STEPS:
        out[name] = str(con.compile(_step_expression(tables, name)))
        con.con.execute(f'CREATE {kind} "audit_{name}" AS {out[name]}')
        tables._derived[name] = duck_table(con, f"audit_{name}")
    return out
