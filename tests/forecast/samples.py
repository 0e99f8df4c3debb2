"""URL samples for the route walks: a warning, a budget and a saved scenario of region A."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dae.forecast.models import Alert, Budget, BudgetLine, Scenario
from tests.route_samples import register


@register("forecast:")
def samples(name: str, world: dict[str, Any]) -> dict[str, str]:
    region = world["regions"][0]
    if name.startswith("forecast:alert_detail"):
        alert = Alert.objects.filter(region=region).first() or Alert.objects.create(
            region=region, indicator="payout_mom", period="2026-03", level="yellow", figure=Decimal("35.00"),
            threshold=Decimal("30.00"), message="2026-03 月大额基金支付环比增长：35.00%", evidence={"unit": "%"})
        return {"pk": str(alert.pk)}
    if name.startswith("forecast:budget_detail"):
        budget = Budget.objects.filter(region=region).first()
        if budget is None:
            budget = Budget.objects.create(region=region, year=2026, reason="样例")
            BudgetLine.objects.bulk_create([BudgetLine(budget=budget, month=m, amount=Decimal("100.00"))
                                            for m in range(1, 13)])
        return {"pk": str(budget.pk)}
    if name.startswith("forecast:scenario_detail"):
        from dae.benefits.models import RuleSetVersion

        document = RuleSetVersion.objects.filter(ruleset__region=region).values_list("document", flat=True).first()
        scenario = Scenario.objects.filter(region=region).first() or Scenario.objects.create(
            region=region, year=2026, name="样例", draft_document=document or {}, data_version="0" * 64, digest="0" * 64,
            results={"totals": {"current": 0, "draft": 0, "change": 0, "stored": 0}, "by_level": [],
                     "by_place": [], "by_month": [], "by_segment": [], "by_region": [], "top": [], "bands": [],
                     "gainers": 0, "losers": 0, "unchanged": 0, "settlements": 0, "persons": 0})
        return {"pk": str(scenario.pk)}
    return {}
