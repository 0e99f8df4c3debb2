"""Pages of the window: the queue per state, register / edit, one claim with its actions, the receipt, and the
insured person's self-service. Views parse and call one action; the action enforces posts and four-eyes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dae.accounts.permissions import can, can_unmask
from dae.claims.models import Settlement
from dae.claims.states import OPEN_STATES, ClaimState
from dae.core.access import record_access
from dae.core.codes import CoreCode
from dae.core.errors import DaeError, InvalidInput
from dae.core.models import AccessRecord, Event
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, Filter, ScopedListView

from . import actions
from .clock import days_left
from .codes import Code
from .feefile import read_fee_file, template_csv
from .forms import ClaimForm, InvoiceFormSet, ReasonForm, claim_input, initial_for
from .models import ManualClaim
from .receipt import receipt_response
from .selfservice import explain_settlement, my_overview

S = ClaimState


# --- queue -----------------------------------------------------------------------------------------------

def _due_cell(claim: ManualClaim) -> Any:
    if claim.state not in OPEN_STATES:
        return "—"
    if claim.due_date is None:
        return format_html('<span class="badge text-bg-warning" data-testid="paused">{}</span>', gettext("材料不全，时限暂停"))
    left = days_left(timezone.localdate(), claim.due_date)
    approx = "" if left.exact and not claim.due_warnings else "≈"
    if left.overdue:
        return format_html('<span class="badge text-bg-danger" data-testid="days-left">{} {}{}</span>',
                           gettext("超期"), approx, -left.days)
    css = "text-bg-warning" if left.days <= 3 else "text-bg-success"
    return format_html('<span class="badge {}" data-testid="days-left">{}{} {}</span>', css, approx, left.days,
                       gettext("个工作日"))


class Queue(ScopedListView):
    model = ManualClaim
    title = _("手工报销")
    empty_hint = _("在窗口受理的手工报销申请在此办理。")
    template_name = "reimbursement/queue.html"
    log_access = True
    columns = (
        Column(_("申请编号"), "number", link="reimbursement:claim_detail", link_kw="number"),
        Column(_("参保人"), "person.psn_name", mask="name"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("受理日期"), "received_on"),
        Column(_("状态"), "state"),
        Column(_("预计办结日期"), "due_date"),
        Column(_("剩余工作日"), _due_cell),
        Column(_("医疗费总额"), "medfee_sumamt", css="amount"),
        Column(_("核定大额支付"), "computed_pay", css="amount"),
    )
    search_fields = ("number", "psn_no", "invoices__number")
    search_placeholder = _("申请编号 / 人员编号 / 发票号码")
    filters = (
        Filter("place", _("就医地类别"), "place_category", Settlement.PlaceCategory.choices),
        Filter("materials", _("材料"), {"complete": {"materials_complete": True},
                                      "missing": {"materials_complete": False}},
               (("complete", _("齐全")), ("missing", _("不全")))),
    )

    def state_param(self) -> str:
        return self.request.GET.get("state", "open")

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("person", "hospital")

    def extra_hidden(self) -> list[tuple[str, str]]:
        return [("state", self.state_param())]

    def filtered_queryset(self) -> Any:
        qs, errors = super().filtered_queryset()
        state = self.state_param()
        if state == "open":
            qs = qs.filter(state__in=OPEN_STATES)
        elif state == "mine":
            qs = qs.filter(state__in=(S.COMPUTED, S.CHECKED)).exclude(computed_by=self.request.user)
        elif state in S.values:
            qs = qs.filter(state=state)
        if self.request.GET.get("q", "").strip():  # only a search joins the invoices (one row per invoice)
            qs = qs.distinct()
        return qs.order_by(F("due_date").asc(nulls_last=True), "received_on", "id"), errors

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        counts = dict(super().base_queryset().values_list("state").annotate(n=Count("id")).order_by())
        state = self.state_param()
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("state", None)
        rest = query.urlencode()
        tabs = [("open", gettext("在办"), sum(counts.get(s, 0) for s in OPEN_STATES))]
        tabs += [(value, label, counts.get(value, 0)) for value, label in S.choices]
        if can(self.request.user, "reimbursement:check"):
            waiting = (super().base_queryset().filter(state__in=(S.COMPUTED, S.CHECKED))
                       .exclude(computed_by=self.request.user).count())
            tabs.insert(1, ("mine", gettext("待我复核"), waiting))
        context.update(tabs=[{"value": v, "label": lab, "count": n, "active": v == state,
                              "href": f"?state={v}" + (f"&{rest}" if rest else "")} for v, lab, n in tabs],
                       state=state, querystring=(f"state={state}&{rest}" if rest else f"state={state}"),
                       can_register=can(self.request.user, "reimbursement:register"))
        return context


# --- register / edit -------------------------------------------------------------------------------------

def _place_errors(error: DaeError, form: ClaimForm, invoices: Any) -> None:
    details = error.details if isinstance(error.details, list) else []
    placed = False
    for detail in details:
        path = str(detail.get("path", ""))
        message = detail.get("message", "")
        if path.startswith("invoices[") and "]" in path:
            index = int(path[len("invoices["):path.index("]")])
            if index < len(invoices.forms):
                field = path.split(".", 1)[1] if "." in path else None
                invoices.forms[index].add_error(field if field in invoices.forms[index].fields else None, message)
                placed = True
                continue
        if path.startswith(("fee_file", "fee_lines")):
            form.add_error("fee_file", f"{path}: {message}")
            placed = True
            continue
        name = {"hospital": "hospital", "invoices": None}.get(path, path)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
        elif path == "invoices":
            form.add_error(None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _form_response(request: HttpRequest, claim: ManualClaim | None) -> HttpResponse:
    user: Any = request.user
    if claim is None:
        initial: dict[str, Any] = {}
        invoice_initial: list[dict[str, Any]] = []
    else:
        initial, invoice_initial = initial_for(claim)
    form = ClaimForm(request.POST or None, request.FILES or None, initial=initial)
    # initial values only for the empty form: a bound extra form equal to its initial would count as unchanged
    invoices = InvoiceFormSet(request.POST or None, initial=None if request.method == "POST" else invoice_initial or None,
                              prefix="inv")
    if request.method == "POST" and form.is_valid() and invoices.is_valid():
        try:
            upload = form.cleaned_data.get("fee_file")
            lines = []
            if form.cleaned_data["entry_mode"] == ManualClaim.EntryMode.LINES:
                if upload is not None:
                    lines = read_fee_file(upload.name, upload.read())
                elif claim is not None and claim.entry_mode == ManualClaim.EntryMode.LINES:
                    lines = actions.line_inputs(claim)
                else:
                    raise InvalidInput(gettext("按费用明细录入时请上传费用明细文件"), code=Code.FEE_FILE_REQUIRED,
                                       details=[{"path": "fee_file", "message": gettext("请上传费用明细文件")}])
            data = claim_input(form, invoices, lines)
            saved = actions.do_register(user, data) if claim is None else actions.do_update(user, claim, data)
        except DaeError as error:
            _place_errors(error, form, invoices)
        else:
            messages.success(request, gettext("申请 %(n)s 已保存") % {"n": saved.number})
            return redirect("reimbursement:claim_detail", number=saved.number)
    title = gettext("受理手工报销") if claim is None else gettext("修改申请 %(n)s") % {"n": claim.number}
    return render(request, "reimbursement/claim_form.html",
                  {"title": title, "form": form, "invoices": invoices, "claim": claim})


def register(request: HttpRequest) -> HttpResponse:
    return _form_response(request, None)


def edit(request: HttpRequest, number: str) -> HttpResponse:
    claim = get_scoped_or_404(ManualClaim, request, number=number)
    if request.method == "GET":
        record_access(request, claim)
    return _form_response(request, claim)


def fee_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("\ufeff" + template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fee-lines-template.csv"'
    return response


# --- one claim -------------------------------------------------------------------------------------------

def claim_detail(request: HttpRequest, number: str, *, error: DaeError | None = None,
                 reason_form: ReasonForm | None = None, status: int = 200) -> HttpResponse:
    user: Any = request.user
    claim = get_scoped_or_404(ManualClaim, request, number=number)
    record_access(request, claim)
    may_unmask = can_unmask(user, "reimbursement:claim_detail")  # the matrix's unmask entry
    full = request.GET.get("full", "") if may_unmask else ""
    if full in ("account", "phone"):  # a full view of a masked number is logged on its own (PIPL)
        record_access(request, claim, why=AccessRecord.Why.FULL_ACCOUNT if full == "account"
                      else AccessRecord.Why.FULL_PHONE)
    events = (Event.objects.filter(object_type=ManualClaim._meta.label_lower, object_id=str(claim.pk))
              .select_related("actor").order_by("at", "id"))
    left = days_left(timezone.localdate(), claim.due_date) if claim.due_date and claim.state in OPEN_STATES else None
    staff = user.scope_kind != "insured"
    four_eyes_blocked = user.pk in actions.computed_by_ids(claim)
    context = {
        "title": claim.number, "claim": claim, "items": actions.material_items(claim),
        "missing": actions.missing_materials(claim), "events": events if staff else [], "left": left,
        "staff": staff, "error": error, "reason_form": reason_form or ReasonForm(),
        "result": claim.explanation.get("result") if claim.explanation else None,
        "later_effects": claim.explanation.get("later_effects", []) if claim.explanation else [],
        "can_edit": can(user, "reimbursement:edit") and claim.state in actions.EDITABLE_STATES,
        "can_materials": can(user, "reimbursement:materials") and claim.state in actions.MATERIAL_STATES,
        "can_compute": can(user, "reimbursement:compute") and claim.state in (S.RECEIVED, S.COMPUTED, S.RETURNED),
        "can_decide": can(user, "reimbursement:approve"),
        "four_eyes_blocked": four_eyes_blocked,
        "can_cancel": can(user, "reimbursement:cancel") and claim.state in (S.RECEIVED, S.COMPUTED, S.RETURNED),
        "invoices": claim.invoices.all(), "fee_lines": claim.fee_lines.all(),
        "full": full, "can_full": may_unmask,
    }
    return render(request, "reimbursement/claim_detail.html", context, status=status)


def _act(request: HttpRequest, number: str, do: Any, message: str, *, needs_reason: bool = False) -> HttpResponse:
    """Run one workflow action from a button on the claim page; a refusal is shown on the page."""
    claim = get_scoped_or_404(ManualClaim, request, number=number)
    form = ReasonForm(request.POST) if needs_reason else None
    try:
        if form is not None:
            if not form.is_valid():
                raise InvalidInput(gettext("请填写原因"), code=CoreCode.REASON_REQUIRED)
            do(request.user, claim, form.cleaned_data["reason"])
        else:
            do(request.user, claim)
    except DaeError as error:
        return claim_detail(request, number, error=error, reason_form=form, status=error.status)
    messages.success(request, message)
    return redirect("reimbursement:claim_detail", number=number)


@require_POST
def materials(request: HttpRequest, number: str) -> HttpResponse:
    claim = get_scoped_or_404(ManualClaim, request, number=number)
    try:
        actions.do_set_materials(request.user, claim, request.POST.getlist("materials"))
    except DaeError as error:
        return claim_detail(request, number, error=error, status=error.status)
    messages.success(request, gettext("材料清单已保存"))
    return redirect("reimbursement:claim_detail", number=number)


@require_POST
def compute(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, actions.do_compute, gettext("已计算"))


@require_POST
def check(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, actions.do_check, gettext("复核通过"))


@require_POST
def approve(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, actions.do_approve, gettext("已审批，转入待支付，已通知参保人"))


@require_POST
def return_claim(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, actions.do_return, gettext("已退回"), needs_reason=True)


@require_POST
def reject(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, actions.do_reject, gettext("已拒付"), needs_reason=True)


@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, actions.do_cancel, gettext("已撤销"), needs_reason=True)


def receipt(request: HttpRequest, number: str) -> HttpResponse:
    claim = get_scoped_or_404(ManualClaim, request, number=number)
    record_access(request, claim)
    return receipt_response(request, claim)


# --- self-service --------------------------------------------------------------------------------------

def mine(request: HttpRequest) -> HttpResponse:
    context = my_overview(request.user)
    context["title"] = gettext("我的报销与通知")
    return render(request, "reimbursement/mine.html", context)


def settlement_explain(request: HttpRequest, setl_id: str) -> HttpResponse:
    settlement = get_scoped_or_404(Settlement, request, setl_id=setl_id)
    record_access(request, settlement)
    return render(request, "reimbursement/settlement_explain.html",
                  {"title": gettext("计算依据 %(s)s") % {"s": setl_id}, "s": settlement,
                   "explanation": explain_settlement(settlement)})
