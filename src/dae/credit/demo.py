"""Credit lists and an anomaly screening for the demo city, through the ordinary services (so the demo exercises
the same code as the manager does):

    from dae.credit.demo import seed_demo
    summary = seed_demo(2026, manager_user)

Per region: three violations of its first hospital (on the watch list by score), two violations and a manual
black listing of a doctor of its second hospital, a manual watch listing of an insured person with a stay, and
the year's screening. Every step is keyed by the business fact (the violation's source, the listing already in
force, the year's finished screening), so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dae.catalog.models import Hospital
from dae.claims.models import FeeLine, Settlement
from dae.core.models import Region

from .actions import screening as screening_actions
from .actions import violations, watchlists
from .models import CreditParty, Level, PeriodKind, ScreeningRun

#: (month, day, amount) of the first hospital's violations: 17 + 13 + 8 = 38 points → 62, 关注名单.
HOSPITAL_VIOLATIONS = (
    (3, 15, "12000.00", "超标准收费，现场巡查认定"),
    (6, 20, "8500.00", "串换药品，智能审核三方确认"),
    (9, 10, "3200.00", "重复收费，举报核查认定"),
)
DOCTOR_VIOLATIONS = ((4, 8, "6400.00", "超说明书用药"), (8, 26, "2100.00", "分解收费"))


def demo_day_not_after_today(year: int, month: int, day: int) -> dt.date:
    """The date in the demo year, never after today (a violation cannot be confirmed in the future)."""
    return min(dt.date(year, month, day), timezone.localdate())


def _listed(region: str, kind: str, code: str, level: str) -> bool:
    return CreditParty.objects.filter(region_id=region, kind=kind, code=code, manual_level=level).exists()


def seed_region(region: str, year: int, actor: Any) -> dict[str, int]:
    out = {"violations": 0, "listings": 0, "screenings": 0}
    hospitals = list(Hospital.objects.filter(region_id=region).order_by("code")[:2])
    if hospitals:
        first = hospitals[0]
        for i, (month, day, amount, note) in enumerate(HOSPITAL_VIOLATIONS, start=1):
            violations.do_record_violation(
                party_kind="hospital",
                party_code=first.code,
                region_id=region,
                amount=Decimal(amount),
                source=("demo.credit", f"{year}-{first.code}-{i}"),
                on=demo_day_not_after_today(year, month, day),
                actor=actor,
                note=note,
                party_name=first.name,
                hospital_code=first.code,
            )
            out["violations"] += 1
    if len(hospitals) > 1:
        second = hospitals[1]
        doctor = (
            FeeLine.objects.filter(settlement__hospital=second)
            .exclude(bilg_dr_codg="")
            .order_by("bilg_dr_codg")
            .values_list("bilg_dr_codg", "bilg_dr_name")
            .first()
        )
        if doctor is not None:
            code, name = doctor
            for i, (month, day, amount, note) in enumerate(DOCTOR_VIOLATIONS, start=1):
                violations.do_record_violation(
                    party_kind="doctor",
                    party_code=code,
                    region_id=region,
                    amount=Decimal(amount),
                    source=("demo.credit", f"{year}-{code}-{i}"),
                    on=demo_day_not_after_today(year, month, day),
                    actor=actor,
                    note=note,
                    party_name=name,
                    hospital_code=second.code,
                )
                out["violations"] += 1
            if not _listed(region, "doctor", code, Level.BLACK):
                watchlists.do_list(
                    actor,
                    kind="doctor",
                    code=code,
                    region=region,
                    level=Level.BLACK,
                    reason="一年内多次违规，经约谈仍未整改，列入黑名单",
                    name=name,
                    hospital_id=second.pk,
                )
                out["listings"] += 1
    person = (
        Settlement.objects.filter(region_id=region, setl_time__year=year)
        .order_by("psn_no")
        .values_list("psn_no", "person__psn_name")
        .first()
    )
    if person is not None and not _listed(region, "person", person[0], Level.WATCH):
        watchlists.do_list(
            actor,
            kind="person",
            code=person[0],
            region=region,
            level=Level.WATCH,
            reason="短期内多家医院住院，冒名就医嫌疑待核查",
            name=person[1],
        )
        out["listings"] += 1
    done = ScreeningRun.objects.filter(
        region_id=region, period_kind=PeriodKind.YEAR, period=str(year), status=ScreeningRun.Status.DONE
    ).exists()
    if not done and Settlement.objects.filter(region_id=region, setl_time__year=year).exists():
        screening_actions.do_run_screening(
            region=region, period_kind=PeriodKind.YEAR, period=str(year), actor=actor, note="演示数据年度筛查"
        )
        out["screenings"] += 1
    return out


def seed_demo(year: int, actor: Any) -> dict[str, int]:
    """A few violations, manual listings and the year's screening in every region with settlements in the year;
    returns what was recorded (a second run records the same violations again, which changes nothing)."""
    total = {"violations": 0, "listings": 0, "screenings": 0}
    pooling = Settlement.objects.filter(setl_time__year=year).values("region_id")  # not the off-site hospitals' regions
    for region in Region.objects.filter(admdvs__in=pooling).order_by("admdvs").values_list("admdvs", flat=True):
        for key, value in seed_region(region, year, actor).items():
            total[key] += value
    return total
