"""Pages of fund forecasting and warnings (基金预测预警): the forecast of a region with its intervals and
back-test, the warnings list (a history per indicator through its filter), a warning with its evidence, and
the manager's dated thresholds. Input is read by ``core.inputs``; each post calls one action; who may do what
comes from the permission matrix (``can``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.benefits.engine.errors import EngineError
from dae.core import inputs
from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView, TextFilter, header_lines
from dae.web.who import region_choices

from . import actions, queries, services
from .engine import NAIVE, SNAIVE
from .history import complete_through
from .models import Alert, Budget, ForecastRun, Indicator, Scenario, Threshold

METRIC_LABELS = {
    "payout": _("大额基金支付（元）"),
    "settlements": _("结算笔数"),
    "admissions": _("住院人次"),
    "medical_cost": _("医疗费用总额（元）"),
    "cost_per_stay": _("次均费用（元）"),
}
MODEL_LABELS = {
    "AutoETS": _("指数平滑（AutoETS，季节周期 12 个月）"),
    SNAIVE: _("季节朴素法（去年同月）"),
    NAIVE: _("朴素法（上月值）"),
}
REASON_LABELS = {
    "seasonal": "",
    "short": _("历史不足 24 个月，无法估计季节性趋势模型，改用季节朴素法。"),
    "very_short": _("历史不足 13 个月，只能用上月值外推，区间较宽，仅供参考。"),
    "constant": _("历史数值不变，只能用上月值外推。"),
}


def _region(request: HttpRequest) -> str:
    choices = region_choices(request)
    if not choices:
        raise Http404()
    wanted = request.GET.get("region", "").strip()
    return wanted if wanted in {c for c, _n in choices} else choices[0][0]


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _shown(metric: str, value: int) -> Any:
    return _yuan(value) if services.money_metric(metric) else value


def _metric_view(name: str, data: dict[str, Any], months: list[str]) -> dict[str, Any]:
    points = data["points"]
    last_year = int(months[-1][:4])
    rest = [p for p in points if int(p["month"][:4]) == last_year]
    year_actual = sum(v for m, v in zip(months, data["values"], strict=True) if m.startswith(str(last_year)))
    rows = [{"month": p["month"], **{k: _shown(name, p[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")}}
            for p in points]
    bt = data.get("backtest")
    chart = {"months": months[-36:] + [p["month"] for p in points],
             "history": [str(_shown(name, v)) for v in data["values"][-36:]] + [None] * len(points),
             "mean": [None] * len(months[-36:]) + [str(_shown(name, p["mean"])) for p in points],
             "lo95": [None] * len(months[-36:]) + [str(_shown(name, p["lo95"])) for p in points],
             "width": [None] * len(months[-36:]) + [str(_shown(name, p["hi95"] - p["lo95"])) for p in points],
             "names": {"history": gettext("实际"), "mean": gettext("预测"), "band": gettext("95% 区间")}}
    return {
        "name": name, "label": METRIC_LABELS[name], "model": MODEL_LABELS.get(data["model"], data["model"]),
        "reason": REASON_LABELS.get(data["reason"], ""), "rows": rows, "next3": rows[:3],
        "year_end": {"year": last_year, "actual": _shown(name, year_actual),
                     "rest": _shown(name, sum(p["mean"] for p in rest)), "months": len(rest),
                     "total": _shown(name, year_actual + sum(p["mean"] for p in rest))}
        if name not in ("cost_per_stay",) else None,
        "backtest": bt, "baseline": MODEL_LABELS.get(bt["baseline"], bt["baseline"]) if bt else "",
        "chart": chart, "chart_id": f"chart-data-{name}",
    }


def forecast_page(request: HttpRequest) -> HttpResponse:
    region = _region(request)
    if request.method == "POST":
        try:
            through = inputs.month(request.POST.get("through") or f"{complete_through(timezone.localdate()):%Y-%m}",
                                   field="through", label="截止月份")
            run = actions.do_make_forecast(request.user, region, through=through)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("预测完成（用时 %(s)s 秒）") % {"s": run.seconds})
        return redirect(f"{request.path}?region={region}")
    run_id = request.GET.get("run")
    run = queries.access_run_by_id(request, run_id) if run_id else queries.latest_run(request.user, region)
    metrics = []
    if run is not None:
        months = run.results["history"]["months"]
        metrics = [_metric_view(name, data, months) for name, data in run.results["metrics"].items()]
    runs = ForecastRun.objects.for_user(request.user).filter(region_id=region)[:10]
    return render(request, "forecast/forecast.html", {
        "title": _("基金预测"), "run": run, "metrics": metrics, "runs": runs, "region": region,
        "regions": region_choices(request), "can_run": can(request.user, "forecast:forecast"),
        "default_through": f"{complete_through(timezone.localdate()):%Y-%m}"})


class AlertList(ScopedListView):
    model = Alert
    title = _("基金预警")
    columns = (
        Column(_("期间"), "period"),
        Column(_("统筹区"), "region.name", sort="region"),
        Column(_("预警指标"), "get_indicator_display", sort="indicator"),
        Column(_("级别"), "get_level_display", sort="level"),
        Column(_("指标值"), "figure", kind="text"),
        Column(_("预警线"), "threshold", kind="text"),
        Column(_("说明"), "message", link="forecast:alert_detail"),
        Column(_("状态"), "get_status_display", sort="status"),
        Column(_("预警时间"), "raised_at", kind="datetime"),
    )
    filters = (
        RegionFilter(),
        Filter("indicator", _("预警指标"), "indicator", Indicator.choices),
        Filter("level", _("级别"), "level", Alert.Level.choices),
        Filter("status", _("状态"), "status", Alert.Status.choices),
    )
    search_fields = ("message", "period")
    search_placeholder = _("说明 / 期间")
    empty_hint = _("没有预警。管理岗可在“预警阈值”页按月检查各项指标。")

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("region")


def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = queries.access_alert_by_id(request, pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            note = inputs.text(request.POST.get("note", ""), field="note", label="说明", max_length=300,
                               required=False)
            if step == "acknowledge":
                actions.do_acknowledge_alert(request.user, alert, note)
                messages.success(request, gettext("已确认知悉"))
            elif step == "close":
                actions.do_close_alert(request.user, alert, note)
                messages.success(request, gettext("预警已关闭"))
            else:
                messages.error(request, gettext("未知的操作"))
        except DaeError as exc:
            messages.error(request, exc.message)
        return redirect("forecast:alert_detail", pk=alert.pk)
    history = Alert.objects.for_user(request.user).filter(region_id=alert.region_id, indicator=alert.indicator,
                                                           subject=alert.subject).exclude(pk=alert.pk)[:24]
    evidence = [(EVIDENCE_LABELS.get(k, k), v) for k, v in alert.evidence.items()
                if k not in ("unit", "yellow", "red", "threshold_from") and v not in ("", None)]
    return render(request, "forecast/alert_detail.html", {
        "title": _("基金预警"), "alert": alert, "evidence": evidence, "history": history,
        "can_decide": can(request.user, "forecast:alert_detail")})


EVIDENCE_LABELS = {
    "month": _("月份"), "payout": _("当月大额基金支付（元）"), "compare_month": _("比较月份"),
    "compare_payout": _("比较月大额基金支付（元）"), "funds_raised": _("年度筹集资金（元）"),
    "paid_to_date": _("本年已支付（元）"), "through": _("数据截至"), "projected_rest": _("预测剩余月份支付（元）"),
    "months_projected": _("预测月数"), "model": _("预测模型"), "projected_year": _("预计全年支付（元）"),
    "remaining": _("可用资金（元）"), "average_month": _("近 12 个月月均支付（元）"), "months_averaged": _("平均月数"),
    "hospital": _("医疗机构"), "cost_per_stay": _("本期次均费用（元）"), "stays": _("本期住院人次"),
    "cost_per_stay_before": _("上年同期次均费用（元）"), "stays_before": _("上年同期住院人次"),
    "growth": _("次均费用增长（%）"), "peer_median": _("同级医院增长中位数（%）"), "peers": _("同级医院数"),
    # risk-adjustment fund (风险调节基金) in the months payable
    "fund_balance": _("基金余额（元）"), "risk_adjustment": _("风险调节基金余额（元）"), "balance_basis": _("可用资金口径"),
}


class ThresholdList(ScopedListView):
    """预警阈值: the levels in force by indicator, the manager's forms (a new dated setting; check a month and raise
    warnings), and every setting as a list (filters by indicator and date; export)."""

    model = Threshold
    title = _("预警阈值")
    template_name = "forecast/thresholds.html"
    columns = (
        Column(_("预警指标"), "indicator"),
        Column(_("黄色"), "yellow", css="text-end"),
        Column(_("红色"), "red", css="text-end"),
        Column(_("生效日期"), "effective_from", kind="date"),
        Column(_("说明"), "note"),
        Column(_("设置人"), lambda r: r.created_by or "", sort="created_by__username"),
        Column(_("设置时间"), "created_at", kind="datetime"),
    )
    search_fields = ("note__icontains",)
    search_placeholder = _("说明")
    filters = (Filter("indicator", _("预警指标"), "indicator", Indicator.choices),
               DateRange("effective", _("生效日期"), "effective_from"))

    def base_queryset(self) -> Any:
        return Threshold.objects.select_related("created_by")  # system-wide levels, not in a region

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("step", "set")
        try:
            if action == "raise":
                region = inputs.region(request.user, request.POST.get("region"))
                period = inputs.month(request.POST.get("period"), field="period", label="期间")
                raised = actions.do_raise_alerts(request.user, region, period)
                messages.success(request, gettext("检查完成，新增预警 %(n)s 条") % {"n": len(raised)})
                return redirect("forecast:alert_list")
            indicator = request.POST.get("indicator", "")
            actions.do_set_threshold(
                request.user, indicator=indicator,
                yellow=inputs.signed_amount(request.POST.get("yellow"), field="yellow", label="黄色预警线",
                                            maximum=Decimal(100000)),
                red=inputs.signed_amount(request.POST.get("red"), field="red", label="红色预警线",
                                         maximum=Decimal(100000)),
                effective_from=inputs.date(request.POST.get("effective_from"), field="effective_from",
                                           label="生效日期"),
                note=inputs.text(request.POST.get("note", ""), field="note", label="说明", max_length=200,
                                 required=False))
            messages.success(request, gettext("预警阈值已保存"))
        except DaeError as exc:
            messages.error(request, exc.message)
        return redirect("forecast:thresholds")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        current = []
        for value, label in Indicator.choices:
            level = services.level_on(value, today)
            current.append({"value": value, "label": label, "yellow": level.yellow, "red": level.red,
                            "unit": level.unit, "from": level.effective_from,
                            "direction": gettext("高于") if level.higher_is_worse else gettext("低于"),
                            "source": services.DEFAULTS[value].source})
        context.update(current=current, indicators=Indicator.choices, regions=region_choices(self.request),
                       today=today, default_period=f"{complete_through(today):%Y-%m}",
                       can_edit=can(self.request.user, "forecast:thresholds"))
        return context


thresholds = ThresholdList.as_view()




# -- annual payout budget ----------------------------------------------------------------------------------

class BudgetList(ScopedListView):
    """年度赔付预算: the budget versions as a list (filters by region, status and approval date; export), drafting
    one from the forecast above it. Versions of a year are not added up (a new version replaces the one before),
    so there is no totals row; each budget's months are on its page."""

    model = Budget
    title = _("年度赔付预算")
    template_name = "forecast/budget_list.html"
    columns = (
        Column(_("统筹区"), "region.name"),
        Column(_("年度"), "year", link="forecast:budget_detail", kind="int"),
        Column(_("版本"), "version", kind="int"),
        Column(_("状态"), "status"),
        Column(_("编制或修订原因"), "reason"),
        Column(_("编制人"), lambda b: b.created_by or "—", sort="created_by__username"),
        Column(_("批准时间"), "approved_at", kind="datetime"),
    )
    search_fields = ("reason__icontains",)
    search_placeholder = _("编制或修订原因")
    filters = (
        RegionFilter(),
        Filter("status", _("状态"), "status", Budget.Status.choices),
        DateRange("approved", _("批准时间"), "approved_at"),
    )
    empty_hint = _("管理岗在上方选择统筹区和年度，依据预测编制预算。")

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "created_by")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            region = inputs.region(request.user, request.POST.get("region"))
            year = inputs.year(request.POST.get("year"))
            budget = actions.do_draft_budget(request.user, region, year)
        except DaeError as exc:
            messages.error(request, exc.message)
            return redirect("forecast:budget_list")
        messages.success(request, gettext("已依据预测编制预算草稿"))
        return redirect("forecast:budget_detail", pk=budget.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions=region_choices(self.request), year=timezone.localdate().year,
                       can_edit=can(self.request.user, "forecast:budget_list"))
        return context


