"""Pages of the statistics system: 统计简报, 赔付报表 (monthly / quarterly / annual), 即席查询 with saved views, the
detail list behind every figure (明细清单), the 公示 publication list and the indicator definitions.

Views parse (``core.inputs``, ``Period.parse``), call one query or action, render. ``?export=xlsx|pdf`` renders the
same computed report to a file; every download is one access record.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dae.accounts.permissions import can, can_export
from dae.claims.models import Settlement
from dae.core.access import record_export
from dae.core.errors import InvalidInput
from dae.core.exports import XLSX_TYPE
from dae.core.masking import mask_certno, mask_name
from dae.web.listing import Column, DateRange, HospitalFilter, RegionFilter, ScopedListView

from . import actions, indicator_data, queries
from . import indicators as engine
from . import render as formats
from .codes import Code
from .models import SavedView
from .periods import Period

PDF_TYPE = "application/pdf"


def _download(request: HttpRequest, route: str, content: bytes, name: str, fmt: str) -> HttpResponse:
    """A report file, if the matrix lets the post export ``route``; one access record per download."""
    if not can_export(request.user, route):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(str(_("当前岗位不能导出此报表")))
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX_TYPE if fmt == "xlsx" else PDF_TYPE)
    response["Content-Disposition"] = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quote(name)}.{fmt}"
    record_export(request, route, 0, fmt)
    return response


def _fmt(request: HttpRequest) -> str:
    fmt = request.GET.get("export", "").strip()
    if fmt and fmt not in ("xlsx", "pdf"):
        raise InvalidInput(str(_("导出格式只能是 xlsx 或 pdf")), code=Code.BAD_FORMAT)
    return fmt


def _detail_url(ind: str, period: Period, **dims: str) -> str:
    from urllib.parse import urlencode

    # the cell's dimensions as d_<dim> (the list's own filters keep their names: hospital = a hospital code)
    return reverse("reports:details") + "?" + urlencode({"indicator": ind, "period": period.id,
                                                         **{f"d_{k}": v for k, v in dims.items()}})


def brief(request: HttpRequest) -> HttpResponse:
    """统计简报: one page of the month's key figures with arrows and two charts."""
    period = queries.parse_period(request.GET.get("period"))
    fmt = _fmt(request)
    report = queries.brief(request.user, period)
    context = {"title": _("统计简报"), "report": report, "period": period, "charts": formats.brief_charts(report),
               "links": {f.indicator: _detail_url(f.indicator, period) for f in report["key"]},
               "can_export": can_export(request.user, "reports:brief")}
    if fmt == "xlsx":
        return _download(request, "reports:brief", formats.brief_xlsx(report, request.user), f"统计简报-{period.id}",
                         fmt)
    if fmt == "pdf":
        return _download(request, "reports:brief", formats.pdf(request, "reports/brief_print.html", context),
                         f"统计简报-{period.id}", fmt)
    return render(request, "reports/brief.html", context)


def monthly(request: HttpRequest) -> HttpResponse:
    """赔付报表: the 病历审核和费用支付月报表 for a month, or the same report for a quarter or a year."""
    period = queries.parse_period(request.GET.get("period"))
    fmt = _fmt(request)
    report = queries.monthly_report(request.user, period)
    for row in report["hospitals"]:
        row["link"] = _detail_url("payout_amount", period, hospital=row["hospital_id"])
        row["stays_link"] = _detail_url("admissions", period, hospital=row["hospital_id"])
    context = monthly_context(request.user, period, report)
    if fmt == "xlsx":
        return _download(request, "reports:monthly", formats.monthly_xlsx(report, request.user),
                         f"赔付报表-{period.id}", fmt)
    if fmt == "pdf":
        return _download(request, "reports:monthly", formats.pdf(request, "reports/monthly_print.html", context),
                         f"赔付报表-{period.id}", fmt)
    return render(request, "reports/monthly.html", context)


