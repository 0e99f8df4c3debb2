"""The one list page: a scoped table with search, filters and pagination, refreshed in place by htmx."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.views.generic import ListView

from dae.core.access import record_access_many


@dataclass(frozen=True)
class Column:
    label: str | Promise
    value: str | Callable[[Any], Any]
    link: str | None = None  # route name taking the object's pk (or link_kw) as its only argument
    link_kw: str = "pk"
    css: str = ""

    def render(self, obj: Any) -> Any:
        if callable(self.value):
            return self.value(obj)
        value: Any = obj
        for part in self.value.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        display = getattr(obj, f"get_{self.value}_display", None)
        return display() if display and "." not in self.value else value

    def href(self, obj: Any) -> str | None:
        if not self.link:
            return None
        return reverse(self.link, args=[getattr(obj, self.link_kw)])


@dataclass(frozen=True)
class Filter:
    """A select filter. ``lookup`` is a field lookup taking the chosen value, or a mapping from each choice to
    the filter it stands for (for choices such as "computed: yes/no")."""

    param: str
    label: str | Promise
    lookup: str | Mapping[str, Mapping[str, Any]]
    choices: Sequence[tuple[str, Any]] = field(default_factory=tuple)

    def apply(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if isinstance(self.lookup, str):
            return qs.filter(**{self.lookup: value})
        return qs.filter(**self.lookup[value]) if value in self.lookup else qs


class ScopedListView(ListView):  # type: ignore[type-arg]
    model: type[Model]
    title: str | Promise = ""
    columns: Sequence[Column] = ()
    search_fields: Sequence[str] = ()
    search_placeholder: str | Promise = ""
    filters: Sequence[Filter] = ()
    paginate_by = 25
    template_name = "web/list.html"
    #: True for lists of persons' data: each row shown to staff is written to the access log.
    log_access = False

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "list-table":
            return ["web/_table.html"]
        return [self.template_name]

    def base_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.for_user(self.request.user)  # type: ignore[attr-defined, no-any-return]

    def get_queryset(self) -> QuerySet[Any]:
        qs = self.base_queryset()
        term = self.request.GET.get("q", "").strip()
        if term and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{name: term})
            qs = qs.filter(condition)
        for flt in self.filters:
            value = self.request.GET.get(flt.param, "").strip()
            if value:
                qs = flt.apply(qs, value)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.log_access:
            record_access_many(self.request, list(context["object_list"]))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title,
            columns=self.columns,
            filters=[(f, self.request.GET.get(f.param, "")) for f in self.filters],
            q=self.request.GET.get("q", ""),
            search_placeholder=self.search_placeholder,
            has_search=bool(self.search_fields),
            querystring=query.urlencode(),
        )
        return context
