"""Pages of the fund ledger (基金财务): chart of accounts with balances, trial balance, account statement with
CSV/Excel export, transactions, the manual entry form and the reversal (冲正). Reads for finance, manager and
supervisor; writes for finance (see permission_matrix.yaml). Every query is limited to the user's regions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can_export
from dae.core import exports, inputs
from dae.core.access import record_export
from dae.core.errors import DaeError, InvalidInput, NotFound, PermissionDenied
from dae.core.models import Region
from dae.core.money import ZERO
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import (
    Column,
    DateRange,
    Filter,
    RegionFilter,
    ScopedListView,
    export_report,
    report_export_links,
)

from . import queries
from .actions import do_post, do_reverse
from .forms import ENTRY_ROWS, EntryForm, ReverseForm, postable_accounts
from .models import Account, Transaction

STATEMENT_PAGE = 100


def _regions(request: HttpRequest) -> tuple[list[str], str]:
    """The regions to read (the user's, or the one chosen among them) and the chosen one ("" = all)."""
    codes = list(request.user.region_codes)  # type: ignore[union-attr]
    chosen = request.GET.get("region", "").strip()
    return ([chosen], chosen) if chosen in codes else (codes, "")


def _region_choices(request: HttpRequest) -> list[tuple[str, str]]:
    codes = request.user.region_codes  # type: ignore[union-attr]
    return [(r.admdvs, str(r)) for r in Region.objects.filter(admdvs__in=codes)]


def _common(request: HttpRequest, title: Any, **extra: Any) -> dict[str, Any]:
    regions, chosen = _regions(request)
    return {"title": title, "regions": _region_choices(request), "region": chosen, "region_codes": regions,
            "can_post": getattr(request.user, "post", "") == "finance", **extra}


def _described(request: HttpRequest, on: Any, chosen: str) -> list[str]:
    """The export header's filters of a ledger report: the date and the region chosen (if one)."""
    described = [gettext("截至日期：%(on)s") % {"on": on.isoformat()}]
    if chosen:
        described.append(gettext("统筹区：%(r)s") % {"r": dict(_region_choices(request)).get(chosen, chosen)})
    return described


BALANCE_COLUMNS = (
    exports.ExportColumn(_("科目编码"), "text", 12), exports.ExportColumn(_("科目名称"), "text", 28),
    exports.ExportColumn(_("科目类别"), "text", 10), exports.ExportColumn(_("余额方向"), "text", 8),
    exports.ExportColumn(_("借方累计"), "money", 16), exports.ExportColumn(_("贷方累计"), "money", 16),
    exports.ExportColumn(_("余额"), "money", 16))


def account_list(request: HttpRequest) -> HttpResponse:
    """会计科目 with the balances at the end of the chosen date; ``?export=xlsx|csv`` downloads them (group
    accounts carry their descendants' sums, so the download has no totals row: it would count them twice)."""
    on = inputs.query_date(request.GET, "date", timezone.localdate())
    context = _common(request, _("会计科目及余额"), on=on)
    rows = queries.balances(on, regions=context["region_codes"],
                            accounts=Account.objects.for_user(request.user))
    fmt = request.GET.get("export", "")
    if fmt:
        data = [[r.account.code, r.account.name, r.account.get_kind_display(), r.account.get_normal_side_display(),
                 r.debit, r.credit, r.balance] for r in rows]
        return export_report(request, fmt, title=str(context["title"]), columns=_columns(BALANCE_COLUMNS),
                             rows=data, totals=None, described=_described(request, on, context["region"]))
    return render(request, "ledger/account_list.html", {**context, "rows": rows,
                                                        "report_export": report_export_links(request)})


TRIAL_COLUMNS = (
    exports.ExportColumn(_("科目编码"), "text", 12), exports.ExportColumn(_("科目名称"), "text", 28),
    exports.ExportColumn(_("借方发生额"), "money", 16), exports.ExportColumn(_("贷方发生额"), "money", 16),
    exports.ExportColumn(_("期末借方余额"), "money", 16), exports.ExportColumn(_("期末贷方余额"), "money", 16))


def _columns(columns: tuple[exports.ExportColumn, ...]) -> list[exports.ExportColumn]:
    """The headings in the reader's language (the column tuples hold lazy strings)."""
    return [exports.ExportColumn(str(c.label), c.kind, c.width) for c in columns]


def trial_balance(request: HttpRequest) -> HttpResponse:
    """试算平衡表 at a date; ``?export=xlsx|csv`` downloads it with its totals row."""
    on = inputs.query_date(request.GET, "date", timezone.localdate())
    context = _common(request, _("试算平衡表"), on=on)
    tb = queries.trial_balance(on, regions=context["region_codes"])
    fmt = request.GET.get("export", "")
    if fmt:
        data = [[r.account.code, r.account.name, r.debit, r.credit, r.net_debit if r.net_debit > 0 else None,
                 r.net_credit if r.net_debit < 0 else None] for r in tb.rows]
        totals = [gettext("合计（%(n)s 条）") % {"n": len(data)}, "", tb.total_debit, tb.total_credit,
                  tb.debit_balances, tb.credit_balances]
        return export_report(request, fmt, title=str(context["title"]), columns=_columns(TRIAL_COLUMNS),
                             rows=data, totals=totals, described=_described(request, on, context["region"]))
    return render(request, "ledger/trial_balance.html", {**context, "tb": tb,
                                                         "report_export": report_export_links(request)})


STATEMENT_HEADER = (_("记账日期"), _("凭证号"), _("摘要"), _("业务类型"), _("业务编号"), _("借方金额"), _("贷方金额"),
                    _("余额"))


def _statement_rows(st: queries.Statement) -> Any:
    yield [None, None, gettext("期初余额"), "", "", None, None, st.opening]
    for leg in st.lines.iterator(chunk_size=2000):
        txn = leg.transaction
        yield [txn.date, txn.pk, txn.description, txn.reference_type, txn.reference_id,
               leg.debit or None, leg.credit or None, st.running(leg)]


def _export(request: HttpRequest, st: queries.Statement, fmt: str) -> HttpResponse:
    """The statement as Excel or CSV through the one export helper: text stays text (a description beginning
    with ``=`` is never a formula), amounts in yuan format, a header block naming who exported what and when."""
    kinds: tuple[exports.Kind, ...] = ("date", "int", "text", "text", "text", "money", "money", "money")
    columns = [exports.ExportColumn(str(h), kind, 14 if kind != "text" else 24)
               for h, kind in zip(STATEMENT_HEADER, kinds, strict=True)]
    header = [f"{gettext('明细账')} {st.account.code} {st.account.name}  {st.start} – {st.end}",
              f"{gettext('导出人')} {request.user}  {timezone.localtime():%Y-%m-%d %H:%M}"]
    totals = [None, None, gettext("本期合计"), "", "", st.debit, st.credit, st.closing]
    name = f"statement-{st.account.code}-{st.start}-{st.end}"
    if not can_export(request.user, "ledger:statement"):
        raise PermissionDenied(gettext("当前岗位不能导出此列表"))
    if fmt == "csv":
        content = exports.csv_bytes(columns, _statement_rows(st), header_lines=header, totals=totals)
    else:
        content = exports.xlsx_bytes([(st.account.code, columns, _statement_rows(st))], header_lines=header,
                                     totals=totals)
    record_export(request, "ledger:statement", st.lines.count(), fmt)
    return exports.export_response(content, name, fmt)


def statement(request: HttpRequest, code: str) -> HttpResponse:
    """明细账 of one account between two dates, with running balance; ``?export=csv|xlsx`` downloads it."""
    account = Account.objects.for_user(request.user).filter(code=code).first()
    if account is None:
        raise NotFound(f"科目 {code} 不存在")
    today = timezone.localdate()
    end = inputs.query_date(request.GET, "end", today)
    start = inputs.query_date(request.GET, "start", end.replace(month=1, day=1))
    if start > end:
        raise InvalidInput("起始日期不能晚于截止日期", code=inputs.InputCode.INVALID_PERIOD)
    context = _common(request, _("明细账"), account=account, start=start, end=end)
    st = queries.statement(account, start=start, end=end, regions=context["region_codes"])
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        return _export(request, st, export)
    page = Paginator(st.lines, STATEMENT_PAGE).get_page(request.GET.get("page"))
    rows = [(leg, st.running(leg)) for leg in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "ledger/statement.html", {**context, "st": st, "page": page, "rows": rows,
                                                      "querystring": query.urlencode()})


def _reference(txn: Transaction) -> str:
    return f"{txn.reference_type} {txn.reference_id}".strip()


class TransactionList(ScopedListView):
    model = Transaction
    title = _("记账凭证")
    template_name = "ledger/transaction_list.html"
    columns = (
        Column(_("凭证号"), "pk", link="ledger:transaction_detail"),
        Column(_("记账日期"), "date"),
        Column(_("摘要"), "description"),
        Column(_("业务"), _reference),
        Column(_("统筹区"), "region.name"),
        Column(_("记账人"), "posted_by"),
    )
    search_fields = ("description__icontains", "reference_id", "idempotency_key")
    search_placeholder = _("摘要、业务编号或幂等键")
    filters = (DateRange("date", _("记账日期"), "date"), RegionFilter(),
               Filter("kind", _("类型"), {"reversal": {"reverses__isnull": False},
                                         "original": {"reverses__isnull": True}},
                      (("original", _("正常凭证")), ("reversal", _("冲正凭证")))),)

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "posted_by")


