"""Finance reconciles a month with the medical insurance platform in the browser: runs the month's reconciliation
against the platform simulator, opens the hospital's run with a difference, resolves it with a note, and sees the
chart of open differences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.claims.models import Settlement
from dae.exchange.dataset import settlement_rows
from dae.exchange.models import Difference
from dae.exchange.simulator import PlatformSimulator
from tests.factories import SettlementFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_runs_the_months_reconciliation_and_resolves_a_difference(
        world: dict[str, Any], live_server: Any, page: Any, shot: Any, settings: Any) -> None:
    base = live_server.url
    march = timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0))
    for n in (1, 2, 3):
        SettlementFactory(person=world["persons"][0], hospital=world["hospitals"][0], setl_id=f"SR{n}",
                          setl_time=march, hifob_pay=Decimal("1000.00"))
    with PlatformSimulator() as simulator:
        for row in settlement_rows(Settlement.objects.all()):
            simulator.add(row)
        simulator.differ("SR2", hifob_pay="1200.00")
        settings.PLATFORM = {**settings.PLATFORM, "URL": simulator.url, "TIMEOUT": 5}

        login(page, base, "finance")
        page.goto(f"{base}/exchange/reconciliations/")
        page.click("[data-testid=open-run]")
        page.select_option("#id_region", "220282")
        page.fill("#id_month", "2026-03")
        page.click("[data-testid=run-submit]")
        page.wait_for_selector("#list-table a:has-text('2026-03')")
        assert page.locator("[data-testid=differences-chart] canvas").count() == 1
        shot("exchange-reconciliations")

        page.click("#list-table a:has-text('2026-03')")
        page.wait_for_selector("[data-testid=reconciliation-status]")
        assert page.inner_text("[data-testid=reconciliation-status]") == "有差异"
        row = page.locator("[data-testid=difference-SR2]")
        assert "hifob_pay" in row.inner_text() and "1000.00" in row.inner_text() and "1200.00" in row.inner_text()
        shot("exchange-reconciliation-detail")

        row.locator("textarea[name=note]").fill("平台金额为预结算数，以本系统核定数为准")
        row.locator("button[type=submit]").click()
        page.wait_for_selector("[data-testid=resolved-note]")
        assert page.inner_text("[data-testid=resolved-note]") == "平台金额为预结算数，以本系统核定数为准"
    difference = Difference.objects.get()
    assert difference.resolved_by == world["users"]["finance"]
    assert difference.reconciliation.open_count == 0
