"""The monthly re-review sample's population read from the database (the Django adapter of ``sampling``).

Which settlements are in the population is described in ``sampling``'s docstring; the draw itself stays pure there.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from dae.claims.models import Settlement
from dae.claims.states import ClaimState
from dae.core.months import month_bounds

from .sampling import Candidate, is_cross_province


def month_range(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, first instant of the next month) of ``YYYY-MM`` in local time."""
    first, last = month_bounds(month)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    return start, end


def inpatient_settlements(region: str, month: str) -> QuerySet[Settlement]:
    """The valid inpatient settlements of ``region`` settled in ``month`` (the population)."""
    start, end = month_range(month)
    cancelled = Settlement.objects.exclude(init_setl_id="").values("init_setl_id")
    return (
        Settlement.objects.filter(region_id=region, setl_time__gte=start, setl_time__lt=end, init_setl_id="")
        .filter(Q(med_type__startswith="2") | Q(med_type__startswith="52"))
        .exclude(state=ClaimState.CANCELLED)
        .exclude(setl_id__in=cancelled)
    )


def candidates(region: str, month: str) -> list[Candidate]:
    """The population as draw candidates, sorted by ``setl_id`` in Python (code point order, whatever the
    database's collation)."""
    rows = inpatient_settlements(region, month).values_list(
        "pk", "setl_id", "place_category", "region_id", "hospital__region_id"
    )
    found = [
        Candidate(pk, setl_id, is_cross_province(place, own, hospital_region))
        for pk, setl_id, place, own, hospital_region in rows
    ]
    return sorted(found, key=lambda c: c.setl_id)
