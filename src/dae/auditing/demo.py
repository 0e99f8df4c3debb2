"""The demo city's audit: the manager's initial rule settings (the demo's parameter tables), one audit run per
region over the demo year, a few findings taken through the workflow, and the findings of those runs as engine
``Findings`` so that ``dae audit_quality`` can score them against the planted ground truth."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from dae.accounts.models import User
from dae.audit import RULES, Findings
from dae.audit.schemas import EVIDENCE_COLUMNS, FINDING_COLUMNS
from dae.claims.models import Settlement

from . import actions, rulebook
from .actions.rules import do_change_setting
from .actions.runs import do_start_run
from .models import AuditRun, Finding, FindingLine


def install_settings(actor: Any) -> int:
    """The demo's parameter tables and rule parameters as the first version of each rule that has any."""
    from dae.demo.audit_data import DEMO_AUDIT_TABLES, DEMO_RULE_PARAMS

    made = 0
    for rule_id in RULES:
        tables = {t: [dict(r) for r in DEMO_AUDIT_TABLES.get(t, [])] for t in rulebook.table_params(rule_id).values()}
        params = dict(DEMO_RULE_PARAMS.get(rule_id, {}))
        if any(tables.values()) or params:
            do_change_setting(
                rule_id,
                enabled=True,
                params=params,
                tables=tables,
                reason="演示城市初始参数 (demo city's initial parameters)",
                actor=actor,
            )
            made += 1
    return made


def _user(post: str, **extra: Any) -> User | None:
    return User.objects.filter(post=post, is_active=True, **extra).order_by("pk").first()


def seed_demo(year: int, actor: Any) -> dict[str, Any]:
    """Settings, a year run per region (run here, not queued), and a handful of findings through the workflow:
    per region the highest-priority open findings are confirmed; one accepted and settled (a deduction), one
    appealed, one dismissed, one left with the hospital."""
    settings_made = install_settings(actor)
    regions = sorted(set(Settlement.objects.filter(setl_time__year=year).values_list("region_id", flat=True)))
    made = [
        do_start_run(
            region=r,
            scope=AuditRun.Scope.YEAR,
            month=str(year),
            actor=actor,
            background=False,
            note=f"{year} 年度演示审核",
        )
        for r in regions
    ]
    reviewer, supervisor = _user("reviewer"), _user("supervisor")
    walked = 0
    if reviewer is not None and supervisor is not None:
        answering = set(User.objects.filter(post="hospital", is_active=True).values_list("hospital_id", flat=True))
        for region in regions:
            open_ = Finding.objects.filter(region_id=region, status=Finding.Status.OPEN, amount_at_issue__gt=0)
            ordered = ("-priority", "-amount_at_issue", "id")
            # the hospitals with a demo log-in answer theirs: one accepted and settled, one appealed, one waiting
            for i, f in enumerate(open_.filter(hospital_id__in=answering).order_by(*ordered)[:3]):
                hospital = _user("hospital", hospital=f.hospital)
                f = actions.do_confirm(f, amount=f.amount_at_issue, note="经审核属实（演示）", actor=reviewer)
                if i == 0:
                    f = actions.do_accept(f, note="认可（演示）", actor=hospital)
                    actions.do_settle(f, amount=f.reviewed_amount, note="三方确认（演示）", actor=supervisor)
                elif i == 1:
                    actions.do_appeal(
                        f,
                        reason="该费用有医嘱及病历记录（演示）",
                        actor=hospital,
                        documents=[("病历摘要.pdf", [b"%PDF-1.4\n% demo appeal document\n"])],
                    )
                walked += 1
            for f in open_.order_by(*ordered)[:2]:
                actions.do_dismiss(f, reason="经核实为合理收费（演示）", actor=reviewer)
                walked += 1
    return {
        "settings": settings_made,
        "runs": [r.pk for r in made],
        "findings": sum(r.findings_count for r in made),
        "walked": walked,
    }


def stored_findings(run_ids: Iterable[int]) -> Findings:
    """The findings the runs found (with their evidence), in the engine's shape, for scoring."""
    ids = list(run_ids)
    rows = list(
        Finding.objects.filter(hits__run_id__in=ids)
        .distinct()
        .select_related("settlement", "hospital")
        .values_list(
            "rule_id", "finding_key", "settlement__setl_id", "psn_no", "hospital__code", "amount_at_issue", "detail"
        )
    )
    evidence = list(
        FindingLine.objects.filter(finding__hits__run_id__in=ids)
        .distinct()
        .values_list("finding__rule_id", "finding__finding_key", "settlement__setl_id", "feedetl_sn", "role")
    )
    findings = pa.table({c: [r[i] for r in rows] for i, c in enumerate(FINDING_COLUMNS)})
    ev = pa.table(
        {
            c: [(r[i] or None) if c == "ev_feedetl_sn" else r[i] for r in evidence]
            for i, c in enumerate(EVIDENCE_COLUMNS)
        }
    )
    return Findings(findings, ev, {}, {})
