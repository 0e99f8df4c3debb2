"""The demo's credit lists: violations and manual listings through the services, a year's screening, and a
second run that changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.core.models import Event
from dae.credit.demo import seed_demo
from dae.credit.models import CreditEvent, CreditListChange, CreditParty, ScreeningRun
from tests.factories import REGION_A, REGION_B, FeeLineFactory, HospitalFactory, SettlementFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_twice(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    second = HospitalFactory(region=world["regions"][0], code="HA0002", name="桦甸市中医院")
    settlement = SettlementFactory(person=world["persons"][0], hospital=second, region=world["regions"][0])
    FeeLineFactory(settlement=settlement, bilg_dr_codg="D220282000007", bilg_dr_name="赵医生")
    assert seed_demo(2026, manager) == {"violations": 8, "listings": 3, "screenings": 2}
    hospital = CreditParty.objects.get(region_id=REGION_A, kind="hospital", code="HA0001")
    assert (hospital.score, hospital.level) == (62, "watch")  # 17 + 13 + 8 points
    assert list(hospital.events.order_by("on").values_list("on", "points")) == [
        (dt.date(2026, 3, 15), 17),
        (dt.date(2026, 6, 20), 13),
        (dt.date(2026, 9, 10), 8),
    ]
    doctor = CreditParty.objects.get(kind="doctor")
    assert (doctor.code, doctor.name, doctor.hospital_id, doctor.score, doctor.level, doctor.manual_level) == (
        "D220282000007",
        "赵医生",
        second.pk,
        82,
        "black",
        "black",
    )
    person = CreditParty.objects.get(kind="person", region_id=REGION_A)
    assert (person.code, person.level) == ("PA0001", "watch")
    assert CreditParty.objects.get(region_id=REGION_B, kind="hospital").level == "watch"
    run = ScreeningRun.objects.get(region_id=REGION_A)
    assert (run.region_id, run.period, run.status, run.stays_count) == (REGION_A, "2026", "done", 2)
    counts = (
        CreditEvent.objects.count(),
        CreditListChange.objects.count(),
        ScreeningRun.objects.count(),
        Event.objects.count(),
    )
    seed_demo(2026, manager)
    assert (
        CreditEvent.objects.count(),
        CreditListChange.objects.count(),
        ScreeningRun.objects.count(),
        Event.objects.count(),
    ) == counts
