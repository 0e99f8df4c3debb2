"""The import's job: check every row of the stored file (``framework``), then load all of it or refuse it with
every problem (``actions``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from dae.core.errors import InvalidInput
from dae.core.jobs import Progress, job_handler
from dae.core.models import Job

from . import registry
from .actions import do_fail_batch, do_load_batch, do_reject_batch
from .columnar import Known
from .framework import Importer, Problems
from .models import ImportBatch


@job_handler("import")
def run_import(job: Job, progress: Progress) -> dict[str, Any]:
    batch = ImportBatch.objects.select_related("created_by").get(pk=job.params["batch"])
    importer = registry.get(batch.kind)(batch, batch.created_by)
    batch.status = ImportBatch.Status.RUNNING
    batch.save(update_fields=["status"])
    path, url = Path(batch.path), reverse("imports:batch_detail", args=[batch.pk])
    try:
        return _validate_and_load(batch, importer, path, url, progress)
    except Exception as exc:
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.RUNNING:
            do_fail_batch(batch, exc.message if isinstance(exc, InvalidInput) else "内部错误，未导入任何数据")
        raise


def _validate_and_load(batch: ImportBatch, importer: Importer, path: Path, url: str,
                       progress: Progress) -> dict[str, Any]:
    total = importer.estimate_rows(path, batch.fmt)
    progress(0, total, "正在校验 (validating)")
    problems = Problems()
    records: list[tuple[int, Any]] = []
    seen = 0
    for row_no, raw in importer.read(path, batch.fmt, problems):
        seen += 1
        if type(raw) is Known:  # read by columns and found known at once (``known_rows``)
            records.append((row_no, raw.record))
            continue
        known = None if importer.header_incomplete or importer.looked_up else importer.unchanged(row_no, raw)
        if known is not None:  # loaded before and unchanged since: stands for its record in the cross-row checks
            records.append((row_no, known))
            continue
        values = importer.parse(row_no, raw, problems)
        if values is not None and not importer.header_incomplete:
            record = importer.check(row_no, values, problems)
            if record is not None:
                records.append((row_no, record))
        if seen % 2000 == 0:
            progress(seen, max(total, seen))
    progress(seen, seen)
    if not importer.header_incomplete:
        importer.check_all(records, problems)  # on the rows that passed alone, so every bad row is reported
    batch.rows_total = seen
    if problems:
        do_reject_batch(batch, problems)
        return {"url": url, "batch": batch.pk, "status": batch.status, "bad_rows": batch.rows_bad,
                "problems": len(problems)}
    progress(0, len(records), "正在写入 (loading)")
    counts = do_load_batch(batch, importer, records, seen, lambda done: progress(done))
    progress(len(records), len(records),
             f"已导入：新增 {counts.new}，变更 {counts.changed}，无变化 {counts.same}，忽略 {counts.ignored}")
    return {"url": url, "batch": batch.pk, "status": batch.status, "new": counts.new, "changed": counts.changed,
            "same": counts.same, "ignored": counts.ignored}
