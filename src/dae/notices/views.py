"""Pages: the insured person's notices, the staff list of notices, and the SMS outbox."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core.errors import PermissionDenied
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import AmountRange, Column, DateRange, Filter, RegionFilter, ScopedListView

from .actions import do_mark_read
from .models import Notice, SmsMessage


def _read_cell(notice: Notice) -> Any:
    if notice.is_read:
        return gettext("已读")
    return format_html('<button class="btn btn-sm btn-outline-secondary" form="read-{}" data-testid="mark-read">{}</button>',
                       notice.pk, gettext("标为已读"))


def _basis_cell(notice: Notice) -> Any:
    if not notice.basis_text:
        return ""
    return format_html('<details><summary class="small">{}</summary><pre class="small mb-0" style="white-space: '
                       'pre-wrap" data-testid="notice-basis">{}</pre></details>', gettext("计算依据"), notice.basis_text)


class MyNotices(ScopedListView):
    """我的通知: the insured person's own notices, newest first, with the basis of each amount; unread ones are
    marked read in their row. Filters by date, kind and read; the person may download their own list."""

    model = Notice
    title = _("我的通知")
    template_name = "notices/mine.html"
    columns = (
        Column(_("生成时间"), "created_at"),
        Column(_("业务编号"), "claim_ref"),
        Column(_("通知类型"), "kind"),
        Column(_("大额补助金额"), "amount", css="amount"),
        Column(_("状态"), _read_cell, sort="is_read"),
        Column(_("计算依据"), _basis_cell, sort=""),
    )
    export_columns = (
        Column(_("生成时间"), "created_at", kind="datetime"),
        Column(_("业务编号"), "claim_ref"),
        Column(_("通知类型"), "kind"),
        Column(_("大额补助金额"), "amount", css="amount"),
        Column(_("已读"), lambda n: gettext("是") if n.is_read else gettext("否")),
        Column(_("计算依据"), "basis_text"),
    )
    search_fields = ("claim_ref",)
    search_placeholder = _("业务编号")
    filters = (DateRange("created", _("生成日期"), "created_at"), Filter("kind", _("通知类型"), "kind", Notice.Kind.choices),
               Filter("read", _("是否已读"), {"yes": {"is_read": True}, "no": {"is_read": False}},
                      (("no", _("未读")), ("yes", _("已读")))))
    empty_hint = _("大额补助计算完成后，通知会出现在这里。")

    def base_queryset(self) -> Any:
        user: Any = self.request.user
        return super().base_queryset().filter(psn_no=user.psn_no or "-")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["unread"] = self.base_queryset().filter(is_read=False).count()
        return context


my_notices = MyNotices.as_view()


def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    notice = get_scoped_or_404(Notice, request, pk=pk)
    if notice.psn_no != user.psn_no:  # only the person themselves marks a notice read
        raise PermissionDenied()
    do_mark_read(user, notice)
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "notices:mine")


class NoticeList(ScopedListView):
    log_access = True
    model = Notice
    title = _("通知记录")
    columns = (
        Column(_("生成时间"), "created_at"),
        Column(_("人员编号"), "psn_no"),
        Column(_("业务编号"), "claim_ref"),
        Column(_("通知类型"), "kind"),
        Column(_("金额"), "amount", css="amount"),
        Column(_("已读"), lambda n: _("是") if n.is_read else _("否")),
    )
    search_fields = ("psn_no", "claim_ref")
    search_placeholder = _("人员编号 / 业务编号")
    filters = (DateRange("created", _("生成日期"), "created_at"), RegionFilter(),
               Filter("kind", _("通知类型"), "kind", Notice.Kind.choices), AmountRange("amount", _("金额"), "amount"))


class Outbox(ScopedListView):
    log_access = True
    model = SmsMessage
    title = _("短信发件箱")
    columns = (
        Column(_("生成时间"), "created_at"),
        Column(_("人员编号"), "psn_no"),
        Column(_("手机号码"), "masked_phone"),
        Column(_("短信内容"), "text"),
        Column(_("状态"), "status"),
        Column(_("发送时间"), "sent_at"),
        Column(_("失败原因"), "error"),
    )
    search_fields = ("psn_no",)
    search_placeholder = _("人员编号")
    filters = (Filter("status", _("状态"), "status", SmsMessage.Status.choices),)
