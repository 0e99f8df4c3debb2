"""Pages for rule sets (manager edits, everyone reads) and for trial calculation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core.errors import DaeError
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, RegionFilter, ScopedListView

from . import actions
from .forms import PublishForm, SourceForm
from .models import RuleSet, RuleSetVersion
from .queries import document_diff


class RuleSetList(ScopedListView):
    model = RuleSet
    title = _("补偿规则")
    columns = (
        Column(_("规则集编号"), "code", link="benefits:ruleset_detail", link_kw="code"),
        Column(_("名称"), "name"),
        Column(_("统筹区"), "region.name"),
        Column(_("当前版本"), lambda r: f"{r.code}@{r.current_version}" if r.current_version else "—"),
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
    version = get_scoped_or_404(RuleSetVersion, request, pk=pk)
    form = SourceForm(request.POST or None, initial={"source_text": version.source_text})
    errors: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.do_update_draft(request.user, version, form.cleaned_data["source_text"])
        except DaeError as error:
            form.add_error("source_text", error.message)
            errors = _error_list(error)
        else:
            messages.success(request, gettext("草稿已保存"))
            return redirect("benefits:version_detail", pk=version.pk)
    base = version.based_on
    context = {
        "title": version.version_id, "version": version, "form": form, "errors": errors,
        "diff": document_diff(base.document if base else None, version.document),
        "publish_form": PublishForm(), "editable": version.status == RuleSetVersion.Status.DRAFT,
    }
    return render(request, "benefits/version_detail.html", context)


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
