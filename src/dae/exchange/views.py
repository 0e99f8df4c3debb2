"""Pages of the exchange with the platform: reconciliation (the month's runs with the chart of open differences,
a run with its differences, resolving one with a note), the outbox with each message's status, attempts and the
platform's answer, the call log, and the person query 1101. Who may open or post each page is in
``permission_matrix.yaml``; every object comes through one access check (``queries.access_*_by_id``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, Filter, HospitalFilter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from . import actions, queries
from .client import circuit_open_until
from .forms import MonthRunForm, PersonQueryForm, ResolveForm
from .models import Call, Outbound, Reconciliation


def _errors(form: Any) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


# -- reconciliation --------------------------------------------------------------------------------------------


class ReconciliationList(ScopedListView):
    model = Reconciliation
    title = _("平台对账")
    template_name = "exchange/reconciliation_list.html"
    columns = (
        Column(_("对账月份"), "month", link="exchange:reconciliation_detail"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("对账结果"), "status"),
        Column(_("本系统笔数"), "our_count", kind="int", css="text-end"),
        Column(_("平台笔数"), "platform_count", kind="int", css="text-end"),
        Column(_("本系统大额基金支付"), "our_fund", kind="money", css="amount"),
        Column(_("平台大额基金支付"), "platform_fund", kind="money", css="amount"),
        Column(_("差异笔数"), "differences_count", kind="int", css="text-end"),
        Column(_("未处理差异"), "open_count", kind="int", css="text-end"),
        Column(_("对账时间"), "run_at", kind="datetime"),
    )
    search_fields = ("hospital__name__icontains", "hospital__code", "month")
    search_placeholder = _("机构名称、编码或月份")
    filters = (DateRange("month", _("对账月份"), "month", month=True), RegionFilter(), HospitalFilter(),
               Filter("status", _("对账结果"), "status", Reconciliation.Status.choices),
               Filter("open", _("未处理差异"), {"yes": {"open_count__gt": 0}, "no": {"open_count": 0}},
                      (("yes", _("有")), ("no", _("无")))))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital", "region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        chart = queries.open_differences_by_month(Reconciliation.objects.for_user(self.request.user))
        context.update(
            can_run=can(self.request.user, "exchange:reconciliation_run"),
            form=MonthRunForm(regions=region_choices(self.request), initial={"month": last_month}),
            chart={**chart, "names": {"open": gettext("未处理差异"), "total": gettext("差异笔数")}},
        )
        return context


def reconciliation_run(request: HttpRequest) -> HttpResponse:
    """对账 (finance, manager): the month's reconciliation of every hospital of a region, as a job."""
    if request.method != "POST":
        return redirect("exchange:reconciliation_list")
    form = MonthRunForm(request.POST, regions=region_choices(request))
    if not form.is_valid():
        messages.error(request, gettext("请检查填写的内容：%(e)s") % {"e": _errors(form)})
        return redirect("exchange:reconciliation_list")
    try:
        job = actions.do_start_reconciliation(request.user, form.cleaned_data["region"], form.cleaned_data["month"])
    except DaeError as exc:
        messages.error(request, exc.message)
        return redirect("exchange:reconciliation_list")
    messages.success(request, job.message or gettext("已开始对账"))
    return redirect(f"{_list_url()}?month_from={job.params['month']}&month_to={job.params['month']}")


def _list_url() -> str:
    from django.urls import reverse

    return reverse("exchange:reconciliation_list")


def reconciliation_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    record = queries.access_reconciliation_by_id(request, pk)
    differences = record.differences.select_related("resolved_by").order_by("setl_id")
    return render(request, "exchange/reconciliation_detail.html", {
        "title": gettext("平台对账 %(month)s %(hospital)s") % {"month": record.month, "hospital": record.hospital.name},
        "record": record, "differences": differences, "form": ResolveForm(),
        "can_resolve": can(request.user, "exchange:difference_resolve"),
        "can_pull": can(request.user, "exchange:settlement_pull"),
    })


def settlement_pull(request: HttpRequest, pk: Any) -> HttpResponse:
    """拉取 (settlement, manager): the run's hospital-month from the platform, through the declaration path."""
    from .pulls import pull_settlements

    record = queries.access_reconciliation_by_id(request, pk)
    if request.method == "POST":
        try:
            declaration, created = pull_settlements(request.user, record.hospital, record.month)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, (gettext("已从平台拉取并提交月结申报 %(d)s") if created
                                       else gettext("平台数据与已提交的申报 %(d)s 相同，未重复提交")) % {"d": declaration.pk})
            return redirect("claims:declaration_detail", pk=declaration.pk)
    return redirect("exchange:reconciliation_detail", pk=record.pk)


