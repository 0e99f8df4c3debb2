"""Pages of on-site inspections: the list, a new one, a draft with its findings and documents, submit, return,
confirm."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.catalog.models import Hospital
from dae.core.errors import DaeError
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, DateRange, Filter, HospitalFilter, RegionFilter, ScopedListView

from .. import queries
from ..actions import documents, inspections
from ..forms import (
    ConfirmForm,
    DocumentForm,
    FindingForm,
    InspectionForm,
    ReasonForm,
)
from ..models import Document, Finding, Inspection
from .shared import post_action, run_form, upload_chunks


def _inspector_choices(request: HttpRequest) -> list[tuple[int, str]]:
    users = (
        User.objects.filter(is_active=True, post__in=inspections.field_posts(), regions__admdvs__in=request.user.region_codes)  # type: ignore[union-attr]
        .distinct()
        .order_by("username")
    )
    return [(u.pk, f"{u} · {u.post_label}") for u in users]


def _hospital_choices(request: HttpRequest) -> list[tuple[int, str]]:
    hospitals = (
        Hospital.objects.for_user(request.user)
        .filter(  # type: ignore[attr-defined]
            region_id__in=request.user.region_codes
        )
        .order_by("code")
    )  # type: ignore[union-attr]
    return [(h.pk, f"{h.code} {h.name}") for h in hospitals]


class InspectionList(ScopedListView):
    model = Inspection
    title = _("现场巡查")
    template_name = "inspection/inspection_list.html"
    columns = (
        Column(_("编号"), "number", link="inspection:inspection_detail"),
        Column(_("巡查日期"), "inspected_on"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("巡查类型"), "kind"),
        Column(_("问题数"), "finding_count", css="text-end"),
        Column(_("状态"), "status"),
        Column(_("确认日期"), "confirmed_on"),
    )
    search_fields = ("hospital__name__icontains", "hospital__code")
    search_placeholder = _("医疗机构名称或编码")
    filters = (
        DateRange("inspected", _("巡查日期"), "inspected_on"),
        RegionFilter(),
        HospitalFilter(),
        Filter("status", _("状态"), "status", Inspection.Status.choices),
        Filter("kind", _("巡查类型"), "kind", Inspection.Kind.choices),
    )

    def base_queryset(self) -> Any:
        return (
            queries.inspections_for(self.request.user)
            .select_related("hospital")
            .annotate(finding_count=Count("findings"))
            .order_by("-inspected_on", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "inspection:inspection_new")
        return context


def inspection_new(request: HttpRequest) -> HttpResponse:
    """登记现场巡查 (inspector, reviewer): a draft; findings and photos are added on its page."""
    form = InspectionForm(
        request.POST or None,
        hospitals=_hospital_choices(request),
        inspectors=_inspector_choices(request),
        initial={"inspectors": [request.user.pk]},
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                hospital = get_scoped_or_404(Hospital, request, pk=data["hospital"])
                inspection = inspections.do_create_inspection(
                    request.user,
                    hospital=hospital,
                    inspected_on=data["inspected_on"],
                    kind=data["kind"],
                    inspectors=data["inspectors"],
                    summary=data["summary"],
                )
            except DaeError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("巡查已登记为草稿，请添加发现的问题后提交"))
                return redirect("inspection:inspection_detail", pk=inspection.pk)
    return render(request, "inspection/inspection_new.html", {"title": _("登记现场巡查"), "form": form})


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    inspection = queries.inspections_for(request.user).filter(pk=pk).first()
    if inspection is None:
        get_scoped_or_404(Inspection, request, pk=pk)  # logs an attempt outside scope, then 404
        raise Http404()
    return inspection


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A inspection with its findings, documents and the actions its state allows; POST edits the draft."""
    inspection = _inspection(request, pk)
    editable = can(request.user, "inspection:inspection_detail") and inspection.status == Inspection.Status.DRAFT
    inspectors = list(inspection.inspectors.all())
    form = InspectionForm(
        request.POST or None,
        hospitals=[],
        inspectors=_inspector_choices(request),
        with_hospital=False,
        initial={
            "inspected_on": inspection.inspected_on,
            "kind": inspection.kind,
            "inspectors": [u.pk for u in inspectors],
            "summary": inspection.summary,
        },
    )
    if request.method == "POST":
        if editable:
            done = run_form(
                request,
                form,
                lambda data: inspections.do_update_inspection(request.user, inspection, **data),
                gettext("巡查已保存"),
            )
            if done is not None:
                return redirect("inspection:inspection_detail", pk=inspection.pk)
        else:
            messages.error(request, gettext("只有草稿可以修改"))
    findings = list(inspection.findings.select_related("deduction").prefetch_related("documents"))
    return render(
        request,
        "inspection/inspection_detail.html",
        {
            "title": gettext("现场巡查 %(n)s") % {"n": inspection.number},
            "inspection": inspection,
            "inspectors": inspectors,
            "findings": findings,
            "total": sum((f.amount for f in findings), Decimal("0.00")),
            "documents": inspection.documents.filter(finding__isnull=True).select_related("uploaded_by"),
            "form": form,
            "finding_form": FindingForm(),
            "reason_form": ReasonForm(),
            "confirm_form": ConfirmForm(),
            "document_form": DocumentForm(findings=[(f.pk, f"{f.seq}. {f.description[:30]}") for f in findings]),
            "editable": editable,
            "few_inspectors": len(inspectors) < 2,
            "can_confirm": can(request.user, "inspection:inspection_confirm") and inspection.status == Inspection.Status.SUBMITTED,
            "is_hospital": getattr(request.user, "scope_kind", "") == "hospital",
        },
    )


