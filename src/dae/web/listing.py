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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import InvalidPage, Paginator
from django.db.models import CharField, DateTimeField, F, Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from dae.core import inputs
from dae.core.access import record_access_many, record_export
from dae.core.errors import DaeError, InvalidInput, PermissionDenied
from dae.core.exports import ExportColumn, Kind, csv_bytes, export_response, xlsx_bytes
from dae.core.sums import fen_sum, yuan

PAGE_SIZES = (25, 50, 100, 200)
#: an export larger than this asks the user to narrow the filters (the workbook is built in one request)
EXPORT_MAX = 200_000
#: masking of a personal column in exports (``Column(mask=...)``), by kind
MASKS = ("name", "certno", "phone", "account")


# -- columns --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """A column: ``value`` is a dotted attribute path (``hospital.name``) or a function of the row.

    ``kind`` (text, money, int, date, datetime, percent) says how it is exported and whether it is totalled; money
    is also recognised from ``css="amount"``. ``codelist`` shows a dictionary code with its name. ``sort`` is the
    database path to order by (derived from a field path; ``""`` turns sorting off); ``total`` the path to sum
    (derived for money columns on a field). ``mask`` marks personal data masked in exports (name, certno, phone,
    account)."""

    label: str | Promise
    value: str | Callable[[Any], Any]
    link: str | None = None  # route name taking the object's pk (or link_kw) as its only argument
    link_kw: str = "pk"
    css: str = ""
    kind: str = ""
    codelist: str | None = None
    sort: str | None = None
    total: str | None = None
    mask: str | None = None
    export: bool = True

    @property
    def export_kind(self) -> Kind:
        if self.kind:
            return self.kind  # type: ignore[return-value]
        return "money" if "amount" in self.css.split() else "text"

    @property
    def is_money(self) -> bool:
        return self.export_kind == "money"

    def raw(self, obj: Any) -> Any:
        """The value itself (a Decimal, a date, a code), for export and totals; a choice as its label."""
        if callable(self.value):
            return self.value(obj)
        value: Any = obj
        for part in self.value.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        display = getattr(obj, f"get_{self.value}_display", None)
        return display() if display and "." not in self.value else value

    def render(self, obj: Any) -> Any:
        value = self.raw(obj)
        if self.codelist and value not in (None, ""):
            from dae.dictionaries import codes

            return codes.label(self.codelist, str(value))
        return value

    def href(self, obj: Any) -> str | None:
        if not self.link:
            return None
        return reverse(self.link, args=[getattr(obj, self.link_kw)])


# -- filters --------------------------------------------------------------------------------------------------

class BaseFilter:
    """What every filter does: name its query parameters, narrow the queryset, describe itself for the page
    (``widget``) and for the export header (``describe``)."""

    param: str
    label: str | Promise
    kind: ClassVar[str] = "select"

    def params(self) -> tuple[str, ...]:
        return (self.param,)

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        raise NotImplementedError

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        """What the template draws, or ``None`` when the filter means nothing to this user."""
        return {"kind": self.kind, "filter": self, "values": {p: get.get(p, "") for p in self.params()}}

    def describe(self, get: QueryDict, view: ScopedListView) -> str:
        values = [get.get(p, "").strip() for p in self.params()]
        if not any(values):
            return ""
        return f"{self.label}：{'～'.join(v or '…' for v in values)}"


@dataclass(frozen=True)
class Filter(BaseFilter):
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

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        value = get.get(self.param, "").strip()
        return self.apply(qs, value) if value else qs

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        return {"kind": "select", "filter": self, "choices": list(self.choices),
                "value": get.get(self.param, "").strip()}

    def describe(self, get: QueryDict, view: ScopedListView) -> str:
        value = get.get(self.param, "").strip()
        if not value:
            return ""
        label = dict((str(k), str(v)) for k, v in self.choices).get(value, value)
        return f"{self.label}：{label}"


class DictChoices(Sequence[tuple[str, str]]):
    """The choices of a dictionary list (``code name``), read when the page is drawn (not at import time)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def _items(self) -> list[tuple[str, str]]:
        from dae.dictionaries import codes

        return codes.choices(self.key)

    def __getitem__(self, index: Any) -> Any:
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items())


