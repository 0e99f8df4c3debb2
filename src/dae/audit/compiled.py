"""Rules compiled to DuckDB SQL: each rule's SQL compiled once per process and parameters (:func:`rule_sql`, its
fingerprint :func:`rule_fingerprint`) and :class:`CompiledSuite`, a rule set prepared on its own connection for
single-claim checks.

Pure: no Django.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis.expr.types import Table  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.backends import (
    DUCK_DISABLED_OPTIMIZERS,
    DUCK_STEPS,
    AuditTables,
    copy_in,
    derived_sql,
    duck_table,
    load_duckdb,
    steps_read_by,
)
from dae.audit.rules import RULES, Rule
from dae.audit.rules.base import OUTPUT_SCHEMA
from dae.audit.schemas import PARAM_TABLES, SCHEMAS, AuditData, stored_schema

#: A rule set's resolved parameters as a hashable key: ((rule id, ((name, value), ...)), ...).
Frozen = tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]


def rule_expression(rule: Rule, tables: AuditTables, params: Mapping[str, Any]) -> Table:
    """The rule's query, checked to have exactly the output schema."""
    expr = rule(tables, params)
    if expr.schema() != OUTPUT_SCHEMA:
        raise TypeError(f"规则 {rule.id} 的输出结构不符: {expr.schema()} (rule output schema differs)")
    return expr


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
            copy_in(self.con, name, stored_schema(name).empty_table())
        self.steps = [name for name, _kind in DUCK_STEPS]
        for name in self.steps:  # tables here: a person's lines are few, a copy is cheaper than netting per rule
            self.con.execute(f'CREATE TABLE "audit_{name}" AS {derived_sql(name)}')
            self.con.execute(f'PREPARE build_{name} AS INSERT INTO "audit_{name}" {derived_sql(name)}')
        self.reads: dict[str, set[str]] = {}
        for rule_id in rule_ids:
            sql = rule_sql(rule_id, freeze({rule_id: params[rule_id]}))
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
                        copy_in(self.con, name, table, insert=True)
                self.loaded[name] = table
            read = set().union(*(self.reads[rule_id] for rule_id in wanted))
            for name in self.steps:  # only the derived tables these rules read (the others are not looked at)
                if name in read:
                    self.con.execute(f'DELETE FROM "audit_{name}"')
                    self.con.execute(f"EXECUTE build_{name}")
            parts = [self.con.sql(f"EXECUTE rule_{rule_id}").to_arrow_table() for rule_id in wanted]
        return pa.concat_tables([p.cast(target) for p in parts]) if parts else target.empty_table()


def freeze(resolved: Mapping[str, Mapping[str, Any]]) -> Frozen:
    return tuple((rule_id, tuple(sorted(values.items()))) for rule_id, values in resolved.items())


@functools.lru_cache(maxsize=1)
def _template() -> AuditTables:
    """Empty tables of the schemas on DuckDB, with the derived tables: what rule SQL is compiled against."""
    template = load_duckdb(AuditData.of({name: stored_schema(name).empty_table() for name in SCHEMAS}))
    for name, kind in DUCK_STEPS:
        template.con.con.execute(f'CREATE {kind} "audit_{name}" AS {derived_sql(name)}')
        template._derived[name] = duck_table(template.con, f"audit_{name}")
    return template


@functools.lru_cache(maxsize=512)
def rule_sql(rule_id: str, frozen: Frozen) -> str:
    """The DuckDB SQL of one rule with these parameters, compiled from its Ibis expression once per process.
    It reads the raw tables by their schema names and the derived ones as ``audit_<name>``."""
    template = _template()
    return str(template.con.compile(rule_expression(RULES[rule_id], template, dict(frozen[0][1]))))


def rule_fingerprint(rule_id: str, params: Mapping[str, Any]) -> str:
    """The SHA-256 of the rule's compiled SQL with these (resolved) parameters: what a run records as the rule's
    version — it changes when the rule's code or its parameters change, and only then."""
    return hashlib.sha256(rule_sql(rule_id, freeze({rule_id: params})).encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def compiled_suite(
    rule_ids: tuple[str, ...], frozen: Frozen
) -> CompiledSuite:
    """The compiled suite of these rules and parameters (kept: compiling all rules takes seconds)."""
    return CompiledSuite(rule_ids, {rule_id: dict(values) for rule_id, values in frozen})
