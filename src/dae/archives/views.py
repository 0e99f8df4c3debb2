"""Pages of the archives: the catalogue (search and filters), an item with its files, checks, holds and loans,
the reading room (watermarked page images), the loan register and one's own loans, appraisal and destruction lists,
the retention schedule, and the log chains' state. Who may open or post each page is in ``permission_matrix.yaml``;
``can_*`` flags come from it; each form calls one action and shows a refusal as a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.access import record_access, record_access_many
from dae.core.errors import InvalidInput, NotFound
from dae.core.jobs import start_job
from dae.core.logchain import CHAINS
from dae.core.models import AccessRecord, Event
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView
from dae.web.outcome import act_on_page
from dae.web.who import region_choices

from . import actions, queries, storage
from . import render as rendering
from .models import DestructionList, Item, ItemCheck, ItemFile, Loan, Retention, RetentionRule
from .registry import CATEGORIES, kind_choices, kinds

PACKAGE_MAX = 500



def _status_badge(item: Item) -> str:
    return str(item.get_status_display())


# -- the catalogue ---------------------------------------------------------------------------------------------


class Catalogue(ScopedListView):
    model = Item
    title = _("档案目录")
    template_name = "archives/catalogue.html"
    columns = (
        Column(_("档号"), lambda i: i.code or gettext("（未编号）"), link="archives:item_detail"),
        Column(_("题名"), "title"),
        Column(_("档案类型"), "kind_label"),
        Column(_("年度"), "year"),
        Column(_("保管期限"), "retention"),
        Column(_("起止日期"), lambda i: f"{i.date_from:%Y-%m-%d} — {i.date_to:%Y-%m-%d}"),
        Column(_("状态"), _status_badge),
    )
    search_placeholder = _("题名、档号、人员编号、医院……（多个词以空格分隔）")

    @property
    def filters(self) -> list[Filter]:  # type: ignore[override]
        return [
            Filter("kind", _("档案类型"), "kind", kind_choices()),
            Filter("category", _("类别"), "category", [(k, str(v)) for k, v in CATEGORIES.items()]),
            Filter("retention", _("保管期限"), "retention", Retention.choices),
            Filter("status", _("状态"), "status", Item.Status.choices),
        ]

    def base_queryset(self) -> Any:
        return super().base_queryset().order_by("-year", "category", "item_no", "-id")

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        year = self.request.GET.get("year", "").strip()
        if year:
            qs = qs.filter(year=inputs.year(year))
        term = self.request.GET.get("q", "").strip()
        return queries.search(qs, term) if term else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(has_search=True, can_sweep=can(self.request.user, "archives:sweep"),
                       can_package=can(self.request.user, "archives:package"),
                       year=self.request.GET.get("year", ""))
        return context


def sweep(request: HttpRequest) -> HttpResponse:
    """补归档: archive every closed object that has no item yet (a job with progress)."""
    job = start_job("archives.sweep", gettext("补归档：已办结的业务对象"), user=request.user, params={})
    return redirect("web:job_detail", pk=job.pk)


def package(request: HttpRequest) -> HttpResponse:
    """A transfer package of the catalogue's filtered archived items (at most 500)."""
    view = Catalogue()
    view.setup(request)
    view.request.GET = request.POST  # type: ignore[misc]
    items = list(view.get_queryset().filter(status=Item.Status.ARCHIVED).prefetch_related("files")[:PACKAGE_MAX + 1])
    if len(items) > PACKAGE_MAX:
        messages.error(request, gettext("一次最多导出 %(n)s 件，请缩小筛选范围") % {"n": PACKAGE_MAX})
        return redirect("archives:catalogue")
    content = act_on_page(request, lambda: actions.do_export_package(request.user, items), "")
    if content is None:
        return redirect("archives:catalogue")
    record_access_many(request, [i for i in items if i.psn_no], why=AccessRecord.Why.BUSINESS)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="archive-package-{timezone.localdate():%Y%m%d}.zip"'
    return response


# -- an item ------------------------------------------------------------------------------------------------------


