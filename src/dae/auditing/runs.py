"""Audit runs (审核批次): which settlements, which rules, the background job, and storing the findings.

A run covers a declaration (started automatically when a declaration is stored: 100% of its settlements, before
the payment results are final), a settlement month of a region (optionally one hospital), or a chosen list of
settlements. The rules read each selected person's other stays too (分解住院, overlapping stays, per-N-day limits
look across visits), within :data:`CONTEXT_DAYS` of the selection; only findings *on* a selected settlement are
kept. The run records every rule's setting version, parameters, table digests and compiled-SQL digest
(:mod:`.rulebook`) and the digest of its findings, so :func:`rerun` can show it reproduces.

Findings are stored in one transaction per run: a case found before (same rule and ``finding_key``) gets a
:class:`RunHit`, a new one a :class:`Finding` with its evidence lines, its first step and an event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from dae.audit import RULES, AuditData, Findings, bind, run_rules
from dae.audit.backends import prepare
from dae.catalog.models import CatalogueItem, Hospital
from dae.claims.models import Declaration, FeeLine, Settlement
from dae.core.bulk import insert_rows
from dae.core.errors import InvalidInput
from dae.core.events import event_row, insert_events, record_event, user_or_none
from dae.core.jobs import Progress, job_handler, start_job
from dae.core.models import Job, Region
from dae.core.money import D
from dae.core.months import month_bounds
from dae.enrollment.models import Person
from dae.workdays import service as workdays

from . import rulebook
from .engine_adapters import data_from_querysets
from .models import AuditRun, Finding, FindingLine, FindingStep, RunHit

#: Days before the earliest admission and after the latest discharge of a selection whose stays of the same
#: persons the rules also read (the longest look-back of any rule: per-N-day limits, readmission within N days).
CONTEXT_DAYS = 400
#: Working days for the reviewer's first decision on a new finding (审核岗初审期限).
REVIEW_DAYS = 10


def start_run(
    *,
    region: Region | str,
    scope: str,
    actor: Any,
    declaration: Declaration | None = None,
    month: str = "",
    hospital: Hospital | None = None,
    setl_ids: Iterable[str] = (),
    rule_ids: Iterable[str] | None = None,
    replay_of: AuditRun | None = None,
    note: str = "",
    background: bool = True,
) -> AuditRun:
    """Record a run with the rules as they are set now (or as ``replay_of`` recorded them) and queue its job
    (``background=False``: run it here and now, as the demo loader does)."""
    region_id = region if isinstance(region, str) else region.pk
    chosen = tuple(rule_ids) if rule_ids is not None else None
    if chosen is not None:
        unknown = [r for r in chosen if r not in RULES]
        if unknown:
            raise InvalidInput(f"未知的规则：{', '.join(unknown)}", code="unknown_rule")
    selection = sorted({s.strip() for s in setl_ids if s and s.strip()})
    if scope == AuditRun.Scope.DECLARATION and declaration is None:
        raise InvalidInput("请指定月结申报", code="declaration_required")
    if scope == AuditRun.Scope.MONTH:
        month_bounds(month)
    if scope == AuditRun.Scope.YEAR and not (len(month) == 4 and month.isdigit()):
        raise InvalidInput(f"年度格式应为 YYYY：{month}", code="bad_year")
    if scope == AuditRun.Scope.SELECTION and not selection:
        raise InvalidInput("请填写要审核的结算ID", code="selection_required")
    if scope == AuditRun.Scope.RERUN and replay_of is None:
        raise InvalidInput("请指定要重放的审核批次", code="replay_required")
    if replay_of is not None:
        book_record = replay_of.rules
    else:
        book_record = rulebook.current_book(chosen).record
    if not book_record:
        raise InvalidInput("没有启用的规则", code="no_rules")
    with transaction.atomic():
        run = AuditRun.objects.create(
            region_id=region_id,
            scope=scope,
            declaration=declaration,
            month=month,
            hospital=hospital,
            selection=selection,
            replay_of=replay_of,
            rules=book_record,
            note=note[:500],
            created_by=user_or_none(actor),
        )
        record_event(
            actor,
            "audit.run_started",
            run,
            region_id=region_id,
            after={
                "scope": scope,
                "declaration": declaration.pk if declaration else None,
                "month": month,
                "hospital": hospital.code if hospital else None,
                "settlements": len(selection),
                "rules": sorted(book_record),
                "replay_of": replay_of.pk if replay_of else None,
            },
        )
    if not background:
        _with_status(run, None)
        run.refresh_from_db()
        return run
    job = start_job(
        "audit_run",
        f"智能审核 #{run.pk}",
        user=user_or_none(actor),
        params={"run": run.pk},
        region_id=region_id,
    )
    AuditRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def audit_declaration(declaration: Declaration, actor: Any) -> AuditRun | None:
    """The automatic run over a stored declaration (nothing to do when it stored no settlement)."""
    if not Settlement.objects.filter(declaration=declaration).exists():
        return None
    if not rulebook.current_book().rule_ids:
        with transaction.atomic():
            record_event(
                actor,
                "audit.declaration_not_audited",
                declaration,
                region_id=declaration.region_id,
                note="没有启用的审核规则，未自动审核 (no rule enabled)",
            )
        return None
    return start_run(
        region=declaration.region_id,
        scope=AuditRun.Scope.DECLARATION,
        declaration=declaration,
        actor=actor,
        note=f"月结申报 {declaration.month} 自动审核",
    )


def rerun(run: AuditRun, actor: Any) -> AuditRun:
    """Run ``run`` again over the same selection with exactly the rule versions and parameters it recorded."""
    origin = run
    while origin.replay_of is not None:
        origin = origin.replay_of
    return start_run(
        region=run.region_id,
        scope=AuditRun.Scope.RERUN,
        replay_of=origin,
        actor=actor,
        note=f"重放审核批次 #{origin.pk}",
    )


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
    return _with_status(AuditRun.objects.select_related("region").get(pk=job.params["run"]), progress)


def _with_status(run: AuditRun, progress: Progress | None) -> dict[str, Any]:
    """:func:`execute` with the run marked running, and failed (then re-raised) on any error."""
    AuditRun.objects.filter(pk=run.pk).update(status=AuditRun.Status.RUNNING)
    try:
        return execute(run, progress)
    except Exception:
        AuditRun.objects.filter(pk=run.pk).update(status=AuditRun.Status.FAILED, finished_at=timezone.now())
        raise


def execute(run: AuditRun, progress: Progress | None = None) -> dict[str, Any]:
    """Read, run and store: the body of the run's job."""
    from django.urls import reverse

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
    with transaction.atomic():  # the findings and the run's result together, one run of a region at a time
        Region.objects.select_for_update().filter(pk=run.region_id).first()
        new = store(run, rows, evidence)
        AuditRun.objects.filter(pk=run.pk).update(
            status=AuditRun.Status.DONE,
            settlements_count=len(chosen_ids),
            lines_count=lines_count,
            findings_count=len(rows),
            new_findings_count=new,
            amount_total=total,
            digest=findings_digest(rows, evidence),
            counts=counts,
            seconds={k: round(v, 3) for k, v in found.seconds.items()},
            finished_at=timezone.now(),
            note=note,
        )
        record_event(
            run.created_by,
            "audit.run_done",
            run,
            region_id=run.region_id,
            after={"findings": len(rows), "new": new, "amount": total},
        )
    if progress is not None:
        progress(len(book.rule_ids), len(book.rule_ids), f"疑点 {len(rows)}（新增 {new}），金额 {total} 元")
    return {"url": reverse("auditing:run_detail", args=[run.pk]), "run": run.pk, "findings": len(rows), "new": new}


