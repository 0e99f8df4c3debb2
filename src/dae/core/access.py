"""The access log: every read of a person's data by staff, and every attempt to reach a row outside scope."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.http import HttpRequest

from .models import AccessRecord


def _region_of(obj: models.Model) -> str | None:
    field = getattr(type(obj)._default_manager, "region_field", None)
    if not field:
        return None
    *path, last = field.split("__")
    value: Any = obj
    for part in path:
        value = getattr(value, part, None)
        if value is None:
            return None
    code = getattr(value, last + "_id", None) or getattr(value, last, None)
    return str(code) if code is not None else None


def _psn_of(obj: models.Model) -> str:
    return str(getattr(obj, "psn_no", "") or "")


def record_access(
    request: HttpRequest, obj: models.Model, why: str = AccessRecord.Why.BUSINESS, psn_no: str | None = None
) -> AccessRecord | None:
    """Record that the requesting staff member read ``obj`` (a person or a record about one).

    An insured person reading their own data is not staff access and is not recorded.
    """
    user = request.user
    if not user.is_authenticated or getattr(user, "scope_kind", "") == "insured":
        return None
    return AccessRecord.objects.create(
        actor=user,
        psn_no=psn_no if psn_no is not None else _psn_of(obj),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        why=why,
        path=request.get_full_path()[:300],
        region_id=_region_of(obj),
    )


def record_denied(request: HttpRequest, obj: models.Model) -> None:
    """Record an attempt to open a row outside the user's scope. Committed even if the request fails later."""
    user = request.user
    with transaction.atomic():
        AccessRecord.objects.create(
            actor=user if user.is_authenticated else None,
            psn_no=_psn_of(obj),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            why=AccessRecord.Why.DENIED,
            path=request.get_full_path()[:300],
            region_id=_region_of(obj),
        )


def record_access_many(request: HttpRequest, objects: list[models.Model],
                       why: str = AccessRecord.Why.BUSINESS) -> int:
    """Record a staff read of a list page or API page: one record per person's row shown."""
    user = request.user
    if not objects or not user.is_authenticated or getattr(user, "scope_kind", "") == "insured":
        return 0
    path = request.get_full_path()[:300]
    records = [AccessRecord(actor=user, psn_no=_psn_of(obj), object_type=obj._meta.label_lower,
                            object_id=str(obj.pk), why=why, path=path, region_id=_region_of(obj))
               for obj in objects]
    AccessRecord.objects.bulk_create(records)
    return len(records)