def monthly_context(user: Any, period: Period, report: dict[str, Any]) -> dict[str, Any]:
    """What the payout report's page and its PDF (direct or as a job) render."""
    return {"title": _("病历审核和费用支付月报表") if period.kind == "month" else _("赔付报表"), "report": report,
            "period": period, "hospital_chart": formats.hospital_chart(report),
            "links": {f.indicator: _detail_url(f.indicator, period) for f in report["key"]},
            "can_export": can_export(user, "reports:monthly")}


def pivot(request: HttpRequest) -> HttpResponse:
    """即席查询: any indicator by one or two dimensions, with a chart, drill-down and saved views."""
    ind_id = request.GET.get("indicator", "payout_amount").strip()
    period = queries.parse_period(request.GET.get("period"))
    dims = tuple(d for d in (request.GET.get("dim1", "hospital_level").strip(), request.GET.get("dim2", "").strip())
                 if d)
    fmt = _fmt(request)
    table = queries.pivot(request.user, ind_id, period, dims)
    version = queries.tables.data_version()
    if fmt == "xlsx":
        return _download(request, "reports:pivot", formats.pivot_xlsx(table, version, request.user),
                         f"即席查询-{ind_id}-{period.id}", fmt)
    ind = table["indicator"]
    for row in table["rows"]:
        row["links"] = []
        for col in table["columns"]:
            keys = {dims[0]: row["key"]}
            if len(dims) == 2:
                keys[dims[1]] = col["key"]
            row["links"].append(_detail_url(ind_id, period, **keys) if _drillable(ind_id, keys) else "")
        row["pairs"] = list(zip(row["cells"], row["links"], strict=True))
    chart = formats.charts.bar_chart([r["name"][:8] for r in table["rows"][:20]],
                                     [(c["name"], [r["cells"][i].value if r["cells"][i] else None
                                                   for r in table["rows"][:20]])
                                      for i, c in enumerate(table["columns"][:5])], title=ind.zh, width=760)
    return render(request, "reports/pivot.html", {
        "title": _("即席查询"), "table": table, "period": period, "dims": dims, "chart": chart,
        "indicators": engine.INDICATORS, "dimensions": [(d, engine.DIMENSIONS[d][0]) for d in ind.dims],
        "views": [(v, view_url(v)) for v in SavedView.objects.filter(owner=request.user)[:50]], "version": version,
        "can_export": can_export(request.user, "reports:pivot")})


@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    view = actions.do_save_view(request.user, name=request.POST.get("name", ""),
                                indicator=request.POST.get("indicator", ""),
                                dims=(request.POST.get("dim1", ""), request.POST.get("dim2", "")),
                                period=request.POST.get("period", ""))
    return redirect(view_url(view))


def view_url(view: SavedView) -> str:
    from urllib.parse import urlencode

    d = [*view.dims.split(","), ""]
    return reverse("reports:pivot") + "?" + urlencode({"indicator": view.indicator, "period": view.period,
                                                       "dim1": d[0], "dim2": d[1]})


@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = queries.access_view_by_id(request, pk)
    actions.do_delete_view(request.user, view)
    return redirect("reports:pivot")


def definitions(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/definitions.html", {"title": _("指标定义"), "rows": engine.registry_rows(),
                                                        "dimensions": engine.DIMENSIONS})


# --- the detail list behind every figure ----------------------------------------------------------------------

STAY_BASED = {i.id for i in engine.INDICATORS if i.date_basis == "dscg_date"}
SETTLEMENT_BASED = {i.id for i in engine.INDICATORS if i.date_basis == "setl_date"}
DRILL_DIMS = {"region": "region_id", "hospital": "hospital_id", "hospital_level": "hospital__level",
              "med_type": "med_type", "place": "place_category", "sex": "person__gend"}


def _drillable(ind_id: str, keys: dict[str, str]) -> bool:
    return (ind_id in STAY_BASED or ind_id in SETTLEMENT_BASED) and all(
        k in DRILL_DIMS or k in ("icd3", "icd_chapter", "month") for k in keys)


