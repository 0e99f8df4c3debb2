"""Reads of the exchange: our side of a reconciliation (totals in the database, details as pure records), the
lists' access checks, and the chart of open differences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone

from dae.claims.models import Settlement
from dae.core.months import month_bounds
from dae.core.scoping import access_by_id
from dae.core.sums import fen_sum

from .compare import Detail, Totals
from .models import Call, Difference, Outbound, Reconciliation


def access_reconciliation_by_id(request: HttpRequest, pk: Any) -> Reconciliation:
    return access_by_id(Reconciliation, request, pk)


def access_difference_by_id(request: HttpRequest, pk: Any) -> Difference:
    return access_by_id(Difference, request, pk)


def access_outbound_by_id(request: HttpRequest, pk: Any) -> Outbound:
    return access_by_id(Outbound, request, pk)


def access_call_by_id(request: HttpRequest, pk: Any) -> Call:
    return access_by_id(Call, request, pk)


def period(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM`` (``InvalidInput`` otherwise)."""
    return month_bounds(month)


def _month_settlements(region_id: str, hospital_id: int, month: str) -> QuerySet[Settlement]:
    first, last = period(month)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    # the platform knows instant settlements only; window reimbursements never passed through it
    return Settlement.objects.filter(region_id=region_id, hospital_id=hospital_id, setl_time__gte=start,
                                     setl_time__lt=end, settle_way=Settlement.SettleWay.DIRECT)


def our_totals(region_id: str, hospital_id: int, month: str) -> Totals:
    """The 3201 figures of our side in one aggregate, in whole fen."""
    row = _month_settlements(region_id, hospital_id, month).aggregate(
        count=Count("id"), medfee=fen_sum("medfee_sumamt"), fund=fen_sum("hifob_pay"),
        cancelled=Count("id", filter=~Q(init_setl_id="")))
    return Totals(int(row["count"]), int(row["medfee"]), int(row["fund"]), int(row["cancelled"]))


def _fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


def our_details(region_id: str, hospital_id: int, month: str) -> list[Detail]:
    """The 3202 records of our side (only read when the totals differ)."""
    rows = _month_settlements(region_id, hospital_id, month).order_by().values_list(
        "setl_id", "mdtrt_id", "psn_no", "medfee_sumamt", "hifob_pay", "init_setl_id")
    return [Detail(s, m, p, _fen(fee), _fen(fund), "1" if init else "0") for s, m, p, fee, fund, init in rows]


def hospitals_with_settlements(region_id: str, month: str) -> list[int]:
    first, last = period(month)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return sorted(set(Settlement.objects.filter(region_id=region_id, setl_time__gte=start, setl_time__lt=end,
                                                settle_way=Settlement.SettleWay.DIRECT)
                      .order_by().values_list("hospital_id", flat=True)))


def open_differences_by_month(reconciliations: QuerySet[Reconciliation]) -> dict[str, list[Any]]:
    """The chart of open differences: per month, the open differences of each month's latest runs (one grouped
    query over the runs the user may see)."""
    latest = latest_runs(reconciliations)
    rows = (latest.values("month").annotate(open=Sum("open_count"), total=Sum("differences_count"),
                                            runs=Count("id")).order_by("month"))
    return {"months": [r["month"] for r in rows], "open": [int(r["open"] or 0) for r in rows],
            "total": [int(r["total"] or 0) for r in rows], "runs": [int(r["runs"]) for r in rows]}


def latest_runs(reconciliations: QuerySet[Reconciliation]) -> QuerySet[Reconciliation]:
    """Of several runs of the same hospital and month, the latest."""
    from django.db.models import Max

    ids = (reconciliations.order_by().values("region_id", "hospital_id", "month").annotate(last=Max("id"))
           .values("last"))
    return reconciliations.filter(id__in=ids)
