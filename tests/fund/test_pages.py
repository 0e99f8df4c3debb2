"""The fund pages: the dashboard with its chart data, the forms of finance, what the manager and the supervisor
may do, and the entry form's double submit."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.fund import actions
from dae.fund.models import AppropriationRequest, FundEntry, FundYear
from dae.ledger.models import Transaction
from tests.factories import REGION_A, make_user

pytestmark = pytest.mark.django_db
D = Decimal


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def embedded(html: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None, f"no json_script {element_id}"
    return json.loads(match.group(1))


def test_the_dashboard_embeds_the_chart_data(clerk: Any, book: Any) -> None:
    actions.do_enter_funds(clerk, REGION_A, 2025, "1200000.00", on=dt.date(2025, 1, 2))
    book("payout", "100000.00", dt.date(2025, 1, 20))
    book("cost", "2000.00", dt.date(2025, 1, 25))
    book("payout", "50000.50", dt.date(2025, 3, 3))
    response = login(clerk).get(f"/fund/?region={REGION_A}&year=2025")
    html = response.content.decode()
    assert response.status_code == 200
    data = embedded(html, "profit-chart-data")
    assert data["region"] == REGION_A and data["year"] == 2025
    assert data["labels"] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert data["rate"][:4] == ["91.50", "91.50", "87.33", "87.33"]
    assert data["payouts"][:3] == ["100000.00", "0.00", "50000.50"]
    assert data["projected"][0] == "-2.00" and data["projected"][11] == "87.33"
    assert (data["yellow"], data["red"]) == ("3.00", "3.85")
    assert data["names"]["rate"] == "实际利润率（年初至月末）" and data["names"]["projected"] == "预计全年利润率（预测）"
    assert "fund/profit-chart.js" in html and 'data-testid="profit-chart"' in html
    assert 'data-testid="fund-balances"' in html and 'data-testid="fund-warnings"' in html


def test_the_dashboard_without_a_fund_year(world: Any) -> None:
    html = login(world["users"]["supervisor"]).get("/fund/?year=2020").content.decode()
    assert 'data-testid="no-fund-year"' in html and "profit-chart-data" not in html
    assert "年度筹集资金尚未录入" in html  # the warning for this year


def test_finance_enters_funds_prepares_submits_and_receives_through_the_pages(clerk: Any) -> None:
    client = login(clerk)
    response = client.post("/fund/years/", {"region": REGION_A, "year": "2026", "funds_raised": "1,200,000.00",
                                            "on": "2026-01-05", "yellow_level": "3.00", "red_level": "3.85"})
    fund_year = FundYear.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fund/years/{fund_year.pk}/"
    assert fund_year.funds_raised == D("1200000.00")
    bad = client.post("/fund/years/", {"region": REGION_A, "year": "2027", "funds_raised": "12.345",
                                       "on": "2027-01-05", "yellow_level": "3.00", "red_level": "3.85"})
    assert bad.status_code == 200 and "筹集资金须精确到分" in bad.content.decode()
    detail = client.get(f"/fund/years/{fund_year.pk}/").content.decode()
    assert 'data-testid="funds-form"' in detail and 'data-testid="levels-form"' in detail
    client.post(f"/fund/years/{fund_year.pk}/funds/", {"funds_raised": "1300000.00", "on": "2026-02-01",
                                                       "reason": "补充协议"})
    assert FundYear.objects.get().version == 2

    response = client.post("/fund/requests/", {"region": REGION_A, "year": "2026", "quarter": "1"})
    request = AppropriationRequest.objects.get()
    assert response["Location"] == f"/fund/requests/{request.pk}/" and request.amount == D("325000.00")
    client.post(f"/fund/requests/{request.pk}/submit/", {"on": "2026-01-05"})
    client.post(f"/fund/requests/{request.pk}/receive/", {"amount": "325000.00", "on": "2026-01-12", "slip_no": "B1"})
    request.refresh_from_db()
    assert request.status == "received"
    page = client.get(f"/fund/requests/{request.pk}/").content.decode()
    assert "已到账" in page and "B1" in page


def test_the_entry_form_posts_once_on_a_double_submit(clerk: Any) -> None:
    client = login(clerk)
    form = client.get("/fund/entries/new/interest/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', form)
    assert key is not None and key.group(1).startswith("interest:")
    data = {"region": REGION_A, "on": "2026-03-21", "amount": "412.35", "reference_no": "LX-1", "key": key.group(1)}
    first = client.post("/fund/entries/new/interest/", data)
    second = client.post("/fund/entries/new/interest/", data)
    assert first.status_code == second.status_code == 302
    assert FundEntry.objects.count() == 1 and Transaction.objects.count() == 1
    listing = client.get("/fund/entries/?kind=interest").content.decode()
    assert "LX-1" in listing and "412.35" in listing
    refused = client.post("/fund/entries/new/operating_cost/", {**data, "key": "operating_cost:1"})
    assert refused.status_code == 200 and "支出户存款余额不足" in refused.content.decode()
    draw = client.get("/fund/entries/new/revolving_draw/").content.decode()
    assert "审批文号" in draw


def test_manager_changes_levels_only_and_supervisor_reads(clerk: Any) -> None:
    fund_year = actions.do_enter_funds(clerk, REGION_A, 2026, "1000.00", on=dt.date(2026, 1, 5))
    manager = login(make_user("manager", username="p-manager"))
    detail = manager.get(f"/fund/years/{fund_year.pk}/").content.decode()
    assert 'data-testid="levels-form"' in detail and 'data-testid="funds-form"' not in detail
    manager.post(f"/fund/years/{fund_year.pk}/levels/", {"yellow_level": "2.50", "red_level": "3.85",
                                                         "reason": "管理岗调整"})
    assert FundYear.objects.get().yellow_level == D("2.50")
    assert manager.post(f"/fund/years/{fund_year.pk}/funds/", {"funds_raised": "1.00"}).status_code == 403
    supervisor = login(make_user("supervisor", username="p-supervisor"))
    page = supervisor.get(f"/fund/years/{fund_year.pk}/").content.decode()
    assert 'data-testid="levels-form"' not in page and "管理岗调整" in page
    assert supervisor.get("/fund/revolving/").status_code == 200
    assert supervisor.get("/fund/entries/").status_code == 200
