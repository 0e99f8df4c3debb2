"""Pages: the insured person's notices, the staff list of notices, and the SMS outbox."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from dae.core.errors import PermissionDenied
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import AmountRange, Column, DateRange, Filter, RegionFilter, ScopedListView

from .actions import do_mark_read
from .models import Notice, SmsMessage


def my_notices(request: HttpRequest) -> HttpResponse:
    notices = Notice.objects.for_user(request.user).order_by("-created_at", "-id")
    return render(request, "notices/mine.html", {"title": _("我的通知"), "notices": notices,
                                                 "unread": sum(1 for n in notices if not n.is_read)})


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
