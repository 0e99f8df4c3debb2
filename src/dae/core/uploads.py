"""Uploaded files: their size limit per kind, checked before they are read (``UploadLimitMiddleware``), and the
files kept for the job that reads them, written under ``UPLOAD_DIR`` in chunks with their digest."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .codes import CoreCode, InputCode
from .errors import InvalidInput


@dataclass(frozen=True)
class StoredUpload:
    path: Path
    sha256: str
    size: int


def discard(stored: StoredUpload) -> None:
    """Remove a kept upload whose business write did not happen (and its folder, which holds only it)."""
    stored.path.unlink(missing_ok=True)
    stored.path.parent.rmdir()


def store_upload(chunks: Iterator[bytes], *, name: str, folder: str = "", max_bytes: int,
                 too_large: str, empty: str = "文件为空") -> StoredUpload:
    """Write ``chunks`` to a new folder ``UPLOAD_DIR/[folder/]<uuid>/name``; refuse an empty or too large file
    (``too_large``/``empty`` are the clerk's messages) and remove what was written."""
    target_dir = Path(settings.UPLOAD_DIR) / folder / uuid.uuid4().hex
    target_dir.mkdir(parents=True)
    target = target_dir / name
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > max_bytes:
                break
            digest.update(chunk)
            out.write(chunk)
    if size > max_bytes or size == 0:
        target.unlink()
        target_dir.rmdir()
        raise InvalidInput(too_large if size else empty, code=InputCode.TOO_LARGE if size else CoreCode.EMPTY_FILE)
    return StoredUpload(target, digest.hexdigest(), size)


# -- size limits per kind, checked before a file is read into memory or onto disk ------------------------------

MB = 1024 * 1024
#: The largest upload of each kind (the whole multipart body, plus a little for the form's other fields).
UPLOAD_LIMITS: dict[str, int] = {
    "import": 1024 * MB,          # rosters, catalogues, ICD-10 (a city's roster is a few hundred MB at most)
    "declaration": 4096 * MB,     # a hospital's month in the national format, fee lines included
    "bank_statement": 20 * MB,
    "bank_result": 20 * MB,
    "fee_file": 5 * MB,
    "code_list": 5 * MB,
    "trial": 2 * MB,
    "document": 10 * MB,          # scans and PDFs attached to inspections, findings, appeals
}
UPLOAD_KIND_NAMES = {"import": "导入文件", "declaration": "申报文件", "bank_statement": "银行对账单",
                     "bank_result": "银行回盘文件", "fee_file": "费用明细文件", "code_list": "编码文件",
                     "trial": "试算文件", "document": "附件"}
#: The routes that take an upload of a kind other than ``document`` (by view name). A new app adds its own here.
UPLOAD_ROUTES: dict[str, str] = {
    "imports:batch_new": "import", "api:import-list": "import",
    "claims:declaration_new": "declaration", "api:declaration-list": "declaration",
    "bank:statement_upload": "bank_statement", "api:bank-statements": "bank_statement",
    "payments:batch_detail": "bank_result", "api:payment-batch-results": "bank_result",
    "reimbursement:register": "fee_file", "reimbursement:edit": "fee_file",
    "catalog:mapping_check": "code_list", "benefits:trial": "trial",
}
FORM_SLACK = 64 * 1024


def upload_limit(view_name: str) -> tuple[str, int]:
    """The kind of upload a route takes and its limit in bytes (``document`` for any other route)."""
    kind = UPLOAD_ROUTES.get(view_name, "document")
    return kind, UPLOAD_LIMITS[kind] + FORM_SLACK


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024 / 1024:.1f} GB" if size >= 1024 * MB else f"{max(size / MB, 0.1):.1f} MB"


class UploadTooLarge(InvalidInput):
    status = 413

    def __init__(self, kind: str, limit: int, seen: int | None = None) -> None:
        name = UPLOAD_KIND_NAMES.get(kind, "上传文件")
        seen_text = f"（本次至少 {_size_text(seen)}）" if seen else ""
        message = f"{name}过大：最大 {_size_text(limit - FORM_SLACK)}{seen_text}，请拆分后分批上传"
        super().__init__(message, code=InputCode.TOO_LARGE, details=[{"path": "file", "message": message}])


class _CountingHandler:
    """A Django upload handler placed first: counts the bytes of every file as they stream in and stops the
    upload past the limit, so a lying or missing Content-Length cannot fill memory or the disk."""

    chunk_size = 64 * 1024

    def __init__(self, kind: str, limit: int) -> None:
        self.kind, self.limit, self.seen = kind, limit, 0

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: Any,  # noqa: N803
                         encoding: Any = None) -> None:
        if content_length and content_length > self.limit:
            raise UploadTooLarge(self.kind, self.limit, content_length)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            raise UploadTooLarge(self.kind, self.limit, self.seen)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def upload_complete(self) -> None:
        return None

    def upload_interrupted(self) -> None:
        return None


class UploadLimitMiddleware:
    """Refuses an upload larger than its kind allows (``UPLOAD_LIMITS``) with 413 and a Chinese message: first
    from Content-Length, before reading anything, then while streaming. Placed before the CSRF middleware, which
    would otherwise read the body first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        if not (request.content_type or "").startswith("multipart/"):
            return None
        match = request.resolver_match
        kind, limit = upload_limit(match.view_name if match else "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            if length > limit:
                raise UploadTooLarge(kind, limit, length)
            request.upload_handlers.insert(0, _CountingHandler(kind, limit))  # type: ignore[arg-type]
            request.POST  # noqa: B018 - parse now, inside the limit, before anyone else reads the body
        except UploadTooLarge as exc:
            return _refusal(request, exc)
        empty = [f.name for f in request.FILES.values() if not f.size]
        if empty:
            return _refusal(request, InvalidInput(f"文件为空（0 字节）：{empty[0]}，请重新选择文件", code=CoreCode.EMPTY_FILE,
                                                  details=[{"path": "file", "message": "文件为空"}]))
        return None


def _refusal(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    from django.http import JsonResponse
    from django.shortcuts import render

    if request.path.startswith("/api/"):
        return JsonResponse(exc.as_dict(), status=exc.status)
    return render(request, "web/error.html", {"error": exc}, status=exc.status)
