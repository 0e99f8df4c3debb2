"""Inspection for the demo city's year, through the ordinary actions (so the demo exercises the same code as the
pages do):

- every month's re-review sample of each region (seeded from the region and month, drawn the first working day
  after the month), the months up to September reviewed and completed, October and November half reviewed,
  December waiting;
- three on-site inspections per region: one confirmed with two findings that become deductions (and one finding
  without an amount), one submitted, one draft;
- six remote investigations per region, in every state: fed back on time, fed back late, fed back (unfounded),
  waiting for the feedback, open and assigned, open and unassigned.

    from dae.inspection.demo import seed_demo
    summary = seed_demo(2025, manager)

Dates never lie after today nor on or before a day the ledger has closed (a deduction posts on its confirmation
date). A second run changes nothing: each part is skipped when the region's year already has it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from dae.accounts.models import User
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core.money import round_fen
from dae.core.months import month_bounds
from dae.ledger.queries import closed_through
from dae.workdays.service import deadline

from . import population
from .actions import inspections, investigations, samples
from .models import Comparison, Inspection, Investigation, Sample, SampleItem

#: Months whose samples are reviewed completely (and completed), and those reviewed by half.
COMPLETE_THROUGH = 9
HALF_REVIEWED = (10, 11)
NOTES = {
    "system_vs_record": "系统明细中的检查项目在病历中无医嘱记录",
    "record_vs_bill": "病历记载的用药天数少于费用清单",
    "system_vs_bill": "费用清单与系统明细的耗材数量不一致",
}


def _seed(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in ("dae-demo-inspection", *parts)).encode()).hexdigest()
    return int(digest[:15], 16)


def _working_day_on_or_after(day: dt.date) -> dt.date:
    return deadline(day - dt.timedelta(days=1), 1).due


def _user(region: str, posts: tuple[str, ...], exclude: tuple[int, ...] = ()) -> User | None:
    return (
        User.objects.filter(is_active=True, post__in=posts, regions__admdvs=region)
        .exclude(pk__in=exclude)
        .order_by("pk")
        .first()
    )


def _acting(actor: Any, region: str, posts: tuple[str, ...]) -> Any:
    """``actor`` when it may act in ``region`` (a system actor may), else a user of the region with one of
    ``posts`` (else the system: None)."""
    if actor is None or region in getattr(actor, "region_codes", ()):
        return actor
    return _user(region, posts)


def _review_values(item: SampleItem, rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in NOTES:
        values[name], values[f"{name}_note"] = Comparison.CONSISTENT, ""
    if rng.random() < 0.15:
        name = rng.choice(sorted(NOTES))
        values[name], values[f"{name}_note"] = Comparison.INCONSISTENT, NOTES[name]
        share = Decimal(rng.choice(("0.01", "0.02", "0.05")))
        amount = min(round_fen(item.settlement.medfee_sumamt * share), item.settlement.medfee_sumamt)
        values.update(
            not_payable=amount,
            conclusion=SampleItem.Conclusion.NON_COMPLIANT if amount > 0 else SampleItem.Conclusion.COMPLIANT,
            opinion="不予支付不合理费用" if amount > 0 else "",
        )
    else:
        values.update(not_payable=Decimal("0.00"), conclusion=SampleItem.Conclusion.COMPLIANT, opinion="")
    return values


def _samples(region: str, year: int, actor: Any, today: dt.date) -> int:
    drawer = _acting(actor, region, ("reviewer", "inspector", "manager"))
    reviewer = _user(region, ("reviewer", "inspector")) or drawer
    drawn = 0
    for number in range(1, 13):
        month = f"{year}-{number:02d}"
        _first, last = month_bounds(month)
        on = deadline(last, 1).due
        if on > today or Sample.objects.filter(region_id=region, month=month).exists():
            continue
        if not population.inpatient_settlements(region, month).exists():
            continue
        sample = samples.do_draw_sample(drawer, region, month, seed=_seed(region, month), on=on)
        drawn += 1
        items = list(sample.items.select_related("settlement").order_by("seq"))
        if number <= COMPLETE_THROUGH:
            chosen = items
        elif number in HALF_REVIEWED:
            chosen = items[: len(items) // 2]
        else:
            chosen = []
        rng = random.Random(sample.seed)
        for item in chosen:
            samples.do_review_item(reviewer, item, **_review_values(item, rng))
        if number <= COMPLETE_THROUGH:
            samples.do_complete_sample(reviewer, sample, on=min(deadline(on, 10).due, today))
    return drawn


def _busiest_hospitals(region: str, year: int) -> list[Hospital]:
    rows = (
        Settlement.objects.filter(region_id=region, setl_time__year=year, hospital__region_id=region)
        .values("hospital")
        .annotate(n=Count("id"))
        .order_by("-n", "hospital")[:3]
    )
    return [Hospital.objects.get(pk=row["hospital"]) for row in rows]


def _inspections(region: str, year: int, actor: Any, today: dt.date) -> int:
    if Inspection.objects.filter(region_id=region, inspected_on__year=year).exists():
        return 0
    hospitals = _busiest_hospitals(region, year)
    first = _user(region, ("inspector",)) or _user(region, inspections.field_posts())
    if not hospitals or first is None:
        return 0
    second = _user(region, ("inspector",), exclude=(first.pk,)) or _user(region, ("reviewer",), exclude=(first.pk,))
    team = [u for u in (first, second) if u is not None]
    confirmer = (
        actor
        if (getattr(actor, "post", "") == "manager" and region in actor.region_codes and actor not in team)
        else _user(region, ("manager",), exclude=tuple(u.pk for u in team))
    )
    plans = [
        (
            "routine",
            dt.date(year, 5, 12),
            [
                ("超标准收取床位费（三人间按双人间收费）", "《吉林省医疗服务价格项目规范》床位费标准", "1200.00"),
                ("串换药品：以目录内药品名义收取目录外药品费用", "定点医疗机构服务协议第十二条", "3560.50"),
                ("部分病历未及时完成首次病程记录", "《病历书写基本规范》第二十二条", "0"),
            ],
        ),
        (
            "special",
            dt.date(year, 9, 16),
            [("重复收取静脉输液费", "《吉林省医疗服务价格项目规范》静脉输液项目说明", "860.00")],
        ),
        ("resident", dt.date(year, 11, 18), []),
    ]
    made = 0
    for index, (hospital, (kind, planned, findings)) in enumerate(zip(hospitals, plans, strict=False)):
        inspected_on = _working_day_on_or_after(planned)
        if inspected_on > today:
            continue
        inspection = inspections.do_create_inspection(
            team[0],
            hospital=hospital,
            inspected_on=inspected_on,
            kind=kind,
            inspectors=team,
            summary=f"对{hospital.name}开展{Inspection.Kind(kind).label}，查阅住院病历并核对费用清单。",
            findings=[{"description": d, "basis": b, "amount": a} for d, b, a in findings],
        )
        made += 1
        if index < 2:
            inspections.do_submit_inspection(team[0], inspection)
        if index == 0 and confirmer is not None:
            closed = closed_through(region)
            on = deadline(inspected_on, 5).due
            if closed is not None and on <= closed:
                on = deadline(closed, 1).due
            if on <= today:
                inspections.do_confirm_inspection(confirmer, inspection, on=on)
    return made


def _investigations(region: str, year: int, actor: Any, today: dt.date) -> int:
    if Investigation.objects.filter(region_id=region, created_on__year=year).exists():
        return 0
    offsite = list(
        Settlement.objects.filter(region_id=region, setl_time__year=year, init_setl_id="")
        .exclude(place_category=Settlement.PlaceCategory.LOCAL)
        .order_by("setl_id")[:6]
    )
    if len(offsite) < 6:
        offsite += list(
            Settlement.objects.filter(region_id=region, setl_time__year=year, init_setl_id="")
            .exclude(pk__in=[s.pk for s in offsite])
            .order_by("setl_id")[: 6 - len(offsite)]
        )
    assignee = _user(region, ("inspector",)) or _user(region, ("manager",))
    requester = _acting(actor, region, ("settlement", "reviewer", "inspector", "manager"))
    if not offsite:
        return 0
    Outcome = Investigation.Outcome
    # (month, assigned, result after working days, outcome, amount, feedback after working days)
    plans: list[tuple[int, bool, int | None, str, str, int | None]] = [
        (3, True, 4, Outcome.CONFIRMED, "2860.00", 2),
        (5, True, 5, Outcome.PARTLY, "1250.40", 5),
        (7, True, 3, Outcome.UNFOUNDED, "0", 1),
        (9, True, 7, Outcome.UNVERIFIABLE, "0", None),
        (11, True, None, "", "", None),
        (12, False, None, "", "", None),
    ]
    made = 0
    for settlement, (number, assigned, result_days, outcome, amount, feedback_days) in zip(
        offsite, plans, strict=False
    ):
        created = _working_day_on_or_after(dt.date(year, number, 15))
        if created > today:
            continue
        inv = investigations.do_create_investigation(
            requester,
            region=region,
            setl_id=settlement.setl_id,
            created_on=created,
            subject="核实异地住院的真实性及费用明细，调取病历首页、医嘱单和费用清单",
            assignee=assignee if assigned and assignee is not None else None,
        )
        made += 1
        if result_days is None:
            continue
        result_on = deadline(created, result_days).due
        if result_on > today:
            continue
        inv = investigations.do_record_result(
            assignee or requester,
            inv,
            outcome=outcome,
            amount=amount,
            result_on=result_on,
            result_text=f"经就医地医疗机构核实：{Outcome(outcome).label!s}。",
        )
        if feedback_days is None:
            continue
        feedback_on = deadline(result_on, feedback_days).due
        if feedback_on <= today:
            investigations.do_feed_back(
                assignee or requester, inv, feedback_on=feedback_on, feedback_text="已将协查结果书面反馈委托方。"
            )
    return made


def seed_demo(year: int, actor: Any) -> dict[str, Any]:
    """Inspection for ``year`` in every region with settlements that year; returns what was made per region."""
    today = timezone.localdate()
    regions = sorted(
        set(Settlement.objects.filter(setl_time__year=year).order_by().values_list("region_id", flat=True).distinct())
    )
    summary: dict[str, Any] = {}
    for region in regions:
        summary[region] = {
            "samples": _samples(region, year, actor, today),
            "inspections": _inspections(region, year, actor, today),
            "investigations": _investigations(region, year, actor, today),
        }
    return summary
