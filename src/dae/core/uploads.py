"""Uploaded files kept for the job that reads them: written under ``UPLOAD_DIR`` in chunks, with their digest."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

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
        raise InvalidInput(too_large if size else empty, code="too_large" if size else "empty_file")
    return StoredUpload(target, digest.hexdigest(), size)
