"""Row scoping: the one place that decides which rows a user may see.

Every model that holds regional, hospital or personal data uses ``ScopedManager`` and names the fields that
carry its region, hospital and person. Views and the API always start from ``Model.objects.for_user(user)``
and fetch single objects with ``get_scoped_or_404``, so a user can never read or change a row of another
region or hospital. Staff see the rows of their regions; a hospital user sees only rows of their hospital
(nothing, if the model has no hospital); an insured person only rows about themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

if TYPE_CHECKING:
    from django.http import HttpRequest

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    def for_user(self, user: Any) -> ScopedQuerySet[M]:
        manager = self.model._default_manager
        region_field = getattr(manager, "region_field", None)
        hospital_field = getattr(manager, "hospital_field", None)
        person_field = getattr(manager, "person_field", None)
        if user is None or not user.is_authenticated:
            return self.none()
        kind = user.scope_kind
        if kind == "hospital":
            if hospital_field is None or user.hospital_id is None:
                return self.none()
            return self.filter(**{hospital_field: user.hospital_id})
        if kind == "insured":
            if person_field is None or not user.psn_no:
                return self.none()
            return self.filter(**{person_field: user.psn_no})
        if kind == "none":
            return self.none()
        if region_field is None:
            return self.all()
        regions = user.region_codes
        if not regions:
            return self.none()
        in_regions = models.Q(**{f"{region_field}__in": regions})
        if getattr(manager, "include_regionless", False):
            in_regions |= models.Q(**{f"{region_field}__isnull": True})
        return self.filter(in_regions)


class ScopedManager(models.Manager[M]):
    """A manager that knows which fields scope its rows (``region_field`` etc. are lookup paths)."""

    def __init__(
        self, region_field: str | None = None, hospital_field: str | None = None, person_field: str | None = None,
        include_regionless: bool = False,
    ) -> None:
        """``include_regionless``: rows with no region (system-wide, e.g. user administration events) are
        visible to staff of any region."""
        super().__init__()
        self.region_field = region_field
        self.hospital_field = hospital_field
        self.person_field = person_field
        self.include_regionless = include_regionless

    def deconstruct(self) -> tuple[bool, str | None, str | None, tuple[Any, ...], dict[str, Any]]:
        as_manager, manager_class, qs_class, args, kwargs = super().deconstruct()
        kwargs = {"region_field": self.region_field, "hospital_field": self.hospital_field,
                  "person_field": self.person_field, "include_regionless": self.include_regionless}
        return as_manager, manager_class, qs_class, args, kwargs

    def get_queryset(self) -> ScopedQuerySet[M]:
        return ScopedQuerySet(self.model, using=self._db)

    def for_user(self, user: Any) -> ScopedQuerySet[M]:
        return self.get_queryset().for_user(user)


def get_scoped_or_404(model: type[M], request: HttpRequest, **lookup: Any) -> M:
    """Fetch one object in the user's scope, or raise ``NotFound``.

    When the object exists but lies outside the user's scope, the attempt is written to the access log
    (why = denied) before answering 404 — the same answer as for a missing object, so nothing leaks.
    """
    from .access import record_denied
    from .errors import NotFound

    lookup = _bounded_lookup(model, lookup)
    manager = model._default_manager
    obj = manager.for_user(request.user).filter(**lookup).first()  # type: ignore[attr-defined]
    if obj is not None:
        return obj  # type: ignore[no-any-return]
    outside = manager.filter(**lookup).first()
    if outside is not None:
        record_denied(request, outside)
    raise NotFound()


def _bounded_lookup(model: type[M], lookup: dict[str, Any]) -> dict[str, Any]:
    """The lookup with every value read as its field reads it: an id that is not an id (``null``, ``AAA``, a
    number past 64 bits) and a value its field cannot hold answer ``NotFound`` here, never a 500 in the query."""
    from django.core.exceptions import FieldDoesNotExist, ValidationError

    from .errors import NotFound
    from .inputs import object_id

    bounded: dict[str, Any] = {}
    for key, value in lookup.items():
        name = key.split("__", 1)[0]
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            bounded[key] = value
            continue
        if "__" in key or isinstance(value, models.Model):
            bounded[key] = value
        elif isinstance(field, models.AutoField | models.BigAutoField | models.IntegerField):
            bounded[key] = object_id(value)
        elif isinstance(field, models.CharField | models.TextField):
            text = str(value)
            max_length = getattr(field, "max_length", None)
            if "\x00" in text or (max_length is not None and len(text) > max_length):
                raise NotFound()
            bounded[key] = text
        else:
            try:
                bounded[key] = field.to_python(value)
            except (ValidationError, ValueError, TypeError):
                raise NotFound() from None
    return bounded


def access_by_id(model: type[M], request: HttpRequest, pk: Any, **lookup: Any) -> M:
    """One object of ``model`` by its id in the user's scope: an id that is not an id, a missing row and a row
    outside scope all answer ``NotFound`` (404); the last is recorded in the access log. Each app wraps this as
    ``access_<object>_by_id(request, pk)`` in its ``queries.py`` and views, API and actions call that."""
    from .inputs import object_id

    return get_scoped_or_404(model, request, pk=object_id(pk), **lookup)
