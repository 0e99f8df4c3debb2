"""Pages of inspection (稽核): the monthly re-review samples and the review of each sampled settlement with the
three comparisons, the sampling settings, on-site inspections with their findings and documents, remote
investigations with their deadlines, and the investigation statistics. Who may open or post each page is in
``permission_matrix.yaml``; every query starts from the user's scope, and each form calls one action, showing a
refusal as a message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.access import record_access
from dae.core.errors import DaeError, InvalidInput
from dae.core.models import Region
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, DateRange, Filter, HospitalFilter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from . import queries
from .actions import documents, inspections, investigations, samples
from .forms import (
    AssignForm,
    ConfirmForm,
    DocumentForm,
    DrawForm,
    FeedbackForm,
    FindingForm,
    InspectionForm,
    InvestigationForm,
    ReasonForm,
    ResultForm,
    ReviewForm,
    SettingsForm,
)
from .models import Document, Finding, Inspection, Investigation, Sample, SampleItem, SamplingSettings


def _errors(form: Any) -> str:
    return "；".join(str(e) for field in form.errors.values() for e in field)


def _run(request: HttpRequest, form: Any, run: Callable[[dict[str, Any]], Any], done: str) -> Any:
    """Run ``run`` on a valid form; a refusal (or an invalid form) becomes an error message. Returns the result or
    None."""
    if not form.is_valid():
        messages.error(request, gettext("请检查填写的内容：%(e)s") % {"e": _errors(form)})
        return None
    try:
        result = run(form.cleaned_data)
    except DaeError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return result


def _chunks(upload: Any) -> Any:
    return upload.chunks() if upload is not None else iter(())


# -- samples -------------------------------------------------------------------------------------------------


def _progress(sample: Sample) -> str:
    return f"{getattr(sample, 'reviewed', 0)} / {getattr(sample, 'drawn', 0)}"


class SampleList(ScopedListView):
    model = Sample
    title = _("抽样复审")
    template_name = "inspection/sample_list.html"
    columns = (
        Column(_("编号"), "number", link="inspection:sample_detail"),
        Column(_("统筹区"), "region.name"),
        Column(_("结算月份"), "month"),
        Column(_("住院结算总数"), "population", css="text-end"),
        Column(_("跨省异地住院"), "cross_population", css="text-end"),
        Column(_("复审进度"), _progress, css="text-end"),
        Column(_("完成期限"), "due_on"),
        Column(_("状态"), lambda s: f"{s.get_status_display()}{gettext('（逾期）') if s.is_overdue() else ''}"),
    )
    search_fields = ("month",)
    search_placeholder = _("结算月份，如 2025-03")
    filters = (DateRange("month", _("结算月份"), "month", month=True), RegionFilter(),
               Filter("status", _("状态"), "status", Sample.Status.choices))

    def base_queryset(self) -> Any:
        return (
            super()
            .base_queryset()
            .select_related("region")
            .annotate(drawn=Count("items"), reviewed=Count("items", filter=Q(items__status=SampleItem.Status.REVIEWED)))
            .order_by("-month", "region")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        in_force = queries.settings_in_force()
        last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        context.update(
            can_draw=can(self.request.user, "inspection:sample_draw"),
            settings=in_force,
            form=DrawForm(
                regions=region_choices(self.request),
                initial={
                    "month": last_month,
                    "inpatient_ratio": in_force.inpatient_ratio,
                    "cross_province_ratio": in_force.cross_province_ratio,
                    "deadline_days": in_force.deadline_days,
                },
            ),
        )
        return context


def sample_draw(request: HttpRequest) -> HttpResponse:
    """抽样 (manager, reviewer, inspector): a region-month's seeded sample."""
    if request.method != "POST":
        return redirect("inspection:sample_list")
    form = DrawForm(request.POST, regions=region_choices(request))
    sample = _run(
        request,
        form,
        lambda data: samples.do_draw_sample(
            request.user,
            data["region"],
            data["month"],
            seed=data["seed"],
            inpatient_ratio=data["inpatient_ratio"],
            cross_province_ratio=data["cross_province_ratio"],
            deadline_days=data["deadline_days"],
        ),
        gettext("已完成抽样"),
    )
    if sample is None:
        return redirect("inspection:sample_list")
    return redirect("inspection:sample_detail", pk=sample.pk)


