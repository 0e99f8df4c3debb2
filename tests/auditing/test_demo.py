"""The demo's audit end to end through the database: a planted city loaded, the demo's parameters installed as the
manager's first versions, one year run per region; every planted case of every rule is among the stored findings
(recall 1), and a few findings have been taken through the workflow to a deduction."""

from __future__ import annotations

from typing import Any

import pytest

from dae.auditing.demo import seed_demo, stored_findings
from dae.auditing.models import AuditRun, Finding, RuleSetting
from dae.payments.models import Deduction

from ..factories import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_year_audit_finds_every_planted_case(chart: Any) -> None:
    from dae.catalog.models import Hospital
    from dae.demo.audit_data import score
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.demo.plants import plants

    from ..demo.test_plants import RATE, RATES

    city = generate_city(persons=3000, hospitals=12, plants=plants(RATE, RATES))
    load_city(city)
    manager = make_user("manager", regions=("220282", "220281"))
    make_user("reviewer", regions=("220282", "220281"))
    make_user("supervisor", regions=("220282", "220281"))
    for hospital in Hospital.objects.all():
        make_user("hospital", username=f"h-{hospital.code}", hospital=hospital)
    result = seed_demo(2026, manager)
    assert result["settings"] == RuleSetting.objects.count() >= 5
    runs = list(AuditRun.objects.filter(pk__in=result["runs"]))
    assert len(runs) == 2 and all(r.status == "done" and r.scope == "year" for r in runs)
    scores = {s.rule_id: s for s in score(stored_findings(result["runs"]), city)}
    for rule_id, s in scores.items():
        assert s.planted == 0 or s.found == s.planted, (rule_id, s.found, s.planted)
    assert sum(s.planted for s in scores.values()) == len(city.planted) > 18 * 3
    assert result["walked"] == 2 * (3 + 2)
    assert Finding.objects.filter(status="settled").count() == 2 == Deduction.objects.filter(kind="audit").count()
    assert Finding.objects.filter(status="appealed").count() == 2
    assert Finding.objects.filter(status="confirmed").count() == 2
    assert Finding.objects.filter(status="dismissed").count() == 4
