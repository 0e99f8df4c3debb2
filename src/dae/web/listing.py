"""The one list page: a scoped table with filters, sorting, a totals row, page sizes and export.

Every list page is a ``ScopedListView`` with declarative ``columns`` and ``filters``; the page, the htmx refresh
of the table and the Excel/CSV download all come from the same filtered queryset:

- **filters** (``Filter`` select, ``DateRange``, ``AmountRange``, ``RegionFilter``, ``HospitalFilter``,
  ``TextFilter``) read their values from the query string, so a filtered list is a URL; a bad value (a date that
  is no date, an amount with three decimals) is reported beside its field and that filter is not applied;
- **sorting** by any column that is a field (``?sort=hospital.name`` / ``?sort=-hospital.name``), the model's
  own ordering otherwise, with the primary key as the last tie-breaker so pages never overlap;
- **totals** of the money columns over *all* filtered rows, summed in the database in whole fen (``core.sums``),
  never by adding up a page in Python;
- **page sizes** (``?size=``) and a jump to any page, **column choice** (``?hide=``);
- **export** (``?export=xlsx`` / ``?export=csv``) of exactly the filtered, sorted rows and the shown columns, through
  ``core.exports`` (Chinese headers, yuan format, a header block saying who exported what, when, with which
  filters), personal columns masked unless the matrix lets the post export them in full, recorded in the access
  log, and refused for posts whose ``export`` entry in the permission matrix does not name them.

Columns are in ``columns``, filters in ``filters``, the header block and the download of a report in ``downloads``;
their names are imported here too, so a page imports what it needs from ``listing``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.paginator import InvalidPage, Paginator
from django.db.models import F, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.views.generic import ListView

from dae.core import masking
from dae.core.access import record_access_many, record_export
from dae.core.errors import DaeError, InvalidInput, PermissionDenied
from dae.core.exports import ExportColumn, csv_bytes, export_response, xlsx_bytes
from dae.core.sums import fen_sum, yuan

from .codes import Code
from .columns import MASKS, Column, choice_labels, field_path
from .downloads import export_report, header_lines, report_export_links
from .filters import AmountRange, BaseFilter, DateRange, DictChoices, Filter, HospitalFilter, RegionFilter, TextFilter
from .lookups import LOOKUPS

__all__ = ["EXPORT_MAX", "MASKS", "PAGE_SIZES", "AmountRange", "BaseFilter", "Column", "DateRange",
           "DictChoices",
           "Filter", "HospitalFilter", "RegionFilter", "ScopedListView", "TextFilter", "export_report",
           "header_lines", "report_export_links"]

PAGE_SIZES = (25, 50, 100, 200)
#: an export larger than this asks the user to narrow the filters (the workbook is built in one request)
EXPORT_MAX = 200_000


class ScopedListView(ListView):  # type: ignore[type-arg]
    model: type[Model]
    title: str | Promise = ""
    columns: Sequence[Column] = ()
    search_fields: Sequence[str] = ()
    search_placeholder: str | Promise = ""
    filters: Sequence[BaseFilter] = ()
    paginate_by = 25
    template_name = "web/list.html"
    #: True for lists of persons' data: each row shown to staff is written to the access log.
    log_access = False
    #: columns of the download when they differ from the page's (plain text instead of links and badges)
    export_columns: Sequence[Column] = ()
    #: what to say when the list is empty and no filter is set (what to do next)
    empty_hint: str | Promise = ""
    #: a template drawing the page's rows its own way (cards on a phone) instead of the table; the toolbar (count,
    #: export), the filters and the pager stay the component's; ``columns`` are still those of the export
    rows_template: str = ""

    # -- reading the request ----------------------------------------------------------------------------
    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "list-table":
            return ["web/_table.html"]
        return [self.template_name]

    def route_name(self) -> str:
        match = self.request.resolver_match
        return match.view_name if match else ""

    def column_key(self, index: int, column: Column) -> str:
        return column.value if isinstance(column.value, str) else f"c{index}"

    def shown_columns(self) -> list[tuple[str, Column]]:
        hidden = set(self.request.GET.get("hide", "").split(","))
        keyed = [(self.column_key(i, c), c) for i, c in enumerate(self.columns)]
        shown = [(k, c) for k, c in keyed if k not in hidden]
        return shown or keyed

    def sort_path(self, column: Column, qs: QuerySet[Any]) -> str | None:
        if column.sort is not None:
            return column.sort or None
        if not isinstance(column.value, str):
            return None
        return field_path(qs.model, column.value, qs.query.annotations)

    def total_path(self, column: Column, qs: QuerySet[Any]) -> str | None:
        if column.total is not None:
            return column.total or None
        if not column.is_money or not isinstance(column.value, str):
            return None
        path = field_path(qs.model, column.value, qs.query.annotations)
        if path is None:
            return None
        annotation = qs.query.annotations.get(path.split("__")[0])
        if annotation is not None and getattr(annotation, "contains_aggregate", False):
            return None
        return path

    def get_paginate_by(self, queryset: Any) -> int:
        try:
            size = int(self.request.GET.get("size", ""))
        except ValueError:
            return self.paginate_by
        return size if size in PAGE_SIZES else self.paginate_by

    def base_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.for_user(self.request.user)  # type: ignore[attr-defined, no-any-return]

    def filtered_queryset(self) -> tuple[QuerySet[Any], list[InvalidInput]]:
        """The base queryset narrowed by the search and every filter; bad filter values are returned, not
        applied."""
        qs = self.base_queryset()
        errors: list[InvalidInput] = []
        term = self.request.GET.get("q", "").strip()[:100]
        if term and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{name: term})
            qs = qs.filter(condition)
        for flt in self.filters:
            try:
                qs = flt.narrow(qs, self.request.GET, self)
            except InvalidInput as error:
                errors.append(error)
        return qs, errors

    def ordered(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        wanted = self.request.GET.get("sort", "").strip()
        descending = wanted.startswith("-")
        key = wanted.lstrip("-")
        for index, column in enumerate(self.columns):
            if self.column_key(index, column) == key:
                path = self.sort_path(column, qs)
                if path:  # empty values last either way (SQLite and PostgreSQL differ by default)
                    key_expr = F(path).desc(nulls_last=True) if descending else F(path).asc(nulls_last=True)
                    return qs.order_by(key_expr, "-pk" if descending else "pk")
        ordering = list(qs.query.order_by or qs.model._meta.ordering or [])
        if not any(str(o).lstrip("-") in ("pk", "id") for o in ordering):
            ordering.append("-pk" if ordering and str(ordering[0]).startswith("-") else "pk")
        return qs.order_by(*ordering)

    def get_queryset(self) -> QuerySet[Any]:
        qs, self.filter_errors = self.filtered_queryset()
        return self.ordered(qs)

    def totals(self, qs: QuerySet[Any], columns: Sequence[Column] | None = None) -> dict[int, Decimal]:
        """Money totals of the filtered rows by column index (of ``columns``, the page's by default), one aggregate
        query in whole fen."""
        columns = self.columns if columns is None else columns
        sums = {f"t{i}": fen_sum(path) for i, c in enumerate(columns) if (path := self.total_path(c, qs))}
        if not sums:
            return {}
        result = qs.order_by().aggregate(**sums)
        return {int(k[1:]): yuan(v) for k, v in result.items()}

    # -- export -----------------------------------------------------------------------------------------
    def may_export(self) -> bool:
        return LOOKUPS.may_export(self.request.user, self.route_name())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export", "")
        if fmt:
            return self.export(fmt)
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def export_rows(self, qs: QuerySet[Any], shown: list[tuple[str, Column]], masked: bool) -> Iterator[list[Any]]:
        maskers: dict[str, Callable[[str], str]] = {
            "name": masking.mask_name, "certno": masking.mask_certno, "phone": masking.mask_phone,
            "account": masking.mask_account}
        labels = [choice_labels(qs.model, column) for _key, column in shown]
        for obj in qs.iterator(chunk_size=2000):  # rows stream into the workbook, a chunk at a time
            row = []
            for (_key, column), choice in zip(shown, labels, strict=True):
                if choice is not None:  # a choice field: its label looked up once per download, not per row
                    code = getattr(obj, choice[0])
                    value = "" if code is None else choice[1].get(code, code)
                else:
                    value = column.render(obj) if column.codelist else column.raw(obj)
                if isinstance(value, Promise):
                    value = str(value)
                if masked and column.mask and value:
                    value = maskers[column.mask](str(value))
                row.append(value)
            yield row

    def export(self, fmt: str) -> HttpResponse:
        if fmt not in ("xlsx", "csv"):
            raise InvalidInput(gettext("导出格式只能是 xlsx 或 csv"), code=Code.BAD_EXPORT_FORMAT)
        if not self.may_export():
            raise PermissionDenied(gettext("当前岗位不能导出此列表"))
        qs, errors = self.filtered_queryset()
        if errors:
            raise errors[0]
        qs = self.ordered(qs)
        count = qs.count()
        if count > EXPORT_MAX:
            raise InvalidInput(gettext("共 %(n)s 条，超过单次导出上限 %(max)s 条，请缩小筛选范围")
                               % {"n": f"{count:,}", "max": f"{EXPORT_MAX:,}"}, code=Code.EXPORT_TOO_LARGE)
        masked = not LOOKUPS.may_export_full(self.request.user, self.route_name())
        if self.export_columns:
            shown = [(f"e{i}", c) for i, c in enumerate(self.export_columns)]
        else:
            shown = [(k, c) for k, c in self.shown_columns() if c.export]
        columns = [ExportColumn(str(c.label), "text" if c.codelist else c.export_kind,
                                width=14 if c.is_money else 18) for _k, c in shown]
        totals: list[Any] | None = None
        if self.export_columns:  # the download's own columns, each totalled as the page's would be
            by_index = self.totals(qs, self.export_columns)
            totals = [by_index.get(i, "") for i in range(len(shown))] if by_index else None
        elif totals_by_index := self.totals(qs):
            index_of = {self.column_key(i, c): i for i, c in enumerate(self.columns)}
            totals = [totals_by_index.get(index_of[k], "") for k, _c in shown]
        if totals:
            totals[0] = totals[0] if totals[0] != "" else gettext("合计（%(n)s 条）") % {"n": count}
        header = self.export_header(count)
        rows = self.export_rows(qs, shown, masked)
        title = str(self.title) or "export"
        if fmt == "xlsx":
            content = xlsx_bytes([(title, columns, rows)], header_lines=header, totals=totals)
        else:
            content = csv_bytes(columns, rows, header_lines=header, totals=totals)
        record_export(self.request, self.route_name(), count, fmt)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return export_response(content, f"{title}-{stamp}", fmt)

    def export_header(self, count: int) -> list[str]:
        described = [d for f in self.filters if (d := f.describe(self.request.GET, self))]
        term = self.request.GET.get("q", "").strip()
        if term:
            described.insert(0, gettext("搜索：%(q)s") % {"q": term[:100]})
        return header_lines(self.request, str(self.title), count, described)

    # -- the page -----------------------------------------------------------------------------------------
    def extra_hidden(self) -> list[tuple[str, str]]:
        """Query parameters a page keeps outside the filter form (e.g. a tab), carried by the filter form."""
        return []

    def paginate_queryset(self, queryset: Any, page_size: int) -> Any:
        """As Django's, but a page number past the end shows the last page instead of a 404."""
        paginator: Paginator[Any] = self.get_paginator(queryset, page_size)
        raw = self.request.GET.get("page", "1")
        try:
            number = max(int(raw), 1)
        except ValueError:
            number = 1
        number = min(number, paginator.num_pages)
        try:
            page = paginator.page(number)
        except InvalidPage as exc:  # pragma: no cover - the number is clamped above
            raise DaeError(str(exc)) from exc
        return paginator, page, page.object_list, page.has_other_pages()

    def column_choices(self, query: QueryDict, shown: list[tuple[str, Column]]) -> list[dict[str, Any]]:
        """Each column with the query string that shows or hides it (``hide=`` keeps the hidden keys)."""
        shown_keys = {k for k, _c in shown}
        hidden = [k for k in self.request.GET.get("hide", "").split(",") if k]
        choices = []
        for i, column in enumerate(self.columns):
            key = self.column_key(i, column)
            toggled = [k for k in hidden if k != key] if key not in shown_keys else [*hidden, key]
            q = query.copy()
            q.pop("hide", None)
            if toggled:
                q["hide"] = ",".join(toggled)
            choices.append({"key": key, "label": column.label, "shown": key in shown_keys,
                            "querystring": q.urlencode()})
        return choices

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.log_access:
            record_access_many(self.request, list(context["object_list"]))
        get = self.request.GET
        query = get.copy()
        for key in ("page", "export"):
            query.pop(key, None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        qs = self.object_list
        shown = self.shown_columns()
        totals = self.totals(qs)
        index_of = {self.column_key(i, c): i for i, c in enumerate(self.columns)}
        current_sort = get.get("sort", "")
        headers = []
        for key, column in shown:
            sortable = bool(self.sort_path(column, qs))
            direction = "asc" if current_sort == key else "desc" if current_sort == f"-{key}" else ""
            headers.append({"key": key, "column": column, "sortable": sortable, "direction": direction,
                            "next": f"-{key}" if direction == "asc" else key})
        widgets = [w for f in self.filters if (w := f.widget(get, self)) is not None]
        filters_set = any(get.get(p, "").strip() for f in self.filters for p in f.params()) or bool(
            get.get("q", "").strip())
        context.update(
            title=self.title,
            columns=[c for _k, c in shown],
            headers=headers,
            column_choices=self.column_choices(query, shown),
            filters=widgets,
            filter_errors=[e.message for e in getattr(self, "filter_errors", [])],
            filter_error_params={d.get("path") for e in getattr(self, "filter_errors", [])
                                 for d in (e.details or []) if isinstance(d, dict)},
            filters_set=filters_set,
            q=get.get("q", ""),
            search_placeholder=self.search_placeholder,
            has_search=bool(self.search_fields),
            querystring=query.urlencode(),
            sort_querystring=sort_query.urlencode(),
            totals=[totals.get(index_of[k]) for k, _c in shown] if totals else None,
            page_sizes=PAGE_SIZES,
            page_size=self.get_paginate_by(qs),
            can_export=self.may_export(),
            empty_hint=self.empty_hint,
            hidden=get.get("hide", ""),
            sort_value=current_sort,
            total_count=context["paginator"].count if context.get("paginator") else len(context["object_list"]),
            extra_hidden=self.extra_hidden(),
            rows_template=self.rows_template,
        )
        return context

