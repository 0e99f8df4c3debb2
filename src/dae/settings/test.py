"""Test settings: fast hashing, tasks run immediately, the database from DAE_DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="dae-test-uploads-"))
ARCHIVE_DIR = Path(tempfile.mkdtemp(prefix="dae-test-archive-"))

# Field encryption keys of the test runs (fixed, and inherited by the subprocesses of the crash tests).
import os  # noqa: E402

os.environ.setdefault(
    "DAE_FIELD_KEYS",
    "t1:ZGFlLXRlc3Qta2V5LW9uZS0wMTIzNDU2Nzg5YWJjZGU=,t0:ZGFlLXRlc3Qta2V5LXplcm8tMDEyMzQ1Njc4OWFiY2Q=,"
    "index:ZGFlLXRlc3QtaW5kZXgta2V5LTAxMjM0NTY3ODlhYmM=",
)