def difference_resolve(request: HttpRequest, pk: Any) -> HttpResponse:
    difference = queries.access_difference_by_id(request, pk)
    if request.method == "POST":
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("请填写处理说明"))
        else:
            try:
                actions.do_resolve_difference(request.user, difference, form.cleaned_data["note"])
            except DaeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("已处理差异 %(s)s") % {"s": difference.setl_id})
    return redirect("exchange:reconciliation_detail", pk=difference.reconciliation_id)


# -- the outbox and the call log --------------------------------------------------------------------------------


class OutboundList(ScopedListView):
    model = Outbound
    title = _("平台发送队列")
    template_name = "exchange/outbound_list.html"
    columns = (
        Column(_("报文ID"), "msgid", link="exchange:outbound_detail"),
        Column(_("类别"), "kind"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("状态"), "status"),
        Column(_("发送次数"), "attempts", kind="int", css="text-end"),
        Column(_("最近错误"), "last_error"),
        Column(_("生成时间"), "created_at", kind="datetime"),
        Column(_("送达时间"), "sent_at", kind="datetime"),
    )
    search_fields = ("msgid",)
    search_placeholder = _("报文ID")
    filters = (RegionFilter(), HospitalFilter(), Filter("kind", _("类别"), "kind", Outbound.Kind.choices),
               Filter("status", _("状态"), "status", Outbound.Status.choices))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(can_deliver=can(self.request.user, "exchange:deliver"), circuit_until=circuit_open_until())
        return context


def outbound_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    row = queries.access_outbound_by_id(request, pk)
    if request.method == "POST":
        try:
            actions.do_requeue_outbound(request.user, row)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已重新排队，将以同一报文ID发送"))
        return redirect("exchange:outbound_detail", pk=row.pk)
    calls = Call.objects.for_user(request.user).filter(msgid=row.msgid).order_by("at", "id")
    return render(request, "exchange/outbound_detail.html", {
        "title": gettext("发送报文 %(m)s") % {"m": row.msgid}, "row": row, "calls": calls,
        "can_requeue": row.status == Outbound.Status.REFUSED and can(request.user, "exchange:outbound_detail"),
        "can_read_calls": can(request.user, "exchange:call_detail", write=False),
    })


def deliver(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            job = actions.do_start_delivery(request.user)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, job.message or gettext("已开始发送"))
    return redirect("exchange:outbound_list")


class CallList(ScopedListView):
    model = Call
    title = _("接口调用记录")
    template_name = "exchange/call_list.html"
    columns = (
        Column(_("调用时间"), "at", kind="datetime", link="exchange:call_detail"),
        Column(_("交易编号"), "infno"),
        Column(_("报文ID"), "msgid"),
        Column(_("结果"), "outcome"),
        Column(_("交易状态码"), "infcode"),
        Column(_("错误信息"), "err_msg"),
        Column(_("尝试次数"), "tries", kind="int", css="text-end"),
        Column(_("耗时（毫秒）"), "duration_ms", kind="int", css="text-end"),
    )
    search_fields = ("msgid", "infno")
    search_placeholder = _("报文ID或交易编号")
    filters = (Filter("outcome", _("结果"), "outcome", Call.Outcome.choices),
               DateRange("at", _("调用时间"), "at"))


def call_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    call = queries.access_call_by_id(request, pk)
    return render(request, "exchange/call_detail.html", {"title": gettext("接口调用 %(m)s") % {"m": call.msgid},
                                                         "call": call})


# -- person query 1101 --------------------------------------------------------------------------------------------


def person_query(request: HttpRequest) -> HttpResponse:
    from .persons import query_person

    regions = region_choices(request)
    check = None
    form = PersonQueryForm(request.POST or None, regions=regions)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, gettext("请检查填写的内容：%(e)s") % {"e": _errors(form)})
        else:
            try:
                check = query_person(request, form.cleaned_data["region"], form.cleaned_data["certno"])
            except DaeError as exc:
                messages.error(request, exc.message)
            else:  # the number is not written back into the page; the answer shows it masked
                form = PersonQueryForm(regions=regions, initial={"region": form.cleaned_data["region"]})
    return render(request, "exchange/person_query.html", {"title": gettext("平台人员查询（1101）"), "form": form,
                                                          "check": check})
