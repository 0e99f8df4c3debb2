"""The import's writes: receiving the upload (``do_start_import``), loading a checked file all or nothing
(``do_load_batch``), refusing it with every problem stored (``do_reject_batch``) and marking a batch whose job
broke (``do_fail_batch``). Checking is the framework's (``framework.py``); the job that runs both is ``jobs.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.bulk import insert_rows
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput, PermissionDenied
from dae.core.events import record_event
from dae.core.jobs import start_job
from dae.core.uploads import store_upload

from . import registry
from .codes import Code
from .framework import FORMATS, MAX_UPLOAD, Counts, Importer, Problems
from .models import ImportBatch, ImportProblem


def do_start_import(kind: str, *, user: Any, file_name: str, chunks: Iterator[bytes],
                    region_id: str | None = None) -> ImportBatch:
    """Store the upload, create the batch and queue its job. Checks the post, the format and the region."""
    importer = registry.get(kind)
    if user.post not in importer.posts:
        raise PermissionDenied(f"当前岗位不能导入“{importer.title}”")
    suffix = Path(file_name).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None or fmt not in importer.formats:
        allowed = "、".join(importer.formats)
        raise InvalidInput(f"不支持的文件格式“{suffix or file_name}”，可用格式：{allowed}", code=CoreCode.BAD_FORMAT)
    if importer.regional:
        if not region_id:
            raise InvalidInput("请选择统筹区", code=Code.REGION_REQUIRED)
        if region_id not in user.region_codes:
            raise PermissionDenied("无权导入该统筹区的数据")
    else:
        region_id = None
    stored = store_upload(chunks, name=f"upload{suffix}", max_bytes=MAX_UPLOAD, too_large="文件超过 1 GB")
    target, sha, size = stored.path, stored.sha256, stored.size
    same = (ImportBatch.objects.filter(kind=kind, sha256=sha, status=ImportBatch.Status.LOADED)
            .order_by("-id").first())
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, file_name=Path(file_name).name[:200], fmt=fmt, sha256=sha,
                                           size=size, path=str(target), region_id=region_id, created_by=user,
                                           same_as=same)
        record_event(user, "import.uploaded", batch, region_id=region_id,
                     after={"kind": kind, "file_name": batch.file_name, "sha256": sha, "size": size})
    job = start_job("import", f"{importer.title}：{batch.file_name}", user=user, params={"batch": batch.pk},
                    region_id=region_id)
    ImportBatch.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return batch


def do_load_batch(batch: ImportBatch, importer: Importer, records: list[tuple[int, Any]], rows: int,
                  progress: Callable[[int], None]) -> Counts:
    """Load a file without problems: the importer's writes, the batch's counts and the event, one transaction."""
    with transaction.atomic():
        counts = importer.load(records, progress)
        batch.rows_new, batch.rows_changed = counts.new, counts.changed
        batch.rows_same, batch.rows_ignored = counts.same, counts.ignored
        _end(batch, ImportBatch.Status.LOADED)
        record_event(batch.created_by, "import.loaded", batch, region_id=batch.region_id,
                     after={"kind": batch.kind, "rows": rows, "new": counts.new, "changed": counts.changed,
                            "same": counts.same, "ignored": counts.ignored})
    return counts


def do_reject_batch(batch: ImportBatch, problems: Problems) -> None:
    """Refuse a file with problems: every problem stored for the report, nothing loaded, the upload removed."""
    with transaction.atomic():
        insert_rows(ImportProblem, ("batch", "row_no", "column", "value", "reason"),
                    ((batch.pk, r, c, v, why) for r, c, v, why in problems.items))
        batch.rows_bad = len(problems.bad_rows)
        batch.problems_total = problems.total
        batch.problem_counts = dict(sorted(problems.counts.items(), key=lambda kv: -kv[1])[:200])
        _end(batch, ImportBatch.Status.REJECTED, note=f"{batch.rows_bad} 行有错误，未导入任何数据")
        record_event(batch.created_by, "import.rejected", batch, region_id=batch.region_id,
                     after={"kind": batch.kind, "rows": batch.rows_total, "bad_rows": batch.rows_bad})
    _remove_upload(batch)


def do_fail_batch(batch: ImportBatch, note: str) -> None:
    """A batch whose job broke while running: failed with the reason, its upload removed (nothing was loaded)."""
    _end(batch, ImportBatch.Status.FAILED, note=note)
    _remove_upload(batch)


def _remove_upload(batch: ImportBatch) -> None:
    """A refused file is not kept: nothing of it was loaded, and its report is stored with the batch."""
    path = Path(batch.path)
    if batch.path and path.is_file():
        path.unlink()
        if not any(path.parent.iterdir()):
            path.parent.rmdir()


def _end(batch: ImportBatch, status: str, note: str | None = None) -> None:
    batch.status = status
    if note:
        batch.note = (f"{batch.note}；{note}" if batch.note else note)[:500]
    batch.finished_at = timezone.now()
    batch.save()
