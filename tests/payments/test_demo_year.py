"""The demo city's year of money end to end (``dae demo``): twelve monthly statements per region, each
reconciling to its settlements' fee lines to the fen; four appropriation requests; everything owed paid exactly
once (the planted failed payment paid again, the unknown one checked by hand); the bank reconciled with the
planted duplicate, unknown and missing lines found; every day of the year closed; the profit-rate chart."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from dae.bank.models import BankLine
from dae.claims.models import Settlement
from dae.core.models import Event
from dae.demo.users import DEMO_PASSWORD
from dae.fund.models import AppropriationRequest, FundYear
from dae.ledger.models import DayClose
from dae.ledger.queries import balance, trial_balance
from dae.payments.models import Deduction, PaymentOrder, Statement
from dae.payments.queries import reconcile
from dae.security.testing import sign_in

pytestmark = pytest.mark.django_db
YEAR = 2025
MONTHS = {f"{YEAR}-{m:02d}" for m in range(1, 13)}


@pytest.fixture
def demo() -> dict[str, Any]:
    out = StringIO()
    call_command("demo", persons=3000, hospitals=20, stdout=out)
    event = Event.objects.get(action="demo.finance")
    return {"output": out.getvalue(), "regions": event.after["regions"]}


def test_the_demo_year_runs_end_to_end(demo: dict[str, Any]) -> None:
    assert "基金财务年度已运行" in demo["output"]
    regions = demo["regions"]
    assert regions == ["220281", "220282"]
    for region in regions:
        statements = Statement.objects.filter(region_id=region)
        assert set(statements.values_list("month", flat=True)) == MONTHS  # 12 monthly statements
        assert set(statements.values_list("status", flat=True)) <= {"paid", "carried"}
        for st in statements:
            check = reconcile(st)
            assert check.agrees, (st.pk, check)  # to the fen against the fee lines
            assert st.lines_total == st.medfee_total
        assert AppropriationRequest.objects.filter(region_id=region, year=YEAR).count() == 4
        assert trial_balance(regions=[region]).balanced
        assert balance("2201", regions=[region]) == 0  # every hospital paid what it was owed
        assert balance("2202", regions=[region]) == 0
        open_deductions = sum(Deduction.objects.filter(region_id=region, status="open").values_list("amount",
                                                                                                  flat=True))
        assert balance("1132", regions=[region]) == open_deductions  # the rest netted on statements
        # one per quarter from the finance year; the inspection demo (dae.inspection) adds its own, confirmed later
        assert Deduction.objects.filter(region_id=region, kind="inspection", source_type="demo.inspection").count() == 4
        closed = DayClose.objects.filter(region_id=region, day__year=YEAR).count()
        assert closed == (dt.date(YEAR, 12, 31) - dt.date(YEAR, 1, 1)).days + 1
        planted = BankLine.objects.filter(region_id=region, state="duplicate").count()
        assert planted == 1
    assert not Settlement.objects.filter(state="payable").exists()
    paid_twice = (PaymentOrder.objects.filter(status="paid", statement__isnull=False)  # window claims have none
                  .values("statement").annotate(n=Count("id"))
                  .filter(n__gt=1))
    assert not paid_twice.exists()
    failed = PaymentOrder.objects.filter(status="failed")
    assert failed.count() == len(regions)  # June's planted failure in each region …
    for order in failed:
        assert PaymentOrder.objects.filter(statement=order.statement, status="paid").count() == 1  # … paid again
    assert PaymentOrder.objects.filter(result_source__startswith="人工查证").count() == len(regions)

    client = Client()
    assert sign_in(client, "finance", DEMO_PASSWORD).status_code == 302
    page = client.get(f"/fund/?region=220282&year={YEAR}").content.decode()
    data = json.loads(page.split('id="profit-chart-data" type="application/json">')[1].split("</script>")[0])
    assert FundYear.objects.filter(year=YEAR).count() == 2
    assert data["labels"] == sorted(MONTHS) and len(data["rate"]) == 12 and data["red"] == "3.85"
    assert all(rate is not None for rate in data["rate"])