def details_queryset(qs: QuerySet[Settlement], params: Any) -> QuerySet[Settlement]:
    """The settlements behind a figure: the indicator's date basis in the period, its filters and the dimension
    values of the cell clicked. Their 大额 total is the figure for payout_amount; stays list their settlements."""
    ind_id = params.get("indicator", "payout_amount")
    if ind_id not in STAY_BASED and ind_id not in SETTLEMENT_BASED:
        raise InvalidInput(str(_("该指标没有结算明细")), code=Code.BAD_INDICATOR)
    period = queries.parse_period(params.get("period"))
    qs = qs.exclude(state__in=("received", "returned", "rejected"))
    if ind_id in STAY_BASED:
        qs = qs.filter(dscg_date__gte=period.start, dscg_date__lt=period.end, med_type__startswith="2",
                       init_setl_id="").exclude(state="cancelled")
        if ind_id.startswith("offsite"):
            qs = qs.exclude(place_category="local")
    else:
        qs = qs.filter(setl_time__date__gte=period.start, setl_time__date__lt=period.end)
        if ind_id in ("claimants", "payout_episodes"):
            qs = qs.filter(hifob_pay__gt=0, init_setl_id="").exclude(state="cancelled")
        if ind_id == "special_outpatient":
            qs = qs.filter(med_type__in=indicator_data.SPECIAL_OUTPATIENT, init_setl_id="").exclude(state="cancelled")
    for dim, path in DRILL_DIMS.items():
        value = params.get(f"d_{dim}", "").strip()
        if value:
            qs = qs.filter(**{path: value})
    icd3 = params.get("d_icd3", "").strip().upper()
    if icd3:
        qs = qs.filter(dise_codg__istartswith=icd3[:3])
    month = params.get("d_month", "").strip()
    if month:
        m = queries.parse_period(month)
        date_path = "dscg_date" if ind_id in STAY_BASED else "setl_time__date"
        qs = qs.filter(**{f"{date_path}__gte": m.start, f"{date_path}__lt": m.end})
    chapter = params.get("d_icd_chapter", "").strip()
    if chapter:
        ranges = [(lo, hi) for lo, hi, ch in indicator_data.ICD_CHAPTERS if ch == chapter]
        cond = Q()
        for lo, hi in ranges:
            cond |= Q(dise_codg__gte=lo, dise_codg__lt=hi + "~")
        qs = qs.filter(cond) if ranges else qs.none()
    return qs


class DetailList(ScopedListView):
    """明细清单: the settlements behind one figure (``?indicator=&period=&hospital=…``)."""

    model = Settlement
    log_access = True
    title = _("明细清单")
    template_name = "reports/details.html"
    columns = (
        Column(_("结算ID"), "setl_id", link="claims:settlement_detail", link_kw="setl_id"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("医疗类别"), "med_type", codelist="med_type"),
        Column(_("入院日期"), "adm_date", kind="date"),
        Column(_("出院日期"), "dscg_date", kind="date"),
        Column(_("结算时间"), "setl_time", kind="datetime"),
        Column(_("医疗费总额"), "medfee_sumamt", css="amount"),
        Column(_("大额基金支付"), "hifob_pay", css="amount"),
        Column(_("状态"), "state"),
    )
    search_fields = ("setl_id", "psn_no")
    filters = (DateRange("setl", _("结算日期"), "setl_time"), RegionFilter(), HospitalFilter())

    def base_queryset(self) -> Any:
        return details_queryset(super().base_queryset().select_related("hospital"), self.request.GET)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ind = engine.REGISTRY.get(self.request.GET.get("indicator", ""))
        context["indicator"] = ind
        context["period"] = queries.parse_period(self.request.GET.get("period"))
        return context