def _model_field(model: type[Model], path: str) -> Any:
    target: Any = model
    field_obj: Any = None
    for part in path.split("__"):
        try:
            field_obj = target._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        target = getattr(field_obj, "related_model", None)
    return field_obj


def _midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the current time zone, as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class DateRange(BaseFilter):
    """From–to on a date or date-time field (both ends included); ``month=True`` for a month field (YYYY-MM)."""

    param: str
    label: str | Promise
    field: str
    month: bool = False
    kind: ClassVar[str] = "daterange"

    def params(self) -> tuple[str, ...]:
        return (f"{self.param}_from", f"{self.param}_to")

    def _bounds(self, get: QueryDict) -> tuple[dt.date | None, dt.date | None]:
        start_p, end_p = self.params()
        label = str(self.label)
        if self.month:
            start = inputs.query_month(get, start_p)
            end = inputs.query_month(get, end_p)
        else:
            start = inputs.query_date(get, start_p, label=f"{label}起")
            end = inputs.query_date(get, end_p, label=f"{label}止")
        if start and end and start > end:
            raise inputs.refuse(inputs.InputCode.INVALID_PERIOD, start_p, "", gettext("起始日期不能晚于截止日期"))
        return start, end

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        start, end = self._bounds(get)
        model_field = _model_field(qs.model, self.field)
        if isinstance(model_field, DateTimeField):
            # local-day bounds as instants (from the first day's midnight to before the day after the last), so
            # the database compares the stored column (its index) instead of casting every row to a date
            if start:
                qs = qs.filter(**{f"{self.field}__gte": _midnight(start)})
            if end:
                qs = qs.filter(**{f"{self.field}__lt": _midnight(end + dt.timedelta(days=1))})
            return qs
        path = self.field
        bounds: list[Any] = [start, end]
        if isinstance(model_field, CharField):  # a month or date kept as text (YYYY-MM, YYYY-MM-DD)
            bounds = [(f"{d:%Y-%m}" if self.month else d.isoformat()) if d else None for d in bounds]
        if bounds[0]:
            qs = qs.filter(**{f"{path}__gte": bounds[0]})
        if bounds[1]:
            qs = qs.filter(**{f"{path}__lte": bounds[1]})
        return qs

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        start_p, end_p = self.params()
        return {"kind": "daterange", "filter": self, "input": "month" if self.month else "date",
                "start_param": start_p, "end_param": end_p, "start": get.get(start_p, ""), "end": get.get(end_p, "")}


@dataclass(frozen=True)
class AmountRange(BaseFilter):
    """Minimum–maximum of a money field (both ends included), read by ``core.inputs.amount``."""

    param: str
    label: str | Promise
    field: str
    kind: ClassVar[str] = "amountrange"

    def params(self) -> tuple[str, ...]:
        return (f"{self.param}_min", f"{self.param}_max")

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        low_p, high_p = self.params()
        label = str(self.label)
        low = inputs.optional_amount(get.get(low_p, ""), field=low_p, label=f"{label}下限",
                                     minimum=-inputs.COLUMN_MAX)
        high = inputs.optional_amount(get.get(high_p, ""), field=high_p, label=f"{label}上限",
                                      minimum=-inputs.COLUMN_MAX)
        if low is not None and high is not None and low > high:
            raise inputs.refuse(inputs.InputCode.INVALID_AMOUNT, low_p, "", gettext("下限不能大于上限"))
        if low is not None:
            qs = qs.filter(**{f"{self.field}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{self.field}__lte": high})
        return qs

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        low_p, high_p = self.params()
        return {"kind": "amountrange", "filter": self, "low_param": low_p, "high_param": high_p,
                "low": get.get(low_p, ""), "high": get.get(high_p, "")}


