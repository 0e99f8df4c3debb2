"""Pages of bank reconciliation (基金财务 → 银行对账, 日清日结): statements and their upload, statement detail,
unmatched items with aging, the balance reconciliation, manual match / undo / notes, and the day close. Reads for
finance, manager and supervisor; writes for finance (permission_matrix.yaml). Every query is limited to the
user's regions; each write calls one action of ``actions`` or ``closing``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.db.models import Case, Count, F, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import DaeError, InvalidInput
from dae.core.exports import ExportColumn
from dae.core.models import Region
from dae.core.scoping import get_scoped_or_404
from dae.ledger.models import Leg
from dae.web.listing import (
    AmountRange,
    Column,
    DateRange,
    Filter,
    RegionFilter,
    ScopedListView,
    export_report,
    report_export_links,
)

from . import actions, closing, queries, rules
from .forms import CloseForm, MatchForm, MatchRunForm, NoteForm, ReasonForm, UploadForm, account_choices
from .models import BankLine, BankStatement, Direction, Match
from .parser import COLUMNS, template_csv

ITEM_LIMIT = 500
CANDIDATES = 10
BUCKET_LABELS = {"0-7": _("0–7 天"), "8-30": _("8–30 天"), "31-90": _("31–90 天"), "over-90": _("90 天以上")}


def _can_write(request: HttpRequest) -> bool:
    return getattr(request.user, "post", "") == "finance"


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The region and account chosen among the user's (empty = all), with the choices for the picker."""
    codes = list(request.user.region_codes)  # type: ignore[union-attr]
    region = request.GET.get("region", "").strip()
    region = region if region in codes else ""
    account = request.GET.get("account", "").strip()
    choices = account_choices()
    account = account if account in {code for code, _label in choices} else ""
    return {"regions": [(r.admdvs, str(r)) for r in Region.objects.filter(admdvs__in=codes)], "region": region,
            "region_codes": [region] if region else codes, "accounts": choices, "account": account,
            "account_objects": queries.cash_accounts([account] if account else [code for code, _l in choices]),
            "can_write": _can_write(request)}


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


# -- statements ---------------------------------------------------------------------------------------------

class StatementList(ScopedListView):
    model = BankStatement
    title = _("银行对账单")
    empty_hint = _("财务岗上传银行对账单后在此显示。")
    template_name = "bank/statement_list.html"
    columns = (
        Column(_("对账单"), lambda s: f"#{s.pk}", link="bank:statement_detail"),
        Column(_("统筹区"), "region.name"),
        Column(_("银行账户"), lambda s: f"{s.account.code} {s.account.name}"),
        Column(_("期间"), lambda s: f"{s.period_from:%Y-%m-%d} – {s.period_to:%Y-%m-%d}"),
        Column(_("文件名"), "file_name"),
        Column(_("流水笔数"), "line_count", kind="int"),
        Column(_("期末余额"), "closing_balance", css="amount", total=""),
        Column(_("导入人"), "imported_by"),
        Column(_("导入时间"), "imported_at"),
    )
    search_fields = ("file_name__icontains",)
    search_placeholder = _("文件名")
    filters = (Filter("account", _("银行账户"), "account__code",
                      (("100201", _("100201 收入户存款")), ("100202", _("100202 支出户存款")))),
               DateRange("period", _("对账期间起"), "period_from"), RegionFilter())

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "account", "imported_by")


def statement_upload(request: HttpRequest) -> HttpResponse:
    """上传银行对账单 (finance): reads, checks every row, stores and matches; a bad file stores nothing."""
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    error = None
    if request.method == "POST" and form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        try:
            imported = actions.do_import_statement(
                region=data["region"], account=data["account"], file_name=upload.name, content=upload.read(),
                actor=request.user, period_from=data["period_from"], period_to=data["period_to"])
        except DaeError as exc:
            error = exc
        else:
            messages.success(request, gettext(
                "已导入 %(lines)s 笔流水：附言匹配 %(memo)s 笔，金额日期匹配 %(amount)s 笔，重复流水 %(dup)s 笔") % {
                "lines": imported.statement.line_count, "memo": imported.matched.memo,
                "amount": imported.matched.amount_date, "dup": imported.duplicates})
            return redirect("bank:statement_detail", pk=imported.statement.pk)
    problems = error.details if error is not None and isinstance(error.details, list) else []
    return render(request, "bank/statement_upload.html", {
        "title": _("上传银行对账单"), "form": form, "error": error, "problems": problems, "columns": COLUMNS})


def statement_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bank-statement-template.csv"'
    return response


