"""Test settings: fast hashing, tasks run immediately, the database from DAE_DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="dae-test-uploads-"))
ARCHIVE_DIR = Path(tempfile.mkdtemp(prefix="dae-test-archive-"))
