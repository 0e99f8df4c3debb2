"""The REST API: register, materials, compute, receipt, list/detail in scope, and the insured's self-service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dae.reimbursement import actions

from .helpers import BASE_MATERIALS, api_body, claim_input
from .pdfs import pdf_contains


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
def test_register_compute_and_read_through_the_api(people: dict[str, Any]) -> None:
    clerk = client(people["settlement"])
    created = clerk.post("/api/v1/manual-claims/", api_body(materials=["invoice"]), content_type="application/json")
    assert created.status_code == 201, created.json()
    doc = created.json()
    number = doc["number"]
    assert doc["state"] == "received" and doc["clock_paused"] and doc["due_date"] is None
    assert {i["code"] for i in doc["checklist"] if i["required"] and not i["received"]} == set(BASE_MATERIALS) - {
        "invoice"}
    done = clerk.post(f"/api/v1/manual-claims/{number}/materials/", {"materials": BASE_MATERIALS},
                      content_type="application/json").json()
    assert done["materials_complete"] and done["due_date"]
    computed = clerk.post(f"/api/v1/manual-claims/{number}/compute/").json()
    assert computed["computed_pay"] == "43265.00" and computed["explanation"]["result"]["hifob_pay"] == "43265.00"
    listed = clerk.get("/api/v1/manual-claims/?state=computed").json()
    assert [c["number"] for c in listed["results"]] == [number]
    assert clerk.get(f"/api/v1/manual-claims/{number}/").json()["bank_account"] == "6222 **** 4567"


@pytest.mark.django_db
def test_amounts_must_be_strings_and_problems_come_back_in_chinese(people: dict[str, Any]) -> None:
    body = api_body()
    body["totals"]["medfee_sumamt"] = 120000.5
    response = client(people["settlement"]).post("/api/v1/manual-claims/", body, content_type="application/json")
    assert response.status_code == 400 and "金额请写成十进制数字字符串" in str(response.json()["details"])
    wrong = client(people["settlement"]).post("/api/v1/manual-claims/", api_body(dscg_date="2026-03-01"),
                                              content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "claim_invalid"
    assert "出院日期不能早于入院日期" in wrong.json()["message"]


@pytest.mark.django_db
def test_fee_lines_through_the_api(people: dict[str, Any]) -> None:
    lines = [{"feedetl_sn": "1", "chrgitm_lv": "01", "med_chrgitm_type": "05", "det_item_fee_sumamt": "100000.00"},
             {"feedetl_sn": "2", "chrgitm_lv": "02", "med_chrgitm_type": "09", "det_item_fee_sumamt": "20000.00"}]
    response = client(people["settlement"]).post("/api/v1/manual-claims/", api_body(totals=None, fee_lines=lines),
                                                  content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["entry_mode"] == "lines" and len(response.json()["fee_lines"]) == 2
    bad = client(people["settlement"]).post("/api/v1/manual-claims/", api_body(
        totals=None, fee_lines=[{"feedetl_sn": "1", "chrgitm_lv": "01", "med_chrgitm_type": "05",
                                 "det_item_fee_sumamt": "abc"}]), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["details"][0]["path"] == "fee_lines[0].det_item_fee_sumamt"


@pytest.mark.django_db
def test_receipt_pdf_through_the_api(people: dict[str, Any]) -> None:
    claim = actions.do_register(people["settlement"], claim_input())
    response = client(people["settlement"]).get(f"/api/v1/manual-claims/{claim.number}/receipt/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and pdf_contains(response.content, claim.number)


@pytest.mark.django_db
def test_the_insured_reads_only_their_own(people: dict[str, Any]) -> None:
    mine = actions.do_register(people["settlement"], claim_input())
    other = actions.do_register(people["clerk_b"], claim_input(psn_no="PB0001", hospital_code="HB0001"))
    insured = client(people["insured"])
    assert [c["number"] for c in insured.get("/api/v1/manual-claims/").json()["results"]] == [mine.number]
    assert insured.get(f"/api/v1/manual-claims/{other.number}/").status_code == 404
    assert insured.get(f"/api/v1/manual-claims/{other.number}/receipt/").status_code == 404
    assert insured.post("/api/v1/manual-claims/", api_body(), content_type="application/json").status_code == 403
    staff_a = client(people["settlement"]).get("/api/v1/manual-claims/").json()["results"]
    assert [c["number"] for c in staff_a] == [mine.number]


@pytest.mark.django_db
def test_self_service_api_gives_claims_settlements_and_notices_with_explanations(people: dict[str, Any]) -> None:
    clerk, checker = people["settlement"], people["checker"]
    claim = actions.do_approve(checker, actions.do_check(checker, actions.do_compute(
        clerk, actions.do_register(clerk, claim_input()))))
    actions.do_register(people["clerk_b"], claim_input(psn_no="PB0001", hospital_code="HB0001"))
    doc = client(people["insured"]).get("/api/v1/self-service").json()
    assert [c["number"] for c in doc["claims"]] == [claim.number]
    assert doc["claims"][0]["explanation"].startswith("这次就医的医疗费用共")
    assert [s["setl_id"] for s in doc["settlements"]] == ["SA0001"]  # the manual claim's settlement is not repeated
    assert "这次大额补助支付" in doc["settlements"][0]["explanation"]
    assert [(n["claim_ref"], n["kind"], n["amount"]) for n in doc["notices"]] == [(claim.number, "approved",
                                                                                   "43265.00")]
    assert client(people["settlement"]).get("/api/v1/self-service").status_code == 403