def _state_cell(line: BankLine) -> Any:
    badge = {"matched": "text-bg-success", "duplicate": "text-bg-secondary"}.get(line.state, "text-bg-warning")
    return format_html('<span class="badge {}" data-testid="state-{}">{}</span>', badge, line.seq,
                       line.get_state_display())


def _voucher_cell(line: BankLine) -> Any:
    match = getattr(line, "match", None)
    if match is None:
        return ""
    return format_html('<a href="{}">#{}</a> {}', reverse("ledger:transaction_detail", args=[match.leg.transaction_id]),
                       match.leg.transaction_id, f"{match.leg.transaction.date:%Y-%m-%d}")


def _rule_cell(can_write: bool) -> Any:
    def render(line: BankLine) -> Any:
        match = getattr(line, "match", None)
        if match is None:
            return ""
        shown = format_html('<span data-testid="rule-{}">{}</span>', line.seq, match.get_rule_display())
        if match.rule != "manual":
            return shown
        who = format_html('<div class="text-body-secondary">{}（{}）</div>', match.reason, match.matched_by or "")
        if not can_write:
            return format_html("{}{}", shown, who)
        undo = format_html(
            '<div class="d-flex gap-1 mt-1" data-testid="undo-{}"><input name="reason" form="undo-form-{}" '
            'class="form-control form-control-sm" placeholder="{}" aria-label="{}" required><button '
            'class="btn btn-outline-danger btn-sm" form="undo-form-{}" type="submit">{}</button></div>',
            line.seq, match.pk, gettext("撤销原因"), gettext("撤销原因"), match.pk, gettext("撤销匹配"))
        return format_html("{}{}{}", shown, who, undo)
    return render


def _match_text(line: BankLine) -> str:
    match = getattr(line, "match", None)
    return f"#{match.leg.transaction_id} {match.get_rule_display()}" if match is not None else ""


