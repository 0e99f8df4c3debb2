"""Background jobs with visible progress: imports, declarations, batches.

``start_job`` writes a ``Job`` row and enqueues ``run_job`` on the task queue (django-tasks; the database
backend with ``dae db_worker`` in production, run at once in tests). The work itself is a *handler* registered
under the job's kind; it receives the job and a ``Progress`` to report through.

Progress is written to the cache, not the job row, because a handler's own transaction may hold SQLite's write
lock for the whole load; the job page reads the cache first. The row gets the final figures when the job ends.
A handler that raises ``DaeError`` ends the job as failed with the message for the clerk; any other exception
also fails the job (message "内部错误", traceback in the log) and is re-raised so the worker records it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from .errors import DaeError, InvalidInput
from .models import Job

log = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` as the handler of jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


def _key(job_id: int) -> str:
    return f"dae:job:{job_id}"


class Progress:
    """Report ``done`` of ``total`` with a message; writes at most every 0.3 s unless ``force``."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.done = 0
        self.total = job.total
        self.message = ""
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None, *,
                 force: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message
            force = True
        now = time.monotonic()
        if force or now - self._last >= 0.3:
            self._last = now
            cache.set(_key(self.job.pk), {"done": self.done, "total": self.total, "message": self.message}, 86400)


def live_state(job: Job) -> Job:
    """``job`` with the latest progress from the cache while it runs (not saved)."""
    if job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
        state = cache.get(_key(job.pk))
        if state:
            job.done, job.total, job.message = state["done"], state["total"], state["message"][:500]
    return job


def start_job(kind: str, title: str, *, user: Any, params: dict[str, Any], region_id: str | None = None,
              total: int = 0) -> Job:
    """Create the job and queue it. The handler for ``kind`` must be registered."""
    if kind not in _HANDLERS:
        raise InvalidInput(f"未知的任务类型：{kind}")
    job = Job.objects.create(kind=kind, title=title, params=params, created_by=user if user else None,
                             region_id=region_id, total=total)
    watcher = _INLINE.get()
    if watcher is not None:
        _run(job, watcher)  # the command line: the same handler, in this process, with its own progress bar
    else:
        run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


Watcher = Callable[[int, int, str], None]
_INLINE: ContextVar[Watcher | None] = ContextVar("dae_inline_jobs", default=None)


@contextmanager
def jobs_inline(watch: Watcher) -> Iterator[None]:
    """Within the block, ``start_job`` runs the job at once in this process (no worker needed) and reports its
    progress to ``watch(done, total, message)`` as well as to the cache — for ``dae import`` and other commands
    that must behave exactly as the page does, all or nothing, with a progress bar in the terminal."""
    token = _INLINE.set(watch)
    try:
        yield
    finally:
        _INLINE.reset(token)


class _WatchedProgress(Progress):
    def __init__(self, job: Job, watch: Watcher) -> None:
        super().__init__(job)
        self.watch = watch

    def __call__(self, done: int, total: int | None = None, message: str | None = None, *,
                 force: bool = False) -> None:
        super().__call__(done, total, message, force=force)
        self.watch(self.done, self.total, self.message)


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        log.warning("job %s is %s, not queued; not run again", job_id, job.status)
        return
    _run(job, None)


def _run(job: Job, watch: Watcher | None) -> None:
    handler = _HANDLERS[job.kind]
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = Progress(job) if watch is None else _WatchedProgress(job, watch)
    job_id = job.pk
    try:
        result = handler(job, progress)
    except DaeError as exc:
        _finish(job, progress, Job.Status.FAILED, exc.message, {"code": exc.code, "details": exc.details})
        return
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job, progress, Job.Status.FAILED, "内部错误，请联系信息技术岗查看日志", {"code": "internal"})
        raise
    _finish(job, progress, Job.Status.SUCCEEDED, progress.message, result)


def _finish(job: Job, progress: Progress, status: str, message: str, result: dict[str, Any]) -> None:
    job.status = status
    job.done = progress.done
    job.total = max(progress.total, progress.done)
    job.message = message[:500]
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "done", "total", "message", "result", "finished_at"])
    cache.delete(_key(job.pk))


def tracked(row: Any, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``body()`` for a run kept as its own row (an audit run, a screening run): the row is marked ``running``
    first, and ``failed`` (with ``finished_at``) when the body raises — the error is then re-raised for the job to
    record. The row's model has ``status`` with those two values and ``finished_at``."""
    rows = type(row).objects.filter(pk=row.pk)
    rows.update(status="running")
    try:
        return body()
    except Exception:
        rows.update(status="failed", finished_at=timezone.now())
        raise
