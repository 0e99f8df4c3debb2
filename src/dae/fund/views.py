"""Pages of fund management (基金财务 → 基金运行): the finance dashboard with the profit-rate chart and the
warnings, fund years (funds raised, levels, history, monthly profit rate), appropriation requests with their
printable document, appropriations received, the fund's own entries, the revolving fund and the clearing
report. Finance writes; manager and supervisor read (the manager may also change the warning levels). Every
query is limited to the user's regions; forms call one action each and show a refusal as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import DaeError, InvalidInput
from dae.core.scoping import access_by_id, get_scoped_or_404
from dae.ledger import entries as E
from dae.web.listing import AmountRange, Column, DateRange, Filter, RegionFilter, ScopedListView
from dae.web.who import post_of, region_choices

from . import actions, documents, services
from .forms import (
    AdjustForm,
    ClearingForm,
    EntryForm,
    FundsChangeForm,
    FundYearForm,
    LevelsForm,
    PrepareForm,
    ReceiveForm,
    ReserveRuleForm,
    RiskDecisionForm,
    RiskUseForm,
    SubmitForm,
    kind_label,
)
from .models import AppropriationRequest, Clearing, FundEntry, FundYear, RepaymentDue, RiskFundUse, RiskReserveRule

BALANCE_ACCOUNTS = (E.INCOME_BANK, E.SPENDING_BANK, E.APPROPRIATIONS_DUE, E.REVOLVING_FUND, E.RISK_ADJUSTMENT)
ACCOUNT_NAMES = {E.INCOME_BANK: _("收入户存款"), E.SPENDING_BANK: _("支出户存款"), E.APPROPRIATIONS_DUE: _("应收拨款"),
                 E.REVOLVING_FUND: _("临时周转金"), E.RISK_ADJUSTMENT: _("风险调节基金")}

#: Series names of the profit-rate chart (translated here, the chart script only shows them).
CHART_NAMES = {"rate": _("实际利润率（年初至月末）"), "projected": _("预计全年利润率（预测）"), "payouts": _("当月补助支出"),
               "yellow": _("黄色预警线"), "red": _("红色预警线")}


def _chosen_region(request: HttpRequest) -> str:
    codes = sorted(request.user.region_codes)  # type: ignore[union-attr]
    chosen = request.GET.get("region", "").strip()
    if chosen in codes:
        return chosen
    if not codes:
        raise Http404()
    return codes[0]


def _failed(request: HttpRequest, form: Any) -> None:
    errors = [str(e) for field in form.errors.values() for e in field]
    messages.error(request, gettext("请检查填写的内容：%(e)s") % {"e": "；".join(errors)})


def _posted(request: HttpRequest, form_class: type[Any], run: Callable[[dict[str, Any]], Any],
            done: str | Callable[[Any], str]) -> None:
    """A posted form of a detail page: the action runs on the cleaned data; the outcome becomes a message."""
    if request.method != "POST":
        return
    form = form_class(request.POST)
    if not form.is_valid():
        _failed(request, form)
        return
    try:
        result = run(form.cleaned_data)
    except DaeError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, done(result) if callable(done) else done)


# -- dashboard -----------------------------------------------------------------------------------------------

def dashboard(request: HttpRequest) -> HttpResponse:
    """基金运行: the profit-rate chart of a region-year, the warnings, the bank and fund balances, the current
    quarter's request."""
    today = timezone.localdate()
    region = _chosen_region(request)
    years = FundYear.objects.for_user(request.user).filter(region_id=region)
    latest = years.filter(year__lte=today.year).order_by("-year").values_list("year", flat=True).first()
    raw_year = request.GET.get("year", "").strip()
    year = inputs.year(raw_year) if raw_year else (latest or today.year)  # a default year that has data
    fund_year = years.filter(year=year).first()
    series = services.profit_rates(fund_year) if fund_year is not None else None
    held = services.balances(region, today, BALANCE_ACCOUNTS)
    quarter = services.quarter_of(today)
    current = AppropriationRequest.objects.for_user(request.user).filter(
        region_id=region, year=today.year, quarter=quarter).first()
    return render(request, "fund/dashboard.html", {
        "title": _("基金运行"), "regions": region_choices(request), "region": region, "year": year,
        "fund_year": fund_year, "series": series, "chart": {**series.chart(), "names": CHART_NAMES} if series else None,
        "warnings": services.fund_warnings(request.user, today),
        "balances": [(code, ACCOUNT_NAMES[code], held.get(code)) for code in BALANCE_ACCOUNTS],
        "current": current, "quarter": quarter, "today": today, "can_write": can(request.user, "fund:year_list"),
        "risk_moves": services.risk_movements(region, limit=5)})


