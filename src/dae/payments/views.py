"""Pages of settlement and payment (结算支付): monthly statements (build, approve, reconcile), payment batches
(create, download the bank file, import the bank's result, check an order by hand), deductions. Finance writes;
the manager and the bureau supervisor read; a hospital reads its own statements (permission_matrix.yaml)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.catalog.models import Hospital
from dae.claims.models import Adjustment, Settlement
from dae.claims.states import ClaimState
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import DaeError, InvalidInput, NotFound
from dae.core.models import Region
from dae.core.scoping import get_scoped_or_404
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
from dae.web.names import source_link

from .actions import (
    do_approve_statement,
    do_build_statements,
    do_confirm_order,
    do_create_batch,
    do_export_batch,
    do_import_result,
    do_record_deduction,
)
from .bankfiles import payment_file
from .codes import Code
from .models import Deduction, PaymentBatch, PaymentOrder, Statement
from .queries import reconcile


def _is_finance(request: HttpRequest) -> bool:
    return getattr(request.user, "post", "") == "finance"


def _regions(request: HttpRequest) -> list[Region]:
    return list(Region.objects.filter(admdvs__in=request.user.region_codes))  # type: ignore[union-attr]


def _last_month() -> str:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def _region_of(request: HttpRequest) -> str:
    code = request.POST.get("region", "").strip()
    if code not in request.user.region_codes:  # type: ignore[union-attr]
        raise InvalidInput("请选择本人负责的统筹区", code=inputs.InputCode.INVALID_REGION)
    return code


# -- statements ------------------------------------------------------------------------------------------------

class StatementList(ScopedListView):
    model = Statement
    title = _("月结单")
    empty_hint = _("财务岗用上方“编制月结单”按月生成。")
    template_name = "payments/statement_list.html"
    columns = (
        Column(_("结算月份"), "month", link="payments:statement_detail"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("结算笔数"), "settlements_count", css="text-end"),
        Column(_("确认应付"), "accepted_total", css="amount"),
        Column(_("补付"), "supplements_total", css="amount"),
        Column(_("追回"), "recoveries_total", css="amount"),
        Column(_("扣款"), "deductions_total", css="amount"),
        Column(_("本期应付"), "net_payable", css="amount"),
        Column(_("支付期限"), "due_date"),
        Column(_("状态"), "status"),
    )
    search_fields = ("hospital__name__icontains", "hospital__code", "month")
    search_placeholder = _("医疗机构或月份")
    filters = (DateRange("month", _("结算月份"), "month", month=True), RegionFilter(), HospitalFilter(),
               Filter("status", _("状态"), "status", Statement.Status.choices),
               DateRange("due", _("支付期限"), "due_date"), AmountRange("net", _("本期应付"), "net_payable"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(can_build=_is_finance(self.request), regions=_regions(self.request), month=_last_month(),
                       today=timezone.localdate())
        return context


def statement_build(request: HttpRequest) -> HttpResponse:
    """编制月结单 (finance): every hospital of the region with something owed for the month."""
    if request.method != "POST":
        return redirect("payments:statement_list")
    try:
        built = do_build_statements(_region_of(request), request.POST.get("month", "").strip(), actor=request.user,
                                    on=inputs.query_date(request.POST, "on", timezone.localdate()))
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        if built:
            messages.success(request, gettext("已编制 %(n)s 张月结单") % {"n": len(built)})
        else:
            messages.info(request, gettext("没有需要编制的月结单（该月已编制或没有应付款项）"))
    return redirect("payments:statement_list")


class StatementDetail(ScopedListView):
    """One monthly statement: its figures, reconciliation, orders, adjustments and deductions above, and its
    settlements as a list (filters by settlement date, state, amounts and text; totals of the money columns over
    the filtered settlements; export)."""

    log_access = True
    model = Settlement
    template_name = "payments/statement_detail.html"
    paginate_by = 50
    columns = (
        Column(_("结算ID"), "setl_id", link="claims:settlement_detail", link_kw="setl_id"),
        Column(_("原结算ID"), "init_setl_id"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗类别"), "med_type", codelist="med_type"),
        Column(_("结算时间"), "setl_time", kind="datetime"),
        Column(_("医疗费总额"), "medfee_sumamt", css="amount"),
        Column(_("申报大额支付"), "hifob_pay", css="amount"),
        Column(_("核定大额支付"), "computed_pay", css="amount"),
        Column(_("状态"), "state"),
    )
    search_fields = ("setl_id", "psn_no", "mdtrt_id", "init_setl_id")
    search_placeholder = _("结算ID / 人员编号 / 就诊ID")
    filters = (
        DateRange("setl", _("结算日期"), "setl_time"),
        Filter("state", _("状态"), "state", ClaimState.choices),
        Filter("med_type", _("医疗类别"), "med_type", DictChoices("med_type")),
        Filter("cancel", _("撤销结算"), {"yes": {"init_setl_id__gt": ""}, "no": {"init_setl_id": ""}},
               (("yes", _("是")), ("no", _("否")))),
        AmountRange("fee", _("医疗费总额"), "medfee_sumamt"),
        AmountRange("pay", _("核定大额支付"), "computed_pay"),
    )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.statement = get_scoped_or_404(Statement, request, pk=kwargs["pk"])
        self.title = gettext("月结单") + f" {self.statement.month} · {self.statement.hospital.name}"
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self) -> Any:
        return super().base_queryset().filter(statement=self.statement).order_by("setl_time", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        st = self.statement
        context.update(
            st=st, adjustments=Adjustment.objects.filter(statement=st).select_related("settlement"),
            deductions=st.deductions.all(), orders=st.orders.select_related("batch"), check=reconcile(st),
            can_approve=_is_finance(self.request) and st.status == Statement.Status.DRAFT,
            today=timezone.localdate())
        return context


statement_detail = StatementDetail.as_view()


def statement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    st = get_scoped_or_404(Statement, request, pk=pk)
    if request.method == "POST":
        try:
            do_approve_statement(st, actor=request.user, on=inputs.query_date(request.POST, "on", timezone.localdate()))
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("月结单已审批"))
    return redirect("payments:statement_detail", pk=st.pk)


# -- batches ---------------------------------------------------------------------------------------------------

class BatchList(ScopedListView):
    model = PaymentBatch
    title = _("支付批次")
    empty_hint = _("月结单审批后，财务岗在此新建支付批次。")
    template_name = "payments/batch_list.html"
    columns = (
        Column(_("批次号"), "number", link="payments:batch_detail"),
        Column(_("付款对象"), "kind"),
        Column(_("指令笔数"), "orders_count", css="text-end", kind="int"),
        Column(_("金额合计"), "total", css="amount"),
        Column(_("制单日期"), "created_on"),
        Column(_("状态"), "status"),
    )
    search_fields = ("number",)
    search_placeholder = _("批次号")
    filters = (DateRange("created", _("制单日期"), "created_on"), RegionFilter(),
               Filter("status", _("状态"), "status", PaymentBatch.Status.choices),
               Filter("kind", _("付款对象"), "kind", PaymentBatch.Kind.choices),
               AmountRange("total", _("金额合计"), "total"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(can_create=_is_finance(self.request), regions=_regions(self.request),
                       kinds=PaymentBatch.Kind.choices, today=timezone.localdate())
        return context


def batch_create(request: HttpRequest) -> HttpResponse:
    """制单 (finance): a batch of every approved statement (or payable manual claim) of the region."""
    if request.method != "POST":
        return redirect("payments:batch_list")
    try:
        batch = do_create_batch(_region_of(request), request.POST.get("kind", ""), actor=request.user,
                                on=inputs.query_date(request.POST, "on", timezone.localdate()))
    except DaeError as exc:
        messages.error(request, exc.message)
        return redirect("payments:batch_list")
    messages.success(request, gettext("已生成支付批次 %(n)s") % {"n": batch.number})
    return redirect("payments:batch_detail", pk=batch.pk)


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_scoped_or_404(PaymentBatch, request, pk=pk)
    if request.method == "POST" and _is_finance(request):
        _batch_action(request, batch)
        return redirect("payments:batch_detail", pk=batch.pk)
    return render(request, "payments/batch_detail.html", {
        "title": _("支付批次") + f" {batch.number}", "batch": batch,
        "orders": batch.orders.select_related("statement__hospital", "settlement"),
        "results": batch.result_files.all(), "can_act": _is_finance(request), "today": timezone.localdate()})


def _batch_action(request: HttpRequest, batch: PaymentBatch) -> None:
    action = request.POST.get("action", "")
    try:
        if action == "export":
            do_export_batch(batch, actor=request.user)
            messages.success(request, gettext("付款文件已生成，请下载后提交银行"))
        elif action == "result":
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput("请选择银行回盘文件", code=CoreCode.NO_FILE)
            result = do_import_result(batch, name=upload.name or "result.csv", chunks=upload.chunks(), actor=request.user)
            messages.success(request, gettext("回盘已导入：成功 %(p)s 笔，失败 %(f)s 笔，处理中 %(u)s 笔")
                             % {"p": result.paid, "f": result.failed, "u": result.pending})
        elif action == "confirm":
            order = batch.orders.filter(pk=inputs.object_id(request.POST.get("order", ""))).first()
            if order is None:
                raise NotFound("该批次中没有这笔支付指令")
            do_confirm_order(order, outcome=request.POST.get("outcome", ""), actor=request.user,
                             day=inputs.query_date(request.POST, "day", timezone.localdate()),
                             reason=request.POST.get("reason", ""), serial=request.POST.get("serial", ""))
            messages.success(request, gettext("查证结果已登记"))
        else:
            raise InvalidInput(f"未知操作：{action}", code=Code.BAD_ACTION)
    except PaymentOrder.DoesNotExist:
        messages.error(request, gettext("本批次没有这条指令"))
    except DaeError as exc:
        messages.error(request, exc.message)


def batch_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank payment file (付款文件) of an exported batch, as recorded."""
    batch = get_scoped_or_404(PaymentBatch, request, pk=pk)
    if batch.status == PaymentBatch.Status.DRAFT:
        messages.error(request, gettext("请先生成付款文件"))
        return redirect("payments:batch_detail", pk=batch.pk)
    response = HttpResponse(payment_file(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.csv"'
    return response


# -- deductions ------------------------------------------------------------------------------------------------

class DeductionList(ScopedListView):
    model = Deduction
    title = _("扣款")
    empty_hint = _("审核疑点三方确认或现场巡查确认后自动生成，也可由财务岗登记。")
    template_name = "payments/deduction_list.html"
    columns = (
        Column(_("确认日期"), "confirmed_on"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("类型"), "kind"),
        Column(_("金额"), "amount", css="amount"),
        Column(_("原因"), "reason"),
        Column(_("来源"), lambda d: source_link(d.source_type, d.source_id), sort="source_id"),
        Column(_("状态"), "status"),
        Column(_("扣减月结单"), lambda d: d.statement.month if d.statement_id else "—"),
    )
    search_fields = ("hospital__name__icontains", "reason__icontains", "source_id")
    search_placeholder = _("医疗机构、原因或来源编号")
    filters = (DateRange("confirmed", _("确认日期"), "confirmed_on"), RegionFilter(), HospitalFilter(),
               Filter("status", _("状态"), "status", Deduction.Status.choices),
               Filter("kind", _("类型"), "kind", Deduction.Kind.choices),
               AmountRange("amount", _("金额"), "amount"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital", "statement")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(can_record=_is_finance(self.request), today=timezone.localdate(),
                       hospitals=Hospital.objects.for_user(self.request.user).order_by("code"),  # type: ignore[attr-defined]
                       kinds=[k for k in Deduction.Kind.choices if k[0] != Deduction.Kind.CARRIED])
        return context


def deduction_new(request: HttpRequest) -> HttpResponse:
    """登记扣款 (finance): an inspection or other confirmed deduction, with the document that confirms it."""
    if request.method != "POST":
        return redirect("payments:deduction_list")
    try:
        hospital = get_scoped_or_404(Hospital, request, pk=inputs.object_id(request.POST.get("hospital", "")))
        document = request.POST.get("document", "").strip()
        if not document:
            raise InvalidInput("请填写确认文书编号", code=Code.NO_DOCUMENT)
        do_record_deduction(hospital, amount=request.POST.get("amount", ""), kind=request.POST.get("kind", ""),
                            reason=request.POST.get("reason", ""), source=("document", document[:64]),
                            confirmed_on=inputs.query_date(request.POST, "confirmed_on", timezone.localdate()),
                            actor=request.user)
    except (DaeError, ValueError) as exc:
        messages.error(request, exc.message if isinstance(exc, DaeError) else gettext("请选择医疗机构"))
    else:
        messages.success(request, gettext("扣款已登记，将从该医疗机构下一期月结单中扣减"))
    return redirect("payments:deduction_list")