def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = get_scoped_or_404(Sample, request, pk=pk)
    items = (
        sample.items.select_related("settlement__hospital", "reviewer")
        .annotate(docs=Count("documents"))
        .order_by("seq")
    )
    stratum = request.GET.get("stratum", "")
    if stratum in SampleItem.Stratum.values:
        items = items.filter(stratum=stratum)
    status = request.GET.get("status", "")
    if status in SampleItem.Status.values:
        items = items.filter(status=status)
    replayed = None
    if request.GET.get("replay") == "1":
        replayed = queries.replay_matches(sample)
    return render(
        request,
        "inspection/sample_detail.html",
        {
            "title": gettext("抽样复审 %(n)s") % {"n": sample.number},
            "sample": sample,
            "items": items,
            "progress": queries.sample_progress(sample),
            "stratum": stratum,
            "status": status,
            "strata": SampleItem.Stratum.choices,
            "statuses": SampleItem.Status.choices,
            "replayed": replayed,
            "overdue": sample.is_overdue(),
            "can_complete": can(request.user, "inspection:sample_complete") and sample.status == Sample.Status.OPEN,
            "can_review": can(request.user, "inspection:item_detail"),
        },
    )


def sample_complete(request: HttpRequest, pk: int) -> HttpResponse:
    sample = get_scoped_or_404(Sample, request, pk=pk)
    if request.method == "POST":
        try:
            samples.do_complete_sample(request.user, sample)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("抽样复审已完成"))
    return redirect("inspection:sample_detail", pk=sample.pk)


class SampleSettingsView(ScopedListView):
    """抽样参数: the defaults in force, the manager's form for a new version (with a reason), and the versions as a
    list (filters by change time and reason; export)."""

    model = SamplingSettings
    title = _("抽样参数")
    template_name = "inspection/settings.html"
    columns = (
        Column(_("版本"), lambda r: f"v{r.version}", sort="version"),
        Column(_("住院（%）"), "inpatient_ratio", css="text-end", kind="percent"),
        Column(_("跨省异地（%）"), "cross_province_ratio", css="text-end", kind="percent"),
        Column(_("时限（工作日）"), "deadline_days", css="text-end", kind="int"),
        Column(_("变更原因"), "reason"),
        Column(_("变更人"), lambda r: r.changed_by or "—", sort="changed_by__username"),
        Column(_("变更时间"), "changed_at", kind="datetime"),
    )
    search_fields = ("reason__icontains",)
    search_placeholder = _("变更原因")
    filters = (DateRange("changed", _("变更时间"), "changed_at"),)
    empty_hint = _("尚未修改，使用系统默认值")
    form: SettingsForm | None = None

    def base_queryset(self) -> Any:
        return SamplingSettings.objects.select_related("changed_by")  # system-wide defaults, not in a region

    def _form(self, data: Any = None) -> SettingsForm:
        in_force = queries.settings_in_force()
        return SettingsForm(data, initial={"inpatient_ratio": in_force.inpatient_ratio,
                                           "cross_province_ratio": in_force.cross_province_ratio,
                                           "deadline_days": in_force.deadline_days})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self._form(request.POST)
        done = _run(request, form, lambda data: samples.do_change_settings(request.user, **data),
                    gettext("抽样参数已保存为新版本"))
        if done is not None:
            return redirect("inspection:sample_settings")
        self.form = form
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(settings=queries.settings_in_force(), form=self.form or self._form(),
                       can_write=can(self.request.user, "inspection:sample_settings"))
        return context


