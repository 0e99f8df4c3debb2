"""The demo's evaluation: computed, one adjustment with its reason, signed off and published."""

from __future__ import annotations

from typing import Any

from dae.core.models import Event
from dae.reports.demo import seed_evaluation
from dae.reports.models import Evaluation


def test_the_demo_year_is_evaluated_adjusted_signed_and_published(world: dict[str, Any]) -> None:
    evaluation = seed_evaluation(2026, "220282")
    assert evaluation is not None and evaluation.status == Evaluation.Status.PUBLISHED
    adjusted = evaluation.scores.exclude(reason="")
    assert adjusted.count() == 1 and adjusted.get().final_total == adjusted.get().total + 2
    assert evaluation.signed_by.username == "supervisor" and evaluation.published_by.username == "manager"
    assert Event.objects.filter(action__startswith="reports.evaluation_").count() == 5
    assert seed_evaluation(2026, "220282") is None  # a second run adds nothing
