"""The approver's work list (待审批), a pending action's page with approve / refuse, and the manager's
threshold settings (人工审批设置)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.accounts.posts import Post
from dae.core.errors import DaeError
from dae.core.inputs import AmountFormField, BoundedDateFormField
from dae.core.models import Region
from dae.web.forms import StyledFormMixin
from dae.web.listing import Column, Filter, ScopedListView

from .actions import KINDS, do_decide, do_set_threshold, pending_for
from .models import PendingAction, Threshold
from .queries import access_pending_by_id


def _kind_label(key: str) -> str:
    spec = KINDS.get(key)
    return gettext(spec.label) if spec else key


class PendingList(ScopedListView):
    model = PendingAction
    title = _("待审批事项")
    columns = (
        Column(_("事项"), lambda p: _kind_label(p.kind)),
        Column(_("摘要"), "summary", link="approvals:detail"),
        Column(_("金额"), "amount"),
        Column(_("经办人"), "requested_by"),
        Column(_("提交时间"), "requested_at"),
        Column(_("审批岗位"), lambda p: Post(p.approver_post).label),
        Column(_("状态"), lambda p: p.get_status_display()),
    )
    filters = (Filter("status", _("状态"), "status", PendingAction.Status.choices),)
    search_fields = ("summary__icontains",)

    def base_queryset(self) -> Any:
        user: Any = self.request.user
        if self.request.GET.get("status"):
            return PendingAction.objects.for_user(user).select_related("requested_by")
        return pending_for(user).select_related("requested_by")


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    pending = access_pending_by_id(request, pk)
    if request.method == "POST":
        try:
            do_decide(request.user, pending.pk, approve=request.POST.get("decision") == "approve",
                      reason=request.POST.get("reason", ""))
        except DaeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("已审批"))
        return redirect("approvals:detail", pk=pending.pk)
    user: Any = request.user
    may_decide = (pending.status == PendingAction.Status.PENDING and user.post == pending.approver_post
                  and pending.requested_by_id != user.pk
                  and not (pending.object_type == "accounts.user" and pending.object_id == str(user.pk))
                  and can(user, "approvals:detail"))
    return render(request, "approvals/detail.html", {"pending": pending, "kind_label": _kind_label(pending.kind),
                                                     "may_decide": may_decide, "title": _("审批事项")})


class ThresholdForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("审批事项"), choices=())
    region = forms.ModelChoiceField(label=_("统筹区（不选为全部）"), queryset=Region.objects.all(), required=False)
    amount = AmountFormField(label=_("金额阈值（元），超过即须审批"))
    approver_post = forms.ChoiceField(label=_("审批岗位"), choices=Post.choices, initial=Post.MANAGER)
    effective_from = BoundedDateFormField(label=_("生效日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, gettext(v.label)) for k, v in KINDS.items() if not v.always_post]


def thresholds(request: HttpRequest) -> HttpResponse:
    form = ThresholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_set_threshold(request.user, kind=data["kind"], amount=data["amount"],
                             approver_post=data["approver_post"], effective_from=data["effective_from"],
                             region_id=data["region"].pk if data["region"] else None)
        except DaeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, gettext("审批阈值已保存"))
            return redirect("approvals:thresholds")
    rows = Threshold.objects.for_user(request.user).select_related("region", "created_by")[:200]
    return render(request, "approvals/thresholds.html", {
        "form": form, "rows": [(r, _kind_label(r.kind)) for r in rows], "title": _("人工审批设置"),
        "can_edit": can(request.user, "approvals:thresholds")})