class StatementDetail(ScopedListView):
    """One bank statement: its header, and its lines as a list (filters by state, direction, date, amount and
    text; totals of 收入 and 支出; export), with the undo of a manual match in the line's row for finance."""

    model = BankLine
    template_name = "bank/statement_detail.html"
    paginate_by = 100
    search_fields = ("serial", "counterparty__icontains", "memo__icontains")
    search_placeholder = _("流水号、对方户名或摘要")
    filters = (
        Filter("state", _("状态"), "state", BankLine.State.choices),
        Filter("direction", _("收支方向"), "direction", Direction.choices),
        DateRange("date", _("交易日期"), "date"),
        AmountRange("amount", _("金额"), "amount"),
    )
    export_columns = (
        Column(_("行号"), "seq", kind="int"), Column(_("交易日期"), "date", kind="date"),
        Column(_("银行流水号"), "serial"), Column(_("收支方向"), "direction"),
        Column(_("收入"), "income", css="amount"), Column(_("支出"), "outgo", css="amount"),
        Column(_("对方户名"), "counterparty"), Column(_("摘要"), "memo"), Column(_("余额"), "balance", css="amount",
                                                                               total=""),
        Column(_("状态"), "state"), Column(_("账面凭证 / 匹配规则"), _match_text),
    )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.statement = get_scoped_or_404(BankStatement, request, pk=kwargs["pk"])
        self.title = gettext("银行对账单 #%(pk)s") % {"pk": self.statement.pk}
        return super().dispatch(request, *args, **kwargs)

    @property
    def columns(self) -> tuple[Column, ...]:  # type: ignore[override]
        return (
            Column(_("行号"), "seq", kind="int"), Column(_("交易日期"), "date"), Column(_("银行流水号"), "serial"),
            Column(_("收支方向"), "direction"), Column(_("收入"), "income", css="amount"),
            Column(_("支出"), "outgo", css="amount"), Column(_("对方户名"), "counterparty"), Column(_("摘要"), "memo"),
            Column(_("余额"), "balance", css="amount", total=""), Column(_("状态"), _state_cell, sort="state"),
            Column(_("账面凭证"), _voucher_cell, sort=""), Column(_("匹配规则"), _rule_cell(_can_write(self.request)),
                                                            sort=""),
        )

    def base_queryset(self) -> Any:
        return (BankLine.objects.filter(statement=self.statement)
                .select_related("match__leg__transaction", "match__matched_by")
                .annotate(income=Case(When(direction=Direction.IN, then=F("amount"))),
                          outgo=Case(When(direction=Direction.OUT, then=F("amount"))))
                .order_by("seq"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        states = dict(self.statement.lines.values_list("state").annotate(n=Count("id")).order_by())
        context.update(statement=self.statement, can_write=_can_write(self.request),
                       states=[(label, states.get(value, 0)) for value, label in BankLine.State.choices])
        return context


statement_detail = StatementDetail.as_view()


# -- unmatched items, manual match, notes ------------------------------------------------------------------

def _candidates(items: list[queries.Item], regions: list[str]) -> dict[int, list[dict[str, Any]]]:
    """For each bank item, the free legs it may be matched with by hand (same region, account, direction and
    amount), closest date first: one query for all items shown."""
    bank = [i for i in items if i.side == rules.BANK]
    if not bank:
        return {}
    amounts = sorted({i.amount for i in bank})
    legs = (Leg.objects.filter(account__code__in={i.account for i in bank}, transaction__region__in=regions,
                               bank_match__isnull=True)
            .filter(Q(debit__in=amounts) | Q(credit__in=amounts))
            .values("id", "debit", "credit", "account__code", "transaction_id", "transaction__region_id",
                    "transaction__date", "transaction__description"))
    pool: dict[tuple[str, str, str, Any], list[dict[str, Any]]] = defaultdict(list)
    for leg in legs:
        direction = rules.IN if leg["debit"] else rules.OUT
        pool[(leg["transaction__region_id"], leg["account__code"], direction, leg["debit"] or leg["credit"])].append(leg)
    result = {}
    for item in bank:
        found = pool.get((item.region, item.account, item.direction, item.amount), [])
        result[item.id] = sorted(found, key=lambda leg: (abs((leg["transaction__date"] - item.date).days),
                                                         leg["id"]))[:CANDIDATES]
    return result


UNMATCHED_COLUMNS = (
    (_("类别"), "text", 18), (_("统筹区"), "text", 10), (_("银行账户"), "text", 10), (_("日期"), "date", 12),
    (_("收支方向"), "text", 8), (_("长款"), "money", 14), (_("短款"), "money", 14), (_("摘要"), "text", 28),
    (_("凭证号"), "int", 10), (_("流水号 / 业务"), "text", 18), (_("账龄（天）"), "int", 10), (_("账龄区间"), "text", 10),
    (_("备注"), "text", 24))


def _unmatched_export(request: HttpRequest, context: dict[str, Any], on: dt.date,
                      result: queries.Unmatched, fmt: str) -> HttpResponse:
    """Every unmatched item (not only the first ``ITEM_LIMIT`` shown) with 长款 and 短款 in their own columns, so
    the totals row equals the page's 长款/短款 totals."""
    side = {rules.BANK: gettext("银行已记、账面未记")}
    rows = [[side.get(i.side, gettext("账面已记、银行未记")), i.region, i.account, i.date,
             gettext("收") if i.direction == rules.IN else gettext("付"),
             i.amount if i.kind == rules.LONG else None, i.amount if i.kind == rules.SHORT else None,
             i.text, i.transaction, i.reference, i.age, str(BUCKET_LABELS[i.bucket]), i.note] for i in result.items]
    totals = [gettext("合计（%(n)s 条）") % {"n": len(rows)}, "", "", "", "", result.long_total, result.short_total,
              "", "", "", "", "", ""]
    described = [gettext("截至日期：%(on)s") % {"on": on.isoformat()}]
    if context["region"]:
        described.append(gettext("统筹区：%(r)s") % {"r": dict(context["regions"]).get(context["region"], "")})
    if context["account"]:
        described.append(gettext("银行账户：%(a)s") % {"a": dict(context["accounts"]).get(context["account"], "")})
    columns = [ExportColumn(str(label), kind, width) for label, kind, width in UNMATCHED_COLUMNS]  # type: ignore[arg-type]
    return export_report(request, fmt, title=gettext("未达账项"), columns=columns, rows=rows, totals=totals,
                         described=described)


def unmatched(request: HttpRequest) -> HttpResponse:
    """未达账项: items only at the bank or only in the book at a date, with aging and 长款/短款 totals;
    ``?export=xlsx|csv`` downloads every item."""
    context = _filters(request)
    on = inputs.query_date(request.GET, "date", timezone.localdate())
    result = queries.unmatched(context["region_codes"], context["account_objects"], on)
    fmt = request.GET.get("export", "")
    if fmt:
        return _unmatched_export(request, context, on, result, fmt)
    shown = result.items[:ITEM_LIMIT]
    candidates = _candidates(shown, context["region_codes"]) if context["can_write"] else {}
    return render(request, "bank/unmatched.html", {
        **context, "title": _("未达账项"), "on": on, "result": result, "limit": ITEM_LIMIT,
        "rows": [(item, BUCKET_LABELS[item.bucket], candidates.get(item.id, [])) for item in shown],
        "buckets": [{**b, "label": BUCKET_LABELS[b["key"]]} for b in result.buckets()],
        "here": request.get_full_path(), "report_export": report_export_links(request)})


def match_run(request: HttpRequest) -> HttpResponse:
    """重新匹配 (finance): the matching rules again over the account's unmatched lines (after late postings)."""
    default = reverse("bank:unmatched")
    if request.method != "POST":
        return redirect(default)
    form = MatchRunForm(request.POST)
    if not form.is_valid() or form.cleaned_data["region"] not in request.user.region_codes:  # type: ignore[union-attr]
        messages.error(request, gettext("请选择统筹区和银行账户"))
        return _back(request, default)
    data = form.cleaned_data
    try:
        counts = actions.do_run_matching(region=data["region"], account=data["account"], actor=request.user,
                                      window=data["window"] if data["window"] is not None else rules.MATCH_WINDOW_DAYS)
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("重新匹配完成：附言匹配 %(memo)s 笔，金额日期匹配 %(amount)s 笔") % {
            "memo": counts.memo, "amount": counts.amount_date})
    return _back(request, default)


def line_match(request: HttpRequest, pk: int) -> HttpResponse:
    """手工匹配 (finance): a bank line with a ledger leg of the same amount and direction, with a reason."""
    line = get_scoped_or_404(BankLine, request, pk=pk)
    default = reverse("bank:unmatched")
    if request.method != "POST":
        return redirect(default)
    form = MatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择要匹配的账面分录"))
        return _back(request, default)
    try:
        actions.do_match_manually(line=line, leg_id=form.cleaned_data["leg"], reason=form.cleaned_data["reason"],
                               actor=request.user)
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已手工匹配银行流水 %(serial)s") % {"serial": line.serial})
    return _back(request, default)


def match_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销手工匹配 (finance), with a reason."""
    match = get_scoped_or_404(Match, request, pk=pk)
    default = reverse("bank:statement_detail", args=[match.line.statement_id])
    if request.method != "POST":
        return redirect(default)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        actions.do_unmatch(match=match, reason=form.cleaned_data.get("reason", ""), actor=request.user)
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已撤销手工匹配"))
    return _back(request, default)


def note_add(request: HttpRequest) -> HttpResponse:
    """备注 (finance) on an unmatched bank line or ledger leg."""
    default = reverse("bank:unmatched")
    if request.method != "POST":
        return redirect(default)
    form = NoteForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        line = get_scoped_or_404(BankLine, request, pk=data["line"]) if data.get("line") else None
        leg = get_scoped_or_404(Leg, request, pk=data["leg"]) if data.get("leg") and line is None else None
        actions.do_add_note(text=data.get("text", ""), actor=request.user, line=line, leg=leg)
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已保存备注"))
    return _back(request, default)


# -- balance reconciliation and the day close --------------------------------------------------------------

def reconciliation(request: HttpRequest) -> HttpResponse:
    """余额调节表 of each chosen bank account at a date."""
    context = _filters(request)
    on = inputs.query_date(request.GET, "date", timezone.localdate())
    names = dict(context["regions"])
    tables = [(names.get(region, region), account, queries.reconciliation(region, account, on))
              for region in context["region_codes"] for account in context["account_objects"]]
    return render(request, "bank/reconciliation.html", {**context, "title": _("余额调节表"), "on": on,
                                                         "tables": tables})


def _close(request: HttpRequest) -> HttpResponse:
    form = CloseForm(request.POST)
    if not form.is_valid() or form.cleaned_data["region"] not in request.user.region_codes:  # type: ignore[union-attr]
        messages.error(request, gettext("请选择统筹区和日结日期"))
        return redirect("bank:day_close")
    data = form.cleaned_data
    try:
        closed = actions.do_close_day(data["region"], data["day"], actor=request.user, note=data["note"])
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已日结 %(day)s（未达账项 %(n)s 笔）") % {
            "day": closed.day.isoformat(), "n": closed.unmatched_count})
    return redirect(f"{reverse('bank:day_close')}?region={data['region']}&month={data['day']:%Y-%m}")


def day_close(request: HttpRequest) -> HttpResponse:
    """日清日结: the days of a month with their cash movements, statement coverage and close; finance closes the
    next open day after reconciliation."""
    if request.method == "POST":
        return _close(request)
    context = _filters(request)
    if not context["regions"]:
        raise InvalidInput("当前用户没有统筹区", code=CoreCode.NO_REGION)
    region = context["region"] or context["regions"][0][0]
    first = (inputs.query_month(request.GET, "month")
             or (closing.next_open_day(region) or timezone.localdate()).replace(day=1))
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return render(request, "bank/day_close.html", {
        **context, "title": _("日清日结"), "region": region, "first": first,
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"), "rows": closing.calendar(region, first, last),
        "closed_through": closing.closed_through(region), "next_open": closing.next_open_day(region),
        "today": timezone.localdate()})
