"""Enrolment change batches (参保变更批次: a roster file loaded) as archival items."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dae.archives.registry import Document, ItemKind, Record, file_content, register
from dae.imports.models import ImportBatch

from . import closed_on, name_of, when

ROSTER_KINDS = ("roster", "roster_1101")
MEDIA = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "json": "application/json"}


def _batches() -> QuerySet[Any]:
    return ImportBatch.objects.filter(kind__in=ROSTER_KINDS, status="loaded")


def build_batch(b: Any) -> Record:
    closed = closed_on("imports.importbatch", b.pk, ("import.loaded",), b.created_at.date())
    sections = [{"title": "批次情况", "rows": [
        ("批次", f"#{b.pk}"), ("文件名", b.file_name), ("格式", b.fmt), ("文件摘要", b.sha256),
        ("大小（字节）", b.size), ("导入人", name_of(b.created_by)), ("上传时间", when(b.created_at)),
        ("完成时间", when(b.finished_at)), ("总行数", b.rows_total), ("新增", b.rows_new), ("变更", b.rows_changed),
        ("无变化", b.rows_same), ("忽略", b.rows_ignored), ("说明", b.note)]}]
    return Record(
        title=f"参保变更批次 #{b.pk}：{b.file_name}（新增 {b.rows_new}，变更 {b.rows_changed}）",
        year=closed.year, date_from=b.created_at.date(), date_to=closed, region_id=b.region_id,
        template="archives/record.html", context={"sections": sections},
        metadata={"batch": b.pk, "file_name": b.file_name, "sha256": b.sha256, "rows_total": b.rows_total,
                  "rows_new": b.rows_new, "rows_changed": b.rows_changed},
        documents=[Document("original", _("变更原始文件"), f"roster.{b.fmt}", MEDIA.get(b.fmt, "text/csv"),
                            file_content(b.path))],
        required=[("record", _("业务记录")), ("original", _("变更原始文件"))],
    )


register(ItemKind(
    key="enrolment_batch", label=_("参保变更批次"), category="CB", retention="Y", post="settlement",
    object_type="imports.importbatch", closed=_batches, build=build_batch, close_events=("import.loaded",),
))
