"""The manager's rule settings (规则参数): which rules run, with which parameters and parameter tables.

A setting is versioned like a rule set: every change is a new :class:`RuleSetting` row with its reason; the
current setting of a rule is its latest version, and a rule never set runs with its defaults. What a run uses is
a :class:`Book` — the resolved parameters, the parameter tables and, per rule, the version and digests it records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db.models import Max

from dae.audit import RULES, SCHEMAS, AuditInputError, ParamError
from dae.audit.compiled import rule_fingerprint
from dae.audit.engine import resolve_params
from dae.audit.schemas import conform, stored_schema
from dae.core.errors import InvalidInput
from dae.core.events import jsonable

from .codes import Code
from .models import RuleSetting


def table_params(rule_id: str) -> dict[str, str]:
    """The rule's table parameters: parameter name → table name."""
    return {p.name: str(p.default) for p in RULES[rule_id].params if p.kind == "table"}


def jsonable_params(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Decimal):
            out[name] = str(value)
        elif isinstance(value, tuple):
            out[name] = list(value)
        else:
            out[name] = value
    return out


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Book:
    """What a run applies: enabled rule ids in library order, their parameters, the parameter tables, and per rule
    the record a run keeps (version, parameters, table digests, SQL digest)."""

    rule_ids: tuple[str, ...]
    params: dict[str, dict[str, Any]]
    tables: dict[str, list[dict[str, Any]]]
    record: dict[str, dict[str, Any]]

    def engine_params(self) -> dict[str, dict[str, Any]]:
        return {r: self.params[r] for r in self.rule_ids}

    def engine_tables(self) -> dict[str, Any]:
        """The parameter tables as pyarrow tables of the engine's schemas."""
        return {name: conform(name, rows_table(name, rows)) for name, rows in self.tables.items()}


def rows_table(name: str, rows: list[dict[str, Any]]) -> Any:
    schema = SCHEMAS[name]
    columns: dict[str, list[Any]] = {f.name: [] for f in schema}
    for row in rows:
        for f in schema:
            value = row.get(f.name)
            if pa.types.is_decimal(f.type) and value is not None:
                if isinstance(value, float):
                    raise AuditInputError(f'表 {name} 的列 {f.name} 不能是浮点数，请写成字符串，如 "1.5"')
                value = Decimal(str(value))
            columns[f.name].append(value)
    return pa.table(columns, schema=stored_schema(name))


def current(rule_ids: tuple[str, ...] | None = None) -> dict[str, RuleSetting]:
    """The latest version of each rule that has one."""
    latest = RuleSetting.objects.values("rule_id").annotate(v=Max("version"))
    wanted = {(row["rule_id"], row["v"]) for row in latest}
    rows = RuleSetting.objects.filter(rule_id__in=[r for r, _v in wanted]) if wanted else RuleSetting.objects.none()
    out = {s.rule_id: s for s in rows if (s.rule_id, s.version) in wanted}
    if rule_ids is not None:
        out = {k: v for k, v in out.items() if k in rule_ids}
    return out


def book_of(settings: Mapping[str, RuleSetting | None], rule_ids: tuple[str, ...] | None = None) -> Book:
    """The book from settings per rule (``None`` or missing: the defaults). ``rule_ids`` limits the rules; a
    disabled rule is left out."""
    chosen = [r for r in RULES if (rule_ids is None or r in rule_ids)]
    ids: list[str] = []
    given: dict[str, dict[str, Any]] = {}
    tables: dict[str, list[dict[str, Any]]] = {}
    versions: dict[str, int] = {}
    for rule_id in chosen:
        setting = settings.get(rule_id)
        if setting is not None and not setting.enabled:
            continue
        ids.append(rule_id)
        given[rule_id] = dict(setting.params) if setting is not None else {}
        versions[rule_id] = setting.version if setting is not None else 0
        for table in table_params(rule_id).values():
            tables[table] = list((setting.tables if setting is not None else {}).get(table, []))
    try:
        resolved = resolve_params([RULES[r] for r in ids], given)
    except ParamError as exc:
        raise InvalidInput(str(exc), code=Code.BAD_RULE_PARAM) from exc
    record = {}
    for rule_id in ids:
        own_tables = {t: digest(tables[t]) for t in table_params(rule_id).values()}
        record[rule_id] = {
            "version": versions[rule_id],
            "params": jsonable_params(resolved[rule_id]),
            "tables": own_tables,
            "sql": rule_fingerprint(rule_id, resolved[rule_id]),
        }
    return Book(tuple(ids), resolved, tables, record)


def effective_params(rule_id: str, setting: RuleSetting | None) -> dict[str, Any]:
    """The rule's parameter values under ``setting`` (enabled or not), for the rule page."""
    return resolve_params([RULES[rule_id]], {rule_id: dict(setting.params) if setting else {}})[rule_id]


def current_book(rule_ids: tuple[str, ...] | None = None) -> Book:
    return book_of(current(), rule_ids)


def book_of_record(record: Mapping[str, Mapping[str, Any]]) -> Book:
    """The book a past run used: the parameter values it recorded (not today's defaults) and the parameter tables
    of the setting versions it recorded (for a replay)."""
    settings: dict[str, RuleSetting | None] = {}
    for rule_id, rec in record.items():
        stored = RuleSetting.objects.get(rule_id=rule_id, version=rec["version"]) if rec["version"] else None
        settings[rule_id] = RuleSetting(
            rule_id=rule_id,
            version=rec["version"],
            enabled=True,
            params=dict(rec["params"]),
            tables=stored.tables if stored else {},
        )
    return book_of(settings, tuple(record))
