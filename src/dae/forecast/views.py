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
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.errors import DaeError
from dae.web.listing import Column, Filter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from . import actions, queries, services
from .engine import NAIVE, SNAIVE
from .history import complete_through
from .models import Alert, Budget, ForecastRun, Indicator, Threshold

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
    "remaining": _("剩余资金（元）"), "average_month": _("近 12 个月月均支付（元）"), "months_averaged": _("平均月数"),
    "hospital": _("医疗机构"), "cost_per_stay": _("本期次均费用（元）"), "stays": _("本期住院人次"),
    "cost_per_stay_before": _("上年同期次均费用（元）"), "stays_before": _("上年同期住院人次"),
    "growth": _("次均费用增长（%）"), "peer_median": _("同级医院增长中位数（%）"), "peers": _("同级医院数"),
}


def thresholds(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
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
    today = timezone.localdate()
    current = []
    for value, label in Indicator.choices:
        level = services.level_on(value, today)
        current.append({"value": value, "label": label, "yellow": level.yellow, "red": level.red,
                        "unit": level.unit, "from": level.effective_from,
                        "direction": gettext("高于") if level.higher_is_worse else gettext("低于"),
                        "source": services.DEFAULTS[value].source})
    return render(request, "forecast/thresholds.html", {
        "title": _("预警阈值"), "current": current, "rows": Threshold.objects.select_related("created_by")[:100],
        "indicators": Indicator.choices, "regions": region_choices(request), "today": today,
        "default_period": f"{complete_through(today):%Y-%m}",
        "can_edit": can(request.user, "forecast:thresholds")})




# -- annual payout budget ----------------------------------------------------------------------------------

def budget_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            region = inputs.region(request.user, request.POST.get("region"))
            year = inputs.year(request.POST.get("year"))
            budget = actions.do_draft_budget(request.user, region, year)
        except DaeError as exc:
            messages.error(request, exc.message)
            return redirect("forecast:budget_list")
        messages.success(request, gettext("已依据预测编制预算草稿"))
        return redirect("forecast:budget_detail", pk=budget.pk)
    rows = Budget.objects.for_user(request.user).select_related("region")[:100]
    return render(request, "forecast/budget_list.html", {
        "title": _("年度赔付预算"), "rows": rows, "regions": region_choices(request),
        "year": timezone.localdate().year, "can_edit": can(request.user, "forecast:budget_list")})


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
