"""Pages of the monthly re-review samples: the list, the draw, a sample and its completion, the sampling settings,
the review of each sampled settlement with the three comparisons and its scans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core.access import record_access
from dae.core.errors import DaeError
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from .. import queries
from ..actions import documents, samples
from ..forms import (
    DocumentForm,
    DrawForm,
    ReviewForm,
    SettingsForm,
)
from ..models import Sample, SampleItem, SamplingSettings
from .shared import post_action, run_form, upload_chunks


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
    sample = run_form(
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
    post_action(request, lambda: samples.do_complete_sample(request.user, sample), gettext("抽样复审已完成"))
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
        done = run_form(request, form, lambda data: samples.do_change_settings(request.user, **data),
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
        run_form(
            request,
            form,
            lambda data: documents.do_attach_document(
                request.user, chunks=upload_chunks(data["file"]), name=data["file"].name, sample_item=item, note=data["note"]
            ),
            gettext("附件已上传"),
        )
    return redirect("inspection:item_detail", pk=item.pk)