@dataclass(frozen=True)
class TextFilter(BaseFilter):
    """Free text on one field (``lookup`` such as ``reason__icontains``), at most 100 characters."""

    param: str
    label: str | Promise
    lookup: str
    kind: ClassVar[str] = "text"

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        value = get.get(self.param, "").strip()
        if not value:
            return qs
        value = inputs.text(value, field=self.param, label=str(self.label), max_length=100)
        return qs.filter(**{self.lookup: value})

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        return {"kind": "text", "filter": self, "value": get.get(self.param, "")}


@dataclass(frozen=True)
class RegionFilter(BaseFilter):
    """The pooling region (统筹区), among the user's own regions; hidden when the user has only one."""

    field: str = "region"
    param: str = "region"
    label: str | Promise = _("统筹区")

    def _choices(self, view: ScopedListView) -> list[tuple[str, str]]:
        from dae.core.models import Region

        codes = getattr(view.request.user, "region_codes", ()) or ()
        return [(r.admdvs, r.name) for r in Region.objects.filter(admdvs__in=list(codes))]

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        value = get.get(self.param, "").strip()
        if not value:
            return qs
        if value not in dict(self._choices(view)):
            raise inputs.refuse(inputs.InputCode.INVALID_REGION, self.param, str(self.label),
                                gettext("不在可选范围内"))
        return qs.filter(**{self.field: value})

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        choices = self._choices(view)
        if len(choices) < 2:
            return None
        return {"kind": "select", "filter": self, "choices": choices, "value": get.get(self.param, "").strip()}

    def describe(self, get: QueryDict, view: ScopedListView) -> str:
        value = get.get(self.param, "").strip()
        return f"{self.label}：{dict(self._choices(view)).get(value, value)}" if value else ""


@dataclass(frozen=True)
class HospitalFilter(BaseFilter):
    """The hospital (定点医疗机构), among the hospitals the user may see; hidden for a hospital's own users."""

    field: str = "hospital"
    param: str = "hospital"
    label: str | Promise = _("医疗机构")

    def _choices(self, view: ScopedListView) -> list[tuple[str, str]]:
        from dae.catalog.models import Hospital

        rows = Hospital.objects.for_user(view.request.user).order_by("code").values_list("code", "name")
        return [(code, f"{name}（{code}）") for code, name in rows]

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        value = get.get(self.param, "").strip()
        if not value:
            return qs
        value = inputs.text(value, field=self.param, label=str(self.label), max_length=30)
        return qs.filter(**{f"{self.field}__code": value})

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        if getattr(view.request.user, "scope_kind", "") in ("hospital", "insured"):
            return None
        return {"kind": "select", "filter": self, "choices": self._choices(view),
                "value": get.get(self.param, "").strip()}

    def describe(self, get: QueryDict, view: ScopedListView) -> str:
        value = get.get(self.param, "").strip()
        return f"{self.label}：{dict(self._choices(view)).get(value, value)}" if value else ""


# -- the header block and reports ------------------------------------------------------------------------------

def header_lines(request: HttpRequest, title: str, count: int, described: Sequence[str]) -> list[str]:
    """The header block of every export: what and how many rows, who (name and post), when, which filters."""
    user: Any = request.user
    who = f"{getattr(user, 'display_name', '') or user.get_username()}（{getattr(user, 'post_label', '')}）"
    return [
        gettext("%(title)s（共 %(n)s 条）") % {"title": title, "n": count},
        gettext("导出人：%(who)s") % {"who": who},
        gettext("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")},
        gettext("筛选条件：%(f)s") % {"f": "；".join(described) if described else gettext("无（全部记录）")},
    ]


