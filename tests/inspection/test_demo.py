"""The demo's inspection year on the factories' data: monthly samples in every region (a part reviewed), three
inspections per region (one confirmed with its deductions), investigations in every state, and a second run that
changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.models import Event
from dae.inspection.demo import seed_demo
from dae.inspection.models import Inspection, Investigation, Sample, SampleItem
from dae.payments.models import Deduction
from tests.factories import REGION_A, REGION_B, HospitalFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year_of_stays(world: Any, users: Any, far: Any, stay: Any) -> None:
    """2025 in region A: every month 20 local stays at three hospitals and 2 in Beijing; region B: March only."""
    hospitals = [world["hospitals"][0], HospitalFactory(name="桦甸市中医院"), HospitalFactory(name="桦甸市妇幼保健院")]
    for month in range(1, 13):
        day = dt.date(2025, month, 10)
        for n in range(20):
            stay(f"A{month:02d}L{n:02d}", day, hospital=hospitals[n % 3 if n < 18 else 0])
        for n in range(2):
            stay(f"A{month:02d}X{n:02d}", day, hospital=far["beijing"], place_category="referred")
    for n in range(10):
        stay(f"B03L{n:02d}", dt.date(2025, 3, 10), person=world["persons"][1], hospital=world["hospitals"][1])


def test_seed_demo(world: Any, users: Any, year_of_stays: None) -> None:
    summary = seed_demo(2025, users["manager"])
    assert summary == {
        REGION_B: {"samples": 1, "inspections": 1, "investigations": 6},
        REGION_A: {"samples": 12, "inspections": 3, "investigations": 6},
    }
    samples = {s.month: s for s in Sample.objects.filter(region_id=REGION_A)}
    assert sorted(samples) == [f"2025-{m:02d}" for m in range(1, 13)]
    for month, sample in samples.items():
        # 22 stays: ⌈22 × 5 %⌉ = 2; 2 in Beijing: ⌈2 × 20 %⌉ = 1
        assert (sample.population, sample.cross_population, sample.required_total, sample.required_cross) == (
            22,
            2,
            2,
            1,
        ), month
        assert list(sample.items.values_list("stratum", flat=True)) == ["cross_province", "inpatient"]
    completed = [m for m, s in sorted(samples.items()) if s.status == "completed"]
    assert completed == [f"2025-{m:02d}" for m in range(1, 10)]
    reviewed = {m: s.items.filter(status="reviewed").count() for m, s in samples.items()}
    assert [reviewed[f"2025-{m:02d}"] for m in range(1, 13)] == [2] * 9 + [1, 1, 0]
    assert all(s.drawn_on.month == (int(s.month[5:]) % 12) + 1 for s in samples.values())
    assert Sample.objects.get(region_id=REGION_B).items.count() == 1  # ⌈10 × 5 %⌉ = 1, none cross-province

    inspections = {i.status: i for i in Inspection.objects.filter(region_id=REGION_A)}
    assert sorted(inspections) == ["confirmed", "draft", "submitted"]
    confirmed = inspections["confirmed"]
    assert confirmed.hospital == world["hospitals"][0]  # the busiest
    assert sorted(confirmed.inspectors.values_list("post", flat=True)) == ["inspector", "inspector"]
    assert confirmed.confirmed_by == users["manager"]
    assert sorted(Deduction.objects.filter(region_id=REGION_A).values_list("amount", flat=True)) == [
        D("1200.00"),
        D("3560.50"),
    ]
    assert Deduction.objects.filter(region_id=REGION_A, source_type="inspection.finding").count() == 2
    region_b = Inspection.objects.get(region_id=REGION_B)  # one hospital with stays in B: submitted, not confirmed
    assert region_b.status == "submitted" and not Deduction.objects.filter(region_id=REGION_B).exists()

    states = list(
        Investigation.objects.filter(region_id=REGION_A).order_by("created_on").values_list("status", "outcome")
    )
    assert states == [
        ("closed", "confirmed"),
        ("closed", "partly"),
        ("closed", "unfounded"),
        ("answered", "unverifiable"),
        ("open", ""),
        ("open", ""),
    ]
    tasks = list(Investigation.objects.filter(region_id=REGION_A).order_by("created_on"))
    assert [t.is_overdue() for t in tasks] == [False, True, False, True, True, True]
    assert tasks[5].assignee is None and tasks[4].assignee == users["inspector"]

    counts = (
        Sample.objects.count(),
        SampleItem.objects.filter(status="reviewed").count(),
        Inspection.objects.count(),
        Investigation.objects.count(),
        Deduction.objects.count(),
        Event.objects.count(),
    )
    assert seed_demo(2025, users["manager"]) == {
        REGION_B: {"samples": 0, "inspections": 0, "investigations": 0},
        REGION_A: {"samples": 0, "inspections": 0, "investigations": 0},
    }
    assert (
        Sample.objects.count(),
        SampleItem.objects.filter(status="reviewed").count(),
        Inspection.objects.count(),
        Investigation.objects.count(),
        Deduction.objects.count(),
        Event.objects.count(),
    ) == counts
