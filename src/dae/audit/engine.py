"""The audit engine: running rules, collecting findings.

Data comes in as :class:`~dae.audit.schemas.AuditData` (pyarrow tables conformed to the schemas of
:mod:`dae.audit.schemas`: from pyarrow or pandas, a directory of Parquet files, or Django querysets through
``dae.auditing.engine_adapters.data_from_querysets``), is bound to a backend as
:class:`~dae.audit.backends.AuditTables` (Ibis tables on DuckDB in memory, or on a Spark session), and
:func:`run_rules` runs the rule expressions on it and returns :class:`Findings` — the same rules, the same Ibis
expressions, on either backend (on DuckDB through SQL compiled once, :mod:`dae.audit.compiled`). :func:`check_one`
runs them for one settlement (the person's slice of the data, in a fresh in-memory DuckDB).

Pure: no Django import at all; the engine takes tables, not models.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis import _  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit import inmemory
from dae.audit.backends import AuditTables, Backend, bind, prepare
from dae.audit.compiled import compiled_suite, freeze, rule_expression, rule_sql
from dae.audit.params import ParamError, resolve
from dae.audit.relevance import Slice, may_fire
from dae.audit.rules import RULES, Rule
from dae.audit.rules.base import OUTPUT_SCHEMA
from dae.audit.schemas import EVIDENCE_COLUMNS, FINDING_COLUMNS, AuditData, AuditInputError, stored_schema

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
        rows: list[dict[str, Any]] = self.findings.to_pylist()
        return rows

    def evidence_records(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.evidence.to_pylist()
        return rows

    def same_as(self, other: Findings) -> bool:
        """Identical findings and evidence (times aside)."""
        return bool(self.findings.equals(other.findings) and self.evidence.equals(other.evidence))

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
                sql = rule_sql(rule.id, freeze({rule.id: resolved[rule.id]}))
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

    Runs on the person's slice of the data (all their visits, for the rules across stays) only the rules that may
    fire on it (:mod:`dae.audit.relevance`): those with an in-memory evaluator (:mod:`dae.audit.inmemory`, the same
    definitions in plain Python over the slice's few lines and stays) in Python, the others in an in-memory DuckDB,
    one prepared query each, compiled once per rule set and parameters (:class:`CompiledSuite`: Ibis builds the
    same expressions as :func:`run_rules`; only the compilation is reused). Keeps the findings on that settlement and those whose
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
    piece_slice = Slice(piece, setl_id)
    # An evaluator on a slice where its rule cannot fire finds nothing as cheaply as the condition would say so.
    here = tuple(r for r in ids if r in inmemory.EVALUATORS)
    duck = tuple(r for r in ids if r not in inmemory.EVALUATORS and may_fire(r, piece_slice, resolved[r]))
    target = OUTPUT_SCHEMA.to_pyarrow()
    parts = [compiled_suite(ids, freeze(resolved)).run(piece, duck)]
    if here:
        parts.append(inmemory.run(piece_slice, here, resolved, target))
    return _collect_touching(parts, target, resolved, {"*": time.perf_counter() - started}, setl_id)


def _collect_touching(parts: list[pa.Table], target: pa.Schema, params: Mapping[str, Mapping[str, Any]],
                      seconds: Mapping[str, float], setl_id: str) -> Findings:  # fmt: skip
    """:func:`collect`, keeping the findings on ``setl_id`` or naming it as evidence, in plain Python, for a single check's few rows (Arrow's group-by costs
    milliseconds on a handful): the same tables, in the same order."""
    rows = [r for part in parts for r in part.cast(target).to_pylist()]
    findings = {tuple(r[c] for c in FINDING_COLUMNS) for r in rows}
    if len(findings) != len({(r["rule_id"], r["finding_key"]) for r in rows}):
        raise RuntimeError("同一发现的结算、金额或说明不一致 (a finding's columns differ between its rows)")
    evidence = {tuple(r[c] for c in EVIDENCE_COLUMNS) for r in rows}
    keys = {(e[0], e[1]) for e in evidence if e[2] == setl_id} | {(f[0], f[1]) for f in findings if f[2] == setl_id}
    kept = sorted((f for f in findings if (f[0], f[1]) in keys), key=lambda f: (f[0], f[2], f[1]))
    ev = sorted((e for e in evidence if (e[0], e[1]) in keys), key=lambda e: [(v is None, v or "") for v in e])

    def table(columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> pa.Table:
        schema = pa.schema([target.field(c) for c in columns])
        return pa.table({c: [v[i] for v in values] for i, c in enumerate(columns)}, schema=schema)

    return Findings(table(FINDING_COLUMNS, kept), table(EVIDENCE_COLUMNS, ev), dict(params), dict(seconds))


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
