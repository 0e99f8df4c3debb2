"""Pages of the annual hospital evaluation (定点医疗机构年度考核): the year's evaluations of the reader's regions
(and the sheet computed on read before one is stored), computing one, a stored evaluation with its workflow —
adjust a hospital's total with a reason (the refusal shown beside the field), review, sign off, publish — and its
Excel export; a hospital reads its own published sheets in plain Chinese."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dae.accounts.permissions import can, can_export
from dae.core import inputs
from dae.core.errors import InvalidInput

from . import actions, queries
from . import evaluation as ev
from .models import Evaluation
from .render import evaluation_xlsx
from .views import _download


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    return inputs.year(raw) if raw else queries.parse_period(None, "year").year


def evaluation(request: HttpRequest) -> HttpResponse:
    """The year's evaluations of the reader's regions and the sheet as computed now; a hospital: its published
    sheets only."""
    from dae.web.who import region_choices

    year = _year(request)
    if getattr(request.user, "scope_kind", "") == "hospital":
        sheets = [published_sheet(s) for s in queries.published_sheets(request.user)]
        return render(request, "reports/evaluation_own.html", {"title": _("年度考核结果"), "sheets": sheets})
    data = queries.evaluation(request.user, year)
    stored = Evaluation.objects.for_user(request.user).filter(year=year).select_related("region")
    return render(request, "reports/evaluation.html", {
        "title": _("定点医疗机构年度考核"), **data, "stored": stored, "regions": region_choices(request),
        "can_compute": can(request.user, "reports:evaluation_compute")})


def published_sheet(row: Any) -> dict[str, Any]:
    sheet = ev.sheet_from_json(row.evaluation.sheet)
    return {"row": row, "year": row.evaluation.year, "lines": ev.plain_lines(sheet, row.values, row.points),
            "summary": gettext("贵院 %(year)s 年度考核计算得分 %(total)s 分，调整 %(adj)s 分，最终得分 %(final)s 分，"
                               "考核等级：%(grade)s。") % {"year": row.evaluation.year, "total": row.total,
                                                        "adj": row.adjustment, "final": row.final_total,
                                                        "grade": row.grade_name}}


@require_POST
def evaluation_compute(request: HttpRequest) -> HttpResponse:
    year = inputs.year(request.POST.get("year", ""))
    region = inputs.region(request.user, request.POST.get("region", ""))
    evaluation = actions.do_compute_evaluation(request.user, region=region, year=year)
    return redirect("reports:evaluation_detail", evaluation.pk)


def _rows(evaluation: Evaluation) -> list[Any]:
    return list(evaluation.scores.select_related("hospital", "adjusted_by").order_by("-final_total", "hospital__code"))


def evaluation_detail(request: HttpRequest, pk: int, *, errors: dict[int, dict[str, str]] | None = None,
                      status: int = 200) -> HttpResponse:
    evaluation = queries.access_evaluation_by_id(request, pk)
    sheet = ev.sheet_from_json(evaluation.sheet)
    rows = _rows(evaluation)
    if request.GET.get("export") == "xlsx":
        return _download(request, "reports:evaluation_detail", evaluation_xlsx(evaluation, sheet, rows, request.user),
                         f"年度考核-{evaluation.region_id}-{evaluation.year}", "xlsx")
    user = request.user
    errors = errors or {}
    for row in rows:
        row.errors = errors.get(row.pk, {})
    return render(request, "reports/evaluation_detail.html", {
        "title": _("定点医疗机构年度考核"), "evaluation": evaluation, "sheet": sheet, "rows": rows,
        "max_adjustment": ev.MAX_ADJUSTMENT,
        "can_adjust": not evaluation.frozen and can(user, "reports:evaluation_adjust"),
        "can_compute": evaluation.status == "draft" and can(user, "reports:evaluation_compute"),
        "can_review": evaluation.status == "draft" and can(user, "reports:evaluation_review"),
        "can_sign": evaluation.status == "reviewed" and can(user, "reports:evaluation_sign"),
        "can_publish": evaluation.status == "signed" and can(user, "reports:evaluation_publish"),
        "can_export": can_export(user, "reports:evaluation_detail")}, status=status)


@require_POST
def evaluation_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """Adjust one hospital's total (``pk``: its sheet); a refusal re-renders the page with the message beside the
    field it is about."""
    row = queries.access_evaluation_score_by_id(request, pk)
    try:
        actions.do_adjust_score(request.user, row, adjustment=request.POST.get("adjustment", ""),
                                reason=request.POST.get("reason", ""))
    except InvalidInput as error:
        fields = {d.get("path", ""): d.get("message", "") for d in (error.details or [])}
        field = "reason" if "reason" in fields else "adjustment"
        return evaluation_detail(request, row.evaluation_id, errors={row.pk: {field: error.message}}, status=400)
    return redirect("reports:evaluation_detail", row.evaluation_id)


@require_POST
def evaluation_review(request: HttpRequest, pk: int) -> HttpResponse:
    actions.do_review_evaluation(request.user, queries.access_evaluation_by_id(request, pk))
    return redirect("reports:evaluation_detail", pk)


@require_POST
def evaluation_sign(request: HttpRequest, pk: int) -> HttpResponse:
    actions.do_sign_off_evaluation(request.user, queries.access_evaluation_by_id(request, pk))
    return redirect("reports:evaluation_detail", pk)


@require_POST
def evaluation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actions.do_publish_evaluation(request.user, queries.access_evaluation_by_id(request, pk))
    return redirect("reports:evaluation_detail", pk)
