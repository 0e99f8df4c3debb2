"""Smart audit (智能审核): the rule library over fee lines, settlements, persons and the catalogue, as Ibis
expressions run on DuckDB (default) or Spark. This package is the pure engine: no Django import at module level.

    from dae.audit import AuditData, run_rules, check_one
    findings = run_rules(AuditData.of({...}), backend="duckdb")
"""

from __future__ import annotations

from dae.audit.engine import (
    SCHEMAS,
    AuditData,
    AuditInputError,
    AuditTables,
    Findings,
    bind,
    check_one,
    data_from_querysets,
    load_duckdb,
    load_duckdb_parquet,
    load_spark,
    load_spark_parquet,
    rule_catalogue,
    rule_fingerprint,
    run_rules,
)
from dae.audit.params import ParamError, ParamSpec
from dae.audit.rules import RULES, Rule

__all__ = [
    "RULES",
    "SCHEMAS",
    "AuditData",
    "AuditInputError",
    "AuditTables",
    "Findings",
    "ParamError",
    "ParamSpec",
    "Rule",
    "bind",
    "check_one",
    "data_from_querysets",
    "load_duckdb",
    "load_duckdb_parquet",
    "load_spark",
    "load_spark_parquet",
    "rule_catalogue",
    "rule_fingerprint",
    "run_rules",
]
