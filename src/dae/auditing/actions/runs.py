"""Audit runs as writes: recording a run and queueing its job (``do_start_run``, the declaration's automatic run
``do_audit_declaration``, a replay ``do_rerun``) and storing what a run found (``do_store_findings``). Which
settlements a run covers, reading and evaluating are :mod:`dae.auditing.runs`.

Findings are stored in one transaction per run: a case found before (same rule and ``finding_key``) gets a
:class:`RunHit`, a new one a :class:`Finding` with its evidence lines, its first step and an event.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.audit import RULES
from dae.catalog.models import Hospital
from dae.claims.models import Declaration, FeeLine, Settlement
from dae.core.bulk import insert_rows
from dae.core.codes import InputCode
from dae.core.errors import InvalidInput
from dae.core.events import event_row, insert_events, record_event, user_or_none
from dae.core.jobs import start_job
from dae.core.models import Region
from dae.core.money import D
from dae.core.months import month_bounds
from dae.workdays import service as workdays

from .. import rulebook
from ..codes import Code
from ..models import AuditRun, Finding, FindingLine, FindingStep, RunHit
from ..priority import priorities

#: Working days for the reviewer's first decision on a new finding (审核岗初审期限).
REVIEW_DAYS = 10


def do_start_run(
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
            raise InvalidInput(f"未知的规则：{', '.join(unknown)}", code=Code.UNKNOWN_RULE)
    selection = sorted({s.strip() for s in setl_ids if s and s.strip()})
    if scope == AuditRun.Scope.DECLARATION and declaration is None:
        raise InvalidInput("请指定月结申报", code=Code.DECLARATION_REQUIRED)
    if scope == AuditRun.Scope.MONTH:
        month_bounds(month)
    if scope == AuditRun.Scope.YEAR and not (len(month) == 4 and month.isdigit()):
        raise InvalidInput(f"年度格式应为 YYYY：{month}", code=InputCode.INVALID_YEAR)
    if scope == AuditRun.Scope.SELECTION and not selection:
        raise InvalidInput("请填写要审核的结算ID", code=Code.SELECTION_REQUIRED)
    if scope == AuditRun.Scope.RERUN and replay_of is None:
        raise InvalidInput("请指定要重放的审核批次", code=Code.REPLAY_REQUIRED)
    if replay_of is not None:
        book_record = replay_of.rules
    else:
        book_record = rulebook.current_book(chosen).record
    if not book_record:
        raise InvalidInput("没有启用的规则", code=Code.NO_RULES)
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
        from ..runs import run_with_status  # cycle: auditing.actions.runs ↔ auditing.runs (its jobs call these actions)

        run_with_status(run, None)
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


def do_audit_declaration(declaration: Declaration, actor: Any) -> AuditRun | None:
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
    return do_start_run(
        region=declaration.region_id,
        scope=AuditRun.Scope.DECLARATION,
        declaration=declaration,
        actor=actor,
        note=f"月结申报 {declaration.month} 自动审核",
    )


def do_rerun(run: AuditRun, actor: Any) -> AuditRun:
    """Run ``run`` again over the same selection with exactly the rule versions and parameters it recorded."""
    origin = run
    while origin.replay_of is not None:
        origin = origin.replay_of
    return do_start_run(
        region=run.region_id,
        scope=AuditRun.Scope.RERUN,
        replay_of=origin,
        actor=actor,
        note=f"重放审核批次 #{origin.pk}",
    )


def do_store_findings(
    run: AuditRun,
    rows: list[dict[str, Any]],
    evidence: dict[tuple[str, str], list[tuple[str, str, str]]],
    *,
    digest: str,
    settlements_count: int,
    lines_count: int,
    total: Decimal,
    counts: dict[str, int],
    seconds: dict[str, float],
    note: str,
) -> int:
    """The findings and the run's result together, one run of a region at a time. Returns how many were new."""
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=run.region_id).first()
        new = _store(run, rows, evidence)
        AuditRun.objects.filter(pk=run.pk).update(
            status=AuditRun.Status.DONE,
            settlements_count=settlements_count,
            lines_count=lines_count,
            findings_count=len(rows),
            new_findings_count=new,
            amount_total=total,
            digest=digest,
            counts=counts,
            seconds=seconds,
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
    return new


def _store(
    run: AuditRun, rows: list[dict[str, Any]], evidence: dict[tuple[str, str], list[tuple[str, str, str]]]
) -> int:
    """Store a run's findings (new ones with evidence, first step and event; every one as a hit). Returns how
    many were new."""
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