def _reader_loan(request: HttpRequest, item: Item) -> Loan | None:
    return (Loan.objects.filter(item=item, borrower_id=request.user.pk, status=Loan.Status.APPROVED,
                                due_on__gte=timezone.localdate()).order_by("-due_on").first())


def _may_read(request: HttpRequest, item: Item) -> bool:
    """The archivist reads as the custodian; anyone else only during an approved loan of their own."""
    if item.status != Item.Status.ARCHIVED:
        return False
    return can(request.user, "archives:item_hold") or _reader_loan(request, item) is not None


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.access_item_by_id(request, pk)
    if item.psn_no:
        record_access(request, item, psn_no=item.psn_no)
    latest = item.checks.filter(attempt=item.attempts).order_by("id")
    context = {
        "item": item, "title": item.code or item.title, "files": item.files.order_by("seq"),
        "checks": latest, "history": item.checks.exclude(attempt=item.attempts).order_by("-attempt", "id"),
        "events": item.metadata.get("events", []), "holds": item.holds.order_by("-placed_at"),
        "hold_reasons": queries.holds_of(item) if item.status == Item.Status.ARCHIVED else [],
        "loans": item.loans.select_related("borrower").order_by("-requested_at")
        if can(request.user, "archives:loan_decide") else [],
        "my_loan": _reader_loan(request, item), "may_read": _may_read(request, item),
        "can_borrow": can(request.user, "archives:loan_request") and item.status == Item.Status.ARCHIVED,
        "can_hold": can(request.user, "archives:item_hold"), "can_retry": can(request.user, "archives:item_retry"),
        "check_labels": dict(ItemCheck.Check.choices), "record": item.metadata.get("record", {}),
    }
    return render(request, "archives/item_detail.html", context)


def item_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.access_item_by_id(request, pk)
    done = act_on_page(request, lambda: actions.do_retry(item, actor=request.user), gettext("已重新检测"))
    if done is not None and done.status == Item.Status.FAILED:
        messages.warning(request, gettext("仍未通过检测：%(r)s") % {"r": done.failed_reason})
    return redirect("archives:item_detail", pk=item.pk)