def _inspection_action(
    request: HttpRequest,
    pk: int,
    form_class: type[Any] | None,
    run: Callable[[Inspection, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    inspection = get_scoped_or_404(Inspection, request, pk=pk)
    if request.method == "POST":
        if form_class is None:
            try:
                run(inspection, {})
            except DaeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, done)
        else:
            run_form(request, form_class(request.POST), lambda data: run(inspection, data), done)
    return redirect("inspection:inspection_detail", pk=inspection.pk)


def inspection_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_action(
        request, pk, FindingForm, lambda i, data: inspections.do_add_finding(request.user, i, **data), gettext("问题已添加")
    )


def finding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_scoped_or_404(Finding, request, pk=pk)
    post_action(request, lambda: inspections.do_remove_finding(request.user, finding), gettext("问题已删除"))
    return redirect("inspection:inspection_detail", pk=finding.inspection_id)


def inspection_document(request: HttpRequest, pk: int) -> HttpResponse:
    """上传照片或材料 to a draft inspection or one of its findings."""
    inspection = get_scoped_or_404(Inspection, request, pk=pk)
    if request.method == "POST":
        findings = list(inspection.findings.values_list("pk", "description"))
        form = DocumentForm(request.POST, request.FILES, findings=findings)

        def attach(data: dict[str, Any]) -> Document:
            finding = inspection.findings.filter(pk=data["finding"]).first() if data.get("finding") else None
            return documents.do_attach_document(
                request.user,
                chunks=upload_chunks(data["file"]),
                name=data["file"].name,
                inspection=inspection,
                finding=finding,
                note=data["note"],
            )

        run_form(request, form, attach, gettext("附件已上传"))
    return redirect("inspection:inspection_detail", pk=inspection.pk)


def inspection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_action(
        request,
        pk,
        None,
        lambda i, data: inspections.do_submit_inspection(request.user, i),
        gettext("巡查已提交，等待确认"),
    )


def inspection_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_action(
        request,
        pk,
        ReasonForm,
        lambda i, data: inspections.do_return_inspection(request.user, i, reason=data["reason"]),
        gettext("巡查已退回"),
    )


def inspection_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_action(
        request,
        pk,
        ConfirmForm,
        lambda i, data: inspections.do_confirm_inspection(request.user, i, on=data["on"]),
        gettext("巡查已确认，扣款将从该医疗机构下一期月结单中扣减"),
    )
