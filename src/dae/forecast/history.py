"""The monthly history a forecast and the warnings read: grouped sums over the stored settlements, in SQL.

Payout (大额基金支付) is the sum of ``hifob_pay`` of the settlements that count (every state but rejected,
returned and received; a cancelled original and its 2305 reversal net to nothing, as declared); admissions are
distinct visits (``mdtrt_id``) and medical cost the ``medfee_sumamt`` of the settlements neither cancelled nor a
reversal; cost per stay is medical cost ÷ admissions. Months are the settlement's month.
Money is summed in whole fen (``core.sums.fen_sum``), so SQLite is exact too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dae.claims.models import Settlement
from dae.claims.states import ClaimState
from dae.core import inputs
from dae.core.sums import fen_sum

from .engine import add_months

NOT_COUNTED = (ClaimState.REJECTED, ClaimState.RETURNED, ClaimState.RECEIVED)
METRICS = ("payout", "settlements", "admissions", "medical_cost", "cost_per_stay")
MONEY_METRICS = ("payout", "medical_cost", "cost_per_stay")


@dataclass(frozen=True)
class Series:
    """One region's monthly figures, contiguous from ``first`` (missing months are zeros)."""

    region: str
    first: dt.date
    payout: tuple[int, ...]          # fen
    settlements: tuple[int, ...]
    admissions: tuple[int, ...]
    medical_cost: tuple[int, ...]    # fen

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.first, i) for i in range(len(self.payout))]

    @property
    def last(self) -> dt.date:
        return add_months(self.first, len(self.payout) - 1)

    @property
    def cost_per_stay(self) -> tuple[int, ...]:
        return tuple(per_stay(c, a) for c, a in zip(self.medical_cost, self.admissions, strict=True))

    def metric(self, name: str) -> list[int]:
        return list(getattr(self, name))

    def value(self, name: str, month: dt.date) -> int | None:
        index = (month.year - self.first.year) * 12 + month.month - self.first.month
        values = self.metric(name)
        return values[index] if 0 <= index < len(values) else None

    def version(self) -> str:
        """The data version: SHA-256 of the figures read (a new or changed settlement changes it)."""
        body = json.dumps({"region": self.region, "first": self.first.isoformat(),
                           **{m: list(getattr(self, m)) for m in METRICS[:4]}}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def per_stay(cost_fen: int, stays: int) -> int:
    """Cost per stay in whole fen, half up, in integers (0 with no stays)."""
    return (2 * cost_fen + stays) // (2 * stays) if stays else 0


def counted(qs: Any) -> Any:
    return qs.exclude(state__in=NOT_COUNTED)


def monthly_rows(region: str, *, through: dt.date | None = None, hospitals: Iterable[int] | None = None,
                 by_hospital: bool = False) -> list[dict[str, Any]]:
    """One grouped query: per month (and hospital) payout, settlements, admissions and medical cost."""
    qs = counted(Settlement.objects.filter(region_id=region))
    if through is not None:
        end = add_months(through, 1)
        qs = qs.filter(setl_time__lt=timezone.make_aware(dt.datetime(end.year, end.month, 1)))
    if hospitals is not None:
        qs = qs.filter(hospital_id__in=list(hospitals))
    real = Q(init_setl_id="") & ~Q(state=ClaimState.CANCELLED)
    keys = ["m", "hospital_id"] if by_hospital else ["m"]
    return list(qs.annotate(m=TruncMonth("setl_time")).values(*keys).annotate(
        payout=fen_sum("hifob_pay"), settlements=Count("id"),
        admissions=Count("mdtrt_id", distinct=True, filter=real),
        medical_cost=fen_sum("medfee_sumamt", filter=real)).order_by(*keys))


def region_series(region: str, *, through: dt.date | None = None) -> Series | None:
    """The region's monthly series up to ``through`` (a month; default: the last month with settlements)."""
    rows = monthly_rows(region, through=through)
    if not rows:
        return None
    by_month = {inputs.month_of(r["m"]): r for r in rows}
    first = min(by_month)
    last = through.replace(day=1) if through else max(by_month)
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    months = [add_months(first, i) for i in range(n)]

    def col(name: str) -> tuple[int, ...]:
        return tuple(int(by_month[m][name]) if m in by_month else 0 for m in months)

    return Series(region=region, first=first, payout=col("payout"), settlements=col("settlements"),
                  admissions=col("admissions"), medical_cost=col("medical_cost"))


def complete_through(today: dt.date) -> dt.date:
    """The last complete month before ``today``."""
    return add_months(today.replace(day=1), -1)
