"""Long report exports as jobs: the page starts one, its progress page says 正在生成… and then links the file;
the file holds the same figures as the direct download; only its requester downloads it; a report outside the
requester's scope fails the job and leaves no file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from dae.core.models import AccessRecord, Job
from dae.reports.actions import signoff
from dae.reports.periods import Period


@pytest.fixture(autouse=True)
def _export_dir(settings: Any, tmp_path: Path) -> Path:
    settings.REPORT_EXPORT_DIR = tmp_path / "exports"
    return tmp_path / "exports"


def _values(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))  # the header block (its export time) aside, every row
    return {ws.title: [r for r in ws.iter_rows(values_only=True)][3 if i == 0 else 0:]
            for i, ws in enumerate(book.worksheets)}


def test_the_payout_report_is_exported_by_a_job(world: dict[str, Any], client_for: Any, _export_dir: Path) -> None:
    manager = client_for("manager")
    assert 'data-testid="export-job"' in manager.get("/reports/monthly/?period=2026").content.decode()
    started = manager.post("/reports/exports/", {"report": "monthly", "period": "2026", "fmt": "xlsx"})
    job = Job.objects.get(kind="reports.export")
    assert started.status_code == 302 and started["Location"] == f"/reports/exports/{job.pk}/"
    assert job.status == "succeeded" and job.done == job.total == 3 and job.params["period"] == "2026"
    page = manager.get(f"/reports/exports/{job.pk}/").content.decode()
    assert "job-progress" in page and "100%" in page and f"/reports/exports/{job.pk}/download/" in page
    before = AccessRecord.objects.count()
    file = manager.get(f"/reports/exports/{job.pk}/download/")
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AccessRecord.objects.count() == before + 1  # the download is logged
    direct = manager.get("/reports/monthly/?period=2026&export=xlsx").content
    assert _values(file.content) == _values(direct)  # the same figures as the page's own download
    assert [p.name for p in _export_dir.iterdir()] == [f"job-{job.pk}.xlsx"]  # no temporary file left
    # somebody else's job: 404; a queued page shows 正在生成…
    assert client_for("supervisor").get(f"/reports/exports/{job.pk}/download/").status_code == 404
    Job.objects.filter(pk=job.pk).update(status="running")
    assert "正在生成" in manager.get(f"/reports/exports/{job.pk}/").content.decode()
    assert manager.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    assert manager.post("/reports/exports/", {"report": "monthly", "period": "2026", "fmt": "csv"}).status_code == 400


def test_an_analysis_report_pdf_by_a_job_and_none_outside_scope(world: dict[str, Any], client_for: Any,
                                                                 _export_dir: Path) -> None:
    report = signoff.do_prepare_report(world["users"]["manager"], region="220282", period=Period.parse("2026Q1"))
    manager = client_for("manager")
    manager.post("/reports/exports/", {"report": "analysis", "pk": str(report.pk), "fmt": "pdf"})
    job = Job.objects.get(kind="reports.export")
    assert job.status == "succeeded"
    pdf = manager.get(f"/reports/exports/{job.pk}/download/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # region B's clerk may export, but the report is not in its scope: the job fails, nothing is written
    client_for("clerk_b").post("/reports/exports/", {"report": "analysis", "pk": str(report.pk), "fmt": "pdf"})
    failed = Job.objects.exclude(pk=job.pk).get(kind="reports.export")
    assert failed.status == "failed" and "不存在" in failed.message
    assert sorted(p.name for p in _export_dir.iterdir()) == [f"job-{job.pk}.pdf"]
