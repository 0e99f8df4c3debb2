"""Reads of inspection for pages, the API, the dashboard and other apps. Every list starts from the user's scope
(``for_user``); a hospital user sees only its own hospital's confirmed inspections.

Overdue (逾期) of a remote investigation, one definition for the lists, the counters and the statistics: the result
came after ``due_on`` or is still missing after it, or — once there is a result — the feedback came after
``feedback_due`` or is still missing after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from dae.core.models import Region
from dae.core.sums import fen_sum, yuan

from . import population, sampling
from .models import (
    DEFAULT_CROSS_PROVINCE_RATIO,
    DEFAULT_DEADLINE_DAYS,
    DEFAULT_INPATIENT_RATIO,
    Document,
    Inspection,
    Investigation,
    Sample,
    SampleItem,
    SamplingSettings,
)

HUNDRED = Decimal(100)
RATE_PLACES = Decimal("0.01")


# -- sampling ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsInForce:
    version: int
    inpatient_ratio: Decimal
    cross_province_ratio: Decimal
    deadline_days: int


def settings_in_force() -> SettingsInForce:
    """The sampling defaults: the latest version the manager saved, else the built-in ones (version 0)."""
    latest = SamplingSettings.objects.order_by("-version").first()
    if latest is None:
        return SettingsInForce(0, DEFAULT_INPATIENT_RATIO, DEFAULT_CROSS_PROVINCE_RATIO, DEFAULT_DEADLINE_DAYS)
    return SettingsInForce(latest.version, latest.inpatient_ratio, latest.cross_province_ratio, latest.deadline_days)


@dataclass(frozen=True)
class Progress:
    total: int
    reviewed: int
    cross_province: int
    inconsistent: int
    non_compliant: int
    not_payable: Decimal

    @property
    def pending(self) -> int:
        return self.total - self.reviewed

    @property
    def percent(self) -> int:
        return (self.reviewed * 100 // self.total) if self.total else 0


def sample_progress(sample: Sample) -> Progress:
    """Reviewed / total, the items with a comparison found inconsistent, and the amount found not payable."""
    inconsistent = (
        Q(system_vs_record="inconsistent") | Q(record_vs_bill="inconsistent") | Q(system_vs_bill="inconsistent")
    )
    row = sample.items.aggregate(
        total=Count("id"),
        reviewed=Count("id", filter=Q(status=SampleItem.Status.REVIEWED)),
        cross=Count("id", filter=Q(stratum=SampleItem.Stratum.CROSS_PROVINCE)),
        inconsistent=Count("id", filter=inconsistent),
        non_compliant=Count("id", filter=Q(conclusion=SampleItem.Conclusion.NON_COMPLIANT)),
        not_payable=fen_sum("not_payable", filter=Q(status=SampleItem.Status.REVIEWED)),
    )
    return Progress(
        row["total"], row["reviewed"], row["cross"], row["inconsistent"], row["non_compliant"], yuan(row["not_payable"])
    )


def pending_items(user: Any) -> QuerySet[SampleItem]:
    """Sampled settlements still waiting for their review, in the user's regions."""
    return SampleItem.objects.for_user(user).filter(status=SampleItem.Status.PENDING, sample__status=Sample.Status.OPEN)


# -- inspections ---------------------------------------------------------------------------------------------


def inspections_for(user: Any) -> QuerySet[Inspection]:
    """Inspections in the user's scope; a hospital user sees only its own confirmed ones."""
    rows = Inspection.objects.for_user(user)
    if getattr(user, "scope_kind", "") == "hospital":
        rows = rows.filter(status=Inspection.Status.CONFIRMED)
    return rows


def documents_for(user: Any) -> QuerySet[Document]:
    """Documents in the user's scope; a hospital user only those of its confirmed inspections."""
    rows = Document.objects.for_user(user)
    if getattr(user, "scope_kind", "") == "hospital":
        rows = rows.filter(inspection__status=Inspection.Status.CONFIRMED)
    return rows


def to_confirm(user: Any) -> QuerySet[Inspection]:
    return Inspection.objects.for_user(user).filter(status=Inspection.Status.SUBMITTED)


# -- investigations ------------------------------------------------------------------------------------------


def result_late_q(today: dt.date) -> Q:
    return Q(result_on__isnull=False, result_on__gt=F("due_on")) | Q(result_on__isnull=True, due_on__lt=today)


def feedback_late_q(today: dt.date) -> Q:
    return Q(result_on__isnull=False) & (
        Q(feedback_on__isnull=False, feedback_on__gt=F("feedback_due"))
        | Q(feedback_on__isnull=True, feedback_due__lt=today)
    )


def overdue_q(today: dt.date) -> Q:
    """The same rule as ``Investigation.is_overdue``, as a filter."""
    return result_late_q(today) | feedback_late_q(today)


def on_time_q() -> Q:
    """Fed back, the result by its due date and the feedback by its own."""
    return Q(feedback_on__isnull=False, result_on__lte=F("due_on"), feedback_on__lte=F("feedback_due"))