class PublicationList(ScopedListView):
    """公示: benefits paid in a period, names and ID numbers masked as the rules require (姓名 first character
    kept, 身份证号 first 6 and last 4 kept), amounts in full."""

    model = Settlement
    log_access = True
    title = _("大额医疗补助公示名单")
    columns = (
        Column(_("姓名"), lambda s: mask_name(s.person.psn_name), sort=""),
        Column(_("身份证号"), lambda s: mask_certno(s.person.certno or ""), sort=""),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("出院日期"), "dscg_date", kind="date"),
        Column(_("医疗费总额"), "medfee_sumamt", css="amount"),
        Column(_("大额基金支付"), "hifob_pay", css="amount"),
        Column(_("支付日期"), "paid_on", kind="date"),
    )
    filters = (DateRange("paid", _("支付日期"), "paid_on"), RegionFilter(), HospitalFilter())

    def base_queryset(self) -> Any:
        return (super().base_queryset().filter(state="paid", hifob_pay__gt=0, init_setl_id="")
                .select_related("person", "hospital").order_by("-paid_on", "id"))


def money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def can_sign(user: Any, step: str) -> bool:
    return can(user, f"reports:report_{step}")


def dashboard(request: HttpRequest) -> HttpResponse:
    """统计看板 per post (manager, supervisor, finance, reviewer; others see the manager's) with period, region and
    hospital filters; every figure with settlements behind it links to its detail list; a year of payouts as a
    chart."""
    from dae.catalog.models import Hospital
    from dae.web.who import post_of, region_choices

    period = queries.parse_period(request.GET.get("period"))
    regions = region_choices(request)
    region = request.GET.get("region", "").strip()
    region = region if region in {code for code, _label in regions} else ""
    hospital = request.GET.get("hospital", "").strip()
    hospitals = Hospital.objects.for_user(request.user).order_by("code")
    if region:
        hospitals = hospitals.filter(region_id=region)
    choices = [(str(pk), name) for pk, name in hospitals.values_list("pk", "name")[:500]]
    hospital = hospital if hospital in {k for k, _n in choices} else ""
    reader = queries.Narrowed(request.user, region, hospital)
    post = post_of(request)
    ids = queries.DASHBOARDS.get(post, queries.DASHBOARDS["manager"])
    with queries.tables.pinned():
        figs, version = queries.figures(reader, ids, period)
        months = queries._twelve_months(period)
        payouts = queries.series(reader, "payout_amount", months)
    chart = formats.charts.bar_chart([p.id[5:] + "月" for p in months], [("大额赔付金额 (元)", [v for _p, v in payouts])],
                                     title="近12个月大额赔付金额")
    dims = {k: v for k, v in (("region", region), ("hospital", hospital)) if v}
    links = {f.indicator: _detail_url(f.indicator, period, **dims) for f in figs
             if f.indicator in STAY_BASED or f.indicator in SETTLEMENT_BASED}
    return render(request, "reports/dashboard.html", {
        "title": _("统计看板"), "figures": figs, "version": version, "period": period, "chart": chart,
        "links": links, "regions": regions, "region": region, "hospitals": choices, "hospital": hospital})


def work(request: HttpRequest) -> HttpResponse:
    """工作量统计 for the service-quality assessment: per person, for the manager (never shown to peers)."""
    period = queries.parse_period(request.GET.get("period"))
    return render(request, "reports/work.html", {"title": _("工作量统计"), "period": period,
                                                 "rows": queries.work_stats(request.user, period),
                                                 "target": queries.ERROR_TARGET})


# --- long exports as jobs (正在生成…) ----------------------------------------------------------------------------


@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    """Start the export of a payout report or an analysis report as a job and show its progress."""
    from .exports import start_export

    job = start_export(request.user, report=request.POST.get("report", ""), fmt=request.POST.get("fmt", ""),
                       period=request.POST.get("period", ""), pk=request.POST.get("pk") or None)
    return redirect("reports:export_detail", job.pk)


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The export job's progress bar (正在生成…), then the link to the file."""
    from dae.core.jobs import live_state

    from .exports import access_export_job_by_id

    job = live_state(access_export_job_by_id(request, pk))
    return render(request, "reports/export_job.html", {"title": _("报表导出"), "job": job})


def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished file, for its requester if the post may still export the report (one access record)."""
    from .exports import access_export_job_by_id, finished_file

    path, result = finished_file(access_export_job_by_id(request, pk))
    return _download(request, str(result["route"]), path.read_bytes(), str(result["name"]), str(result["fmt"]))
