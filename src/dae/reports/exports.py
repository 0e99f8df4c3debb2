"""Long report exports as background jobs (长报表导出): the payout report of a month, quarter or year (Excel or
PDF) and an analysis report (PDF) rendered by the job ``reports.export`` with its progress on the page
(正在生成…), the file kept under ``VAR_DIR/exports/reports/`` and downloaded by the person who asked for it (one
access record per download, as the direct downloads).

The job computes in its creator's scope (the same queries and renderers as the page's direct download, so the
files hold the same figures); the file is written to a temporary name and renamed when complete, so a failed or
interrupted job leaves no half-written file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from dae.core.errors import InvalidInput, NotFound
from dae.core.jobs import Progress, job_handler, start_job
from dae.core.models import Job

from . import queries
from . import render as formats
from .codes import Code
from .periods import Period

KIND = "reports.export"
#: what may be exported as a job: report → (formats, the route whose export permission applies)
REPORTS = {"monthly": (("xlsx", "pdf"), "reports:monthly"), "analysis": (("pdf",), "reports:report_detail")}


def export_dir() -> Path:
    """``REPORT_EXPORT_DIR`` if set, else ``VAR_DIR/exports/reports``."""
    return Path(getattr(settings, "REPORT_EXPORT_DIR", None) or Path(settings.VAR_DIR) / "exports" / "reports")


def start_export(user: Any, *, report: str, fmt: str, period: str = "", pk: Any = None) -> Job:
    """Queue the export of ``report`` (``monthly`` with ``period``, or ``analysis`` with its ``pk``) as ``fmt``.
    The reader's permission to export the report's route is checked here and the scope again by the job."""
    from dae.accounts.permissions import can_export

    if report not in REPORTS or fmt not in REPORTS[report][0]:
        raise InvalidInput(gettext("不支持的导出内容或格式"), code=Code.BAD_FORMAT)
    route = REPORTS[report][1]
    if not can_export(user, route):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(gettext("当前岗位不能导出此报表"))
    params: dict[str, Any] = {"report": report, "fmt": fmt, "route": route}
    if report == "monthly":
        params["period"] = queries.parse_period(period).id
        title = gettext("导出赔付报表 %(period)s (%(fmt)s)") % {"period": params["period"], "fmt": fmt}
    else:
        from dae.core.inputs import object_id

        params["pk"] = object_id(pk)
        title = gettext("导出运行分析报告 %(pk)s (PDF)") % {"pk": params["pk"]}
    return start_job(KIND, title, user=user, params=params, total=3)


@job_handler(KIND)
def run_export(job: Job, progress: Progress) -> dict[str, Any]:
    user = job.created_by
    if user is None:
        raise InvalidInput("导出任务没有发起人", code=Code.BAD_FORMAT)
    params = job.params
    progress(0, 3, "正在计算报表数据…")
    if params["report"] == "monthly":
        name, content = _monthly(user, Period.parse(params["period"]), params["fmt"], progress)
    else:
        name, content = _analysis(user, params["pk"], progress)
    progress(2, 3, "正在保存文件…")
    path = _write(job.pk, params["fmt"], content)
    progress(3, 3, f"已生成 {name}.{params['fmt']}")
    return {"url": reverse("reports:export_download", args=[job.pk]), "name": name, "fmt": params["fmt"],
            "route": params["route"], "file": path.name, "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest()}


def _monthly(user: Any, period: Period, fmt: str, progress: Progress) -> tuple[str, bytes]:
    from .views import monthly_context

    report = queries.monthly_report(user, period)
    progress(1, 3, "正在生成文件…")
    name = f"赔付报表-{period.id}"
    if fmt == "xlsx":
        return name, formats.monthly_xlsx(report, user)
    return name, formats.pdf_document("reports/monthly_print.html", monthly_context(user, period, report))


def _analysis(user: Any, pk: int, progress: Progress) -> tuple[str, bytes]:
    from .models import AnalysisReport
    from .signoff_views import report_context

    report = AnalysisReport.objects.for_user(user).filter(pk=pk).select_related("region").first()
    if report is None:
        raise NotFound("报告不存在")
    progress(1, 3, "正在生成文件…")
    name = f"运行分析报告-{report.region_id}-{report.period}-v{report.version}"
    return name, formats.pdf_document("reports/report_print.html", report_context(report))


def _write(job_id: int, fmt: str, content: bytes) -> Path:
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"job-{job_id}.{fmt}"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".job-{job_id}-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def finished_file(job: Job) -> tuple[Path, dict[str, Any]]:
    """The file of a finished export job and its result; ``NotFound`` for a job that is not one, not finished
    or whose file is gone."""
    result = job.result or {}
    if job.kind != KIND or job.status != Job.Status.SUCCEEDED or not result.get("file"):
        raise NotFound("导出文件尚未生成")
    path = export_dir() / str(result["file"])
    if path.name != result["file"] or not path.is_file():
        raise NotFound("导出文件不存在")
    return path, result


def access_export_job_by_id(request: Any, pk: Any) -> Job:
    """An export job by its id, for the person who started it only (anyone else, a missing job or an id that
    is not one: 404). Export jobs carry no region: the scope was applied when the file was made."""
    from dae.core.inputs import object_id

    job = Job.objects.filter(pk=object_id(pk), kind=KIND, created_by_id=request.user.pk).first()
    if job is None:
        raise NotFound("导出任务不存在")
    return job
