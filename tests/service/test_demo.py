"""The demo's service records: consultations, complaints (one overdue, one extended), a closed survey with its
analysis, a campaign; a second run changes nothing."""

from __future__ import annotations

from typing import Any

from dae.service import queries
from dae.service.demo import seed_demo
from dae.service.models import Campaign, Case, Consultation, Survey
from tests.factories import PersonFactory, SettlementFactory, make_user


def test_seed_demo(world: dict[str, Any], users: dict[str, Any]) -> None:
    make_user("settlement", username="clerk")
    for i in range(12):
        SettlementFactory(person=PersonFactory(region=world["regions"][0], psn_no=f"PD{i:04d}"),
                          hospital=world["hospitals"][0])
    summary = seed_demo(2026)
    assert summary["cases"] == 4 and summary["consultations"] == 7
    cases = list(Case.objects.all())
    assert sum(1 for c in cases if c.is_overdue()) == 1
    assert sum(1 for c in cases if c.extension == "approved") == 1
    assert Case.objects.filter(kind="tipoff", investigation__isnull=False, anonymous=True).count() == 1
    assert Consultation.objects.filter(owner__isnull=True, channel="online").count() == 1
    survey = Survey.objects.get()
    assert survey.status == "closed" and survey.suggestions.filter(status="done").count() == 1
    analysis = queries.survey_analysis(survey)
    assert analysis.answered > 0 and analysis.satisfaction_rate is not None
    assert Campaign.objects.count() == 1
    again = seed_demo(2026)
    assert (again["cases"], again["consultations"], again["sms_queued"]) == (0, 0, 0)
    assert Survey.objects.count() == 1
