"""The columns of a list page (``listing.ScopedListView``): what a column shows, how it is exported, sorted and
totalled, and the database path of a dotted attribute."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.urls import reverse
from django.utils.functional import Promise

from dae.core.exports import Kind

from .lookups import LOOKUPS

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
            return LOOKUPS.code_label(self.codelist, str(value))
        return value

    def href(self, obj: Any) -> str | None:
        if not self.link:
            return None
        return reverse(self.link, args=[getattr(obj, self.link_kw)])


def field_path(model: type[Model], dotted: str, annotations: Mapping[str, Any]) -> str | None:
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


def choice_labels(model: type[Model], column: Column) -> tuple[str, dict[Any, str]] | None:
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

