"""Production: security headers with a Content-Security-Policy that allows no inline script, no inline script or
handler left in any template, health and readiness probes, error pages that leak nothing, production settings
that refuse to start without a database URL, structured (JSON) logs."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from dae.ops.logs import JsonFormatter

SRC = Path(__file__).resolve().parents[2] / "src" / "dae"


@pytest.mark.django_db
def test_pages_and_the_api_carry_the_security_headers(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["settlement"])
    for response in (client.get("/"), client.get("/api/v1/me"), Client().get("/accounts/login/")):
        csp = response["Content-Security-Policy"]
        script = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert script == "script-src 'self'"
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                offenders.append(f"{path.relative_to(SRC)}: inline <script>")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.relative_to(SRC)}: inline handler")
    assert offenders == []


@pytest.mark.django_db
def test_health_and_readiness_answer_without_a_sign_in() -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}


@override_settings(ROOT_URLCONF="tests.ops.failing_urls", DEBUG=False)
def test_an_error_page_leaks_nothing() -> None:
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统内部错误" in page
    for leak in ("secret-internal-detail", "Traceback", "RuntimeError", "DAE_SECRET_KEY", "/etc/dae"):
        assert leak not in page
    missing = Client().get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()


def test_production_settings_refuse_to_start_without_a_database_url() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DAE_DATABASE_URL",)}
    env.update(DAE_SECRET_KEY="x" * 60, DJANGO_SETTINGS_MODULE="dae.settings.production")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 1
    assert "DAE_DATABASE_URL must be set in production" in result.stderr
    wsgi = (SRC / "wsgi.py").read_text(encoding="utf-8")
    assert 'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.production")' in wsgi


def test_logs_are_one_json_object_per_line() -> None:
    record = logging.LogRecord("dae.request", logging.INFO, __file__, 1, "request", None, None)
    record.method, record.path, record.status, record.ms = "GET", "/claims/", 200, 12.5
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert (data["level"], data["logger"], data["method"], data["status"], data["ms"]) == (
        "INFO", "dae.request", "GET", 200, 12.5)
    assert "\n" not in line
