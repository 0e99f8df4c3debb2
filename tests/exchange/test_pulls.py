"""A hospital-month's settlements pulled from the platform go through the declaration path: the same checks (a bad
settlement is rejected, the others accepted) and the same idempotency (pulling again is a replay)."""

from __future__ import annotations

from typing import Any

import pytest

from dae.claims.models import Declaration, Settlement
from dae.exchange.client import PlatformClient
from dae.exchange.pulls import pull_settlements
from dae.exchange.simulator import PlatformSimulator
from tests.claims.builders import settlement

pytestmark = pytest.mark.django_db


def test_pulled_settlements_are_checked_and_stored_once(world: dict[str, Any], simulator: PlatformSimulator,
                                                        platform: PlatformClient) -> None:
    good = settlement("PL0001", "PA0001", "2026-03-12 10:00:00", medfee="9000.00", hifob="0.00")
    bad = settlement("PL0002", "PA9999", "2026-03-13 10:00:00", medfee="9000.00", hifob="0.00")  # nobody
    simulator.pulls["HA0001 2026-03"] = [good, bad]
    clerk = world["users"]["settlement"]
    declaration, created = pull_settlements(clerk, world["hospitals"][0], "2026-03", client=platform)
    declaration.refresh_from_db()
    assert created and declaration.status == Declaration.Status.CHECKED
    assert (declaration.settlements_count, declaration.rejected) == (2, 1)
    assert Settlement.objects.filter(setl_id="PL0001").exists()
    assert not Settlement.objects.filter(setl_id="PL0002").exists()
    again, created_again = pull_settlements(clerk, world["hospitals"][0], "2026-03", client=platform)
    assert not created_again and again.pk == declaration.pk
    assert Declaration.objects.count() == 1 and Settlement.objects.filter(setl_id="PL0001").count() == 1
    assert [r["infno"] for r in simulator.received] == ["9101", "9101"]


def test_the_pull_button_submits_the_runs_month(world: dict[str, Any], simulator: PlatformSimulator,
                                                 platform: PlatformClient) -> None:
    from django.test import Client
    from django.urls import reverse

    from dae.exchange import actions

    record = actions.do_run_reconciliation(None, world["regions"][0], world["hospitals"][0], "2026-03",
                                           client=platform)
    simulator.pulls["HA0001 2026-03"] = [settlement("PL0003", "PA0001", "2026-03-12 10:00:00", medfee="900.00")]
    web = Client()
    web.force_login(world["users"]["settlement"])
    answer = web.post(reverse("exchange:settlement_pull", args=[record.pk]))
    declaration = Declaration.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("claims:declaration_detail",
                                                                       args=[declaration.pk])
    finance = Client()
    finance.force_login(world["users"]["finance"])
    assert finance.post(reverse("exchange:settlement_pull", args=[record.pk])).status_code == 403
