"""Audit runs (审核批次): which settlements, which rules, reading and evaluating, and the background jobs.

A run covers a declaration (started automatically when a declaration is stored: 100% of its settlements, before
the payment results are final), a settlement month of a region (optionally one hospital), or a chosen list of
settlements. The rules read each selected person's other stays too (分解住院, overlapping stays, per-N-day limits
look across visits), within :data:`CONTEXT_DAYS` of the selection; only findings *on* a selected settlement are
kept. The run records every rule's setting version, parameters, table digests and compiled-SQL digest
(:mod:`.rulebook`) and the digest of its findings, so a replay (``actions.runs.do_rerun``) can show it reproduces.
The writes — recording a run, storing its findings — are :mod:`dae.auditing.actions.runs`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db.models import Max, Min, QuerySet
from django.urls import reverse
from django.utils import timezone

from dae.audit import RULES, AuditData, Findings, bind, run_rules
from dae.audit.backends import prepare
from dae.catalog.models import CatalogueItem, Hospital
from dae.claims.models import Declaration, FeeLine, Settlement
from dae.core.jobs import Progress, job_handler, tracked
from dae.core.models import Job
from dae.core.money import D
from dae.core.months import month_bounds
from dae.enrollment.models import Person

from . import rulebook
from .actions import runs as run_actions
from .engine_adapters import data_from_querysets
from .models import AuditRun

#: Days before the earliest admission and after the latest discharge of a selection whose stays of the same
#: persons the rules also read (the longest look-back of any rule: per-N-day limits, readmission within N days).
CONTEXT_DAYS = 400


@job_handler("declaration_audit")
def run_declaration_audit(job: Job, progress: Progress) -> dict[str, Any]:
    """The automatic audit of a stored declaration, queued by the declaration's job once it has stored it."""
    declaration = Declaration.objects.select_related("created_by").get(pk=job.params["declaration"])
    progress(0, 1, "正在智能审核 (auditing)")
    run = run_actions.do_audit_declaration(declaration, declaration.created_by)
    return {"declaration": declaration.pk, "run": run.pk if run is not None else None}


def selected(run: AuditRun) -> QuerySet[Settlement]:
    """The settlements a run covers (for a replay: those of the run it replays)."""
    origin = run.replay_of if run.scope == AuditRun.Scope.RERUN and run.replay_of else run
    qs = Settlement.objects.filter(region_id=origin.region_id)
    if origin.scope == AuditRun.Scope.DECLARATION:
        return qs.filter(declaration_id=origin.declaration_id)
    if origin.scope == AuditRun.Scope.MONTH:
        first, last = month_bounds(origin.month)
        qs = qs.filter(setl_time__date__gte=first, setl_time__date__lte=last)
        return qs.filter(hospital_id=origin.hospital_id) if origin.hospital_id else qs
    if origin.scope == AuditRun.Scope.YEAR:
        qs = qs.filter(setl_time__year=int(origin.month))
        return qs.filter(hospital_id=origin.hospital_id) if origin.hospital_id else qs
    return qs.filter(setl_id__in=origin.selection)


def context_data(chosen: QuerySet[Settlement], book: rulebook.Book) -> AuditData:
    """The audit tables for ``chosen``: their persons' settlements within :data:`CONTEXT_DAYS`, the persons,
    every hospital, the catalogue and the run's parameter tables."""
    span = chosen.aggregate(lo=Min("adm_date"), hi=Max("dscg_date"))
    if span["lo"] is None:
        lo = hi = timezone.localdate()
    else:
        lo, hi = span["lo"] - dt.timedelta(days=CONTEXT_DAYS), span["hi"] + dt.timedelta(days=CONTEXT_DAYS)
    people = chosen.values("psn_no")
    context = Settlement.objects.filter(psn_no__in=people, dscg_date__gte=lo, adm_date__lte=hi)
    return data_from_querysets(
        context,
        persons=Person.objects.filter(psn_no__in=people),
        hospitals=Hospital.objects.all(),
        catalogue=CatalogueItem.objects.all(),
        params=book.engine_tables(),
    )


