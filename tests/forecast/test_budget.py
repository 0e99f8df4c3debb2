"""The annual payout budget on a hand-built year: drafted from actuals and the forecast, edited as a draft,
approved and frozen, revised as a new version with its reason, execution month by month, and the deviation
warning when the projected year-end passes the threshold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.forecast import actions, services
from dae.forecast import budget as budgets
from dae.forecast.models import Budget, Indicator
from tests.factories import REGION_A

from .conftest import login

D = Decimal


def two_years(world: Any, through: int = 6) -> None:
    for m in range(1, 13):
        world.put(dt.date(2024, m, 1), 100)
    for m in range(1, through + 1):
        world.put(dt.date(2025, m, 1), 100)


def test_draft_approve_freeze_revise(world: Any, manager: Any) -> None:
    two_years(world)
    run = actions.do_make_forecast(manager, REGION_A, through=dt.date(2025, 6, 1))
    draft = actions.do_draft_budget(manager, REGION_A, 2025, run=run)
    assert [str(line.amount) for line in draft.lines.all()] == ["100.00"] * 12  # actuals, then a flat forecast
    assert draft.status == Budget.Status.DRAFT and draft.source_run == run
    with pytest.raises(Conflict):
        actions.do_draft_budget(manager, REGION_A, 2025)
    actions.do_edit_budget(manager, draft, {12: D("160.00")})
    actions.do_approve_budget(manager, draft)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (Budget.Status.APPROVED, manager)
    with pytest.raises(Conflict):  # frozen
        actions.do_edit_budget(manager, draft, {1: D("1.00")})
    with pytest.raises(InvalidInput):
        actions.do_revise_budget(manager, draft, "")
    revision = actions.do_revise_budget(manager, draft, "局方追加特药待遇")
    assert (revision.version, revision.status, revision.reason) == (2, Budget.Status.DRAFT, "局方追加特药待遇")
    assert budgets.approved_budget(REGION_A, 2025) == draft  # still in force until the revision is approved
    actions.do_edit_budget(manager, revision, {7: D("130.00")})
    actions.do_approve_budget(manager, revision)
    draft.refresh_from_db()
    assert draft.status == Budget.Status.SUPERSEDED
    assert budgets.approved_budget(REGION_A, 2025) == revision
    assert [str(x.amount) for x in draft.lines.all()][6] == "100.00"  # the old version is kept as it was
    assert Event.objects.filter(action__startswith="forecast.budget_").count() == 6


def test_execution_and_deviation_warning(world: Any, manager: Any) -> None:
    """Budget 100 a month (1,200); actuals 100 a month to June, then July 150. Cumulative deviation through July
    is +50 on 700 (7.14%); the projected year-end (July + a flat forecast of the rest) passes 3% → warning."""
    two_years(world, through=6)
    world.put(dt.date(2025, 7, 1), 150)
    budget = actions.do_draft_budget(manager, REGION_A, 2025)
    actions.do_edit_budget(manager, budget, {7: D("100.00"), 8: D("100.00"), 9: D("100.00"), 10: D("100.00"),
                                             11: D("100.00"), 12: D("100.00")})
    actions.do_approve_budget(manager, budget)
    ex = budgets.execution(budget)
    assert ex.through == 7 and ex.total == D("1200.00") and ex.actual_to_date == D("750.00")
    july = ex.months[6]
    assert (july.budget, july.actual, july.deviation) == (D("100.00"), D("150.00"), D("50.00"))
    assert july.cumulative_deviation_pct == D("7.14") and ex.months[7].actual is None
    hits = [f for f in services.evaluate(REGION_A, dt.date(2025, 7, 1)) if f.indicator == Indicator.BUDGET_DEVIATION]
    assert len(hits) == 1
    hit = hits[0]
    assert hit.evidence["budget_year"] == "1,200.00" and hit.evidence["paid_to_date"] == "750.00"
    assert hit.evidence["months_projected"] == 5
    projected = D(hit.evidence["projected_year"].replace(",", ""))
    assert hit.figure == (abs(projected - D(1200)) * 100 / D(1200)).quantize(D("0.01"))
    assert hit.level == ("red" if hit.figure >= 5 else "yellow") and hit.figure >= 3
    # in June, on budget: no warning
    assert not [f for f in services.evaluate(REGION_A, dt.date(2025, 6, 1))
                if f.indicator == Indicator.BUDGET_DEVIATION]


def test_budget_pages(world: Any, manager: Any) -> None:
    two_years(world, through=3)
    client = login(manager)
    assert client.post("/forecast/budgets/", {"region": REGION_A, "year": "2025"}).status_code == 302
    budget = Budget.objects.get()
    page = client.get(f"/forecast/budgets/{budget.pk}/").content.decode()
    assert 'data-testid="budget-lines"' in page and "草稿" in page
    client.post(f"/forecast/budgets/{budget.pk}/", {"step": "edit", "m12": "150.00"})
    budget.refresh_from_db()
    assert str(budget.lines.get(month=12).amount) == "150.00"
    client.post(f"/forecast/budgets/{budget.pk}/", {"step": "approve"})
    client.post(f"/forecast/budgets/{budget.pk}/", {"step": "edit", "m12": "1.00"})
    assert str(budget.lines.get(month=12).amount) == "150.00"
    client.post(f"/forecast/budgets/{budget.pk}/", {"step": "revise", "reason": "年中调整"})
    assert Budget.objects.filter(version=2, reason="年中调整").exists()
    page = client.get(f"/forecast/budgets/{budget.pk}/").content.decode()
    assert 'data-testid="budget-execution"' in page

    # the list of versions is the list component: filtered by status and by text, exported and read back
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back

    body = assert_read_back(client, "/forecast/budgets/?status=approved", 1)
    assert body[0][1:4] == ("2025", "1", "已批准")
    body = assert_read_back(client, "/forecast/budgets/?q=年中", 1)
    assert body[0][2:5] == ("2", "草稿", "年中调整")
    assert 'data-testid="budget-draft"' in client.get("/forecast/budgets/").content.decode()
    assert AccessRecord.objects.filter(why="export", object_type="list:forecast:budget_list").count() == 4
