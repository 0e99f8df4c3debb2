"""The filters of a list page (``listing.ScopedListView``): each reads its values from the query string, narrows
the queryset, describes itself for the page and for the export header; a bad value is an ``InvalidInput`` the page
shows beside its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, DateTimeField, Model, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core import inputs
from dae.core.models import Region

from .lookups import LOOKUPS

if TYPE_CHECKING:  # the view takes the filters; the filters only read its request
    from .listing import ScopedListView


class BaseFilter:
    """What every filter does: name its query parameters, narrow the queryset, describe itself for the page
    (``widget``) and for the export header (``describe``)."""

    param: str
    label: str | Promise
    kind: ClassVar[str] = "select"

    def params(self) -> tuple[str, ...]:
        return (self.param,)

    def chosen(self, get: QueryDict) -> str:
        """The filter's value in the query string, trimmed ("" when not set)."""
        return get.get(self.param, "").strip()

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
        value = self.chosen(get)
        return self.apply(qs, value) if value else qs

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        return {"kind": "select", "filter": self, "choices": list(self.choices),
                "value": self.chosen(get)}

    def describe(self, get: QueryDict, view: ScopedListView) -> str:
        value = self.chosen(get)
        if not value:
            return ""
        label = dict((str(k), str(v)) for k, v in self.choices).get(value, value)
        return f"{self.label}：{label}"


class DictChoices(Sequence[tuple[str, str]]):
    """The choices of a dictionary list (``code name``), read when the page is drawn (not at import time)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def _items(self) -> list[tuple[str, str]]:
        return LOOKUPS.code_choices(self.key)

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
        value = self.chosen(get)
        if not value:
            return qs
        value = inputs.text(value, field=self.param, label=str(self.label), max_length=100)
        return qs.filter(**{self.lookup: value})

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        return {"kind": "text", "filter": self, "value": get.get(self.param, "")}


class ListedChoiceFilter(BaseFilter):
    """A select among the choices the user may see (``_choices``), described by the chosen one's name."""

    def _choices(self, view: ScopedListView) -> list[tuple[str, str]]:
        raise NotImplementedError

    def describe(self, get: QueryDict, view: ScopedListView) -> str:
        value = self.chosen(get)
        return f"{self.label}：{dict(self._choices(view)).get(value, value)}" if value else ""


@dataclass(frozen=True)
class RegionFilter(ListedChoiceFilter):
    """The pooling region (统筹区), among the user's own regions; hidden when the user has only one."""

    field: str = "region"
    param: str = "region"
    label: str | Promise = _("统筹区")

    def _choices(self, view: ScopedListView) -> list[tuple[str, str]]:
        codes = getattr(view.request.user, "region_codes", ()) or ()
        return [(r.admdvs, r.name) for r in Region.objects.filter(admdvs__in=list(codes))]

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        value = self.chosen(get)
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
        return {"kind": "select", "filter": self, "choices": choices, "value": self.chosen(get)}


@dataclass(frozen=True)
class HospitalFilter(ListedChoiceFilter):
    """The hospital (定点医疗机构), among the hospitals the user may see; hidden for a hospital's own users."""

    field: str = "hospital"
    param: str = "hospital"
    label: str | Promise = _("医疗机构")

    def _choices(self, view: ScopedListView) -> list[tuple[str, str]]:
        rows = LOOKUPS.hospitals_for(view.request.user)
        return [(code, f"{name}（{code}）") for code, name in rows]

    def narrow(self, qs: QuerySet[Any], get: QueryDict, view: ScopedListView) -> QuerySet[Any]:
        value = self.chosen(get)
        if not value:
            return qs
        value = inputs.text(value, field=self.param, label=str(self.label), max_length=30)
        return qs.filter(**{f"{self.field}__code": value})

    def widget(self, get: QueryDict, view: ScopedListView) -> dict[str, Any] | None:
        if getattr(view.request.user, "scope_kind", "") in ("hospital", "insured"):
            return None
        return {"kind": "select", "filter": self, "choices": self._choices(view),
                "value": self.chosen(get)}

