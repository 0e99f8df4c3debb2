"""The writes of anomaly screening (异常数据挖掘): ``do_start_screening`` records a run of a region and period with
its parameters and queues its job (``credit_screening``); ``do_run_screening`` records and computes one at once
(the demo loader, scripts). The job (``execute``) reads through ``credit.screening.load``, computes with
``credit.anomaly`` and writes the results in one transaction with its event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dae.catalog.models import Hospital, hospital_grade
from dae.core import inputs
from dae.core.events import record_event, user_or_none
from dae.core.jobs import Progress, job_handler, start_job, tracked
from dae.core.models import Job

from .. import anomaly
from ..models import ScreeningResult, ScreeningRun
from ..queries import region_code
from ..screening import (
    load,
    period_bounds,
    screening_params,
)


def _new_run(
    region: Any, period_kind: str, period: str, actor: Any, params: dict[str, Any] | None, note: str, status: str
) -> ScreeningRun:
    code = inputs.actor_region(None, region_code(region))  # an existing region (the system may name any)
    first, last = period_bounds(period_kind, period)
    given = params or {}
    chosen = screening_params(
        code,
        {
            "anomaly_threshold": given.get("threshold"),
            **{k: given.get(k) for k in ("min_peers", "min_volume", "readmit_days")},
        },
    )
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            region_id=code,
            period_kind=period_kind,
            period=period.strip().upper(),
            first_day=first,
            last_day=last,
            params=chosen,
            note=note.strip()[:300],
            status=status,
            created_by=user_or_none(actor),
        )
        record_event(
            actor, "credit.screening_started", run, region_id=code, after={"period": run.period, "params": chosen}
        )
    return run


def do_start_screening(
    *, region: Any, period_kind: str, period: str, actor: Any, params: dict[str, Any] | None = None, note: str = ""
) -> ScreeningRun:
    """Record a run of a region and period with its parameters (the region's settings, overridden by
    ``params``: threshold, min_peers, min_volume, readmit_days) and queue its job."""
    run = _new_run(region, period_kind, period, actor, params, note, ScreeningRun.Status.QUEUED)
    job = start_job(
        "credit_screening",
        f"异常数据挖掘 {run.region_id} {run.period} #{run.pk}",
        user=user_or_none(actor),
        params={"run": run.pk},
        region_id=run.region_id,
    )
    ScreeningRun.objects.filter(pk=run.pk).update(job=job)
    run.refresh_from_db()
    return run


def do_run_screening(
    *, region: Any, period_kind: str, period: str, actor: Any, params: dict[str, Any] | None = None, note: str = ""
) -> ScreeningRun:
    """Record and compute a run at once, without a background job (the demo loader and scripts)."""
    run = _new_run(region, period_kind, period, actor, params, note, ScreeningRun.Status.RUNNING)
    execute(run)
    run.refresh_from_db()
    return run


@job_handler("credit_screening")
def screening_job(job: Job, progress: Progress) -> dict[str, Any]:
    run = ScreeningRun.objects.get(pk=job.params["run"])
    return tracked(run, lambda: execute(run, progress))


def execute(run: ScreeningRun, progress: Progress | None = None) -> dict[str, Any]:
    """Read, compute and store one run (the body of its job)."""
    p = run.params
    params = anomaly.Params(
        threshold=Decimal(str(p["threshold"])),
        min_peers=int(p["min_peers"]),
        min_volume=int(p["min_volume"]),
        readmit_days=int(p["readmit_days"]),
    )
    if progress is not None:
        progress(0, 4, "正在读取结算与费用明细 (reading)")
    data = load(run.region_id, run.first_day, run.last_day, params.readmit_days)
    stays = data.stays
    hospitals = {h.pk: h for h in Hospital.objects.filter(pk__in={s.hospital for s in stays})}
    grades = {pk: str(g) if (g := hospital_grade(h.level)) is not None else "?" for pk, h in hospitals.items()}
    if progress is not None:
        progress(1, 4, f"正在计算 {len(stays)} 次住院的指标 (computing)")
    units = anomaly.build_units(stays, data.lines, data.earlier, grades, params.readmit_days)
    results = anomaly.score_units(units, params)
    ranks = anomaly.rank(results)
    dept_names, doctor_names = data.dept_names, data.doctor_names
    if progress is not None:
        progress(2, 4, f"正在保存 {len(results)} 个单位的结果 (storing)")
    rows = []
    for r in results:
        hospital = hospitals[r.hospital]
        if r.kind == anomaly.HOSPITAL:
            code, name = hospital.code, hospital.name
        elif r.kind == anomaly.DEPARTMENT:
            code, name = r.code, f"{hospital.name} {dept_names.get((r.hospital, r.code), r.code)}"
        else:
            code, name = r.code, f"{doctor_names.get((r.hospital, r.code), r.code)}（{hospital.name}）"
        rows.append(
            ScreeningResult(
                run=run,
                unit_kind=r.kind,
                unit_code=code,
                unit_name=name[:150],
                hospital=hospital,
                dept_code=r.dept,
                peer_group=r.peer_group,
                stays=r.stays,
                total_cost=r.cost,
                indicators=[i.as_dict() for i in r.indicators],
                score=r.score,
                flagged=r.flagged,
                rank=ranks.get((r.kind, r.hospital, r.code)),
            )
        )
    flagged = sum(1 for r in results if r.flagged)
    with transaction.atomic():
        ScreeningResult.objects.filter(run=run).delete()
        ScreeningResult.objects.bulk_create(rows, batch_size=500)
        ScreeningRun.objects.filter(pk=run.pk).update(
            status=ScreeningRun.Status.DONE,
            stays_count=len(stays),
            units_count=len(results),
            flagged_count=flagged,
            finished_at=timezone.now(),
        )
        record_event(
            run.created_by,
            "credit.screening_done",
            run,
            region_id=run.region_id,
            after={"stays": len(stays), "units": len(results), "flagged": flagged},
        )
    if progress is not None:
        progress(4, 4, f"完成：{len(stays)} 次住院，{len(results)} 个单位，{flagged} 个异常", force=True)
    return {
        "run": run.pk,
        "stays": len(stays),
        "units": len(results),
        "flagged": flagged,
        "url": reverse("credit:screening_detail", args=[run.pk]),
    }