sample_settings = SampleSettingsView.as_view()


def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One sampled settlement: its fee lines in summary, the documents and the review form (三比对)."""
    item = get_scoped_or_404(SampleItem, request, pk=pk)
    can_review = can(request.user, "inspection:item_detail") and item.sample.status == Sample.Status.OPEN
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if can_review and form.is_valid():
            data = {name: form.cleaned_data[name] for name in samples.REVIEW_FIELDS}
            try:
                samples.do_review_item(request.user, item, **data)
            except DaeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, gettext("复审记录已保存"))
                return redirect("inspection:item_detail", pk=item.pk)
        elif not can_review:
            messages.error(request, gettext("该抽样复审已完成，不能再修改复审记录"))
    else:
        form = ReviewForm(
            initial={
                **{name: getattr(item, name) for name in samples.REVIEW_FIELDS if name != "not_payable"},
                "not_payable": f"{item.not_payable:.2f}" if item.not_payable is not None else "0.00",
            }
        )
    settlement = item.settlement
    record_access(request, settlement)
    lines = settlement.lines.all()
    by_type = lines.values("med_chrgitm_type").annotate(n=Count("id")).order_by("med_chrgitm_type")
    return render(
        request,
        "inspection/item_detail.html",
        {
            "title": gettext("抽样病历 %(s)s #%(n)s") % {"s": item.sample.number, "n": item.seq},
            "item": item,
            "s": settlement,
            "lines": lines[:200],
            "line_count": lines.count(),
            "by_type": by_type,
            "form": form,
            "documents": item.documents.select_related("uploaded_by"),
            "document_form": DocumentForm(),
            "can_review": can_review,
            "previous": item.sample.items.filter(seq__lt=item.seq).order_by("-seq").first(),
            "next": item.sample.items.filter(seq__gt=item.seq).order_by("seq").first(),
        },
    )


def item_document(request: HttpRequest, pk: int) -> HttpResponse:
    """上传病历扫描件 (reviewer, inspector)."""
    item = get_scoped_or_404(SampleItem, request, pk=pk)
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
        _run(
            request,
            form,
            lambda data: documents.do_attach_document(
                request.user, chunks=_chunks(data["file"]), name=data["file"].name, sample_item=item, note=data["note"]
            ),
            gettext("附件已上传"),
        )
    return redirect("inspection:item_detail", pk=item.pk)


def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document as stored (shown inline: images as thumbnails, PDFs in the browser)."""
    doc = queries.documents_for(request.user).filter(pk=pk).first()
    if doc is None:
        get_scoped_or_404(Document, request, pk=pk)  # logs an attempt outside scope, then 404
        raise Http404()
    try:
        handle = open(doc.path, "rb")  # FileResponse closes it
    except FileNotFoundError:
        raise InvalidInput("附件文件已不存在，请联系信息技术岗", code="file_missing") from None
    response = FileResponse(handle, content_type=doc.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quoted(doc.name)}"
    return response


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# -- on-site inspections -------------------------------------------------------------------------------------


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
            done = _run(
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
            _run(request, form_class(request.POST), lambda data: run(inspection, data), done)
    return redirect("inspection:inspection_detail", pk=inspection.pk)


def inspection_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _inspection_action(
        request, pk, FindingForm, lambda i, data: inspections.do_add_finding(request.user, i, **data), gettext("问题已添加")
    )


def finding_remove(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_scoped_or_404(Finding, request, pk=pk)
    if request.method == "POST":
        try:
            inspections.do_remove_finding(request.user, finding)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("问题已删除"))
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
                chunks=_chunks(data["file"]),
                name=data["file"].name,
                inspection=inspection,
                finding=finding,
                note=data["note"],
            )

        _run(request, form, attach, gettext("附件已上传"))
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


# -- remote investigations -----------------------------------------------------------------------------------


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
        _run(request, form(), lambda data: run(inv, data), done)
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
