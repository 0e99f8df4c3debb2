"""The demo's monitoring records on the factories' data: admissions in progress (one not covered), assignments with
a rotation, visits with one overdue stay, one absent patient and one identity mismatch taken into the findings."""

from __future__ import annotations

from typing import Any

from dae.auditing.models import Finding
from dae.core.models import Event
from dae.enrollment.models import Enrolment
from dae.monitoring import queries
from dae.monitoring.demo import seed_demo
from dae.monitoring.models import Admission, Assignment, Handover, Opinion, Visit
from tests.factories import EnrolmentFactory, HospitalFactory, PersonFactory


def test_seed_demo(world: dict[str, Any]) -> None:
    ra = world["regions"][0]
    for n in range(3):
        HospitalFactory(region=ra, code=f"HA01{n}", name=f"桦甸市第{n + 2}医院")
    for n in range(20):
        EnrolmentFactory(person=PersonFactory(region=ra, psn_no=f"PD{n:04d}"))
    EnrolmentFactory(person=PersonFactory(region=ra, psn_no="PLAPSED"), status=Enrolment.Status.ENDED,
                     end_date="2024-12-31")
    result = seed_demo()
    assert result["findings"] == 2
    admissions = Admission.objects.filter(status="in")
    assert admissions.count() == 17
    assert list(Admission.objects.filter(covered=False).values_list("psn_no", flat=True)) == ["PLAPSED"]
    counts = queries.inpatient_counts(Admission.objects.all())
    assert counts["overdue"] == 1 and counts["not_covered"] == 1
    rules = sorted(Finding.objects.filter(source_kind="monitoring.visit").values_list("rule_id", flat=True))
    assert rules == ["R14_IDLE_BED", "R15_OVERLAP"]
    assert Visit.objects.filter(presence="absent").count() == 1
    assert Visit.objects.filter(identity="mismatch").count() == 1
    inspector = world["users"]["inspector"]
    assert Assignment.objects.filter(user=inspector).count() == 2  # rotated off one hospital onto another
    assert Assignment.objects.filter(kind="patrol").get().hospitals.count() == 3
    assert queries.work_list(inspector).count() >= 9
    assert (Handover.objects.count(), Opinion.objects.filter(status="new").count()) == (2, 1)
    assert Event.objects.filter(action="monitoring.demo").count() == 1
