"""The exchange's background jobs: outbox delivery and the monthly reconciliation of a region."""

from __future__ import annotations

from typing import Any

from dae.catalog.models import Hospital
from dae.core.jobs import Progress, job_handler
from dae.core.models import Job, Region

from . import actions, delivery, queries


@job_handler("exchange.deliver")
def deliver_job(job: Job, progress: Progress) -> dict[str, Any]:
    queued = delivery.collect(job.created_by)
    run = delivery.deliver(job.created_by, progress=progress)
    progress(run.delivered, message=(f"新入队 {queued} 条，送达 {run.delivered} 条，平台拒收 {run.refused} 条，"
                                     f"未送达 {run.failed} 条" + (f"；{run.paused_until}" if run.paused_until else "")))
    return {"queued": queued, **run.as_dict()}


@job_handler("exchange.reconcile_month")
def reconcile_month_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Reconcile every hospital of the region that has instant settlements in the month."""
    region = Region.objects.get(pk=job.params["region"])
    month = str(job.params["month"])
    hospital_ids = queries.hospitals_with_settlements(region.pk, month)
    progress(0, len(hospital_ids))
    counts = {"clean": 0, "different": 0, "failed": 0}
    for n, hospital in enumerate(Hospital.objects.filter(pk__in=hospital_ids).order_by("code"), start=1):
        record = actions.do_run_reconciliation(job.created_by, region, hospital, month, job=job)
        counts[record.status] += 1
        progress(n, len(hospital_ids))
    progress(len(hospital_ids), message=(f"{month}：{len(hospital_ids)} 家机构，对平 {counts['clean']}，"
                                         f"有差异 {counts['different']}，未完成 {counts['failed']}"))
    return counts
