"""Where archived files live: ``ARCHIVE_DIR/<year>/<storage key>/<file>`` (``ARCHIVE_DIR`` defaults to
``VAR_DIR/archive``). Each file is written, flushed to disk, read back and its digest compared — the safety
check of the four checks."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

from django.conf import settings


def root() -> Path:
    return Path(getattr(settings, "ARCHIVE_DIR", Path(settings.VAR_DIR) / "archive"))


def new_key(year: int) -> str:
    return f"{year}/{uuid.uuid4().hex}"


def path_of(relative: str) -> Path:
    target = (root() / relative).resolve()
    if root().resolve() not in target.parents:
        raise ValueError(relative)
    return target


def write(key: str, name: str, content: bytes) -> tuple[str, str]:
    """Write ``content`` as ``key/name``; returns (relative path, digest read back from the disk)."""
    folder = path_of(key)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with target.open("wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    return f"{key}/{name}", hashlib.sha256(target.read_bytes()).hexdigest()


def read(relative: str) -> bytes | None:
    target = path_of(relative)
    return target.read_bytes() if target.is_file() else None


def remove_folder(key: str) -> None:
    if key:
        shutil.rmtree(path_of(key), ignore_errors=True)


def remove_file(relative: str) -> None:
    path_of(relative).unlink(missing_ok=True)
