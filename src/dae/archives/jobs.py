"""Background work of the archives.

- ``archive_soon(kind)``: queued after the commit of a closing event (``registry.connect``); archives whatever of
  that kind is closed and not yet archived. A failure is logged and left to the next sweep.
- the job ``archives.sweep`` (page button, ``dae archive``): the same for every kind, with progress.
- the job ``archives.daily`` (``dae archive_daily``, run once a day by cron or the worker's schedule): verifies
  both log chains, records each chain's final hash of the day as an archival item (日志链存证), ends expired
  loans and sweeps what was missed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from dae.core.errors import DaeError
from dae.core.jobs import Progress, job_handler
from dae.core.logchain import CHAINS, describe, verify_all
from dae.core.models import Job

log = logging.getLogger(__name__)


def archive_soon(kind_key: str) -> None:
    """Queue the archiving of ``kind_key``'s newly closed objects (called after a commit)."""
    archive_kind.enqueue(kind_key)


@task()
def archive_kind(kind_key: str) -> None:
    from .actions import do_archive_pending

    try:
        do_archive_pending([kind_key])
    except DaeError as exc:
        log.warning("archiving %s stopped: %s (the next sweep retries)", kind_key, exc.message)


@job_handler("archives.sweep")
def run_sweep(job: Job, progress: Progress) -> dict[str, Any]:
    from .actions import do_archive_pending

    counts = do_archive_pending(job.params.get("kinds") or None, actor=job.created_by,
                                progress=lambda done, total: progress(done, total))
    progress(progress.done, message=f"已归档 {counts['archived']} 件，检测未通过 {counts['failed']} 件")
    return counts


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


@job_handler("archives.daily")
def run_daily(job: Job, progress: Progress) -> dict[str, Any]:
    return daily(dt.date.fromisoformat(job.params["day"]) if job.params.get("day") else None,
                 actor=job.created_by, progress=progress)


def daily(day: dt.date | None = None, *, actor: Any = None, progress: Progress | None = None) -> dict[str, Any]:
    """The daily work for ``day`` (default: yesterday)."""
    from .actions import do_archive, do_archive_pending, do_expire_loans
    from .kinds.logs import ChainDay

    day = day or timezone.localdate() - dt.timedelta(days=1)
    results = verify_all(progress=(lambda key, n: progress(n, message=f"校验{CHAINS[key].label}")) if progress else None)
    summary: dict[str, Any] = {"day": day.isoformat(), "chains": {}}
    _start, end = day_bounds(day)
    for verification in results:
        spec = verification.spec
        text = describe(verification)
        summary["chains"][spec.key] = {"ok": verification.ok, "message": text}
        if not verification.ok:
            with transaction.atomic():
                from dae.core.events import record_event

                record_event(actor, "archives.chain_broken", object_type="core.logchain", object_id=spec.key,
                             after={"day": day.isoformat(), "message": text})
            continue
        model = spec.model._default_manager
        last = model.filter(at__lt=end).order_by("-seq").values_list("seq", "row_hash").first()
        if last is None:
            continue
        rows = model.filter(at__gte=_start, at__lt=end).count()
        anchor = ChainDay(spec.key, day, int(last[0]), str(last[1]), rows, text)
        with transaction.atomic():
            from dae.core.events import record_event

            record_event(actor, "archives.chain_verified", object_type="core.logchain_day", object_id=anchor.key,
                         after={"last_seq": anchor.last_seq, "last_hash": anchor.last_hash, "rows": rows})
        item = do_archive("log_anchor", anchor, actor=actor)
        summary["chains"][spec.key]["item"] = item.code
    summary["loans_expired"] = do_expire_loans(actor)
    summary["swept"] = do_archive_pending(actor=actor)
    if progress is not None:
        progress(1, 1, message="；".join(v["message"] for v in summary["chains"].values()))
    return summary