def evaluate(data: AuditData, book: rulebook.Book, progress: Progress | None = None) -> Findings:
    """Run the book's rules on ``data`` one by one (reporting each to ``progress``) and put the findings together."""
    bound = bind(data)
    try:
        prepare(bound)
        parts: list[Findings] = []
        params = book.engine_params()
        for i, rule_id in enumerate(book.rule_ids):
            if progress is not None:
                progress(i, len(book.rule_ids), f"规则 {rule_id} {RULES[rule_id].name_zh}")
            parts.append(run_rules(bound, [rule_id], {rule_id: params[rule_id]}))
    finally:
        bound.close()
    if not parts:
        return run_rules(data, [], {})
    return Findings(
        pa.concat_tables([p.findings for p in parts]),
        pa.concat_tables([p.evidence for p in parts]),
        params,
        {k: v for p in parts for k, v in p.seconds.items()},
    )


def findings_digest(findings: list[dict[str, Any]], evidence: dict[tuple[str, str], list[tuple[str, str, str]]]) -> str:
    """The SHA-256 of the findings (rule, key, settlement, amount, detail) with their sorted evidence."""
    h = hashlib.sha256()
    for f in sorted(findings, key=lambda r: (r["rule_id"], r["finding_key"])):
        ev = sorted(evidence.get((f["rule_id"], f["finding_key"]), []))
        h.update(
            repr((f["rule_id"], f["finding_key"], f["setl_id"], str(f["amount_at_issue"]), f["detail"], ev)).encode()
        )
    return h.hexdigest()


@job_handler("audit_run")
def run_audit_job(job: Job, progress: Progress) -> dict[str, Any]:
    return run_with_status(AuditRun.objects.select_related("region").get(pk=job.params["run"]), progress)


def run_with_status(run: AuditRun, progress: Progress | None) -> dict[str, Any]:
    """:func:`execute` with the run marked running, and failed (then re-raised) on any error."""
    return tracked(run, lambda: execute(run, progress))


def execute(run: AuditRun, progress: Progress | None = None) -> dict[str, Any]:
    """Read, run and store: the body of the run's job."""
    book = rulebook.book_of_record(run.rules)
    chosen = selected(run)
    if progress is not None:
        progress(0, len(book.rule_ids), "正在读取结算与明细 (reading)")
    chosen_ids = set(chosen.values_list("setl_id", flat=True))
    data = context_data(chosen, book)
    found = evaluate(data, book, progress)
    rows = [r for r in found.records() if r["setl_id"] in chosen_ids]
    keys = {(r["rule_id"], r["finding_key"]) for r in rows}
    evidence: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for ev in found.evidence_records():
        k = (ev["rule_id"], ev["finding_key"])
        if k in keys:
            evidence.setdefault(k, []).append((ev["ev_setl_id"], ev["ev_feedetl_sn"] or "", ev["ev_role"]))
    if progress is not None:
        progress(len(book.rule_ids), len(book.rule_ids), f"正在保存 {len(rows)} 个疑点 (storing)")
    lines_count = FeeLine.objects.filter(settlement__in=chosen).count()
    total = sum((D(r["amount_at_issue"]) for r in rows), Decimal("0.00"))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["rule_id"]] = counts.get(r["rule_id"], 0) + 1
    changed = [r for r, rec in run.rules.items() if r in book.record and book.record[r]["sql"] != rec["sql"]]
    note = run.note
    if changed:  # a replay after the rules' code changed: say so rather than blame the data
        note = f"{note} 注意：规则代码已变化 {', '.join(changed)}"[:500]
    new = run_actions.do_store_findings(
        run,
        rows,
        evidence,
        digest=findings_digest(rows, evidence),
        settlements_count=len(chosen_ids),
        lines_count=lines_count,
        total=total,
        counts=counts,
        seconds={k: round(v, 3) for k, v in found.seconds.items()},
        note=note,
    )
    if progress is not None:
        progress(len(book.rule_ids), len(book.rule_ids), f"疑点 {len(rows)}（新增 {new}），金额 {total} 元")
    return {"url": reverse("auditing:run_detail", args=[run.pk]), "run": run.pk, "findings": len(rows), "new": new}
