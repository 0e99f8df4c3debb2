"""Health (the process answers) and readiness (the database, the cache and the schema are usable) for the load
balancer and the service manager. Public, cheap, and they say nothing about the data."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

_schema_ok_at = 0.0


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def ready(request: HttpRequest) -> JsonResponse:
    global _schema_ok_at
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - reported as "not ready" (503), never swallowed
        checks["database"] = type(error).__name__
    if checks["database"] == "ok" and time.monotonic() - _schema_ok_at > 300:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
        if not pending:
            _schema_ok_at = time.monotonic()
    elif checks["database"] == "ok":
        checks["migrations"] = "ok"
    try:
        cache.set("dae:ready", 1, 10)
        checks["cache"] = "ok" if cache.get("dae:ready") == 1 else "unreadable"
    except Exception as error:  # noqa: BLE001 - reported as "not ready" (503)
        checks["cache"] = type(error).__name__
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "not ready", "checks": checks}, status=200 if ok else 503)
