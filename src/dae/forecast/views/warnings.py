"""基金预警: the warnings list (a history per indicator through its filter), a warning with its evidence
and its acknowledgement, and the manager's dated thresholds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from .. import actions, queries, services
from ..history import complete_through
from ..models import Alert, Indicator, Threshold


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
