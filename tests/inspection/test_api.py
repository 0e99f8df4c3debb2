"""The inspection API under /api/v1/inspection/: samples (draw, detail, replay, review, complete), settings,
inspections (create with findings, documents, submit, return, confirm → deductions) and investigations (create,
assign, result, feedback, statistics), with the error shape and the scoping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dae.inspection.models import Document, Finding, SampleItem
from dae.payments.models import Deduction
from tests.factories import REGION_A

from .conftest import login

pytestmark = pytest.mark.django_db
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JSON = "application/json"


def test_samples_through_the_api(world: Any, users: Any, march: Any) -> None:
    client = login(users["reviewer"])
    drawn = client.post(
        "/api/v1/inspection/samples", {"region": REGION_A, "month": "2025-03", "seed": "123"}, content_type=JSON
    )
    assert drawn.status_code == 201
    body = drawn.json()
    assert (body["seed"], body["seed_source"], body["population"], body["cross_population"]) == ("123", "given", 41, 10)
    assert (body["required_total"], body["required_cross"], body["total"], body["reviewed"]) == (3, 2, 3, 0)
    assert (body["inpatient_ratio"], body["cross_province_ratio"], body["status"]) == ("5.00", "20.00", "open")
    pk = body["id"]
    assert (
        client.post("/api/v1/inspection/samples", {"region": REGION_A, "month": "2025-03"}, content_type=JSON).json()[
            "code"
        ]
        == "sample_exists"
    )
    assert [s["id"] for s in client.get("/api/v1/inspection/samples?month=2025-03").json()] == [pk]
    assert client.get("/api/v1/inspection/samples?month=2025-04").json() == []
    replay = client.get(f"/api/v1/inspection/samples/{pk}/replay").json()
    assert replay["matches"] is True and replay["strata"] == ["cross_province", "cross_province", "inpatient"]
    detail = client.get(f"/api/v1/inspection/samples/{pk}").json()
    assert [i["stratum"] for i in detail["items"]] == replay["strata"]
    assert [i["setl_id"] for i in detail["items"]] == replay["setl_ids"]
    item = detail["items"][0]
    assert item["medfee_sumamt"] == "10000.00" and item["not_payable"] is None and item["status"] == "pending"

    url = f"/api/v1/inspection/sample-items/{item['id']}"
    review = {
        "system_vs_record": "consistent",
        "record_vs_bill": "consistent",
        "system_vs_bill": "inconsistent",
        "system_vs_bill_note": "耗材数量不一致",
        "not_payable": 120.5,
        "conclusion": "non_compliant",
        "opinion": "多收耗材",
    }
    floated = client.post(url, review, content_type=JSON)
    assert floated.status_code == 400 and floated.json()["code"] == "invalid_amount"
    bad = client.post(url, {**review, "not_payable": "120.50", "system_vs_bill_note": ""}, content_type=JSON)
    assert bad.status_code == 400 and bad.json() == {
        "code": "invalid_review",
        "message": "复审记录有误：“系统明细与费用清单”不一致时须填写说明",
        "details": [{"path": "system_vs_bill_note", "message": "“系统明细与费用清单”不一致时须填写说明"}],
    }
    assert SampleItem.objects.get(pk=item["id"]).status == "pending"
    good = client.post(url, {**review, "not_payable": "120.50"}, content_type=JSON)
    assert good.status_code == 200
    assert (good.json()["status"], good.json()["not_payable"], good.json()["system_vs_bill"]) == (
        "reviewed",
        "120.50",
        "inconsistent",
    )
    upload = client.post(f"{url}/documents", {"file": SimpleUploadedFile("scan.png", PNG, "image/png"), "note": "首页"})
    assert upload.status_code == 201 and upload.json()["kind"] == "image"
    assert upload.json()["url"] == f"/inspection/documents/{upload.json()['id']}/"
    assert client.get(url).json()["documents"][0]["name"] == "scan.png"
    pending = client.post(f"/api/v1/inspection/samples/{pk}/complete", content_type=JSON)
    assert pending.status_code == 409 and pending.json()["message"] == "还有 2 份病历未复审，不能完成"
    progress = client.get(f"/api/v1/inspection/samples/{pk}").json()["progress"]
    assert progress == {
        "total": 3,
        "reviewed": 1,
        "cross_province": 2,
        "inconsistent": 1,
        "non_compliant": 1,
        "not_payable": "120.50",
    }
    assert login(users["clerk_b"]).get(f"/api/v1/inspection/samples/{pk}").status_code == 404
    assert login(users["settlement"]).post(url, review, content_type=JSON).status_code == 403


def test_settings_through_the_api(world: Any, users: Any) -> None:
    manager = login(users["manager"])
    assert manager.get("/api/v1/inspection/settings").json() == {
        "version": 0,
        "inpatient_ratio": "5.00",
        "cross_province_ratio": "20.00",
        "deadline_days": 20,
        "history": [],
    }
    saved = manager.post(
        "/api/v1/inspection/settings",
        {"inpatient_ratio": "8", "cross_province_ratio": "25", "deadline_days": "15", "reason": "年度调整"},
        content_type=JSON,
    )
    assert saved.status_code == 201 and saved.json()["version"] == 1 and saved.json()["inpatient_ratio"] == "8.00"
    assert manager.get("/api/v1/inspection/settings").json()["inpatient_ratio"] == "8.00"
    assert login(users["reviewer"]).post("/api/v1/inspection/settings", {}, content_type=JSON).status_code == 403


def test_inspections_through_the_api(world: Any, users: Any) -> None:
    inspector = login(users["inspector"])
    created = inspector.post(
        "/api/v1/inspection/inspections",
        {
            "hospital": "HA0001",
            "inspected_on": "2025-05-12",
            "kind": "resident",
            "inspectors": [users["inspector"].pk, users["inspector2"].pk],
            "summary": "驻点核查",
            "findings": [{"description": "挂床住院", "basis": "服务协议第八条", "amount": "2400.00"}],
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["kind"], body["hospital"], len(body["findings"])) == ("draft", "resident", "HA0001", 1)
    pk = body["id"]
    unknown = inspector.post(
        "/api/v1/inspection/inspections",
        {
            **{
                "hospital": "HB0001",
                "inspected_on": "2025-05-12",
                "kind": "routine",
                "inspectors": [users["inspector"].pk],
            }
        },
        content_type=JSON,
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_hospital"
    added = inspector.post(
        f"/api/v1/inspection/inspections/{pk}/findings",
        {"description": "冒名就医", "basis": "服务协议第九条", "amount": "0"},
        content_type=JSON,
    )
    assert added.status_code == 201 and added.json()["seq"] == 2
    finding = Finding.objects.get(seq=1)
    photo = inspector.post(
        f"/api/v1/inspection/inspections/{pk}/documents",
        {"file": SimpleUploadedFile("病房.png", PNG, "image/png"), "finding": str(finding.pk)},
    )
    assert photo.status_code == 201 and Document.objects.get().finding == finding
    assert (
        inspector.post(
            f"/api/v1/inspection/inspections/{pk}/documents",
            {"file": SimpleUploadedFile("x.png", PNG, "image/png"), "finding": "999999"},
        ).json()["code"]
        == "unknown_finding"
    )
    assert (
        inspector.post(f"/api/v1/inspection/inspections/{pk}/submit", content_type=JSON).json()["status"] == "submitted"
    )
    assert inspector.post(f"/api/v1/inspection/inspections/{pk}/confirm", {}, content_type=JSON).status_code == 403
    manager = login(users["manager"])
    no_reason = manager.post(f"/api/v1/inspection/inspections/{pk}/return", {}, content_type=JSON)
    assert no_reason.status_code == 400
    confirmed = manager.post(f"/api/v1/inspection/inspections/{pk}/confirm", {"on": "2025-05-20"}, content_type=JSON)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_on"] == "2025-05-20"
    again = manager.post(f"/api/v1/inspection/inspections/{pk}/confirm", {"on": "2025-05-21"}, content_type=JSON)
    assert again.status_code == 200 and again.json()["confirmed_on"] == "2025-05-20"
    assert list(Deduction.objects.values_list("amount", "source_type")) == [(D("2400.00"), "inspection.finding")]
    findings = manager.get(f"/api/v1/inspection/inspections/{pk}").json()["findings"]
    assert [(f["amount"], f["deduction"] is not None, len(f["documents"])) for f in findings] == [
        ("2400.00", True, 1),
        ("0.00", False, 0),
    ]
    assert [row["id"] for row in login(users["hospital"]).get("/api/v1/inspection/inspections").json()] == [pk]
    assert login(users["hospital"]).post("/api/v1/inspection/inspections", {}, content_type=JSON).status_code == 403


def test_investigations_through_the_api(world: Any, users: Any) -> None:
    clerk = login(users["settlement"])
    created = clerk.post(
        "/api/v1/inspection/investigations",
        {"region": REGION_A, "setl_id": "SA0001", "subject": "核实住院真实性", "created_on": "2025-09-30"},
        content_type=JSON,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["due_on"], body["status"], body["psn_name"], body["setl_id"]) == (
        "2025-10-14",
        "open",
        "张三",
        "SA0001",
    )
    assert body["result_overdue"] is True and body["feedback_overdue"] is False  # today is after 2025-10-14
    pk = body["id"]
    bad = clerk.post("/api/v1/inspection/investigations", {"region": REGION_A, "subject": "核实"}, content_type=JSON)
    assert bad.status_code == 400 and bad.json()["code"] == "no_subject"
    assert clerk.post(f"/api/v1/inspection/investigations/{pk}/result", {}, content_type=JSON).status_code == 403
    inspector = login(users["inspector"])
    assigned = inspector.post(
        f"/api/v1/inspection/investigations/{pk}/assign", {"assignee": users["inspector2"].pk}, content_type=JSON
    )
    assert assigned.status_code == 200 and assigned.json()["assignee"] == "inspector2"
    floated = inspector.post(
        f"/api/v1/inspection/investigations/{pk}/result",
        {"outcome": "confirmed", "result_text": "属实", "amount": 10.5},
        content_type=JSON,
    )
    assert floated.status_code == 400
    result = inspector.post(
        f"/api/v1/inspection/investigations/{pk}/result",
        {"outcome": "confirmed", "result_text": "冒名住院属实", "amount": "3200.00", "result_on": "2025-10-13"},
        content_type=JSON,
    )
    assert result.status_code == 200
    assert (result.json()["feedback_due"], result.json()["amount"], result.json()["result_overdue"]) == (
        "2025-10-16",
        "3200.00",
        False,
    )
    done = inspector.post(
        f"/api/v1/inspection/investigations/{pk}/feedback",
        {"feedback_text": "已函告", "feedback_on": "2025-10-16"},
        content_type=JSON,
    )
    assert done.status_code == 200 and done.json()["status"] == "closed" and done.json()["feedback_overdue"] is False
    listed = clerk.get("/api/v1/inspection/investigations?status=closed").json()
    assert [row["id"] for row in listed] == [pk]
    assert clerk.get("/api/v1/inspection/investigations?overdue=1").json() == []
    stats = clerk.get("/api/v1/inspection/investigations/stats").json()
    assert stats["total"]["on_time_rate"] == "100.00" and stats["total"]["amount"] == "3200.00"
    assert login(users["clerk_b"]).get(f"/api/v1/inspection/investigations/{pk}").status_code == 404
