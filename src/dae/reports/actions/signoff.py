"""The analysis reports' writes (运行分析报告): prepare (figures frozen with their data version, findings drafted),
edit the texts, check, approve, submit to the bureau, and correct (a new version saying what changed). One
transaction and one event each; the step order and "never the same person twice in a row" are enforced here,
not in the pages.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.errors import Conflict, InvalidInput
from dae.core.events import record_event
from dae.core.inputs import text

from .. import findings, queries
from ..api import monthly_json
from ..codes import Code
from ..models import AnalysisReport
from ..periods import Period

Status = AnalysisReport.Status
KIND_OF_PERIOD = {"month": AnalysisReport.Kind.MONTHLY, "quarter": AnalysisReport.Kind.QUARTERLY,
                  "year": AnalysisReport.Kind.ANNUAL}


def region_reader(region: str) -> Any:
    """A reader of exactly one region's figures (reports are per region, whoever prepares them)."""
    return SimpleNamespace(is_authenticated=True, scope_kind="region", region_codes=[region], hospital_id=None,
                           psn_no="", post="manager")


def frozen_figures(region: str, period: Period) -> dict[str, Any]:
    """The report's figures as JSON (the API's payout report) plus indicator → value for the findings."""
    report = queries.monthly_report(region_reader(region), period)
    data = monthly_json(report)
    data["by_indicator"] = {f["indicator"]: f for f in [*data["figures"], *data["finance"]]}
    return data


def do_prepare_report(user: Any, *, region: str, period: Period) -> AnalysisReport:
    if period.kind not in KIND_OF_PERIOD:
        raise InvalidInput("运行分析报告的统计期为月、季度或年度", code=Code.BAD_PERIOD)
    if region not in getattr(user, "region_codes", []):
        raise InvalidInput("只能编制本人所辖统筹区的报告", code=Code.NO_REGION)
    data = frozen_figures(region, period)
    texts = findings.draft(data["by_indicator"], period.label)
    with transaction.atomic():
        kind = KIND_OF_PERIOD[period.kind]
        latest = (AnalysisReport.objects.select_for_update().filter(region_id=region, kind=kind, period=period.id)
                  .order_by("-version").first())
        if latest is not None:
            raise Conflict("该统计期的报告已编制; 已审批的报告只能更正", code=Code.WRONG_STEP)
        report = AnalysisReport.objects.create(region_id=region, kind=kind, period=period.id, version=1,
                                               data_version=data["data_version"], figures=data, prepared_by=user,
                                               **texts)
        record_event(user, "reports.report_prepared", report, after={"period": period.id, "version": 1,
                                                                     "data_version": report.data_version})
    return report


def do_edit_report(user: Any, report: AnalysisReport, *, findings_text: str, problems: str,
                   suggestions: str) -> AnalysisReport:
    with transaction.atomic():
        report = AnalysisReport.objects.select_for_update().get(pk=report.pk)
        if report.status != Status.PREPARED:
            raise Conflict("报告已复核或审批, 不能修改", code=Code.FROZEN)
        before = {"findings": report.findings, "problems": report.problems, "suggestions": report.suggestions}
        report.findings = text(findings_text, field="findings", label="主要情况", max_length=10_000)
        report.problems = text(problems, field="problems", label="存在问题", max_length=10_000, required=False)
        report.suggestions = text(suggestions, field="suggestions", label="意见建议", max_length=10_000,
                                  required=False)
        report.save(update_fields=["findings", "problems", "suggestions"])
        record_event(user, "reports.report_edited", report, before=before,
                     after={"findings": report.findings, "problems": report.problems,
                            "suggestions": report.suggestions})
    return report


def _step(user: Any, report: AnalysisReport, *, frm: str, to: str, by: str, at: str, not_by: tuple[str, ...],
          action: str) -> AnalysisReport:
    with transaction.atomic():
        report = AnalysisReport.objects.select_for_update().get(pk=report.pk)
        if report.status != frm:
            raise Conflict(f"报告当前状态为 {report.get_status_display()}, 不能执行此步骤", code=Code.WRONG_STEP)
        if any(getattr(report, f"{field}_id") == user.pk for field in not_by):
            raise Conflict("同一人不能连续办理两个签核步骤", code=Code.SAME_PERSON)
        report.status = to
        setattr(report, by, user)
        setattr(report, at, timezone.now())
        report.save(update_fields=["status", by, at])
        record_event(user, action, report, before={"status": frm}, after={"status": to})
    return report


def do_check_report(user: Any, report: AnalysisReport) -> AnalysisReport:
    return _step(user, report, frm=Status.PREPARED, to=Status.CHECKED, by="checked_by", at="checked_at",
                 not_by=("prepared_by",), action="reports.report_checked")


def do_approve_report(user: Any, report: AnalysisReport) -> AnalysisReport:
    return _step(user, report, frm=Status.CHECKED, to=Status.APPROVED, by="approved_by", at="approved_at",
                 not_by=("checked_by",), action="reports.report_approved")


def do_submit_report(user: Any, report: AnalysisReport) -> AnalysisReport:
    return _step(user, report, frm=Status.APPROVED, to=Status.SUBMITTED, by="submitted_by", at="submitted_at",
                 not_by=(), action="reports.report_submitted")


def changed_figures(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines naming each figure whose value differs between two frozen versions."""
    out = []
    for ind, fig in new.get("by_indicator", {}).items():
        before = old.get("by_indicator", {}).get(ind, {}).get("value")
        if before != fig.get("value"):
            out.append(f"{fig.get('name', ind)}: {before or '无数据'} → {fig.get('value') or '无数据'}")
    return out


def do_correct_report(user: Any, report: AnalysisReport, *, reason: str) -> AnalysisReport:
    """A corrected report: a new version with the figures of today's data, its texts drafted again, and
    ``changes`` saying why and which figures moved. The approved version stays as it was."""
    reason = text(reason, field="reason", label="更正原因", max_length=500)
    if not report.frozen:
        raise Conflict("尚未审批的报告直接修改即可", code=Code.WRONG_STEP)
    period = Period.parse(report.period)
    data = frozen_figures(report.region_id, period)
    texts = findings.draft(data["by_indicator"], period.label)
    with transaction.atomic():
        current = AnalysisReport.objects.select_for_update().get(pk=report.pk)
        if AnalysisReport.objects.filter(supersedes=current).exists():
            raise Conflict("该版本已有更正版本", code=Code.WRONG_STEP)
        moved = changed_figures(current.figures, data)
        changes = "\n".join([f"更正原因: {reason}", *(moved or ["数据未变化"])])
        new = AnalysisReport.objects.create(region_id=current.region_id, kind=current.kind, period=current.period,
                                            version=current.version + 1, supersedes=current,
                                            data_version=data["data_version"], figures=data, prepared_by=user,
                                            changes=changes, **texts)
        record_event(user, "reports.report_corrected", new, before={"version": current.version},
                     after={"version": new.version, "reason": reason})
    return new