def item_hold(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.access_item_by_id(request, pk)
    act_on_page(request, lambda: actions.do_place_hold(request.user, item, reason=request.POST.get("reason", ""),
                                                reference=request.POST.get("reference", "")), gettext("已冻结"))
    return redirect("archives:item_detail", pk=item.pk)


def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    hold = queries.access_hold_by_id(request, pk)
    act_on_page(request, lambda: actions.do_release_hold(request.user, hold, reason=request.POST.get("reason", "")),
         gettext("已解除冻结"))
    return redirect("archives:item_detail", pk=hold.item_id)


def _watermark_text(request: HttpRequest) -> str:
    user = request.user
    return f"{user} {getattr(user, 'username', '')} {timezone.localdate():%Y-%m-%d} 仅供查阅"


def item_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The reading room: every page of the record and its documents as watermarked images."""
    item = queries.access_item_by_id(request, pk)
    if not _may_read(request, item):
        messages.error(request, gettext("没有有效的借阅，不能阅读该档案。请先提出借阅申请。"))
        return redirect("archives:item_detail", pk=item.pk)
    record_access(request, item, psn_no=item.psn_no, why=AccessRecord.Why.BUSINESS)
    pages = []
    for f in item.files.filter(destroyed=False).exclude(role=ItemFile.Role.METADATA).order_by("seq"):
        if not (f.is_pdf or f.is_image):
            pages.append((f, []))
            continue
        content = storage.read(f.path)
        count = rendering.page_count(content, f.media_type) if content is not None else 0
        pages.append((f, [reverse("archives:page", args=[item.pk, f.seq, n]) for n in range(count)]))
    return render(request, "archives/item_read.html", {
        "item": item, "title": gettext("阅读档案"), "pages": pages, "watermark": _watermark_text(request),
        "loan": _reader_loan(request, item)})


def page(request: HttpRequest, pk: int, seq: int, number: int) -> HttpResponse:
    item = queries.access_item_by_id(request, pk)
    if not _may_read(request, item):
        raise NotFound()
    f = item.files.filter(seq=seq, destroyed=False).exclude(role=ItemFile.Role.METADATA).first()
    if f is None or not (f.is_pdf or f.is_image):
        raise NotFound()
    content = storage.read(f.path)
    if content is None:
        raise NotFound()
    try:
        png = rendering.page_png(content, f.media_type, number, _watermark_text(request))
    except IndexError:
        raise NotFound() from None
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


# -- loans ----------------------------------------------------------------------------------------------------------


def loan_request(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.access_item_by_id(request, pk)
    try:
        days = inputs.whole(request.POST.get("days", ""), field="days", label="借阅天数", minimum=1,
                            maximum=actions.MAX_LOAN_DAYS)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("archives:item_detail", pk=item.pk)
    act_on_page(request, lambda: actions.do_request_loan(request.user, item, purpose=request.POST.get("purpose", ""),
                                                  days=days), gettext("借阅申请已提交，待档案岗审批"))
    return redirect("archives:item_detail", pk=item.pk)


def _loan_status(loan: Loan) -> str:
    text = str(loan.get_status_display())
    return text + gettext("（逾期）") if loan.is_overdue() and loan.status != Loan.Status.EXPIRED else text


class LoanRegister(ScopedListView):
    model = Loan
    title = _("借阅登记")
    template_name = "archives/loan_list.html"
    columns = (
        Column(_("借阅单号"), "number", link="archives:loan_detail"),
        Column(_("档号"), lambda loan: loan.item.code),
        Column(_("题名"), lambda loan: loan.item.title),
        Column(_("借阅人"), "borrower"),
        Column(_("借阅目的"), "purpose"),
        Column(_("申请时间"), lambda loan: timezone.localtime(loan.requested_at).strftime("%Y-%m-%d %H:%M")),
        Column(_("到期日"), lambda loan: loan.due_on or "—"),
        Column(_("状态"), _loan_status),
    )
    search_fields = ("number__icontains", "item__code__icontains", "item__title__icontains",
                     "borrower__display_name__icontains", "borrower__username__icontains")
    search_placeholder = _("借阅单号、档号、题名、借阅人")
    filters = (Filter("status", _("状态"), "status", Loan.Status.choices),
               Filter("overdue", _("逾期"), {"yes": {"status__in": ["expired"]}}, (("yes", _("逾期未还")),)))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("item", "borrower")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["stats"] = queries.loan_stats(super().base_queryset())
        return context


def _read_link(loan: Loan) -> Any:
    if loan.status == Loan.Status.APPROVED and loan.due_on and loan.due_on >= timezone.localdate():
        return format_html('<a class="btn btn-sm btn-primary" href="{}">{}</a>',
                           reverse("archives:item_read", args=[loan.item_id]), gettext("阅读"))
    return ""


class MyLoans(ScopedListView):
    """我的借阅: the user's own loans, newest first; an approved loan within its term opens the reading page."""

    model = Loan
    title = _("我的借阅")
    columns = (
        Column(_("借阅单号"), "number", link="archives:loan_detail"),
        Column(_("档号"), "item.code"),
        Column(_("题名"), "item.title"),
        Column(_("申请时间"), "requested_at"),
        Column(_("到期日"), "due_on"),
        Column(_("状态"), "status"),
        Column("", _read_link, sort="", export=False),
    )
    search_fields = ("number__icontains", "item__code__icontains", "item__title__icontains")
    search_placeholder = _("借阅单号、档号或题名")
    filters = (DateRange("requested", _("申请日期"), "requested_at"),
               Filter("status", _("状态"), "status", Loan.Status.choices))
    empty_hint = _("在档案目录中打开一份档案，点击“申请借阅”。")

    def base_queryset(self) -> Any:
        return Loan.objects.filter(borrower_id=self.request.user.pk).select_related("item")


my_loans = MyLoans.as_view()


def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    loan = queries.access_loan_by_id(request, pk)
    return render(request, "archives/loan_detail.html", {
        "loan": loan, "title": loan.number, "can_decide": can(request.user, "archives:loan_decide")
        and loan.status == Loan.Status.REQUESTED and loan.borrower_id != request.user.pk,
        "can_return": loan.status == Loan.Status.APPROVED and (loan.borrower_id == request.user.pk or can(
            request.user, "archives:loan_decide")),
        "may_read": loan.borrower_id == request.user.pk and loan.is_active()})


def loan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    loan = queries.access_loan_by_id(request, pk)
    approve = request.POST.get("decision") == "approve"
    act_on_page(request, lambda: actions.do_decide_loan(request.user, loan, approve=approve,
                                                 note=request.POST.get("note", "")),
         gettext("已批准借阅") if approve else gettext("已拒绝借阅"))
    return redirect("archives:loan_detail", pk=loan.pk)


def loan_return(request: HttpRequest, pk: int) -> HttpResponse:
    loan = queries.access_loan_by_id(request, pk)
    if loan.borrower_id != request.user.pk and not can(request.user, "archives:loan_decide"):
        raise NotFound()
    act_on_page(request, lambda: actions.do_return_loan(request.user, loan), gettext("已归还"))
    return redirect("archives:loan_detail", pk=loan.pk)


# -- appraisal and destruction ------------------------------------------------------------------------------------


def _holds(item: Item) -> list[str]:
    """What holds ``item`` (read once per row shown, kept on the row for its two cells)."""
    found: list[str] | None = getattr(item, "_holds", None)
    if found is None:
        found = queries.holds_of(item)
        item._holds = found  # type: ignore[attr-defined]
    return found


def _pick_cell(item: Item) -> Any:
    if _holds(item):
        return ""
    return format_html('<input type="checkbox" class="form-check-input" name="items" value="{}" form="appraisal-form"'
                       ' aria-label="{}">', item.pk, item.code)


class Appraisal(ScopedListView):
    """到期鉴定: archived items past their retention as a list (filters by expiry date, retention, region and text;
    export with what holds each item), the archivist ticks items without a hold and lists them for destruction
    below the list."""

    model = Item
    title = _("到期鉴定")
    template_name = "archives/appraisal.html"
    paginate_by = 100
    columns = (
        Column("", _pick_cell, export=False),
        Column(_("档号"), "code", link="archives:item_detail"),
        Column(_("题名"), "title"),
        Column(_("保管期限"), "retention"),
        Column(_("期满日期"), "expires_on", kind="date"),
        Column(_("统筹区"), lambda i: i.region.name if i.region else gettext("全系统"), sort="region__name"),
        Column(_("冻结"), lambda i: "；".join(_holds(i)), css="text-danger"),
    )
    search_fields = ("code__icontains", "title__icontains")
    search_placeholder = _("档号或题名")
    filters = (
        DateRange("expires", _("期满日期"), "expires_on"),
        Filter("retention", _("保管期限"), "retention", Retention.choices),
        RegionFilter(),
    )
    empty_hint = _("没有保管期满的档案")

    def base_queryset(self) -> Any:
        return (queries.due_for_appraisal(super().base_queryset()).select_related("region")
                .order_by("expires_on", "code"))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = [inputs.object_id(v) for v in request.POST.getlist("items")[:500]]
        picked = list(self.base_queryset().filter(pk__in=chosen))
        region = request.POST.get("region", "") or None
        if region is not None:
            region = inputs.region(request.user, region)
        dl = act_on_page(request, lambda: actions.do_propose_destruction(request.user, picked,
                                                                  reason=request.POST.get("reason", ""),
                                                                  region_id=region),
                  gettext("销毁清册已提交，待管理岗和医保局监督审批"))
        if dl is not None:
            return redirect("archives:destruction_detail", pk=dl.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions=region_choices(self.request), can_propose=can(self.request.user, "archives:appraisal"))
        return context


appraisal = Appraisal.as_view()


class DestructionLists(ScopedListView):
    model = DestructionList
    title = _("销毁清册")
    columns = (
        Column(_("清册编号"), "number", link="archives:destruction_detail"),
        Column(_("统筹区"), lambda d: d.region or gettext("全系统")),
        Column(_("鉴定意见"), "reason"),
        Column(_("提出人"), "proposed_by"),
        Column(_("提出时间"), lambda d: timezone.localtime(d.proposed_at).strftime("%Y-%m-%d")),
        Column(_("管理岗"), lambda d: d.manager_by or "—"),
        Column(_("医保局监督"), lambda d: d.supervisor_by or "—"),
        Column(_("状态"), "status"),
    )
    filters = (Filter("status", _("状态"), "status", DestructionList.Status.choices),)

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "proposed_by", "manager_by", "supervisor_by")


def destruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dl = queries.access_destruction_by_id(request, pk)
    post = str(getattr(request.user, "post", ""))
    pending = dl.status == DestructionList.Status.PROPOSED
    return render(request, "archives/destruction_detail.html", {
        "dl": dl, "title": dl.number, "entries": dl.entries.select_related("item"),
        "can_approve": pending and can(request.user, "archives:destruction_approve") and (
            (post == "manager" and dl.manager_by_id is None) or (post == "supervisor" and dl.supervisor_by_id is None)),
        "can_execute": dl.status == DestructionList.Status.APPROVED and can(request.user, "archives:destruction_execute"),
    })


def destruction_approve(request: HttpRequest, pk: int) -> HttpResponse:
    dl = queries.access_destruction_by_id(request, pk)
    approve = request.POST.get("decision") == "approve"
    act_on_page(request, lambda: actions.do_approve_destruction(request.user, dl, approve=approve,
                                                         note=request.POST.get("note", "")),
         gettext("已审批") if approve else gettext("已否决"))
    return redirect("archives:destruction_detail", pk=dl.pk)


def destruction_execute(request: HttpRequest, pk: int) -> HttpResponse:
    dl = queries.access_destruction_by_id(request, pk)
    act_on_page(request, lambda: actions.do_execute_destruction(request.user, dl), gettext("已执行销毁，目录与销毁记录保留"))
    return redirect("archives:destruction_detail", pk=dl.pk)


