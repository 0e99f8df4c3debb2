"""Background work of the archives.

- ``archive_soon(kind)``: queued after the commit of a closing event (``registry.connect``); archives whatever of
  that kind is closed and not yet archived. A failure is logged and left to the next sweep.
- the job ``archives.sweep`` (page button, ``dae archive``): the same for every kind, with progress.
- the job ``archives.daily`` (``dae archive_daily``, run once a day by cron or the worker's schedule): verifies
  both log chains, records each chain's final hash of the day as an archival item (日志链存证), ends expired
  loans and sweeps what was missed (``actions.do_archive_daily``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django_tasks import task

from dae.core.errors import DaeError
from dae.core.jobs import Progress, job_handler
from dae.core.models import Job

from .actions import do_archive_daily, do_archive_pending

log = logging.getLogger(__name__)


def archive_soon(kind_key: str) -> None:
    """Queue the archiving of ``kind_key``'s newly closed objects (called after a commit)."""
    archive_kind.enqueue(kind_key)


@task()
def archive_kind(kind_key: str) -> None:
    try:
        do_archive_pending([kind_key])
    except DaeError as exc:
        log.warning("archiving %s stopped: %s (the next sweep retries)", kind_key, exc.message)


@job_handler("archives.sweep")
def run_sweep(job: Job, progress: Progress) -> dict[str, Any]:
    counts = do_archive_pending(job.params.get("kinds") or None, actor=job.created_by,
                                progress=lambda done, total: progress(done, total))
    progress(progress.done, message=f"已归档 {counts['archived']} 件，检测未通过 {counts['failed']} 件")
    return counts


@job_handler("archives.daily")
def run_daily(job: Job, progress: Progress) -> dict[str, Any]:
    return do_archive_daily(dt.date.fromisoformat(job.params["day"]) if job.params.get("day") else None,
                            actor=job.created_by, progress=progress)
