"""The manager lowers the entry threshold on a draft rule-set version, runs the policy simulation over the year,
reads the fund impact, exports it to Excel and saves the scenario."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.benefits.engine.person_year import calculate
from dae.claims.models import Settlement
from dae.forecast import simulation
from dae.forecast.models import Scenario
from tests.factories import REGION_A, PersonFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2026


def _stays(world: dict[str, Any]) -> None:
    hospital = world["hospitals"][0]
    for i, amount in enumerate(("80000.00", "150000.00", "30000.00")):
        person = PersonFactory(region=world["regions"][0])
        when = dt.datetime(YEAR, 2 + i, 10, 10)
        Settlement.objects.create(
            setl_id=f"BSIM{i}", mdtrt_id=f"BSIMM{i}", psn_no=person.psn_no, person=person, hospital=hospital,
            region=hospital.region, med_type="21", adm_date=when.date() - dt.timedelta(days=6),
            dscg_date=when.date(), setl_time=timezone.make_aware(when), place_category="local",
            settle_way="direct", medfee_sumamt=Decimal(amount), fulamt_ownpay_amt=0, overlmt_selfpay=0,
            preselfpay_amt=0, inscp_scp_amt=Decimal(amount), state="payable")
    book, _v = simulation.current_book(REGION_A)
    inputs = simulation.period_inputs(REGION_A, YEAR, book)
    for py in calculate(inputs.settlements, book, trace=False).person_years:
        for r in py.settlements:
            Settlement.objects.filter(setl_id=r.setl_id).update(hifob_pay=r.payout, computed_pay=r.payout)


def test_manager_simulates_a_lower_threshold_exports_and_saves(world: dict[str, Any], live_server: Any,
                                                                page: Any, shot: Any) -> None:
    _stays(world)
    base = live_server.url
    login(page, base, "manager")
    page.goto(f"{base}/benefits/rulesets/huadian-dae/")
    page.click("[data-testid=new-version]")
    page.fill("[data-testid=param-entry_threshold]", "50000")
    page.click("[data-testid=save-params]")
    page.wait_for_selector("[data-testid=diff]")

    page.goto(f"{base}/forecast/simulation/?region={REGION_A}")
    page.fill("#year", str(YEAR))
    page.select_option("#draft", index=1)
    page.click("[data-testid=sim-run]")
    impact = page.locator("[data-testid=sim-impact]").inner_text()
    # 10,000 more 大额 base each: the 80,000 stay at 85% (+8,500), the 150,000 stay at 90% (+9,000)
    assert impact.replace(",", "").startswith("17500.00"), impact
    assert "现行规则复算与入库支付一致" in page.locator("[data-testid=sim-reconcile]").inner_text()
    shot("policy-simulation")

    with page.expect_download() as download:
        page.click("[data-testid=sim-export]")
    assert download.value.suggested_filename.endswith(".xlsx")

    page.fill("[data-testid=sim-save] input[name=name]", "起付线降至5万元")
    page.click("[data-testid=sim-save] button")
    page.wait_for_selector("[data-testid=scenario-header]")
    scenario = Scenario.objects.get()
    assert scenario.name == "起付线降至5万元" and scenario.results["totals"]["change"] == 1_750_000
    assert scenario.draft_version is not None and scenario.draft_document["entry_threshold"] == "50000.00"
