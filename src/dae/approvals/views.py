"""The approver's work list (待审批), a pending action's page with approve / refuse, and the manager's
threshold settings (人工审批设置)."""

from __future__ import annotations

from collections.abc import Sequence
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
from dae.web.listing import AmountRange, Column, DateRange, Filter, RegionFilter, ScopedListView

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


class _KindChoices(Sequence[tuple[str, str]]):
    """The kinds of action with a threshold, in the reader's language when the page is drawn."""

    def _items(self) -> list[tuple[str, str]]:
        return [(k, gettext(v.label)) for k, v in KINDS.items() if not v.always_post]

    def __getitem__(self, index: Any) -> Any:
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._items())


class ThresholdForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("审批事项"), choices=())
    region = forms.ModelChoiceField(label=_("统筹区（不选为全部）"), queryset=Region.objects.all(), required=False)
    amount = AmountFormField(label=_("金额阈值（元），超过即须审批"))
    approver_post = forms.ChoiceField(label=_("审批岗位"), choices=Post.choices, initial=Post.MANAGER)
    effective_from = BoundedDateFormField(label=_("生效日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, gettext(v.label)) for k, v in KINDS.items() if not v.always_post]


class ThresholdList(ScopedListView):
    """人工审批设置: the dated thresholds as a list (filters by kind, region, approver, date and amount; export),
    with the manager's form to add one above it. A threshold is a limit, not money moved: it is not totalled."""

    model = Threshold
    title = _("人工审批设置")
    template_name = "approvals/thresholds.html"
    columns = (
        Column(_("审批事项"), lambda r: _kind_label(r.kind), sort="kind"),
        Column(_("统筹区"), lambda r: r.region.name if r.region else gettext("全部"), sort="region__name"),
        Column(_("金额阈值（元）"), "amount", css="amount", total=""),
        Column(_("审批岗位"), "approver_post"),
        Column(_("生效日期"), "effective_from", kind="date"),
        Column(_("设置人"), lambda r: r.created_by or "—", sort="created_by__username"),
        Column(_("设置时间"), "created_at", kind="datetime"),
    )
    filters = (
        Filter("kind", _("审批事项"), "kind", _KindChoices()),
        RegionFilter(),
        Filter("approver", _("审批岗位"), "approver_post", Post.choices),
        DateRange("effective", _("生效日期"), "effective_from"),
        AmountRange("amount", _("金额阈值"), "amount"),
    )
    empty_hint = _("尚未设置：所有操作按原流程直接生效")
    form: ThresholdForm | None = None

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "created_by")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ThresholdForm(request.POST)
        if form.is_valid():
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
        self.form = form
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(form=self.form or ThresholdForm(), can_edit=can(self.request.user, "approvals:thresholds"))
        return context


thresholds = ThresholdList.as_view()
