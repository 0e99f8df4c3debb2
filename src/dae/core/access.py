"""The access log: every read of a person's data by staff, and every attempt to reach a row outside scope."""

from __future__ import annotations

from typing import Any

from django.db import models
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


def _new_record(request: HttpRequest, obj: models.Model, why: str, psn_no: str | None = None) -> AccessRecord:
    user = request.user
    return AccessRecord(
        actor=user if user.is_authenticated else None,
        psn_no=psn_no if psn_no is not None else _psn_of(obj),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        why=why,
        path=request.get_full_path()[:300],
        region_id=_region_of(obj),
    )


def _is_staff_read(request: HttpRequest) -> bool:
    """An insured person reading their own data is not staff access and is not recorded."""
    user = request.user
    return bool(user.is_authenticated) and getattr(user, "scope_kind", "") != "insured"


def record_access(
    request: HttpRequest, obj: models.Model, why: str = AccessRecord.Why.BUSINESS, psn_no: str | None = None
) -> AccessRecord | None:
    """Record that the requesting staff member read ``obj`` (a person or a record about one)."""
    if not _is_staff_read(request):
        return None
    record = _new_record(request, obj, why, psn_no)
    record.save()
    return record


def record_denied(request: HttpRequest, obj: models.Model) -> None:
    """Record an attempt to open a row outside the user's scope (whoever tried, insured persons included)."""
    _new_record(request, obj, AccessRecord.Why.DENIED).save()
    _mark_logged(request)


def record_access_many(request: HttpRequest, objects: list[models.Model],
                       why: str = AccessRecord.Why.BUSINESS) -> int:
    """Record a staff read of a list page or API page: one record per person's row shown."""
    if not objects or not _is_staff_read(request):
        return 0
    AccessRecord.objects.bulk_create([_new_record(request, obj, why) for obj in objects])
    return len(objects)


def record_export(request: HttpRequest, route: str, rows: int, fmt: str) -> AccessRecord:
    """Record a download of a list: which list (its route), how many rows, in which format, with the full path
    (the filters) — one record per export, whoever exported (IT and hospitals included)."""
    user = request.user
    regions = list(getattr(user, "region_codes", ()) or ())
    chosen = request.GET.get("region", "")
    region_id = chosen if chosen in regions else (regions[0] if regions else None)
    record = AccessRecord(
        actor=user if user.is_authenticated else None, psn_no="", object_type=f"list:{route}"[:64],
        object_id=f"{rows}:{fmt}"[:64], why=AccessRecord.Why.EXPORT, path=request.get_full_path()[:300],
        region_id=region_id,
    )
    record.save()
    return record


def record_refused(request: Any) -> None:
    """Record a refusal answered 403 (the post may not use the route, or the action refused it): who, which route,
    which path — so that a probe of routes shows in the access log with the user, not only on the console."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return
    match = getattr(request, "resolver_match", None)
    route = (match.view_name if match else "") or "-"
    AccessRecord(
        actor=user, psn_no="", object_type="route", object_id=route[:64], why=AccessRecord.Why.DENIED,
        path=f"{request.method} {request.get_full_path()}"[:300], region=None,
    ).save()
    _mark_logged(request)


def record_unlogged_not_found(request: HttpRequest, status: int) -> None:
    """Record a 404 answered on a route that names an object (an id in its URL) when nothing on the way recorded
    the refusal: a missing row and a row outside scope answer alike, and both attempts are in the access log."""
    match = getattr(request, "resolver_match", None)
    if status != 404 or match is None or not match.kwargs or getattr(request, "_dae_refusal_logged", False):
        return
    record_refused(request)


def _mark_logged(request: Any) -> None:
    """Mark the underlying request (DRF wraps it) as having its refusal in the access log, so it is written once."""
    getattr(request, "_request", request)._dae_refusal_logged = True
