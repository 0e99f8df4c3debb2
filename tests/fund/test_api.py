"""The fund API as finance, manager and supervisor use it: amounts as strings, replays answer 200, other regions
stay out of reach."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.fund import actions
from dae.fund.models import FundEntry, FundYear
from dae.ledger.models import Transaction
from tests.factories import REGION_A, REGION_B, make_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def clients(clerk: Any) -> dict[str, Client]:
    found = {}
    for name, user in (("finance", clerk), ("manager", make_user("manager", username="f-manager")),
                       ("supervisor", make_user("supervisor", username="f-supervisor")),
                       ("settlement", make_user("settlement", username="f-clerk"))):
        client = Client()
        client.force_login(user)
        found[name] = client
    return found


def send(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_fund_year_through_the_api(clients: dict[str, Client]) -> None:
    body = {"region": REGION_A, "year": 2026, "funds_raised": "1200000.00", "on": "2026-01-05"}
    created = send(clients["finance"], "/api/v1/fund/years", body)
    assert created.status_code == 201 and created.json()["funds_raised"] == "1200000.00"
    assert created.json()["yellow_level"] == "3.00" and created.json()["red_level"] == "3.85"
    assert send(clients["finance"], "/api/v1/fund/years", body).status_code == 200
    assert send(clients["manager"], "/api/v1/fund/years", body).status_code == 403
    refused = send(clients["finance"], "/api/v1/fund/years", {**body, "funds_raised": 1200000.5})
    assert refused.status_code == 400 and "浮点数" in json.dumps(refused.json(), ensure_ascii=False)
    other = send(clients["finance"], "/api/v1/fund/years", {**body, "region": REGION_B})
    assert other.status_code == 400 and other.json()["code"] == "invalid_region"
    pk = created.json()["id"]
    changed = send(clients["finance"], f"/api/v1/fund/years/{pk}/funds",
                   {"funds_raised": "1300000.00", "on": "2026-02-01", "reason": "补充协议"})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    levels = send(clients["manager"], f"/api/v1/fund/years/{pk}/levels",
                  {"yellow_level": "2.80", "red_level": "3.85", "reason": "年度会议决定"})
    assert levels.status_code == 200 and levels.json()["yellow_level"] == "2.80"
    assert send(clients["supervisor"], f"/api/v1/fund/years/{pk}/levels",
                {"yellow_level": "2.80", "red_level": "3.85", "reason": "x"}).status_code == 403
    detail = clients["supervisor"].get(f"/api/v1/fund/years/{pk}").json()
    assert [h["version"] for h in detail["history"]] == [2, 2, 1]
    assert [h["reason"] for h in detail["history"]] == ["年度会议决定", "补充协议", ""]
    profit = clients["manager"].get(f"/api/v1/fund/years/{pk}/profit?through=2").json()
    assert [m["month"] for m in profit["months"]] == [1, 2]
    assert profit["months"][1]["rate"] == "100.00" and profit["months"][1]["status"] == "red"
    assert clients["settlement"].get(f"/api/v1/fund/years/{pk}/profit").status_code == 403


def test_requests_entries_and_overview_through_the_api(clients: dict[str, Client], clerk: Any) -> None:
    actions.do_enter_funds(clerk, REGION_A, 2026, "1200000.00", on=dt.date(2026, 1, 5))
    prepared = send(clients["finance"], "/api/v1/fund/requests", {"region": REGION_A, "year": 2026, "quarter": 1})
    assert prepared.status_code == 201
    body = prepared.json()
    assert (body["basis"], body["amount"], body["status"], body["number"]) == (
        "fallback", "300000.00", "draft", "YK2202822026Q1")
    pk = body["id"]
    adjusted = send(clients["finance"], f"/api/v1/fund/requests/{pk}/adjust", {"adjustment": "500.00", "reason": "预留"})
    assert adjusted.json()["amount"] == "300500.00"
    submitted = send(clients["finance"], f"/api/v1/fund/requests/{pk}/submit", {"on": "2026-01-05"})
    assert submitted.json()["status"] == "submitted"
    receive = {"amount": "300500.00", "on": "2026-01-12", "slip_no": "HD-77"}
    first = send(clients["finance"], f"/api/v1/fund/requests/{pk}/receive", receive)
    assert first.status_code == 201 and first.json()["kind"] == "appropriation"
    assert send(clients["finance"], f"/api/v1/fund/requests/{pk}/receive", receive).status_code == 200
    assert clients["manager"].get(f"/api/v1/fund/requests/{pk}").json()["status"] == "received"

    entry = {"kind": "transfer", "region": REGION_A, "on": "2026-01-12", "amount": "100000.00", "key": "api:t1"}
    assert send(clients["finance"], "/api/v1/fund/entries", entry).status_code == 201
    assert send(clients["finance"], "/api/v1/fund/entries", entry).status_code == 200
    conflict = send(clients["finance"], "/api/v1/fund/entries", {**entry, "amount": "1.00"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    draw = send(clients["finance"], "/api/v1/fund/entries", {**entry, "kind": "revolving_draw", "key": "api:d1"})
    assert draw.status_code == 400 and draw.json()["code"] == "reason_required"
    assert send(clients["manager"], "/api/v1/fund/entries", {**entry, "key": "api:m"}).status_code == 403
    listed = clients["supervisor"].get("/api/v1/fund/entries?kind=transfer").json()
    assert [(e["kind"], e["amount"]) for e in listed] == [("transfer", "100000.00")]
    assert FundEntry.objects.count() == 2 and Transaction.objects.count() == 3

    short = clients["finance"].get(f"/api/v1/fund/shortfall?region={REGION_A}&amount=100000.50&date=2026-01-12").json()
    assert (short["balance"], short["shortfall"]) == ("100000.00", "0.50")
    overview = clients["supervisor"].get(f"/api/v1/fund/overview?region={REGION_A}&date=2026-01-12").json()
    assert overview["balances"] == {"100201": "200500.00", "100202": "100000.00", "1131": "899500.00",
                                    "2301": "0.00", "3101": "0.00"}
    assert overview["current_request"]["number"] == "YK2202822026Q1" and overview["profit"]["month"] == 1
    warnings = clients["manager"].get("/api/v1/fund/warnings?date=2026-01-12").json()
    assert [w["code"] for w in warnings] == ["profit_red"]
    clearing = clients["supervisor"].get(f"/api/v1/fund/years/{FundYear.objects.get().pk}/clearing/year_end").json()
    assert (clearing["funds_raised"], clearing["appropriations_received"]) == ("1200000.00", "300500.00")
    recorded = send(clients["finance"], f"/api/v1/fund/years/{FundYear.objects.get().pk}/clearing/year_end",
                    {"on": "2027-01-15", "reason": "年终清算"})
    assert recorded.status_code == 201 and recorded.json()["amount"] == clearing["excess"]


def test_other_regions_are_out_of_reach(clients: dict[str, Client], clerk: Any) -> None:
    finance_b = make_user("finance", username="f-finance-b", regions=(REGION_B,))
    fund_year = actions.do_enter_funds(finance_b, REGION_B, 2026, "100.00", on=dt.date(2026, 1, 5))
    assert clients["finance"].get(f"/api/v1/fund/years/{fund_year.pk}").status_code == 404
    assert clients["finance"].get("/api/v1/fund/years").json() == []
    assert clients["finance"].get(f"/api/v1/fund/shortfall?region={REGION_B}&amount=1").status_code == 400
