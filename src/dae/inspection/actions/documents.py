"""Documents (附件): a JPEG, PNG or PDF attached to a sample item (病历扫描件) or to an on-site inspection or one
of its findings (照片、材料), recognised by its first bytes and kept through ``core.uploads``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput
from dae.core.events import record_event, user_or_none
from dae.core.uploads import StoredUpload, discard, store_upload

from ..codes import Code
from ..models import Document, Finding, Inspection, Sample, SampleItem
from .shared import clerk_text, locked_row

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
#: Accepted documents, recognised by their first bytes (never by the name or the browser's content type).
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", Document.Kind.IMAGE, ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", Document.Kind.IMAGE, ".png"),
    (b"%PDF-", "application/pdf", Document.Kind.PDF, ".pdf"),
)


def _sniff(path: Path) -> tuple[str, str, str] | None:
    with path.open("rb") as handle:
        head = handle.read(8)
    for signature, content_type, kind, suffix in SIGNATURES:
        if head.startswith(signature):
            return content_type, kind, suffix
    return None


def do_attach_document(
    actor: Any,
    *,
    chunks: Iterable[bytes],
    name: str,
    sample_item: SampleItem | None = None,
    inspection: Inspection | None = None,
    finding: Finding | None = None,
    note: str = "",
) -> Document:
    """Attach a JPEG, PNG or PDF (at most 10 MB) to a sample item (病历扫描件; while its sample is open) or to an
    inspection or one of its findings (照片、材料; while the inspection is a draft). The type is read from the
    file's first bytes; anything else is refused and nothing is kept."""
    if finding is not None:
        inspection = finding.inspection
    if (sample_item is None) == (inspection is None):
        raise InvalidInput("附件须属于一份抽样病历或一次现场巡查", code=Code.INVALID_OWNER)
    note = clerk_text(note, "说明", "note", max_length=200, required=False)
    display = Path(str(name or "")).name[:200] or "document"
    stored = store_upload(
        iter(chunks),
        name="upload.bin",
        folder="inspection",
        max_bytes=MAX_DOCUMENT_BYTES,
        too_large="文件超过 10 MB",
        empty="文件为空",
    )
    try:
        sniffed = _sniff(stored.path)
        if sniffed is None:
            raise InvalidInput(
                "只能上传 JPG、PNG 图片或 PDF 文件",
                code=CoreCode.INVALID_FILE_TYPE,
                details=[{"path": "file", "message": "文件类型不支持"}],
            )
        content_type, kind, suffix = sniffed
        target = stored.path.with_name(f"document{suffix}")
        stored.path.rename(target)
        stored = StoredUpload(target, stored.sha256, stored.size)
        with transaction.atomic():
            if sample_item is not None:
                item = SampleItem.objects.select_related("sample").get(pk=sample_item.pk)
                if Sample.objects.select_for_update().get(pk=item.sample_id).status != Sample.Status.OPEN:
                    raise Conflict("该抽样复审已完成，不能再上传附件", code=Code.SAMPLE_COMPLETED)
                region, hospital = item.sample.region_id, None
            else:
                assert inspection is not None
                owner = locked_row(Inspection, inspection)
                if owner.status != Inspection.Status.DRAFT:
                    raise Conflict("只有草稿状态的巡查可以上传附件", code=CoreCode.NOT_DRAFT)
                region, hospital = owner.region_id, owner.hospital_id
            document = Document.objects.create(
                region_id=region,
                hospital_id=hospital,
                sample_item=sample_item,
                inspection=inspection,
                finding=finding,
                name=display,
                kind=kind,
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                path=str(stored.path),
                note=note,
                uploaded_by=user_or_none(actor),
            )
            record_event(
                actor,
                "inspection.document_attached",
                document,
                region_id=region,
                after={
                    "name": display,
                    "kind": kind,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "sample_item": sample_item.pk if sample_item else None,
                    "inspection": inspection.pk if inspection else None,
                    "finding": finding.pk if finding else None,
                },
            )
    except BaseException:
        discard(stored)
        raise
    return document