# -- fund years ----------------------------------------------------------------------------------------------

def _contract(fy: FundYear) -> str:
    if not fy.contract_start:
        return "—"
    return f"{fy.contract_start:%Y-%m-%d} — {fy.contract_end:%Y-%m-%d}" if fy.contract_end else f"{fy.contract_start:%Y-%m-%d}"


class YearList(ScopedListView):
    """基金年度 of the user's regions; finance enters a new year's funds raised below the list."""

    model = FundYear
    title = _("基金年度")
    template_name = "fund/year_list.html"
    columns = (
        Column(_("统筹区"), "region.name"),
        Column(_("年度"), "year", link="fund:year_detail", kind="int"),
        Column(_("筹集资金"), "funds_raised", css="amount"),
        Column(_("版本"), "version", kind="int"),
        Column(_("黄色预警线（%）"), "yellow_level"),
        Column(_("红色预警线（%）"), "red_level"),
        Column(_("合同期"), _contract, sort="contract_start"),
    )
    filters = (RegionFilter(), AmountRange("raised", _("筹集资金"), "funds_raised"))
    search_fields = ("year",)
    search_placeholder = _("年度")
    empty_hint = _("财务岗在下方录入年度筹集资金。")
    form: Any = None

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FundYearForm(request.POST, regions=region_choices(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                fund_year = actions.do_enter_funds(
                    request.user, data["region"], data["year"], data["funds_raised"], on=data["on"],
                    contract_start=data["contract_start"], contract_end=data["contract_end"],
                    yellow_level=data["yellow_level"], red_level=data["red_level"])
            except DaeError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("已录入筹集资金并记账"))
                return redirect("fund:year_detail", pk=fund_year.pk)
        self.form = form
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form or FundYearForm(regions=region_choices(self.request))
        context["can_write"] = can(self.request.user, "fund:year_list")
        return context


year_list = YearList.as_view()


def year_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund_year = get_scoped_or_404(FundYear, request, pk=pk)
    series = services.profit_rates(fund_year)
    levels = LevelsForm(initial={"yellow_level": fund_year.yellow_level, "red_level": fund_year.red_level,
                                 "contract_start": fund_year.contract_start, "contract_end": fund_year.contract_end})
    return render(request, "fund/year_detail.html", {
        "title": gettext("%(region)s %(year)s 年度基金") % {"region": fund_year.region, "year": fund_year.year},
        "fy": fund_year, "series": series, "history": fund_year.changes.select_related("actor", "transaction"),
        "requests": AppropriationRequest.objects.filter(region_id=fund_year.region_id, year=fund_year.year)
        .order_by("quarter"),
        "clearings": fund_year.clearings.all(), "funds_form": FundsChangeForm(initial={
            "funds_raised": fund_year.funds_raised}), "levels_form": levels,
        "can_write": can(request.user, "fund:year_funds"), "can_levels": can(request.user, "fund:year_levels")})


def year_funds(request: HttpRequest, pk: int) -> HttpResponse:
    """变更筹集资金 (finance): posts the difference."""
    fund_year = get_scoped_or_404(FundYear, request, pk=pk)
    _posted(request, FundsChangeForm, lambda data: actions.do_change_funds(
        request.user, fund_year, data["funds_raised"], on=data["on"], reason=data["reason"]),
        gettext("筹集资金已变更，差额已记账"))
    return redirect("fund:year_detail", pk=fund_year.pk)


def year_levels(request: HttpRequest, pk: int) -> HttpResponse:
    """变更预警线 / 合同期 (finance, manager), with a reason kept in the history."""
    fund_year = get_scoped_or_404(FundYear, request, pk=pk)
    _posted(request, LevelsForm, lambda data: actions.do_change_levels(
        request.user, fund_year, yellow_level=data["yellow_level"], red_level=data["red_level"],
        contract_start=data["contract_start"], contract_end=data["contract_end"], reason=data["reason"]),
        gettext("预警线与合同期已保存"))
    return redirect("fund:year_detail", pk=fund_year.pk)


# -- clearing ------------------------------------------------------------------------------------------------

def _clearing(request: HttpRequest, pk: int, kind: str) -> services.ClearingReport:
    fund_year = get_scoped_or_404(FundYear, request, pk=pk)
    return services.clearing_report(fund_year, kind)


def clearing(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """清算报告 with the form to record it (finance)."""
    report = _clearing(request, pk, kind)
    return render(request, "fund/clearing.html", {
        "title": gettext("%(year)s 年度%(kind)s") % {"year": report.fund_year.year,
                                                 "kind": Clearing.Kind(kind).label},
        "report": report, "form": ClearingForm(), "can_write": can(request.user, "fund:clearing_record")})


def clearing_print(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return render(request, "fund/clearing_print.html", documents.clearing_context(_clearing(request, pk, kind)))


def clearing_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    return documents.clearing_response(request, _clearing(request, pk, kind))


def clearing_record(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """记录清算 (finance): posts the amount to return once."""
    report = _clearing(request, pk, kind)
    _posted(request, ClearingForm, lambda data: actions.do_record_clearing(
        request.user, report.fund_year, kind, on=data["on"], reason=data["reason"], amount=data["amount"] or None),
        lambda done: gettext("清算已记录，退还金额 %(a)s 元") % {"a": f"{done.amount:,.2f}"})
    return redirect("fund:clearing", pk=pk, kind=kind)


# -- appropriation requests ----------------------------------------------------------------------------------

QUARTERS = (("1", _("第一季度")), ("2", _("第二季度")), ("3", _("第三季度")), ("4", _("第四季度")))


class RequestList(ScopedListView):
    """用款申请: the quarters' requests; finance prepares a quarter's request below the list."""

    model = AppropriationRequest
    title = _("用款申请")
    template_name = "fund/request_list.html"
    columns = (
        Column(_("申请编号"), lambda r: r.number, link="fund:request_detail", sort="year"),
        Column(_("统筹区"), "region.name"),
        Column(_("年度"), "year", kind="int"),
        Column(_("季度"), "quarter", kind="int"),
        Column(_("测算依据"), "basis"),
        Column(_("申请金额"), "amount", css="amount"),
        Column(_("状态"), "status"),
        Column(_("提交日期"), "submitted_on", kind="date"),
    )
    filters = (
        RegionFilter(),
        Filter("status", _("状态"), "status", AppropriationRequest.Status.choices),
        Filter("quarter", _("季度"), "quarter", QUARTERS),
        DateRange("submitted", _("提交日期"), "submitted_on"),
        AmountRange("amount", _("申请金额"), "amount"),
    )
    search_fields = ("year",)
    search_placeholder = _("年度")
    empty_hint = _("财务岗在下方选择统筹区、年度和季度后测算。")
    form: Any = None

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region")

    def _form(self, data: Any = None) -> PrepareForm:
        today = timezone.localdate()
        return PrepareForm(data, regions=region_choices(self.request),
                           initial={"year": today.year, "quarter": services.quarter_of(today)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                prepared = actions.do_prepare_request(request.user, data["region"], data["year"], data["quarter"])
            except DaeError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("fund:request_detail", pk=prepared.pk)
        self.form = form
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form or self._form()
        context["can_write"] = can(self.request.user, "fund:request_list")
        return context


request_list = RequestList.as_view()


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appropriation = get_scoped_or_404(AppropriationRequest, request, pk=pk)
    received = services.received_for(appropriation)
    return render(request, "fund/request_detail.html", {
        "title": gettext("用款申请 %(n)s") % {"n": appropriation.number}, "req": appropriation,
        "received": received, "open": max(appropriation.amount - received, 0),
        "entries": appropriation.appropriations.select_related("transaction", "created_by"),
        "adjust_form": AdjustForm(initial={"adjustment": appropriation.adjustment,
                                           "reason": appropriation.adjustment_reason}),
        "submit_form": SubmitForm(), "receive_form": ReceiveForm(initial={
            "amount": max(appropriation.amount - received, 0)}),
        "can_write": can(request.user, "fund:request_adjust")})


def _request_action(request: HttpRequest, pk: int, form_class: type[Any], run: Any, done: Any) -> HttpResponse:
    appropriation = get_scoped_or_404(AppropriationRequest, request, pk=pk)
    _posted(request, form_class, lambda data: run(appropriation, data), done)
    return redirect("fund:request_detail", pk=appropriation.pk)


def request_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_action(request, pk, AdjustForm, lambda req, data: actions.do_adjust_request(
        request.user, req, data["adjustment"], data["reason"]), gettext("已调整申请金额"))


def request_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_action(request, pk, SubmitForm, lambda req, data: actions.do_submit_request(
        request.user, req, on=data["on"]), gettext("用款申请已提交"))


def request_receive(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_action(request, pk, ReceiveForm, lambda req, data: actions.do_receive_appropriation(
        request.user, req, amount=data["amount"], on=data["on"], slip_no=data["slip_no"]),
        gettext("拨款到账已登记并记账"))


def request_print(request: HttpRequest, pk: int) -> HttpResponse:
    appropriation = get_scoped_or_404(AppropriationRequest, request, pk=pk)
    return render(request, "fund/request_print.html", documents.request_context(appropriation))


def request_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return documents.request_response(request, get_scoped_or_404(AppropriationRequest, request, pk=pk))


# -- entries and the revolving fund --------------------------------------------------------------------------

class EntryList(ScopedListView):
    model = FundEntry
    title = _("基金收支记录")
    template_name = "fund/entry_list.html"
    columns = (
        Column(_("业务日期"), "on"),
        Column(_("类型"), "kind"),
        Column(_("统筹区"), "region.name"),
        Column(_("金额"), "amount", css="amount"),
        Column(_("单据号"), "reference_no"),
        Column(_("摘要"), "description"),
        Column(_("记账凭证"), lambda e: f"#{e.transaction_id}", link="ledger:transaction_detail",
               link_kw="transaction_id", sort="transaction_id"),
        Column(_("经办人"), "created_by"),
    )
    search_fields = ("reference_no", "description__icontains", "approval_no")
    search_placeholder = _("单据号、摘要或审批文号")
    filters = (DateRange("on", _("业务日期"), "on"), RegionFilter(), Filter("kind", _("类型"), "kind", FundEntry.Kind.choices),
               AmountRange("amount", _("金额"), "amount"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = [(k, kind_label(k)) for k in actions.FORM_KINDS]
        context["can_write"] = can(self.request.user, "fund:entry_new")
        return context


def entry_new(request: HttpRequest, kind: str) -> HttpResponse:
    """录入划转、经办费用、利息或临时周转金借入/归还 (finance); a double submit posts once."""
    if kind not in actions.FORM_KINDS:
        raise InvalidInput(f"不支持的记录类型：{kind}", code=CoreCode.INVALID_KIND)
    form = EntryForm(request.POST or None, kind=kind, regions=region_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = actions.do_record_entry(
                request.user, kind, data["region"], on=data["on"], amount=data["amount"], key=data["key"],
                reference_no=data["reference_no"], description=data["description"],
                reason=data.get("reason", ""), approval_no=data.get("approval_no", ""))
        except DaeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已记录并记账，凭证 #%(pk)s") % {"pk": entry.transaction_id})
            return redirect("fund:revolving" if kind.startswith("revolving") else "fund:entry_list")
    return render(request, "fund/entry_form.html", {"title": kind_label(kind), "form": form, "kind": kind,
                                                    "spec": actions.SPECS[kind]})


def revolving(request: HttpRequest) -> HttpResponse:
    """临时周转金: outstanding per region, the repayments due and the draws and repayments."""
    today = timezone.localdate()
    regions = sorted(request.user.region_codes)  # type: ignore[union-attr]
    names = dict(region_choices(request))
    rows = [(names.get(code, code), services.revolving_outstanding(code, None),
             services.balances(code, today, (E.SPENDING_BANK,)).get(E.SPENDING_BANK)) for code in regions]
    return render(request, "fund/revolving.html", {
        "title": _("临时周转金"), "rows": rows, "today": today,
        "dues": RepaymentDue.objects.for_user(request.user).select_related("source", "region").order_by("-due_on")[:50],
        "entries": FundEntry.objects.for_user(request.user).filter(
            kind__in=[FundEntry.Kind.REVOLVING_DRAW, FundEntry.Kind.REVOLVING_REPAY]).select_related("created_by",
                                                                                       "region")[:50],
        "can_write": can(request.user, "fund:entry_new")})



# -- risk-adjustment fund (风险调节基金) ------------------------------------------------------------------------

def risk(request: HttpRequest) -> HttpResponse:
    """风险调节基金: the balance and movements of a region, the set-aside rule in force and its history, the uses
    and their approvals; the manager sets the rule, finance requests a use, the manager then the supervisor
    approve it."""
    today = timezone.localdate()
    region = _chosen_region(request)
    post = post_of(request)
    uses = RiskFundUse.objects.for_user(request.user).filter(region_id=region).select_related(
        "requested_by", "manager_by", "supervisor_by")[:50]
    waiting = {RiskFundUse.Status.REQUESTED: "manager", RiskFundUse.Status.MANAGER_APPROVED: "supervisor"}
    return render(request, "fund/risk.html", {
        "title": _("风险调节基金"), "regions": region_choices(request), "region": region, "today": today,
        "balance": services.risk_balance(region, today), "moves": services.risk_movements(region),
        "rule": services.reserve_rule(region, today),
        "rules": RiskReserveRule.objects.for_user(request.user).filter(
            Q(region_id=region) | Q(region__isnull=True))[:20],
        "uses": [(u, waiting.get(u.status) == post and u.requested_by_id != request.user.pk) for u in uses],
        "rule_form": ReserveRuleForm(regions=region_choices(request), initial={"effective_from": today})
        if can(request.user, "fund:risk_rule") else None,
        "use_form": RiskUseForm(regions=region_choices(request), initial={"region": region, "on": today})
        if can(request.user, "fund:risk_use_new") else None,
        "decision_form": RiskDecisionForm()})


def risk_rule(request: HttpRequest) -> HttpResponse:
    """设置提取比例 (manager)."""
    if request.method == "POST":
        form = ReserveRuleForm(request.POST, regions=region_choices(request))
        if not form.is_valid():
            _failed(request, form)
        else:
            data = form.cleaned_data
            try:
                rule = actions.do_set_reserve_rule(request.user, share=data["share"],
                                                   effective_from=data["effective_from"], reason=data["reason"],
                                                   region=data["region"] or None)
            except DaeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("提取比例已设置为 %(s)s%%，自 %(d)s 起生效") % {
                    "s": rule.share, "d": rule.effective_from})
    return redirect("fund:risk")


def risk_use_new(request: HttpRequest) -> HttpResponse:
    """申请动用风险调节基金 (finance)."""
    if request.method == "POST":
        form = RiskUseForm(request.POST, regions=region_choices(request))
        if not form.is_valid():
            _failed(request, form)
            return redirect("fund:risk")
        data = form.cleaned_data
        try:
            use = actions.do_request_risk_use(request.user, data["region"], purpose=data["purpose"],
                                              amount=data["amount"], on=data["on"], reason=data["reason"])
        except DaeError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('fund:risk')}?region={data['region']}")
        messages.success(request, gettext("已提交申请，待管理岗和医保局监督审批"))
        return redirect(f"{reverse('fund:risk')}?region={use.region_id}")
    return redirect("fund:risk")


def risk_use_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """批准或拒绝动用申请 (manager first, then supervisor)."""
    use = access_by_id(RiskFundUse, request, pk)
    if request.method == "POST":
        form = RiskDecisionForm(request.POST)
        if not form.is_valid():
            _failed(request, form)
        else:
            try:
                if form.cleaned_data["decision"] == "approve":
                    done = actions.do_approve_risk_use(request.user, use)
                else:
                    done = actions.do_refuse_risk_use(request.user, use, form.cleaned_data["reason"])
            except DaeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("申请状态：%(s)s") % {"s": done.get_status_display()})
    return redirect(f"{reverse('fund:risk')}?region={use.region_id}")
