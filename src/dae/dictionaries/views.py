"""Dictionary pages: every code list, and one list's codes with the manager's edit forms (both list pages with
filters and Excel/CSV export)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from dae.core.errors import DaeError, PermissionDenied
from dae.web.listing import Column, Filter, ScopedListView

from .actions import do_add_code, do_update_code
from .models import Code, CodeList

YES_NO = (("yes", _("是")), ("no", _("否")))


def _english_column() -> tuple[Column, ...]:
    """英文名称 is shown on the English pages (the Chinese pages show names in Chinese; exports carry both)."""
    return (Column(_("英文名称"), "name_en"),) if (get_language() or "").startswith("en") else ()


def _tick(value: bool) -> str:
    return "✓" if value else ""


class CodeListList(ScopedListView):
    """数据字典: the code lists with the number of codes in each (the same for every region: not scoped)."""

    model = CodeList
    title = _("数据字典")
    search_fields = ("key__icontains", "name__icontains", "name_en__icontains")
    search_placeholder = _("字典代码或名称")
    paginate_by = 50

    @property
    def columns(self) -> tuple[Column, ...]:  # type: ignore[override]
        return (
            Column(_("字典代码"), "key", link="dictionaries:codelist_detail", link_kw="key", css="code"),
            Column(_("名称"), "name"),
            *_english_column(),
            Column(_("代码数"), "n", css="text-end", kind="int"),
            Column(_("来源"), "source", css="small code text-body-secondary"),
        )

    def base_queryset(self) -> QuerySet[Any]:
        return CodeList.objects.annotate(n=Count("codes"))


codelist_list = CodeListList.as_view()


def _edit_cell(field: str, label: Any) -> Any:
    def render(code: Code) -> SafeString:
        return format_html('<input class="form-control form-control-sm" name="{}" value="{}" form="code-{}" '
                           'aria-label="{}">', field, getattr(code, field), code.pk, label)
    return render


def _active_cell(code: Code) -> SafeString:
    return format_html('<input class="form-check-input" type="checkbox" name="active" form="code-{}" aria-label="{}"'
                       '{}>', code.pk, gettext("启用"), " checked" if code.active else "")


def _save_cell(code: Code) -> SafeString:
    return format_html('<button class="btn btn-sm btn-outline-primary" form="code-{}">{}</button>', code.pk,
                       gettext("保存"))


class CodeListDetail(ScopedListView):
    """One code list: its codes with filters (active, local) and export; the manager edits names and switches a
    code on or off in the row, and adds a code below the list."""

    model = Code
    template_name = "dictionaries/codelist_detail.html"
    search_fields = ("code__icontains", "name__icontains", "name_en__icontains")
    search_placeholder = _("代码或名称")
    paginate_by = 100
    filters = (
        Filter("active", _("启用"), {"yes": {"active": True}, "no": {"active": False}}, YES_NO),
        Filter("local", _("地方扩展或含义待定"), {"yes": {"local": True}, "no": {"local": False}}, YES_NO),
    )
    export_columns = (
        Column(_("代码"), "code"),
        Column(_("名称"), "name"),
        Column(_("英文名称"), "name_en"),
        Column(_("启用"), lambda c: _tick(c.active)),
        Column(_("地方扩展或含义待定"), lambda c: _tick(c.local)),
    )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.codelist = get_object_or_404(CodeList, key=kwargs["key"])
        self.title = self.codelist.name
        self.can_edit = getattr(request.user, "post", "") == "manager"
        return super().dispatch(request, *args, **kwargs)

    @property
    def columns(self) -> tuple[Column, ...]:  # type: ignore[override]
        code = Column(_("代码"), "code", css="code")
        local = Column(_("地方扩展或含义待定"), lambda c: _tick(c.local), sort="local")
        if self.can_edit:
            return (code, Column(_("名称"), _edit_cell("name", gettext("名称")), sort="name"),
                    Column(_("英文名称"), _edit_cell("name_en", gettext("英文名称")), sort="name_en"),
                    Column(_("启用"), _active_cell, sort="active"), local,
                    Column("", _save_cell, sort="", export=False))
        return (code, Column(_("名称"), "name"), *_english_column(),
                Column(_("启用"), lambda c: _tick(c.active), sort="active"), local)

    def base_queryset(self) -> QuerySet[Any]:
        return Code.objects.filter(codelist=self.codelist)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(codelist=self.codelist, can_edit=self.can_edit)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user: Any = request.user
        codelist = self.codelist
        if not self.can_edit:
            raise PermissionDenied()
        try:
            if request.POST.get("op") == "add":
                do_add_code(user, codelist, request.POST.get("code", ""), request.POST.get("name", ""),
                            request.POST.get("name_en", ""))
            else:
                item = get_object_or_404(Code, codelist=codelist, pk=request.POST.get("id"))
                do_update_code(user, item, name=request.POST.get("name", ""),
                               name_en=request.POST.get("name_en", ""), active=request.POST.get("active") == "on")
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
        return redirect("dictionaries:codelist_detail", key=codelist.key)


codelist_detail = CodeListDetail.as_view()
