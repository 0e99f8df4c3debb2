"""Loading the demo city books the 补付 / 追回 of its cancellations: the generator computed every original as
counting, so when a 2305 removes one the person-year's other payouts move, and the load books them as the
declaration's check would (``claims.adjustments.book_cancellation``). The policy simulation of a demo region then
reconciles its current-rule totals with what the system computed, to the fen."""

from __future__ import annotations

from typing import Any

import pytest

from dae.demo.city import City
from dae.demo.generator import generate_city

from .conftest import SMALL


@pytest.fixture
def loaded(db: Any) -> tuple[City, dict[str, Any]]:
    from dae.benefits.actions import do_install_default
    from dae.benefits.queries import rulebook_for
    from dae.core.models import Region
    from dae.demo.loader import load_city
    from dae.demo.payouts import demo_payouts

    city = generate_city(persons=SMALL, hospitals=20)
    books, documents = {}, {}
    for r in city.regions:
        region, _ = Region.objects.get_or_create(admdvs=r.admdvs, defaults={"name": r.name})
        published = do_install_default(region, code=f"dae-{r.admdvs}", name=r.name)
        books[r.admdvs], documents[r.admdvs] = rulebook_for(published.ruleset), published.document
    load_city(city, payouts=demo_payouts(city, books))
    return city, documents


def test_demo_simulation_reconciles_with_the_adjustments_the_load_books(loaded: tuple[City, Any]) -> None:
    from dae.claims.models import Adjustment
    from dae.core.events import Event
    from dae.forecast import simulation
    from dae.ledger.models import Transaction

    city, documents = loaded
    adjustments = list(Adjustment.objects.select_related("settlement"))
    assert adjustments, "the small city has cancellations that move other payouts"
    cancellations = {s.setl_id: s for s in city.settlements if s.init_setl_id}
    for a in adjustments:
        cause = cancellations[a.cause_setl_id]
        assert a.reason == "cancelled_related" and a.psn_no == cause.psn_no
        assert a.statement_month == cause.setl_time.strftime("%Y-%m")
        assert a.amount == a.new_payout - a.old_payout != 0
    assert Event.objects.filter(action__startswith="adjustment.").count() == len(adjustments)
    assert Transaction.objects.filter(idempotency_key__startswith="adjustment:").count() == len(adjustments)
    for r in city.regions:
        results = simulation.simulate(r.admdvs, city.year, documents[r.admdvs])
        assert results["reconciliation"]["differing"] == 0, results["reconciliation"]["rows"][:3]
        assert results["totals"]["current"] == results["totals"]["stored"]
