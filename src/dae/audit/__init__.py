"""Smart audit (智能审核): the rule library over fee lines, settlements, persons and the catalogue, as Ibis
expressions run on DuckDB (default) or Spark. This package is the pure engine: no Django import (the pure contract
in ``.importlinter`` checks it); audit data from Django querysets comes through
``dae.auditing.engine_adapters.data_from_querysets``.

    from dae.audit import AuditData, run_rules, check_one
    findings = run_rules(AuditData.of({...}), backend="duckdb")
"""

from __future__ import annotations

from dae.audit.backends import AuditTables, bind, load_duckdb, load_duckdb_parquet, load_spark, load_spark_parquet
from dae.audit.compiled import rule_fingerprint
from dae.audit.engine import Findings, check_one, rule_catalogue, run_rules
from dae.audit.params import ParamError, ParamSpec
from dae.audit.rules import RULES, Rule
from dae.audit.schemas import SCHEMAS, AuditData, AuditInputError

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
    "load_duckdb",
    "load_duckdb_parquet",
    "load_spark",
    "load_spark_parquet",
    "rule_catalogue",
    "rule_fingerprint",
    "run_rules",
]