def export_report(request: HttpRequest, fmt: str, *, title: str, columns: Sequence[ExportColumn],
                  rows: Sequence[Sequence[Any]], totals: Sequence[Any] | None, described: Sequence[str]) -> HttpResponse:
    """A report that is not a paged list (a trial balance, balances at a date, unmatched items) downloaded as the
    lists are: refused for posts the matrix does not let export the page, the same header block, yuan formats,
    its totals row, and one access record (原因 export) with the full address."""
    from dae.accounts.permissions import can_export

    if fmt not in ("xlsx", "csv"):
        raise InvalidInput(gettext("导出格式只能是 xlsx 或 csv"), code="bad_export_format")
    match = request.resolver_match
    route = match.view_name if match else ""
    if not can_export(request.user, route):
        raise PermissionDenied(gettext("当前岗位不能导出此列表"))
    header = header_lines(request, title, len(rows), described)
    if fmt == "xlsx":
        content = xlsx_bytes([(title, columns, rows)], header_lines=header, totals=totals)
    else:
        content = csv_bytes(columns, rows, header_lines=header, totals=totals)
    record_export(request, route, len(rows), fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(content, f"{title}-{stamp}", fmt)


def report_export_links(request: HttpRequest) -> dict[str, Any]:
    """What ``web/_report_export.html`` needs: whether the post may export the page, and its query string."""
    from dae.accounts.permissions import can_export

    match = request.resolver_match
    query = request.GET.copy()
    query.pop("export", None)
    return {"can_export": can_export(request.user, match.view_name if match else ""),
            "querystring": query.urlencode()}


# -- the view -------------------------------------------------------------------------------------------------

def _field_path(model: type[Model], dotted: str, annotations: Mapping[str, Any]) -> str | None:
    """``hospital.name`` → ``hospital__name`` when every step is a concrete field (or the name an annotation)."""
    if dotted in annotations:
        return dotted
    target: Any = model
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        try:
            field_obj = target._meta.get_field(part)
        except (FieldDoesNotExist, AttributeError):
            return None
        if not getattr(field_obj, "concrete", False):
            return None
        related = getattr(field_obj, "related_model", None)
        if related is None and i < len(parts) - 1:
            return None
        target = related
    return "__".join(parts)


def _choice_labels(model: type[Model], column: Column) -> tuple[str, dict[Any, str]] | None:
    """For a column showing a model field with choices: the field's attribute and its labels (in the reader's
    language), so an export translates each label once instead of once per row."""
    if not isinstance(column.value, str) or "." in column.value or column.codelist:
        return None
    try:
        field_obj: Any = model._meta.get_field(column.value)
    except FieldDoesNotExist:
        return None
    if field_obj.is_relation or not getattr(field_obj, "flatchoices", None):
        return None
    return field_obj.attname, {value: str(label) for value, label in field_obj.flatchoices}


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
        return _field_path(qs.model, column.value, qs.query.annotations)

    def total_path(self, column: Column, qs: QuerySet[Any]) -> str | None:
        if column.total is not None:
            return column.total or None
        if not column.is_money or not isinstance(column.value, str):
            return None
        path = _field_path(qs.model, column.value, qs.query.annotations)
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
        from dae.accounts.permissions import can_export

        return can_export(self.request.user, self.route_name())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.GET.get("export", "")
        if fmt:
            return self.export(fmt)
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response

    def export_rows(self, qs: QuerySet[Any], shown: list[tuple[str, Column]], masked: bool) -> Iterator[list[Any]]:
        from dae.core import masking

        maskers: dict[str, Callable[[str], str]] = {
            "name": masking.mask_name, "certno": masking.mask_certno, "phone": masking.mask_phone,
            "account": masking.mask_account}
        labels = [_choice_labels(qs.model, column) for _key, column in shown]
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
            raise InvalidInput(gettext("导出格式只能是 xlsx 或 csv"), code="bad_export_format")
        if not self.may_export():
            raise PermissionDenied(gettext("当前岗位不能导出此列表"))
        qs, errors = self.filtered_queryset()
        if errors:
            raise errors[0]
        qs = self.ordered(qs)
        count = qs.count()
        if count > EXPORT_MAX:
            raise InvalidInput(gettext("共 %(n)s 条，超过单次导出上限 %(max)s 条，请缩小筛选范围")
                               % {"n": f"{count:,}", "max": f"{EXPORT_MAX:,}"}, code="export_too_large")
        from dae.accounts.permissions import can_export_full

        masked = not can_export_full(self.request.user, self.route_name())
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