def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    txn = get_scoped_or_404(Transaction, request, pk=pk)
    legs = txn.legs.select_related("account").order_by("id")
    reversal = txn.reversal_or_none()
    can_reverse = getattr(request.user, "post", "") == "finance" and reversal is None and not txn.is_reversal
    form = ReverseForm(initial={"date": max(timezone.localdate(), txn.date)})
    return render(request, "ledger/transaction_detail.html", {
        "title": gettext("记账凭证 #%(pk)s") % {"pk": txn.pk}, "txn": txn, "legs": legs, "reversal": reversal,
        "can_reverse": can_reverse, "form": form, "total": sum((leg.debit for leg in legs), ZERO)})


def transaction_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """冲正 (finance): posts the mirror transaction with the reason; the detail page shows the outcome."""
    txn = get_scoped_or_404(Transaction, request, pk=pk)
    if request.method != "POST":
        return redirect("ledger:transaction_detail", pk=txn.pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写冲正日期和冲正原因"))
        return redirect("ledger:transaction_detail", pk=txn.pk)
    try:
        reversal = do_reverse(txn, date=form.cleaned_data["date"], reason=form.cleaned_data["reason"], actor=request.user)
    except DaeError as exc:
        messages.error(request, exc.message)
        return redirect("ledger:transaction_detail", pk=txn.pk)
    messages.success(request, gettext("已冲正，冲正凭证 #%(pk)s") % {"pk": reversal.pk})
    return redirect("ledger:transaction_detail", pk=reversal.pk)


def entry_new(request: HttpRequest) -> HttpResponse:
    """手工记账 (finance): operating costs, interest, transfers between the income and expenditure accounts …"""
    regions = _region_choices(request)
    form = EntryForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            txn = do_post(form.lines, date=data["date"], description=data["description"],
                          reference=("ledger.manual", data["reference_id"]), key=data["key"], actor=request.user,
                          region=data["region"])
        except DaeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已记账，凭证 #%(pk)s") % {"pk": txn.pk})
            return redirect("ledger:transaction_detail", pk=txn.pk)
    return render(request, "ledger/entry_form.html", {
        "title": _("手工记账"), "form": form, "rows": form.leg_rows(), "accounts": postable_accounts(),
        "row_count": ENTRY_ROWS})
