"""Pages of the analysis reports (政府报告: 运行分析报告) and their sign-off: the list (and preparing a new one), a
report with its frozen figures, charts and texts (editable until checked), and one POST per step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dae.accounts.permissions import can, can_export
from dae.core.scoping import access_by_id
from dae.web.listing import Column, Filter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from . import charts, queries
from . import render as formats
from .actions import signoff
from .models import AnalysisReport
from .periods import Period


def access_report_by_id(request: HttpRequest, pk: Any) -> AnalysisReport:
    return access_by_id(AnalysisReport, request, pk)


class ReportList(ScopedListView):
    """运行分析报告: the reports as a list (filters by region, kind, status and period; export), preparing a new
    one above it. The reports carry no money column of their own: no totals."""

    model = AnalysisReport
    title = _("运行分析报告")
    template_name = "reports/report_list.html"
    columns = (
        Column(_("报告"), "kind", link="reports:report_detail"),
        Column(_("统筹区"), "region.name"),
        Column(_("统计期"), "period"),
        Column(_("版本"), lambda r: f"v{r.version}", sort="version"),
        Column(_("状态"), "status"),
        Column(_("编制人"), "prepared_by"),
        Column(_("审批人"), lambda r: r.approved_by or "", sort="approved_by__username"),
    )
    search_fields = ("period__icontains",)
    search_placeholder = _("统计期，如 2026Q1")
    filters = (
        RegionFilter(),
        Filter("kind", _("报告类型"), "kind", AnalysisReport.Kind.choices),
        Filter("status", _("状态"), "status", AnalysisReport.Status.choices),
    )
    empty_hint = _("管理岗或财务岗在上方选择统筹区和统计期后编制。")

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "prepared_by", "approved_by")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        period = queries.parse_period(request.POST.get("period"), "year")
        report = signoff.do_prepare_report(request.user, region=request.POST.get("region", ""), period=period)
        return redirect("reports:report_detail", report.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions=region_choices(self.request), can_prepare=can(self.request.user, "reports:report_list"))
        return context


report_list = ReportList.as_view()


def _chart(report: AnalysisReport) -> str:
    rows = report.figures.get("hospitals", [])[:10]
    return charts.bar_chart([r["hospital"][:6] for r in rows],
                            [("大额赔付金额 (元)", [None if r.get("payout_amount") is None else Decimal(r["payout_amount"])
                                              for r in rows])], title="赔付金额前10位医疗机构", width=720)


def report_context(report: AnalysisReport) -> dict[str, Any]:
    """What the report's page and its PDF (direct or as a job) render."""
    return {"title": report.get_kind_display(), "report": report, "figures": report.figures,
            "period": Period.parse(report.period), "chart": _chart(report)}


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report_by_id(request, pk)
    if request.method == "POST":
        signoff.do_edit_report(request.user, report, findings_text=request.POST.get("findings", ""),
                               problems=request.POST.get("problems", ""),
                               suggestions=request.POST.get("suggestions", ""))
        return redirect("reports:report_detail", report.pk)
    context = {**report_context(report),
               "can_edit": report.status == AnalysisReport.Status.PREPARED and can(request.user, "reports:report_detail"),
               "can_check": report.status == "prepared" and can(request.user, "reports:report_check"),
               "can_approve": report.status == "checked" and can(request.user, "reports:report_approve"),
               "can_submit": report.status == "approved" and can(request.user, "reports:report_submit"),
               "can_correct": report.frozen and can(request.user, "reports:report_correct"),
               "can_export": can_export(request.user, "reports:report_detail")}
    if request.GET.get("export") == "pdf":
        from .views import _download

        return _download(request, "reports:report_detail",
                         formats.pdf(request, "reports/report_print.html", context),
                         f"运行分析报告-{report.region_id}-{report.period}-v{report.version}", "pdf")
    return render(request, "reports/report_detail.html", context)


@require_POST
def report_check(request: HttpRequest, pk: int) -> HttpResponse:
    signoff.do_check_report(request.user, access_report_by_id(request, pk))
    return redirect("reports:report_detail", pk)


@require_POST
def report_approve(request: HttpRequest, pk: int) -> HttpResponse:
    signoff.do_approve_report(request.user, access_report_by_id(request, pk))
    return redirect("reports:report_detail", pk)


@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    signoff.do_submit_report(request.user, access_report_by_id(request, pk))
    return redirect("reports:report_detail", pk)


@require_POST
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    new = signoff.do_correct_report(request.user, access_report_by_id(request, pk),
                                    reason=request.POST.get("reason", ""))
    return redirect("reports:report_detail", new.pk)