def store(
    run: AuditRun, rows: list[dict[str, Any]], evidence: dict[tuple[str, str], list[tuple[str, str, str]]]
) -> int:
    """Store a run's findings (new ones with evidence, first step and event; every one as a hit). Returns how
    many were new."""
    from .priority import priorities

    today = timezone.localdate()
    with transaction.atomic():
        existing: dict[tuple[str, str], int] = {}
        by_rule: dict[str, list[str]] = {}
        for r in rows:
            by_rule.setdefault(r["rule_id"], []).append(r["finding_key"])
        for rule_id, fkeys in by_rule.items():
            for i in range(0, len(fkeys), 500):
                for pk, key in Finding.objects.filter(rule_id=rule_id, finding_key__in=fkeys[i : i + 500]).values_list(
                    "pk", "finding_key"
                ):
                    existing[(rule_id, key)] = pk
        fresh = [r for r in rows if (r["rule_id"], r["finding_key"]) not in existing]
        setl_ids = {r["setl_id"] for r in fresh} | {
            e[0] for r in fresh for e in evidence[(r["rule_id"], r["finding_key"])]
        }
        setl = _settlement_ids(setl_ids)
        line_ids = _line_ids([setl[s][0] for s in setl_ids if s in setl])
        due = workdays.deadline(today, REVIEW_DAYS).due if fresh else None
        ranks = priorities(fresh, evidence, line_ids, setl)
        findings = [
            Finding(
                rule_id=r["rule_id"],
                finding_key=r["finding_key"],
                rule_name=RULES[r["rule_id"]].name_zh,
                result_type=RULES[r["rule_id"]].result,
                run=run,
                region_id=setl[r["setl_id"]][2],
                hospital_id=setl[r["setl_id"]][1],
                settlement_id=setl[r["setl_id"]][0],
                psn_no=r["psn_no"],
                amount_at_issue=D(r["amount_at_issue"]),
                detail=(r["detail"] or "")[:1000],
                priority=ranks[i][0],
                priority_reasons=ranks[i][1],
                due_on=due,
            )
            for i, r in enumerate(fresh)
        ]
        Finding.objects.bulk_create(findings, batch_size=500)
        if findings and findings[0].pk is None:  # a backend that does not return ids from bulk inserts
            for f in findings:
                f.pk = Finding.objects.get(rule_id=f.rule_id, finding_key=f.finding_key).pk
        for (rule_id, key), f in zip(((f.rule_id, f.finding_key) for f in findings), findings, strict=True):
            existing[(rule_id, key)] = f.pk
        line_rows = []
        for f in findings:
            for ev_setl, sn, role in evidence[(f.rule_id, f.finding_key)]:
                spk = setl[ev_setl][0]
                line_rows.append((f.pk, spk, line_ids.get((spk, sn)) if sn else None, sn, role))
        insert_rows(FindingLine, ("finding_id", "settlement_id", "fee_line_id", "feedetl_sn", "role"), line_rows)
        now = timezone.now()
        insert_rows(
            FindingStep,
            ("finding_id", "kind", "amount", "note", "actor_id", "at", "due_on", "late"),
            [
                (f.pk, FindingStep.Kind.DETECTED, f.amount_at_issue, f"审核批次 #{run.pk}", None, now, due, False)
                for f in findings
            ],
        )
        insert_events(
            event_row(
                run.created_by_id,
                "audit.finding_detected",
                object_type="auditing.finding",
                object_id=f.pk,
                region_id=f.region_id,
                after={"rule": f.rule_id, "settlement": f.settlement_id, "amount": f.amount_at_issue, "run": run.pk},
            )
            for f in findings
        )
        insert_rows(
            RunHit,
            ("run_id", "finding_id", "amount_at_issue"),
            [(run.pk, existing[(r["rule_id"], r["finding_key"])], D(r["amount_at_issue"])) for r in rows],
        )
    return len(findings)


def _settlement_ids(setl_ids: set[str]) -> dict[str, tuple[int, int, str]]:
    """setl_id → (pk, hospital pk, region code)."""
    out: dict[str, tuple[int, int, str]] = {}
    ids = sorted(setl_ids)
    for i in range(0, len(ids), 500):
        for pk, sid, hosp, region in Settlement.objects.filter(setl_id__in=ids[i : i + 500]).values_list(
            "pk", "setl_id", "hospital_id", "region_id"
        ):
            out[sid] = (pk, hosp, region)
    return out


def _line_ids(settlement_pks: list[int]) -> dict[tuple[int, str], int]:
    """(settlement pk, feedetl_sn) → fee line pk, for the settlements given."""
    out: dict[tuple[int, str], int] = {}
    pks = sorted(set(settlement_pks))
    for i in range(0, len(pks), 500):
        for pk, spk, sn in FeeLine.objects.filter(settlement_id__in=pks[i : i + 500]).values_list(
            "pk", "settlement_id", "feedetl_sn"
        ):
            out[(spk, sn)] = pk
    return out
