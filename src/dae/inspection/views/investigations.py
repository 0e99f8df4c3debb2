"""Pages of remote investigations: the list, a new one, a task with assign / result / feedback, the statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.access import record_access
from dae.core.errors import DaeError
from dae.core.models import Region
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, Filter, ScopedListView
from dae.web.who import region_choices

from .. import queries
from ..actions import investigations
from ..forms import (
    AssignForm,
    FeedbackForm,
    InvestigationForm,
    ResultForm,
)
from ..models import Investigation
from .shared import run_form


def _assignee_choices(request: HttpRequest) -> list[tuple[int, str]]:
    users = (
        User.objects.filter(
            is_active=True, post__in=investigations.assignee_posts(), regions__admdvs__in=request.user.region_codes
        )  # type: ignore[union-attr]
        .distinct()
        .order_by("username")
    )
    return [(u.pk, f"{u} · {u.post_label}") for u in users]


def _branch_choices() -> list[tuple[str, str]]:
    return [(r.admdvs, str(r)) for r in Region.objects.all()]


def _overdue_flag(inv: Investigation) -> str:
    if inv.result_overdue():
        return gettext("结果逾期")
    if inv.feedback_overdue():
        return gettext("反馈逾期")
    return ""


class InvestigationList(ScopedListView):
    model = Investigation
    title = _("异地协查")
    template_name = "inspection/investigation_list.html"
    log_access = True
    columns = (
        Column(_("编号"), "number", link="inspection:investigation_detail"),
        Column(_("委托日期"), "created_on"),
        Column(_("委托统筹区"), "region.name"),
        Column(_("姓名"), "psn_name", mask="name"),
        Column(_("就医机构"), "hospital_name"),
        Column(_("承办"), lambda i: str(i.assignee or i.assigned_region or "—")),
        Column(_("协查期限"), "due_on"),
        Column(_("反馈期限"), "feedback_due"),
        Column(_("状态"), "status"),
        Column(_("协查结论"), "outcome"),
        Column(_("逾期"), _overdue_flag, css="text-danger"),
    )
    search_fields = ("psn_no", "psn_name", "hospital_name__icontains", "subject__icontains")
    search_placeholder = _("人员编号、姓名、就医机构或协查事项")

    @property
    def filters(self) -> tuple[Filter, ...]:  # type: ignore[override]
        today = timezone.localdate()
        return (
            Filter("status", _("状态"), "status", Investigation.Status.choices),
            Filter("outcome", _("协查结论"), "outcome", Investigation.Outcome.choices),
            Filter(
                "overdue",
                _("逾期"),
                {"yes": {"pk__in": Investigation.objects.filter(queries.overdue_q(today)).values("pk")}},
                (("yes", _("逾期")),),
            ),
        )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "assignee", "assigned_region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "inspection:investigation_new")
        return context


def investigation_new(request: HttpRequest) -> HttpResponse:
    """委托异地协查: the result is due 5 working days after the request date."""
    form = InvestigationForm(
        request.POST or None,
        regions=region_choices(request),
        branches=_branch_choices(),
        assignees=_assignee_choices(request),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                inv = investigations.do_create_investigation(request.user, **form.cleaned_data)
            except DaeError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("协查任务已登记，协查期限 %(d)s") % {"d": inv.due_on})
                return redirect("inspection:investigation_detail", pk=inv.pk)
    return render(request, "inspection/investigation_new.html", {"title": _("委托异地协查"), "form": form})


def investigation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inv = get_scoped_or_404(Investigation, request, pk=pk)
    if inv.psn_no:
        record_access(request, inv)
    return render(
        request,
        "inspection/investigation_detail.html",
        {
            "title": gettext("异地协查 %(n)s") % {"n": inv.number},
            "inv": inv,
            "result_overdue": inv.result_overdue(),
            "feedback_overdue": inv.feedback_overdue(),
            "assign_form": AssignForm(
                branches=_branch_choices(),
                assignees=_assignee_choices(request),
                initial={"assignee": inv.assignee_id, "assigned_region": inv.assigned_region_id},
            ),
            "result_form": ResultForm(),
            "feedback_form": FeedbackForm(),
            "can_act": can(request.user, "inspection:investigation_assign"),
        },
    )


def _investigation_action(
    request: HttpRequest,
    pk: int,
    form: Callable[[], Any],
    run: Callable[[Investigation, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    inv = get_scoped_or_404(Investigation, request, pk=pk)
    if request.method == "POST":
        run_form(request, form(), lambda data: run(inv, data), done)
    return redirect("inspection:investigation_detail", pk=inv.pk)


def investigation_assign(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation_action(
        request,
        pk,
        lambda: AssignForm(request.POST, branches=_branch_choices(), assignees=_assignee_choices(request)),
        lambda inv, data: investigations.do_assign_investigation(request.user, inv, **data),
        gettext("已分派"),
    )


def investigation_result(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation_action(
        request,
        pk,
        lambda: ResultForm(request.POST),
        lambda inv, data: investigations.do_record_result(request.user, inv, **data),
        gettext("协查结果已登记"),
    )


def investigation_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation_action(
        request,
        pk,
        lambda: FeedbackForm(request.POST),
        lambda inv, data: investigations.do_feed_back(request.user, inv, **data),
        gettext("已反馈委托方"),
    )


#: Series names of the statistics chart (translated here, the chart script only shows them).
CHART_NAMES = {"total": _("协查任务数"), "overdue": _("逾期数"), "on_time": _("按时办结数"), "outcomes": _("协查结论")}


def investigation_stats(request: HttpRequest) -> HttpResponse:
    """协查统计: by requesting region and by outcome — counts, overdue, on-time rate, amounts; table and chart."""
    start = inputs.query_date(request.GET, "start", label="起始日期")
    end = inputs.query_date(request.GET, "end", label="截止日期")
    stats = queries.investigation_stats(request.user, start=start, end=end)
    return render(
        request,
        "inspection/investigation_stats.html",
        {
            "title": _("异地协查统计"),
            "stats": stats,
            "start": start,
            "end": end,
            "chart": {**stats.chart(), "names": CHART_NAMES},
        },
    )
