"""Batch mode's input: a Parquet or CSV file, an Arrow table or an iterable of row mappings loaded as a DuckDB view
with its row numbers, and the refusals of bad input (the column or row at fault, never a half-computed batch).

Must never import Django.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from dae.benefits.engine.batch_sql import LINE_COLUMNS, OPENING_COLUMNS, REQUIRED_COLUMNS, is_float_type
from dae.benefits.engine.errors import FieldError, InputInvalid


class ArrowTable(Protocol):
    """A ``pyarrow.Table`` (or anything with the Arrow stream interface DuckDB scans without a copy)."""

    num_rows: int

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...


Source = str | Path | ArrowTable | Iterable[Mapping[str, Any]]

_ROW_MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("{col} 不能为空", "{col} must not be empty"),
    "bad_time": ("结算时间缺失或格式错误 (应为 YYYY-MM-DD HH:MM:SS)", "setl_time missing or not YYYY-MM-DD HH:MM:SS"),
    "bad_place": ("就医类别无法识别", "unknown place_category"),
    "bad_way": ("结算方式应为 direct 或 manual", "settle_way must be direct or manual"),
    "bad_flag": ("撤销标志无法识别 (应为 true/false/1/0)", "cancelled must be true/false/1/0"),
    "bad_amount": (
        "金额缺失或格式错误: 应为不为负, 最多两位小数的金额",
        "amount missing, negative or over two decimals",
    ),
    "bad_year": ("年度缺失或不是整数", "policy_year missing or not an integer"),
    "identity_broken": (
        "医疗费总额不等于 全自费+超限价+先行自付+符合政策范围",
        "medfee_sumamt differs from the four totals",
    ),
    "admission_date_required": (
        "规则集按入院日期确定年度或版本, 必须提供入院日期",
        "adm_date is required by the rule set",
    ),
    "admission_after_settlement": ("入院日期晚于结算日期", "adm_date is after the settlement date"),
    "no_ruleset_in_force": ("该日期没有生效的规则集版本", "no rule-set version is in force on that date"),
    "duplicate_setl_id": ("结算ID 重复", "setl_id appears more than once"),
    "opening_base_above_eligible": ("累计大额基数不能大于累计符合范围金额", "dae_base exceeds eligible_amount"),
    "duplicate_opening": ("同一人员年度的期初累计重复", "opening given twice for one person-year"),
    "totals_and_lines": (
        "有费用明细的结算不能同时填写结算合计金额",
        "a settlement with fee lines must leave the totals empty",
    ),
    "line_without_settlement": ("费用明细的结算ID 不在结算中", "the fee line's setl_id is not a settlement"),
    "bad_level": ("收费项目等级应为 01, 02 或 03", "chrgitm_lv must be 01, 02 or 03"),
    "bad_special_drug": (
        "特殊药品类别应为 in_basic_scope 或 class_b_managed",
        "special_drug must be in_basic_scope or class_b_managed",
    ),
    "bad_line_amount": ("金额缺失或格式错误: 最多两位小数", "amount missing or over two decimals"),
    "negative_amount": ("原始明细金额不能为负数", "an original line's amount must not be negative"),
    "refund_amount_positive": ("退费明细金额必须为负数或 0", "a refund line's amount must be negative or 0"),
    "duplicate_feedetl_sn": ("费用明细流水号在本次结算中重复", "feedetl_sn appears twice in this settlement"),
    "refund_original_missing": (
        "原费用流水号不是本次结算中的原始明细",
        "init_feedetl_sn is not an original line of this settlement",
    ),
    "refund_exceeds_original": ("退费合计超过原明细金额", "refunds exceed the original line"),
    "over_cap_out_of_range": ("超限价金额必须在 0 与明细净额之间", "overlmt_amt must lie between 0 and the net amount"),
}


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise InputInvalid(errors)


def load_source(con: duckdb.DuckDBPyConnection, source: Source, table: str, scratch: Path, label: str) -> None:
    if hasattr(source, "__arrow_c_stream__"):
        _load_arrow(con, source, table)
        return
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise InputInvalid([FieldError(label, "file_missing", f"文件不存在: {path}", f"file not found: {path}")])
        if path.suffix.lower() == ".parquet":
            # A view, not a copy: the file is read once, when the typed table is built.
            con.execute(
                f"CREATE VIEW {table} AS SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS row_no "
                f"FROM read_parquet({sql_literal(path)}, file_row_number = true)"
            )
            return
        _load_csv(con, path, table)
        return
    _write_rows_csv(source, scratch, label)
    _load_csv(con, scratch, table)


def _load_arrow(con: duckdb.DuckDBPyConnection, source: Any, table: str) -> None:
    """An Arrow table is scanned in place; ``row_no`` is its row number, added as a column (an ``OVER ()`` number
    would follow the scan's order, which parallel threads do not keep)."""
    numbered = source.append_column("row_no", pa.array(range(1, source.num_rows + 1), type=pa.int64()))
    con.register(f"{table}_arrow", numbered)
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM {table}_arrow")


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    # Every column as text: amounts are then checked digit by digit, never guessed into a DOUBLE.
    con.execute(
        f"CREATE VIEW {table} AS SELECT *, row_number() OVER () AS row_no "
        f"FROM read_csv({sql_literal(path)}, all_varchar = true, header = true, delim = ',', quote = '\"')"
    )


def _write_rows_csv(rows: Iterable[Mapping[str, Any]], path: Path, label: str) -> None:
    errors: list[FieldError] = []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer: Any = None
        columns: list[str] = []
        for number, row in enumerate(rows, start=1):
            if writer is None:
                columns = list(row)
                writer = csv.writer(handle)
                writer.writerow(columns)
            if list(row) != columns:
                errors.append(
                    FieldError(f"{label}[{number}]", "columns_differ", "各行字段须相同", "rows differ in fields")
                )
                continue
            writer.writerow([_csv_value(row[c], f"{label}[{number}].{c}", errors) for c in columns])
        if writer is None:
            header = {"rows": REQUIRED_COLUMNS, "fee_lines": LINE_COLUMNS}.get(label, OPENING_COLUMNS)
            csv.writer(handle).writerow(header)
    raise_if(errors[:100])


def _csv_value(value: Any, path: str, errors: list[FieldError]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        errors.append(FieldError(path, "float_value", "不能是浮点数: 金额请用字符串或 Decimal", "floats are refused"))
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return {str(name): str(kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()}


def column_errors(
    types: Mapping[str, str], required: Iterable[str], amounts: Iterable[str], label: str
) -> list[FieldError]:
    errors = [
        FieldError(f"{label}.{c}", "column_missing", f"缺少列 {c}", f"column {c} is missing")
        for c in required
        if c not in types
    ]
    for column in amounts:
        if column in types and is_float_type(types[column]):
            errors.append(
                FieldError(
                    f"{label}.{column}",
                    "float_column",
                    f"金额列 {column} 是浮点类型 ({types[column]}): 请用 DECIMAL 或文本",
                    f"amount column {column} is a float type ({types[column]}): use DECIMAL or text",
                )
            )
    return errors


def row_errors(con: duckdb.DuckDBPyConnection, sql: str, label: str, max_errors: int) -> list[FieldError]:
    return row_field_errors(con.execute(sql).fetchall(), label, max_errors)


def row_field_errors(found: list[Any], label: str, max_errors: int) -> list[FieldError]:
    errors = []
    for row_no, column, code in found[:max_errors]:
        zh, en = _ROW_MESSAGES[code]
        errors.append(FieldError(f"{label}[{row_no}].{column}", code, zh.format(col=column), en.format(col=column)))
    if len(found) > max_errors:
        more = len(found) - max_errors
        errors.append(FieldError(label, "more_errors", f"另有 {more} 处错误未列出", f"{more} more error(s) not listed"))
    return errors


def sql_literal(path: Path) -> str:
    """A file path as an SQL string literal (views cannot take parameters)."""
    return "'" + str(path).replace("'", "''") + "'"
