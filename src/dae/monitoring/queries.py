"""Reads of in-hospital monitoring: the one access check per object kind, visit deadlines, rotation tenure, a
representative's hospitals and work list, the monitoring figures of current inpatients, and the statistics.

Figures are computed in the database (grouped counts, one query per figure), never row by row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from dae.core.scoping import access_by_id
from dae.workdays import service as workdays

from . import config
from .models import Admission, Assignment, Handover, Opinion, Visit


def access_admission_by_id(request: HttpRequest, pk: Any) -> Admission:
    return access_by_id(Admission, request, pk)


def access_visit_by_id(request: HttpRequest, pk: Any) -> Visit:
    return access_by_id(Visit, request, pk)


def access_assignment_by_id(request: HttpRequest, pk: Any) -> Assignment:
    return access_by_id(Assignment, request, pk)


def access_opinion_by_id(request: HttpRequest, pk: Any) -> Opinion:
    return access_by_id(Opinion, request, pk)


def access_handover_by_id(request: HttpRequest, pk: Any) -> Handover:
    return access_by_id(Handover, request, pk)


# -- deadlines ---------------------------------------------------------------------------------------------------


def first_visit_due(adm_date: dt.date) -> dt.date:
    """The first bedside visit is due ``first_visit_working_days`` working days after admission (the admission
    day not counted; holidays and make-up days from the working-day calendar)."""
    return workdays.deadline(adm_date, int(config.get("first_visit_working_days"))).due


def next_visit_after(visit_date: dt.date) -> dt.date:
    """A long stay is visited again ``repeat_visit_days`` calendar days after the last visit."""
    return visit_date + dt.timedelta(days=int(config.get("repeat_visit_days")))


# -- assignments and rotation ------------------------------------------------------------------------------------


def tenure_days(user: Any, hospital: Any, start: dt.date, end: dt.date) -> int:
    """Days ``user`` would have been on ``hospital`` without a real break by ``end`` if assigned from ``start``:
    the new period plus the earlier assignments chained to it by breaks shorter than ``rotation_break_days``."""
    gap = dt.timedelta(days=int(config.get("rotation_break_days")))
    earlier = sorted(
        ((a.start_date, a.last_day) for a in Assignment.objects.filter(user=user, hospitals=hospital,
                                                                         start_date__lt=start)),
        key=lambda p: p[1], reverse=True,
    )
    first = start
    for a_start, a_end in earlier:
        if a_end + gap < first:
            break
        first = min(first, a_start)
    return (end - first).days + 1


def active_assignments(user: Any, on: dt.date | None = None) -> QuerySet[Assignment]:
    on = on or timezone.localdate()
    return Assignment.objects.filter(user=user, start_date__lte=on).filter(
        Q(ended_on__isnull=True, end_date__gte=on) | Q(ended_on__gte=on)
    )


def hospital_ids_of(user: Any, on: dt.date | None = None) -> list[int]:
    """The hospitals a representative or patrol member covers today."""
    return sorted(set(active_assignments(user, on).values_list("hospitals", flat=True)) - {None})


def work_list(user: Any, on: dt.date | None = None) -> QuerySet[Admission]:
    """Today's work list (今日工作): the inpatients of the user's hospitals, overdue and due visits first."""
    ids = hospital_ids_of(user, on)
    return (Admission.objects.for_user(user).filter(hospital_id__in=ids, status=Admission.Status.IN)
            .select_related("hospital").order_by(F("next_visit_due").asc(nulls_last=True), "adm_date", "id"))


# -- monitoring figures ------------------------------------------------------------------------------------------


def inpatient_counts(admissions: QuerySet[Admission], today: dt.date | None = None) -> dict[str, int]:
    """In hospital, visits due today or earlier, overdue, not covered — one aggregate."""
    today = today or timezone.localdate()
    current = admissions.filter(status=Admission.Status.IN)
    return current.aggregate(
        inpatients=Count("id"),
        due=Count("id", filter=Q(next_visit_due__lte=today)),
        overdue=Count("id", filter=Q(next_visit_due__lt=today)),
        not_covered=Count("id", filter=Q(covered=False)),
    )


def long_stays(admissions: QuerySet[Admission], today: dt.date | None = None) -> list[dict[str, Any]]:
    """Current stays longer than ``long_stay_factor`` × the median stay of their diagnosis group (the ICD-10
    category, the first three characters), medians taken from the settled stays of the same hospitals' region.
    One query for the stays in hospital, one reading the (region, diagnosis, dates) of the settled stays of those
    categories only; the median is taken over each category's stay lengths (SQLite has no median aggregate)."""
    from dae.claims.models import Settlement

    today = today or timezone.localdate()
    factor = Decimal(str(config.get("long_stay_factor")))
    current = list(admissions.filter(status=Admission.Status.IN).select_related("hospital"))
    if not current:
        return []
    categories = {a.dise_codg[:3] for a in current if a.dise_codg}
    regions = {a.region_id for a in current}
    in_categories = Q()
    for cat in categories:  # only the settled stays of the categories in hospital now are read
        in_categories |= Q(dise_codg__startswith=cat)
    rows = (Settlement.objects.filter(in_categories, region_id__in=regions, med_type="21", dscg_date__isnull=False,
                                      adm_date__isnull=False)
            .exclude(state="cancelled").values_list("region_id", "dise_codg", "adm_date", "dscg_date"))
    lengths: dict[tuple[str, str], list[int]] = defaultdict(list)
    for region, code, adm, dscg in rows.iterator(chunk_size=5000):
        cat = (code or "")[:3]
        if cat in categories:
            lengths[(region, cat)].append((dscg - adm).days)
    result = []
    for a in current:
        sample = sorted(lengths.get((a.region_id, a.dise_codg[:3]), []))
        if len(sample) < 5:
            continue
        median = Decimal(sample[len(sample) // 2] if len(sample) % 2 else
                         (sample[len(sample) // 2 - 1] + sample[len(sample) // 2])) / (1 if len(sample) % 2 else 2)
        days = (today - a.adm_date).days
        if days > median * factor:
            result.append({"admission": a, "days": days, "median": median, "cases": len(sample)})
    return sorted(result, key=lambda r: -r["days"])


def near_thresholds(admissions: QuerySet[Admission], today: dt.date | None = None) -> list[dict[str, Any]]:
    """Inpatients whose year-to-date in-scope spending (符合政策范围金额 of their counted settlements this policy
    year, summed in the database) is within ``near_threshold_share`` of the entry line (起付线) or past it and near
    the annual maximum (年度最高支付限额 of the rule book, read as fund paid so far)."""
    from dae.claims.models import Settlement
    from dae.claims.payout import COUNTING, book_for_region

    today = today or timezone.localdate()
    share = Decimal(str(config.get("near_threshold_share")))
    current = list(admissions.filter(status=Admission.Status.IN))
    if not current:
        return []
    psn = {a.psn_no for a in current}
    start = dt.date(today.year, 1, 1)
    sums = {
        r["psn_no"]: r
        for r in Settlement.objects.filter(psn_no__in=psn, state__in=COUNTING, setl_time__date__gte=start)
        .values("psn_no").annotate(inscp=Sum("inscp_scp_amt"), paid=Sum("hifob_pay"))
    }
    lines: dict[str, tuple[Decimal, Decimal] | None] = {}
    result = []
    for a in current:
        if a.region_id not in lines:
            lines[a.region_id] = _lines(book_for_region, a.region_id, today)
        limits = lines[a.region_id]
        row = sums.get(a.psn_no)
        if limits is None or row is None:
            continue
        entry, maximum = limits
        inscp, paid = row["inscp"] or Decimal(0), row["paid"] or Decimal(0)
        if entry * share <= inscp < entry:
            result.append({"admission": a, "what": "起付线", "amount": inscp, "line": entry})
        elif maximum and paid >= maximum * share:
            result.append({"admission": a, "what": "年度最高支付限额", "amount": paid, "line": maximum})
    return result


def _lines(book_for_region: Any, region_id: str, today: dt.date) -> tuple[Decimal, Decimal] | None:
    """The entry line and the annual maximum of the rule set in force (None when the region has none)."""
    from dae.core.errors import NotFound

    try:
        version = book_for_region(region_id).version_for(today)
    except NotFound:
        return None
    if version is None:
        return None
    return version.entry_threshold, version.annual_maximum


# -- statistics --------------------------------------------------------------------------------------------------


def visit_statistics(visits: QuerySet[Visit]) -> dict[str, list[dict[str, Any]]]:
    """Visits per representative and per hospital: count, late, absent, mismatches, findings and their confirmed
    amounts (三方确认金额 of the findings raised by these visits). One grouped query per table."""
    def grouped(*keys: str) -> list[dict[str, Any]]:
        rows = list(
            visits.values(*keys).annotate(
                visits=Count("id"),
                late=Count("id", filter=Q(late=True)),
                absent=Count("id", filter=Q(presence=Visit.Presence.ABSENT)),
                mismatch=Count("id", filter=Q(identity=Visit.Identity.MISMATCH)),
                findings=Count("finding", distinct=True),
                confirmed=Sum("finding__final_amount"),
            ).order_by(*keys)
        )
        for row in rows:  # 及时率: visits made by their deadline, as a percentage with one decimal
            share = Decimal(row["visits"] - row["late"]) * 100 / row["visits"] if row["visits"] else Decimal(0)
            row["timely"] = f"{share.quantize(Decimal('0.1'))}%"
        return rows

    return {
        "by_visitor": grouped("visitor__username", "visitor__first_name", "visitor__last_name"),
        "by_hospital": grouped("hospital__code", "hospital__name"),
    }