def open_investigations(user: Any) -> QuerySet[Investigation]:
    """Tasks of the user's regions still waiting for a result or a feedback."""
    return Investigation.objects.for_user(user).exclude(status=Investigation.Status.CLOSED)


def overdue_investigations(user: Any, today: dt.date | None = None) -> QuerySet[Investigation]:
    """Tasks now overdue and still open (the work to chase)."""
    return open_investigations(user).filter(overdue_q(today or timezone.localdate()))


@dataclass
class StatsRow:
    key: str
    label: str
    total: int = 0
    open: int = 0
    answered: int = 0
    closed: int = 0
    overdue: int = 0
    on_time: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))

    @property
    def on_time_rate(self) -> Decimal | None:
        """Fed back on time ÷ fed back, in percent with two places (None when nothing was fed back yet)."""
        if not self.closed:
            return None
        return (Decimal(self.on_time) * HUNDRED / Decimal(self.closed)).quantize(RATE_PLACES)

    def as_dict(self) -> dict[str, Any]:
        rate = self.on_time_rate
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "open": self.open,
            "answered": self.answered,
            "closed": self.closed,
            "overdue": self.overdue,
            "on_time": self.on_time,
            "on_time_rate": None if rate is None else f"{rate:.2f}",
            "amount": f"{self.amount:.2f}",
        }


@dataclass
class Stats:
    today: dt.date
    start: dt.date | None
    end: dt.date | None
    by_region: list[StatsRow]
    by_outcome: list[StatsRow]
    total: StatsRow

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "by_region": [r.as_dict() for r in self.by_region],
            "by_outcome": [r.as_dict() for r in self.by_outcome],
            "total": self.total.as_dict(),
        }

    def chart(self) -> dict[str, Any]:
        """The chart's data (counts as numbers, amounts as strings shown as they are)."""
        return {
            "regions": [r.label for r in self.by_region],
            "totals": [r.total for r in self.by_region],
            "overdue": [r.overdue for r in self.by_region],
            "on_time": [r.on_time for r in self.by_region],
            "outcomes": [{"name": r.label, "value": r.total} for r in self.by_outcome if r.total],
        }


NO_RESULT = "none"


def _fill(row: StatsRow, agg: dict[str, Any]) -> StatsRow:
    row.total, row.open, row.answered, row.closed = agg["total"], agg["open"], agg["answered"], agg["closed"]
    row.overdue, row.on_time, row.amount = agg["overdue"], agg["on_time"], yuan(agg["amount"])
    return row


def investigation_stats(
    user: Any, *, start: dt.date | None = None, end: dt.date | None = None, today: dt.date | None = None
) -> Stats:
    """Counts, overdue counts, on-time rate and amounts of the tasks requested (``created_on``) in
    [``start``, ``end``] by requesting region and by outcome (tasks without a result under 未出结果)."""
    today = today or timezone.localdate()
    rows = Investigation.objects.for_user(user)
    if start is not None:
        rows = rows.filter(created_on__gte=start)
    if end is not None:
        rows = rows.filter(created_on__lte=end)
    S = Investigation.Status
    measures = {
        "total": Count("id"),
        "open": Count("id", filter=Q(status=S.OPEN)),
        "answered": Count("id", filter=Q(status=S.ANSWERED)),
        "closed": Count("id", filter=Q(status=S.CLOSED)),
        "overdue": Count("id", filter=overdue_q(today)),
        "on_time": Count("id", filter=on_time_q()),
        "amount": fen_sum("amount"),
    }
    names = dict(Region.objects.values_list("admdvs", "name"))
    by_region = [
        _fill(StatsRow(agg["region_id"], names.get(agg["region_id"], agg["region_id"])), agg)
        for agg in rows.values("region_id").annotate(**measures).order_by("region_id")
    ]
    found = {agg["outcome"]: agg for agg in rows.values("outcome").annotate(**measures).order_by("outcome")}
    by_outcome = []
    for code, label in [*Investigation.Outcome.choices, (NO_RESULT, gettext("未出结果"))]:
        agg = found.get("" if code == NO_RESULT else code)
        by_outcome.append(_fill(StatsRow(code, str(label)), agg) if agg else StatsRow(code, str(label)))
    total = _fill(StatsRow("all", gettext("合计")), rows.aggregate(**measures))
    return Stats(today, start, end, by_region, by_outcome, total)


def replay(sample: Sample) -> sampling.Draw:
    """Draw again with the sample's seed and ratios on today's data (a read: nothing is written)."""
    return sampling.draw(
        population.candidates(sample.region_id, sample.month),
        int(sample.seed),
        sample.inpatient_ratio,
        sample.cross_province_ratio,
    )


def replay_matches(sample: Sample) -> bool:
    """True when drawing again gives the stored sample, item for item and stratum for stratum."""
    again = [(c.setl_id, stratum) for c, stratum in replay(sample).picks]
    stored = list(sample.items.order_by("seq").values_list("settlement__setl_id", "stratum"))
    return again == [tuple(row) for row in stored]