budget_list = BudgetList.as_view()


def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = queries.access_budget_by_id(request, pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "edit":
                amounts = {m: inputs.amount(request.POST.get(f"m{m}"), field=f"m{m}", label=f"{m} 月预算",
                                            maximum=inputs.FUND_MAX)
                           for m in range(1, 13) if request.POST.get(f"m{m}", "").strip()}
                actions.do_edit_budget(request.user, budget, amounts)
                messages.success(request, gettext("预算已保存"))
            elif step == "approve":
                actions.do_approve_budget(request.user, budget)
                messages.success(request, gettext("预算已批准并冻结"))
            elif step == "revise":
                revision = actions.do_revise_budget(request.user, budget, request.POST.get("reason", ""))
                messages.success(request, gettext("已建立修订版本"))
                return redirect("forecast:budget_detail", pk=revision.pk)
            else:
                messages.error(request, gettext("未知的操作"))
        except DaeError as exc:
            messages.error(request, exc.message)
        return redirect("forecast:budget_detail", pk=budget.pk)
    from .budget import execution
    from .history import region_series

    series = region_series(budget.region_id)
    rest = None
    if series is not None and series.last.year == budget.year:
        rest = services.year_end_payout(series, series.last)[1]
    ex = execution(budget, series, projected_rest_fen=rest)
    level = services.level_on(Indicator.BUDGET_DEVIATION, timezone.localdate())
    versions = Budget.objects.for_user(request.user).filter(region_id=budget.region_id, year=budget.year)
    return render(request, "forecast/budget_detail.html", {
        "title": _("年度赔付预算"), "budget": budget, "ex": ex, "versions": versions, "level": level,
        "can_edit": can(request.user, "forecast:budget_detail")})


# -- policy simulation (政策测算) ----------------------------------------------------------------------------

#: The parameters the form may change, with their labels; only filled ones become changes of the draft.
SIM_PARAMS = (
    ("entry_threshold", _("起付线（元）"), "amount"),
    ("annual_maximum", _("年度最高赔付限额（元）"), "amount"),
    ("segments.0.ratio", _("第一段赔付比例"), "ratio"),
    ("segments.1.ratio", _("第二段赔付比例"), "ratio"),
    ("segments.2.ratio", _("第三段赔付比例"), "ratio"),
    ("segments.0.upper", _("第一段上限（元）"), "amount"),
    ("segments.1.upper", _("第二段上限（元）"), "amount"),
    ("first_self_pay.class_b_drugs", _("乙类药品先行自付比例"), "ratio"),
    ("first_self_pay.class_b_treatment_items", _("乙类诊疗项目先行自付比例"), "ratio"),
    ("place_adjustments.self_referred", _("自行异地就医比例调整"), "signed_ratio"),
    ("place_adjustments.long_term_offsite_not_direct", _("异地未直接结算比例调整"), "signed_ratio"),
    ("dialysis.per_session_limit", _("透析每次限额（元）"), "amount"),
)
LEVEL_NAMES_LIST = "hosp_lv"


def _sim_request(request: HttpRequest, params: Any) -> dict[str, Any] | None:
    """Read the simulation's inputs (region, year, draft version or the published one, changed parameters)."""
    from dae.benefits.models import RuleSetVersion
    from dae.benefits.queries import published_versions, ruleset_for_region

    if not params.get("year"):
        return None
    region = inputs.region(request.user, params.get("region"))
    year = inputs.year(params.get("year"))
    ruleset = ruleset_for_region(region)
    if ruleset is None:
        raise DaeError("该统筹区尚未设置补偿规则", code="no_ruleset")
    draft_id = (params.get("draft") or "").strip()
    if draft_id:
        base = RuleSetVersion.objects.get(pk=inputs.object_id(draft_id), ruleset=ruleset)
    else:
        base = published_versions(ruleset).last()
        if base is None:
            raise DaeError("该统筹区尚无已发布的规则版本", code="no_ruleset")
    changes: dict[str, str] = {}
    for key, label, kind in SIM_PARAMS:
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        if kind == "amount":
            value = inputs.amount(raw, field=key, label=str(label), maximum=inputs.FUND_MAX)
        elif kind == "ratio":
            value = inputs.ratio(raw, field=key, label=str(label))
        else:
            value = inputs.amount(raw, field=key, label=str(label), minimum=Decimal(-1), maximum=Decimal(1),
                                  places=4)
        changes[key] = str(value)
    from .simulation import with_changes

    return {"region": region, "year": year, "base": base, "changes": changes,
            "document": with_changes(base.document, changes)}


def _level_name(code: str) -> str:
    from dae.dictionaries.codes import label

    return str(label(LEVEL_NAMES_LIST, code) or code)


def _sim_view(results: dict[str, Any]) -> dict[str, Any]:
    """The figures for the page (yuan as Decimal, names instead of codes)."""
    from dae.claims.models import Settlement as S
    from dae.core.masking import mask_name
    from dae.enrollment.models import Person

    places = dict(S.PlaceCategory.choices)

    def rows(items: list[dict[str, Any]], name: Any = str) -> list[dict[str, Any]]:
        return [{"key": name(i["key"]), "current": _yuan(i["current"]), "draft": _yuan(i["draft"]),
                 "change": _yuan(i["change"]), "settlements": i["settlements"]} for i in items]

    names = dict(Person.objects.filter(psn_no__in=[t["psn_no"] for t in results["top"]])
                 .values_list("psn_no", "psn_name"))
    t = results["totals"]
    return {
        "totals": {k: _yuan(v) for k, v in t.items()},
        "change_pct": (Decimal(t["change"]) * 100 / Decimal(t["current"])).quantize(Decimal("0.01"))
        if t["current"] else None,
        "by_level": rows(results["by_level"], _level_name), "by_place": rows(results["by_place"],
                                                                             lambda k: str(places.get(k, k))),
        "by_month": rows(results["by_month"]), "by_segment": rows(results["by_segment"]),
        "by_region": rows(results["by_region"]),
        "top": [{"psn_no": r["psn_no"], "name": mask_name(names.get(r["psn_no"], "")),
                 "current": _yuan(r["current"]), "draft": _yuan(r["draft"]), "change": _yuan(r["change"]),
                 "explain": results.get("explanations", {}).get(r["psn_no"])} for r in results["top"]],
        "chart": {"labels": [b["band"] for b in results["bands"]],
                  "values": [b["persons"] for b in results["bands"]], "name": gettext("人数")},
    }


def simulation_page(request: HttpRequest) -> HttpResponse:
    from dae.benefits.models import RuleSetVersion

    region = _region(request)
    results, view, error, sim = None, None, None, None
    source = request.POST if request.method == "POST" else request.GET
    try:
        sim = _sim_request(request, source)
        if sim is not None:
            from .simulation import simulate

            results = simulate(sim["region"], sim["year"], sim["document"])
            view = _sim_view(results)
            if request.method == "POST":
                scenario = actions.do_save_scenario(
                    request.user, region=sim["region"], year=sim["year"], name=request.POST.get("name", ""),
                    draft_document=sim["document"], results=results, changes=sim["changes"],
                    draft_version=sim["base"] if sim["base"].status == RuleSetVersion.Status.DRAFT else None)
                messages.success(request, gettext("测算方案已保存"))
                return redirect("forecast:scenario_detail", pk=scenario.pk)
    except DaeError as exc:
        error = exc.message
    except EngineError as exc:
        error = gettext("规则或结算数据无法计算：%(e)s") % {"e": str(exc)[:300]}
    except RuleSetVersion.DoesNotExist:
        error = gettext("草案规则版本不存在")
    drafts = RuleSetVersion.objects.for_user(request.user).filter(ruleset__region_id=region).order_by(
        "-created_at")
    query = request.GET.urlencode()
    return render(request, "forecast/simulation.html", {
        "title": _("政策测算"), "region": region, "regions": region_choices(request), "drafts": drafts,
        "params": [(k, label, source.get(k, "")) for k, label, _kind in SIM_PARAMS], "values": source,
        "year": source.get("year") or str(timezone.localdate().year - 1), "results": results, "view": view,
        "error": error, "query": query, "can_save": can(request.user, "forecast:simulation"),
        "groups": _groups(view) if view else []})


def _simulated(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The simulation an export asks for (the page's inputs in the query): its inputs and its results; 404 when it
    asks for none, the engine's refusal as a DaeError."""
    from .simulation import simulate

    sim = _sim_request(request, request.GET)
    if sim is None:
        raise Http404()
    try:
        return sim, simulate(sim["region"], sim["year"], sim["document"])
    except EngineError as exc:
        raise DaeError(gettext("规则或结算数据无法计算：%(e)s") % {"e": str(exc)[:300]},
                       code="simulation_failed") from exc


def simulation_export(request: HttpRequest) -> HttpResponse:
    """The simulation's side-by-side figures as one workbook (one sheet per breakdown), through core.exports."""
    from dae.core import exports
    from dae.core.access import record_export

    sim, results = _simulated(request)
    view = _sim_view(results)
    money = [exports.ExportColumn(gettext("分组"), "text", 22), exports.ExportColumn(gettext("现行规则（元）"), "money"),
             exports.ExportColumn(gettext("草案规则（元）"), "money"), exports.ExportColumn(gettext("变化（元）"), "money"),
             exports.ExportColumn(gettext("结算笔数"), "int")]

    def sheet(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [[r["key"], r["current"], r["draft"], r["change"], r["settlements"]] for r in rows]

    header = [f"{gettext('政策测算')} {sim['region']} {sim['year']}  {gettext('草案')} {sim['base'].version} "
              f"{json_changes(sim['changes'])}",
              f"{gettext('数据版本')} {results['data_version'][:16]}  {gettext('结果摘要')} {results['digest'][:16]}",
              f"{gettext('导出人')} {request.user}  {timezone.localtime():%Y-%m-%d %H:%M}"]
    total = view["totals"]
    top_cols = [exports.ExportColumn(gettext("人员编号"), "text"), exports.ExportColumn(gettext("姓名"), "text"),
                exports.ExportColumn(gettext("现行规则（元）"), "money"),
                exports.ExportColumn(gettext("草案规则（元）"), "money"), exports.ExportColumn(gettext("变化（元）"), "money")]
    content = exports.xlsx_bytes([
        (gettext("按统筹区"), money, sheet(view["by_region"])),
        (gettext("按医院等级"), money, sheet(view["by_level"])),
        (gettext("按就医地类别"), money, sheet(view["by_place"])),
        (gettext("按大额基数分段"), money, sheet(view["by_segment"])),
        (gettext("按月份"), money, sheet(view["by_month"])),
        (gettext("变化最大的人员"), top_cols,
         [[r["psn_no"], r["name"], r["current"], r["draft"], r["change"]] for r in view["top"]]),
    ], header_lines=header, totals=[gettext("合计"), total["current"], total["draft"], total["change"],
                                    results["settlements"]])
    record_export(request, "forecast:simulation_export", results["settlements"], "xlsx")
    return exports.export_response(content, f"policy-simulation-{sim['region']}-{sim['year']}", "xlsx")


def _doc_value(document: dict[str, Any], path: str) -> Any:
    """The value at a form parameter's path (``segments.0.ratio``) in a rule document; None if absent."""
    target: Any = document
    for part in path.split("."):
        if isinstance(target, list):
            index = int(part)
            if index >= len(target):
                return None
            target = target[index]
        elif isinstance(target, dict):
            if part not in target:
                return None
            target = target[part]
        else:
            return None
    return target


def _param_diffs(current: dict[str, Any], draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's parameters whose value differs between the current rules and the draft (Chinese labels)."""
    out = []
    for key, label, _kind in SIM_PARAMS:
        old, new = _doc_value(current, key), _doc_value(draft, key)
        if str(old) != str(new):
            out.append({"label": label, "old": "—" if old is None else old, "new": "—" if new is None else new})
    return out


def _sim_pdf(request: HttpRequest, route: str, *, region: str, year: int, draft_name: str,
             draft_document: dict[str, Any], results: dict[str, Any], name: str, scenario: Any = None) -> HttpResponse:
    """The simulation as a PDF to sign and file: the two rule sets by name and version, the differing parameters,
    the totals and fund impact, every breakdown of the page, the distribution chart as vector SVG, who exported
    when and the result digest. One access record per download, like the workbook."""
    from urllib.parse import quote

    from dae.benefits.queries import published_versions, ruleset_for_region
    from dae.core.access import record_export
    from dae.core.models import Region
    from dae.reports import charts
    from dae.reports.render import pdf

    ruleset = ruleset_for_region(region)
    if ruleset is None:
        raise DaeError(gettext("该统筹区尚未设置补偿规则"), code="no_ruleset")
    current = published_versions(ruleset).last()
    view = _sim_view(results)
    region_names = dict(Region.objects.filter(pk__in=[r["key"] for r in view["by_region"]]).values_list("pk", "name"))
    view["by_region"] = [{**r, "key": region_names.get(r["key"], r["key"])} for r in view["by_region"]]
    chart = charts.bar_chart([str(label) for label in view["chart"]["labels"]],
                             [(gettext("人数"), [Decimal(v) for v in view["chart"]["values"]])],
                             title=gettext("每人变化分布（元）"), width=680)
    region_obj = Region.objects.filter(pk=region).first()
    content = pdf(request, "forecast/simulation_print.html", {
        "title": _("政策测算报告"), "scenario": scenario, "year": year,
        "region_name": region_obj.name if region_obj else region, "ruleset": ruleset,
        "current_versions": results.get("current_versions", []), "draft_name": draft_name,
        "diffs": _param_diffs(current.document if current else {}, draft_document),
        "results": results, "view": view, "groups": _groups(view), "chart": chart,
        "exported_by": request.user, "exported_at": timezone.localtime()})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (f"attachment; filename=\"policy-simulation.pdf\"; "
                                       f"filename*=UTF-8''{quote(name)}.pdf")
    record_export(request, route, results["settlements"], "pdf")
    return response


def simulation_pdf(request: HttpRequest) -> HttpResponse:
    """The simulation's result (the same inputs as the page and the workbook) as a PDF."""
    sim, results = _simulated(request)
    base = sim["base"]
    return _sim_pdf(request, "forecast:simulation_pdf", region=sim["region"], year=sim["year"],
                    draft_name=f"{base.ruleset.name} {base.version}（{base.get_status_display()}）",
                    draft_document=sim["document"], results=results,
                    name=f"政策测算-{sim['region']}-{sim['year']}")


def scenario_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved scenario's figures (as saved, with their digest) as a PDF."""
    scenario = queries.access_scenario_by_id(request, pk)
    draft = scenario.draft_version
    draft_name = (f"{draft.ruleset.name} {draft.version}" if draft is not None
                  else f"{scenario.draft_document.get('version', '')}")
    return _sim_pdf(request, "forecast:scenario_pdf", region=scenario.region_id, year=scenario.year,
                    draft_name=draft_name, draft_document=scenario.draft_document, results=scenario.results,
                    name=f"测算方案-{scenario.name}", scenario=scenario)


def json_changes(changes: dict[str, str]) -> str:
    return "；".join(f"{k}={v}" for k, v in changes.items()) or gettext("无参数调整")


def _scenario_figure(key: str) -> Any:
    """A scenario's stored total (fen in ``results``) in yuan, for a money column."""
    def figure(scenario: Scenario) -> Decimal | str:
        value = (scenario.results or {}).get("totals", {}).get(key)
        return "" if value is None else _yuan(int(value))
    return figure


def _scenario_rerun(scenario: Scenario) -> str:
    if scenario.last_rerun_at is None:
        return "—"
    return gettext("一致") if scenario.last_rerun_same else gettext("不同")


def _compare_cell(scenario: Scenario) -> Any:
    return format_html('<input type="checkbox" class="form-check-input" name="compare" value="{}" form="compare-form"'
                       ' aria-label="{}">', scenario.pk, scenario.name)


class ScenarioList(ScopedListView):
    """测算方案: the saved simulation scenarios as a list (filters by save date, region and name; export), the
    figures of each row read from the scenario's stored results. Tick boxes in the rows and 只比较勾选的方案 below
    narrow the list to the ticked scenarios (``compare=``, kept through the filters and in the export). A
    scenario's fund impact summed across scenarios means nothing, so there is no totals row."""

    model = Scenario
    title = _("测算方案")
    template_name = "forecast/scenario_list.html"
    columns = (
        Column("", _compare_cell, export=False),
        Column(_("方案名称"), "name", link="forecast:scenario_detail"),
        Column(_("统筹区"), "region.name"),
        Column(_("年度"), "year", kind="int"),
        Column(_("调整"), lambda s: " ".join(p for p in (str(s.draft_version or ""), json_changes(s.changes)) if p),
               sort=""),
        Column(_("现行规则（元）"), _scenario_figure("current"), css="amount"),
        Column(_("草案规则（元）"), _scenario_figure("draft"), css="amount"),
        Column(_("基金影响（元）"), _scenario_figure("change"), css="amount"),
        Column(_("增加人数"), lambda s: (s.results or {}).get("gainers", ""), kind="int", css="text-end"),
        Column(_("减少人数"), lambda s: (s.results or {}).get("losers", ""), kind="int", css="text-end"),
        Column(_("复算"), _scenario_rerun, sort="last_rerun_same"),
        Column(_("测算人"), lambda s: s.created_by or "—", sort="created_by__username"),
        Column(_("保存时间"), "created_at", kind="datetime"),
    )
    filters = (
        DateRange("created", _("保存时间"), "created_at"),
        RegionFilter(),
        TextFilter("name", _("方案名称"), "name__icontains"),
    )
    empty_hint = _("尚无保存的测算方案：在政策测算页测算后保存。")

    def chosen(self) -> list[int]:
        """The ticked scenarios to compare (at most 50 ids; what is not an id is not one)."""
        return sorted({int(x) for x in self.request.GET.getlist("compare")[:50] if x.isascii() and x.isdigit()
                       and 0 < len(x) <= 18})

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "draft_version", "created_by")

    def filtered_queryset(self) -> Any:
        qs, errors = super().filtered_queryset()
        chosen = self.chosen()
        return (qs.filter(pk__in=chosen) if chosen else qs), errors

    def extra_hidden(self) -> list[tuple[str, str]]:
        return [("compare", str(pk)) for pk in self.chosen()]

    def export_header(self, count: int) -> list[str]:
        described = [d for f in self.filters if (d := f.describe(self.request.GET, self))]
        chosen = self.chosen()
        if chosen:
            names = "、".join(self.base_queryset().filter(pk__in=chosen).values_list("name", flat=True))
            described.append(gettext("只比较勾选的方案：%(names)s") % {"names": names})
        return header_lines(self.request, str(self.title), count, described)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(comparing=bool(self.chosen()))
        return context


scenario_list = ScenarioList.as_view()


def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = queries.access_scenario_by_id(request, pk)
    if request.method == "POST":
        try:
            scenario, results = actions.do_rerun_scenario(request.user, scenario)
        except DaeError as exc:
            messages.error(request, exc.message)
        except EngineError as exc:
            messages.error(request, gettext("规则或结算数据无法计算：%(e)s") % {"e": str(exc)[:300]})
        else:
            if scenario.last_rerun_same:
                messages.success(request, gettext("复算完成：结果与保存时一致（摘要相同，精确到分）"))
            else:
                messages.warning(request, gettext("复算完成：结果与保存时不同（数据版本%(d)s）") % {
                    "d": gettext("未变") if results["data_version"] == scenario.data_version else gettext("已变化")})
        return redirect("forecast:scenario_detail", pk=scenario.pk)
    return render(request, "forecast/scenario_detail.html", {
        "title": _("测算方案"), "scenario": scenario, "results": scenario.results,
        "view": _sim_view(scenario.results), "changes": json_changes(scenario.changes),
        "groups": _groups(_sim_view(scenario.results)),
        "can_rerun": can(request.user, "forecast:scenario_detail")})


def _groups(view: dict[str, Any]) -> list[tuple[Any, list[dict[str, Any]]]]:
    return [(_("按统筹区"), view["by_region"]), (_("按大额基数分段（现行规则下全年）"), view["by_segment"]),
            (_("按医院等级"), view["by_level"]), (_("按就医地类别"), view["by_place"]),
            (_("按结算月份"), view["by_month"])]
