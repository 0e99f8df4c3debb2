"""Pages for settlements: the scoped list, one settlement with its fee lines, and the insured's own list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.benefits.engine.explain import format_trace_zh
from dae.core import inputs
from dae.core.access import record_access
from dae.core.errors import DaeError, InvalidInput
from dae.core.jobs import live_state
from dae.core.scoping import get_scoped_or_404
from dae.web.forms import StyledFormMixin
from dae.web.listing import (
    AmountRange,
    Column,
    DateRange,
    DictChoices,
    Filter,
    HospitalFilter,
    RegionFilter,
    ScopedListView,
)
from dae.web.names import with_item_names

from .actions import do_accept_computed, do_reject, do_submit_declaration
from .declare import pay_deadline_days_left
from .feedback import feedback_csv, feedback_rows
from .models import Adjustment, Declaration, DeclarationItem, Settlement
from .payout import explain
from .states import ClaimState

_YES_NO = (("yes", _("是")), ("no", _("否")))


class SettlementList(ScopedListView):
    log_access = True
    model = Settlement
    title = _("结算记录")
    columns = (
        Column(_("结算ID"), "setl_id", link="claims:settlement_detail", link_kw="setl_id"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("医疗类别"), "med_type", codelist="med_type"),
        Column(_("结算时间"), "setl_time", kind="datetime"),
        Column(_("就医地类别"), "place_category"),
        Column(_("医疗费总额"), "medfee_sumamt", css="amount"),
        Column(_("符合政策范围金额"), "inscp_scp_amt", css="amount"),
        Column(_("大额基金支付"), "hifob_pay", css="amount"),
        Column(_("状态"), "state"),
    )
    search_fields = ("setl_id", "psn_no", "mdtrt_id")
    search_placeholder = _("结算ID / 人员编号 / 就诊ID")
    filters = (
        DateRange("setl", _("结算日期"), "setl_time"),
        RegionFilter(),
        HospitalFilter(),
        Filter("state", _("状态"), "state", ClaimState.choices),
        Filter("med_type", _("医疗类别"), "med_type", DictChoices("med_type")),
        Filter("way", _("结算方式"), "settle_way", Settlement.SettleWay.choices),
        Filter("computed", _("已计算"), {"yes": {"hifob_pay__isnull": False}, "no": {"hifob_pay__isnull": True}},
               _YES_NO),
        Filter("paid", _("大额支付"), {"yes": {"hifob_pay__gt": 0}, "no": {"hifob_pay": 0}}, _YES_NO),
        Filter("offsite", _("异地就医"), {"yes": {"place_category__in": [c for c, _l in Settlement.PlaceCategory.choices
                                                                         if c != "local"]},
                                        "no": {"place_category": "local"}}, _YES_NO),
        AmountRange("pay", _("大额基金支付"), "hifob_pay"),
        AmountRange("fee", _("医疗费总额"), "medfee_sumamt"),
    )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")


class MySettlements(SettlementList):
    title = _("我的补偿")
    search_fields = ()
    filters = ()


def settlement_detail(request: HttpRequest, setl_id: str) -> HttpResponse:
    settlement = get_scoped_or_404(Settlement, request, setl_id=setl_id)
    record_access(request, settlement)
    lines = with_item_names(settlement.lines.all()[:2000])
    user: Any = request.user
    explanation = None
    if request.GET.get("explain") == "1":
        try:
            result = explain(settlement)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            explanation = format_trace_zh(result) if result is not None else None
    return render(request, "claims/settlement_detail.html", {
        "title": settlement.setl_id, "s": settlement, "lines": lines, "explanation": explanation,
        "item": DeclarationItem.objects.filter(setl_id=settlement.setl_id).order_by("-id").first(),
        "adjustments": settlement.adjustments.all(),
        "can_decide": can(user, "claims:settlement_decide") and settlement.state == ClaimState.COMPUTED
        and settlement.settle_way == Settlement.SettleWay.DIRECT})


# -- declarations (月结申报) ----------------------------------------------------------------------------------

class DeclarationList(ScopedListView):
    model = Declaration
    title = _("月结申报")
    empty_hint = _("医院每月上传申报文件（或结算岗代为上传）后在此显示。")
    template_name = "claims/declaration_list.html"
    columns = (
        Column(_("申报"), lambda d: f"#{d.pk}", link="claims:declaration_detail"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("申报月份"), "month"),
        Column(_("状态"), "status"),
        Column(_("结算笔数"), "settlements_count", kind="int"),
        Column(_("通过"), "accepted"),
        Column(_("金额有差异"), "differing"),
        Column(_("拒绝"), "rejected"),
        Column(_("核定大额支付合计"), "computed_total", css="amount"),
        Column(_("支付期限"), "pay_deadline"),
        Column(_("剩余工作日"), lambda d: _days_left_badge(d, d.has_payable)),
    )
    search_fields = ("hospital__code", "hospital__name__icontains", "month")
    search_placeholder = _("机构编码 / 名称 / 月份")
    filters = (DateRange("month", _("申报月份"), "month", month=True), RegionFilter(), HospitalFilter(),
               Filter("status", _("状态"), "status", Declaration.Status.choices),
               AmountRange("total", _("核定大额支付合计"), "computed_total"))

    def base_queryset(self) -> Any:
        payable = Settlement.objects.filter(declaration=OuterRef("pk"), state=ClaimState.PAYABLE)
        return super().base_queryset().select_related("hospital").annotate(has_payable=Exists(payable))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_submit"] = can(self.request.user, "claims:declaration_new")
        return context


def _days_left_badge(declaration: Declaration, has_payable: bool) -> Any:
    if declaration.pay_deadline is None:
        return ""
    if not has_payable:
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("无待支付"))
    try:
        left = pay_deadline_days_left(declaration)
    except DaeError as exc:
        return format_html('<span class="badge text-bg-warning" title="{}">?</span>', exc.message)
    css = "text-bg-danger" if left is not None and left < 0 else (
        "text-bg-warning" if left is not None and left <= 3 else "text-bg-success")
    return format_html('<span class="badge {}" data-testid="days-left">{}</span>', css, left)


class DeclarationForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("申报文件（JSON 或 NDJSON）"))


def declaration_new(request: HttpRequest) -> HttpResponse:
    form = DeclarationForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            declaration, _created = do_submit_declaration(request.user, file_name=upload.name, chunks=upload.chunks())
        except DaeError as exc:
            error = exc
        else:
            return redirect("claims:declaration_detail", pk=declaration.pk)
    return render(request, "claims/declaration_new.html", {"title": _("提交月结申报"), "form": form, "error": error})


def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    declaration = get_scoped_or_404(Declaration, request, pk=pk)
    job = live_state(declaration.job) if declaration.job else None
    running = declaration.status in (Declaration.Status.RECEIVED, Declaration.Status.CHECKING)
    outcome = request.GET.get("outcome", "")
    items = declaration.items.all()
    if outcome:
        items = items.filter(outcome=outcome)
    try:
        days_left = pay_deadline_days_left(declaration)
    except DaeError:
        days_left = None
    context = {
        "title": _("月结申报") + f" #{declaration.pk}", "d": declaration, "job": job, "running": running,
        "items": items[:500], "outcome": outcome, "outcomes": DeclarationItem.Outcome.choices,
        "adjustments": Adjustment.objects.for_user(user).filter(
            cause_setl_id__in=declaration.items.values("setl_id")).select_related("settlement")[:200],
        "days_left": days_left,
        "today": timezone.localdate(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "claims/_declaration_state.html", context)
    return render(request, "claims/declaration_detail.html", context)


def settlement_decide(request: HttpRequest, setl_id: str) -> HttpResponse:
    """Accept the recomputed payout of a differing settlement, or reject it (reviewer/clerk, with a reason)."""
    settlement = get_scoped_or_404(Settlement, request, setl_id=setl_id)
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            do_accept_computed(request.user, settlement, request.POST.get("reason", ""))
        elif decision == "reject":
            do_reject(request.user, settlement, request.POST.get("reason", ""))
        else:
            raise InvalidInput("请选择处理结果")
    except DaeError as exc:
        messages.error(request, exc.message)
    return redirect("claims:settlement_detail", setl_id=settlement.setl_id)


def feedback_export(request: HttpRequest) -> HttpResponse:
    since_day = inputs.query_date(request.GET, "since", label="起始日期")
    rows = feedback_rows(Settlement.objects.for_user(request.user), DeclarationItem.objects.for_user(request.user),
                         since=since_day)
    response = HttpResponse(feedback_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payment-feedback.csv"'
    return response


class AdjustmentList(ScopedListView):
    model = Adjustment
    title = _("补付追回")
    empty_hint = _("重算改变已支付金额时自动生成补付或追回。")
    columns = (
        Column(_("结算ID"), "settlement.setl_id"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("类型"), "kind"),
        Column(_("原支付"), "old_payout", css="amount"),
        Column(_("重算支付"), "new_payout", css="amount"),
        Column(_("差额"), "amount", css="amount"),
        Column(_("引起重算的结算ID"), "cause_setl_id"),
        Column(_("计入月结"), "statement_month"),
        Column(_("状态"), "status"),
    )
    search_fields = ("psn_no", "settlement__setl_id", "cause_setl_id")
    search_placeholder = _("人员编号 / 结算ID")
    filters = (RegionFilter(), HospitalFilter(),
               Filter("kind", _("类型"), "kind", Adjustment.Kind.choices),
               Filter("status", _("状态"), "status", Adjustment.Status.choices),
               AmountRange("amount", _("差额"), "amount"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("settlement", "hospital")
