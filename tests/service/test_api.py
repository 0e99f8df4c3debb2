"""The service desk's API: a complaint received, handed over, replied and rated; the extension answers 202 until
the manager approves; a tip-off's reporter never appears; the insured person asks online."""

from __future__ import annotations

from typing import Any

from dae.service.models import Case

from .conftest import login


def test_case_through_the_api(users: dict[str, Any], world: dict[str, Any]) -> None:
    desk = login(users["service"])
    made = desk.post("/api/v1/service/cases", {"kind": "complaint", "region": "220282", "category": "delay",
                                              "channel": "phone", "subject": "到账慢", "psn_no": "PA0001",
                                              "contact_name": "张三", "received_on": "2026-09-29"},
                     content_type="application/json")
    assert made.status_code == 201 and made.json()["due_on"] == "2026-10-19"
    pk = made.json()["id"]
    extend = desk.post(f"/api/v1/service/cases/{pk}/extend", {"reason": "需核实"}, content_type="application/json")
    assert extend.status_code == 202 and extend.json()["code"] == "approval_pending"
    desk.post(f"/api/v1/service/cases/{pk}/assign", {"assignee": users["service"].pk},
              content_type="application/json")
    replied = desk.post(f"/api/v1/service/cases/{pk}/reply", {"reply": "已处理", "replied_on": "2026-10-16"},
                        content_type="application/json")
    assert replied.json()["status"] == "replied" and replied.json()["overdue"] is False
    rated = login(world["users"]["insured"]).post(f"/api/v1/service/cases/{pk}/rate", {"rating": 5},
                                                  content_type="application/json")
    assert rated.json()["rating"] == 5


def test_tipoff_reporter_is_not_in_the_api(users: dict[str, Any], world: dict[str, Any]) -> None:
    desk = login(users["service"])
    made = desk.post("/api/v1/service/cases", {"kind": "tipoff", "region": "220282", "category": "fraud",
                                              "channel": "letter", "subject": "挂床住院", "contact_name": "王五",
                                              "contact_phone": "13900001111"}, content_type="application/json")
    assert made.status_code == 201 and Case.objects.get().contact_name == "王五"
    body = desk.get(f"/api/v1/service/cases/{made.json()['id']}").content.decode()
    assert "王五" not in body and "13900001111" not in body


def test_insured_asks_through_the_api(world: dict[str, Any]) -> None:
    insured = login(world["users"]["insured"])
    asked = insured.post("/api/v1/service/consultations", {"question": "起付线是多少？"},
                         content_type="application/json")
    assert asked.status_code == 201 and asked.json()["channel"] == "online" and asked.json()["owner"] is None
    assert [c["question"] for c in insured.get("/api/v1/service/consultations").json()["results"]] == ["起付线是多少？"]
