"""Kill the process at every step of pay → export → import result → post, restart, and show that nothing is
paid twice or lost. Each run is a separate Python process on its own SQLite file (``crash_driver.py``); the
crash is ``os._exit`` at a ``dae.core.crash.crash_point`` — no rollback handler, no clean-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dae.core.crash import CRASH_EXIT_CODE

ROOT = Path(__file__).resolve().parents[2]
POINTS = [
    "batch.create",      # inside the transaction that writes the batch: rolled back
    "driver.created",    # the batch is committed, nothing exported
    "export.written",    # the payment file is written, the batch not yet recorded as exported
    "driver.exported",   # exported and recorded, no result yet
    "result.stored",     # the bank's result file is stored, not applied
    "result.applying",   # one order applied (payment posted) inside the transaction, not committed
    "driver.imported",   # everything committed, before the summary
]


def run(command: str, db: Path, uploads: Path, crash: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAE_DATABASE_URL": f"sqlite:///{db}", "DAE_CRASH_UPLOADS": str(uploads),
           "DJANGO_SETTINGS_MODULE": "dae.settings.test", "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    env.pop("DAE_CRASH_AT", None)
    if crash:
        env["DAE_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-m", "tests.payments.crash_driver", command], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash-template")
    db = folder / "dae.sqlite3"
    done = run("setup", db, folder / "uploads")
    assert done.returncode == 0, done.stderr[-3000:]
    return db


EXPECTED = {
    "batches": 1, "orders": 3,
    "statements": {"HA0001": "paid", "HA0002": "paid", "HA0003": "paid"},
    "paid_orders_per_statement": {"HA0001": 1, "HA0002": 1, "HA0003": 1},
    "payment_postings": 3, "paid_total": "6000.00", "cash_out": "6000.00", "balanced": True,
    "settlements": {"S1": "paid", "S2": "paid", "S3": "paid"},
}


def test_without_a_crash(template: Path, tmp_path: Path) -> None:
    db = tmp_path / "dae.sqlite3"
    shutil.copy(template, db)
    done = run("pay", db, tmp_path / "uploads")
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == EXPECTED


@pytest.mark.parametrize("point", POINTS)
def test_a_crash_then_a_restart_pays_everything_exactly_once(point: str, template: Path, tmp_path: Path) -> None:
    db = tmp_path / "dae.sqlite3"
    shutil.copy(template, db)
    uploads = tmp_path / "uploads"
    crashed = run("pay", db, uploads, crash=point)
    assert crashed.returncode == CRASH_EXIT_CODE, (crashed.returncode, crashed.stderr[-3000:])
    assert crashed.stdout == ""  # it died before printing anything
    restarted = run("pay", db, uploads)
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    summary: dict[str, Any] = json.loads(restarted.stdout)
    assert summary == EXPECTED
    if point == "export.written":
        files = sorted(p.name for p in (uploads / "payments").iterdir())
        assert len(files) == 1 and files[0].endswith(".csv")  # the same file, written again, not a second one
