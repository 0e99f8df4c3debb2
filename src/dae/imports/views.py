"""Import pages: choose a kind and upload, watch progress, read or download the error report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from dae.core.errors import DaeError
from dae.core.exports import export_response
from dae.core.jobs import live_state
from dae.core.models import Region
from dae.core.scoping import get_scoped_or_404
from dae.web.forms import StyledFormMixin
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView

from . import registry
from .actions import do_start_import
from .framework import MAX_UPLOAD, describe, example_file, problems_workbook, template_csv
from .models import ImportBatch


def kinds_for(user: Any) -> list[tuple[str, str]]:
    return [(cls.kind, cls.title) for cls in registry.all_importers() if user.post in cls.posts]


class KindChoices(list[tuple[str, str]]):
    """Every registered import kind with its title, read when the page is drawn."""

    def __iter__(self) -> Any:
        return iter([(cls.kind, str(cls.title)) for cls in registry.all_importers()])

    def __len__(self) -> int:
        return len(registry.all_importers())


class BatchList(ScopedListView):
    model = ImportBatch
    title = _("数据导入")
    empty_hint = _("点击“导入文件”上传参保名单、目录或对码文件。")
    template_name = "imports/batch_list.html"
    columns = (
        Column(_("批次"), lambda b: f"#{b.pk}", link="imports:batch_detail"),
        Column(_("导入类型"), lambda b: _title(b.kind)),
        Column(_("文件名"), "file_name"),
        Column(_("状态"), "status"),
        Column(_("总行数"), "rows_total"),
        Column(_("错误行数"), "rows_bad"),
        Column(_("新增"), "rows_new"),
        Column(_("变更"), "rows_changed"),
        Column(_("导入人"), "created_by"),
        Column(_("上传时间"), "created_at"),
    )
    search_fields = ("file_name__icontains",)
    search_placeholder = _("文件名")
    filters = (DateRange("created", _("上传日期"), "created_at"), RegionFilter(),
               Filter("kind", _("导入类型"), "kind", KindChoices()),
               Filter("status", _("状态"), "status", ImportBatch.Status.choices))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("created_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_import"] = bool(kinds_for(self.request.user))
        return context


def _title(kind: str) -> str:
    try:
        return str(registry.get(kind).title)
    except DaeError:
        return kind


class UploadForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"))
    region = forms.ChoiceField(label=_("统筹区"), required=False)
    file = forms.FileField(label=_("文件"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_for(user)
        regions = Region.objects.filter(admdvs__in=user.region_codes)
        self.fields["region"].choices = [(r.admdvs, str(r)) for r in regions]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过 1 GB"))
        return upload


def batch_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    initial = {"kind": request.GET.get("kind", "")}
    form = UploadForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = do_start_import(form.cleaned_data["kind"], user=user, file_name=upload.name,
                                 chunks=upload.chunks(), region_id=form.cleaned_data["region"] or None)
        except DaeError as exc:
            error = exc
        else:
            return redirect("imports:batch_detail", pk=batch.pk)
    importers = [describe(cls) for cls in registry.all_importers() if user.post in cls.posts]
    return render(request, "imports/batch_new.html",
                  {"title": _("导入文件"), "form": form, "error": error, "importers": importers})


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_scoped_or_404(ImportBatch, request, pk=pk)
    job = live_state(batch.job) if batch.job else None
    context = {"title": f"{_title(batch.kind)} #{batch.pk}", "batch": batch, "job": job,
               "kind_title": _title(batch.kind), "problems": batch.problems.all()[:500],
               "running": batch.status in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)}
    if request.headers.get("HX-Request"):
        return render(request, "imports/_batch_state.html", context)
    return render(request, "imports/batch_detail.html", context)


def batch_report(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_scoped_or_404(ImportBatch, request, pk=pk)
    return export_response(problems_workbook(batch, request.user), f"import-{batch.pk}-errors", "xlsx")


def kind_template(request: HttpRequest, kind: str) -> HttpResponse:
    response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


def kind_example(request: HttpRequest, kind: str) -> HttpResponse:
    """An example file of ``kind``: the header and one row that passes the checks (or the importer's own)."""
    content, fmt = example_file(kind)
    types = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
    response = HttpResponse(content, content_type=types.get(fmt, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="{kind}-example.{fmt}"'
    return response
