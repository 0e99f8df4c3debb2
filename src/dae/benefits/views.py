"""Pages for rule sets (manager edits, everyone reads) and for trial calculation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core.errors import DaeError
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, RegionFilter, ScopedListView

from . import actions, ruleform
from .forms import PublishForm, SourceForm
from .models import RuleSet, RuleSetVersion
from .queries import document_diff


class RuleSetList(ScopedListView):
    model = RuleSet
    title = _("补偿规则")
    columns = (
        Column(_("规则集编号"), "code", link="benefits:ruleset_detail", link_kw="code", css="code"),
        Column(_("名称"), "name"),
        Column(_("统筹区"), "region.name"),
        Column(_("当前版本"), lambda r: f"{r.code}@{r.current_version}" if r.current_version else "—", css="code"),
    )
    search_fields = ("code__icontains", "name__icontains")
    search_placeholder = _("规则集编号 / 名称")
    filters = (RegionFilter(),)

    def base_queryset(self) -> Any:
        latest = (RuleSetVersion.objects.filter(ruleset=OuterRef("pk"), status=RuleSetVersion.Status.PUBLISHED)
                  .order_by("-valid_from", "-id").values("version")[:1])
        return super().base_queryset().select_related("region").annotate(current_version=Subquery(latest))


def ruleset_detail(request: HttpRequest, code: str) -> HttpResponse:
    ruleset = get_scoped_or_404(RuleSet, request, code=code)
    if request.method == "POST":
        try:
            draft = actions.do_create_draft(request.user, ruleset)
        except DaeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("已新建草稿版本 %(v)s") % {"v": draft.version_id})
            return redirect("benefits:version_detail", pk=draft.pk)
    versions = ruleset.versions.select_related("created_by", "published_by").order_by("-valid_from", "-id")
    return render(request, "benefits/ruleset_detail.html",
                  {"title": ruleset.name, "ruleset": ruleset, "versions": versions})


def _error_list(error: DaeError) -> list[dict[str, str]]:
    return error.details if isinstance(error.details, list) else []


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A version: its parameters as a form (the draft, for the manager), the YAML as the advanced view, and the
    difference from the version it is based on."""
    version = get_scoped_or_404(RuleSetVersion, request, pk=pk)
    mode = request.POST.get("mode", "form") if request.method == "POST" else request.GET.get("mode", "form")
    form = SourceForm(request.POST if mode == "yaml" else None, initial={"source_text": version.source_text})
    initial, segments_initial = ruleform.initial_from(version.document)
    params = ruleform.ParametersForm(request.POST if mode == "form" and request.method == "POST" else None,
                                     initial=initial)
    segments = ruleform.SegmentFormSet(request.POST if mode == "form" and request.method == "POST" else None,
                                       initial=segments_initial, prefix="seg")
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        saved = _save_yaml(request, version, form, errors) if mode == "yaml" else _save_form(
            request, version, params, segments, errors)
        if saved is not None:
            messages.success(request, gettext("草稿已保存"))
            return redirect("benefits:version_detail", pk=saved.pk)
    base = version.based_on
    diff = [(path, ruleform.path_label(path), old, new)
            for path, old, new in document_diff(base.document if base else None, version.document)]
    context = {
        "title": version.version_id, "version": version, "form": form, "errors": errors, "mode": mode,
        "params": params, "segments": segments, "diff": diff,
        "publish_form": PublishForm(), "editable": version.status == RuleSetVersion.Status.DRAFT,
        "can_edit": can(request.user, "benefits:version_detail"),
    }
    return render(request, "benefits/version_detail.html", context)


def _save_yaml(request: HttpRequest, version: RuleSetVersion, form: SourceForm,
               errors: list[dict[str, str]]) -> RuleSetVersion | None:
    if not form.is_valid():
        return None
    try:
        return actions.do_update_draft(request.user, version, form.cleaned_data["source_text"])
    except DaeError as error:
        form.add_error("source_text", error.message)
        errors.extend({**e, "label": ruleform.path_label(str(e.get("path", "")))} for e in _error_list(error))
        return None


def _save_form(request: HttpRequest, version: RuleSetVersion, params: Any, segments: Any,
               errors: list[dict[str, str]]) -> RuleSetVersion | None:
    if not (params.is_valid() and segments.is_valid()):
        return None
    kept = [f.cleaned_data for f in segments.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    document = ruleform.document_from(version.document, params.cleaned_data, kept)
    try:
        return actions.do_update_draft(request.user, version, ruleform.source_from(document, version.source_text))
    except DaeError as error:
        errors.extend(ruleform.place_errors(_error_list(error), params, segments))
        if not _error_list(error):
            errors.append({"path": "", "label": "", "message": error.message})
        return None


def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_scoped_or_404(RuleSetVersion, request, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写有效的生效日期"))
        return redirect("benefits:version_detail", pk=pk)
    try:
        actions.do_publish(request.user, version, form.cleaned_data["effective"])
    except DaeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("版本 %(v)s 已发布，自 %(d)s 起生效") % {
            "v": version.version_id, "d": form.cleaned_data["effective"]})
    return redirect("benefits:version_detail", pk=pk)