# -- the retention schedule and the log chains -----------------------------------------------------------------------


def retention(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        act_on_page(request, lambda: actions.do_change_retention(request.user, request.POST.get("kind", ""),
                                                          request.POST.get("retention", ""),
                                                          request.POST.get("reason", "")), gettext("保管期限已调整"))
        return redirect("archives:retention")
    rows = [(k, actions.retention_of(k), RetentionRule.objects.filter(kind=k.key).order_by("-version")) for k in kinds()]
    return render(request, "archives/retention.html", {
        "title": gettext("保管期限表"), "rows": rows, "choices": Retention.choices,
        "labels": dict(Retention.choices), "can_edit": can(request.user, "archives:retention")})


def logs(request: HttpRequest) -> HttpResponse:
    """The log chains: their heads, the latest day-end anchors, the last verifications; run the daily job."""
    if request.method == "POST":
        day = inputs.optional_date(request.POST.get("day", ""), field="day", label="日期")
        job = start_job("archives.daily", gettext("日志链校验与存证"), user=request.user,
                        params={"day": day.isoformat()} if day else {})
        return redirect("web:job_detail", pk=job.pk)
    heads = []
    for spec in CHAINS.values():
        head = spec.model._default_manager.order_by("-seq").values("seq", "row_hash", "at").first()
        heads.append((spec, head))
    anchors = Item.objects.filter(kind=queries.LOG_ANCHOR).order_by("-date_to", "-id")[:30]
    broken = Event.objects.filter(action="archives.chain_broken").order_by("-seq")[:5]
    return render(request, "archives/logs.html", {"title": gettext("日志防篡改"), "heads": heads,
                                                  "anchors": anchors, "broken": broken,
                                                  "can_run": can(request.user, "archives:logs", write=True)})
