"""年度赔付预算: the budget versions, drafting one from the forecast, editing, approving and revising."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from .. import actions, queries, services
from ..budget import execution
from ..history import region_series
from ..models import Budget, Indicator


class BudgetList(ScopedListView):
    """年度赔付预算: the budget versions as a list (filters by region, status and approval date; export), drafting
    one from the forecast above it. Versions of a year are not added up (a new version replaces the one before),
    so there is no totals row; each budget's months are on its page."""

    model = Budget
    title = _("年度赔付预算")
    template_name = "forecast/budget_list.html"
    columns = (
        Column(_("统筹区"), "region.name"),
        Column(_("年度"), "year", link="forecast:budget_detail", kind="int"),
        Column(_("版本"), "version", kind="int"),
        Column(_("状态"), "status"),
        Column(_("编制或修订原因"), "reason"),
        Column(_("编制人"), lambda b: b.created_by or "—", sort="created_by__username"),
        Column(_("批准时间"), "approved_at", kind="datetime"),
    )
    search_fields = ("reason__icontains",)
    search_placeholder = _("编制或修订原因")
    filters = (
        RegionFilter(),
        Filter("status", _("状态"), "status", Budget.Status.choices),
        DateRange("approved", _("批准时间"), "approved_at"),
    )
    empty_hint = _("管理岗在上方选择统筹区和年度，依据预测编制预算。")

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "created_by")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            region = inputs.region(request.user, request.POST.get("region"))
            year = inputs.year(request.POST.get("year"))
            budget = actions.do_draft_budget(request.user, region, year)
        except DaeError as exc:
            messages.error(request, exc.message)
            return redirect("forecast:budget_list")
        messages.success(request, gettext("已依据预测编制预算草稿"))
        return redirect("forecast:budget_detail", pk=budget.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(regions=region_choices(self.request), year=timezone.localdate().year,
                       can_edit=can(self.request.user, "forecast:budget_list"))
        return context


budget_list = BudgetList.as_view()


def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = queries.access_budget_by_id(request, pk)
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "edit":
                amounts = {m: inputs.amount(request.POST.get(f"m{m}"), field=f"m{m}", label=f"{m} 月预算",
                                            maximum=inputs.FUND_MAX)
                           for m in range(1, 13) if request.POST.get(f"m{m}", "").strip()}
                actions.do_edit_budget(request.user, budget, amounts)
                messages.success(request, gettext("预算已保存"))
            elif step == "approve":
                actions.do_approve_budget(request.user, budget)
                messages.success(request, gettext("预算已批准并冻结"))
            elif step == "revise":
                revision = actions.do_revise_budget(request.user, budget, request.POST.get("reason", ""))
                messages.success(request, gettext("已建立修订版本"))
                return redirect("forecast:budget_detail", pk=revision.pk)
            else:
                messages.error(request, gettext("未知的操作"))
        except DaeError as exc:
            messages.error(request, exc.message)
        return redirect("forecast:budget_detail", pk=budget.pk)
    series = region_series(budget.region_id)
    rest = None
    if series is not None and series.last.year == budget.year:
        rest = services.year_end_payout(series, series.last)[1]
    ex = execution(budget, series, projected_rest_fen=rest)
    level = services.level_on(Indicator.BUDGET_DEVIATION, timezone.localdate())
    versions = Budget.objects.for_user(request.user).filter(region_id=budget.region_id, year=budget.year)
    return render(request, "forecast/budget_detail.html", {
        "title": _("年度赔付预算"), "budget": budget, "ex": ex, "versions": versions, "level": level,
        "can_edit": can(request.user, "forecast:budget_detail")})
