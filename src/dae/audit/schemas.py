"""The audit tables: their schemas (:data:`SCHEMAS`), conforming input to them, and :class:`AuditData` (pyarrow
tables conformed to the schemas: from pyarrow or pandas, or a directory of Parquet files).

Pure: no Django (the adapter from querysets is ``dae.auditing.engine_adapters``), no backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

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
