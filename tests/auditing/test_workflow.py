"""The suspicious-item workflow: reviewer → hospital → bureau (三方确认) → a deduction on the hospital's next
monthly statement and a platform feedback message; every refusal changes nothing; the hospital sees only its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dae.auditing import actions
from dae.auditing.actions.runs import do_start_run
from dae.auditing.models import Finding, FindingDocument, FindingStep, PlatformFeedback
from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.core.months import month_bounds
from dae.payments.actions import do_build_statements
from dae.payments.models import Deduction
from dae.workdays.service import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(audit_world: dict[str, Any]) -> dict[str, Any]:
    do_start_run(region="220282", scope="month", month="2026-03", actor=audit_world["users"]["reviewer"])
    return {
        **audit_world,
        "cross": Finding.objects.get(rule_id="R17_CROSS_PERIOD"),
        "overlap": Finding.objects.get(rule_id="R15_OVERLAP"),
    }


def test_confirmed_accepted_and_settled_becomes_a_deduction_on_the_next_statement(found: dict[str, Any]) -> None:
    users, f = found["users"], found["cross"]
    today = timezone.localdate()
    f = actions.do_confirm(f, amount="80.00", note="跨期收费属实，按 80 元认定", actor=users["reviewer"])
    assert (f.status, f.reviewed_amount, f.due_on) == ("confirmed", Decimal("80.00"), add_working_days(today, 5))
    f = actions.do_accept(f, note="认可", actor=users["hospital"])
    assert f.status == "accepted" and f.due_on == add_working_days(today, 5)
    f = actions.do_settle(f, amount="80.00", note="三方确认", actor=users["supervisor"])
    assert f.status == "settled" and f.final_amount == Decimal("80.00") and f.closed_at is not None
    deduction = Deduction.objects.get(source_type="audit.finding", source_id=str(f.pk))
    assert (deduction.kind, deduction.amount, deduction.hospital.code, deduction.confirmed_on) == (
        "audit",
        Decimal("80.00"),
        "HA0001",
        today,
    )
    assert f.deduction == deduction
    assert list(f.steps.values_list("kind", "amount")) == [
        ("detected", Decimal("100.00")),
        ("confirmed", Decimal("80.00")),
        ("accepted", Decimal("80.00")),
        ("settled", Decimal("80.00")),
        ("fed_back", Decimal("80.00")),
    ]
    message = PlatformFeedback.objects.get(finding=f).message
    assert message["rule_id"] == "R17_CROSS_PERIOD" and message["vola_amt"] == "80.00"
    assert message["judge_result_detail_dtos"] == [
        {
            "jrd_id": f"{f.pk}-1",
            "patn_id": "PA0001",
            "mdtrt_id": f.settlement.mdtrt_id,
            "setl_id": "SA0001",
            "rx_id": "F-OUT",
            "vola_item_type": "1",
        }
    ]
    actions_seen = list(
        Event.objects.filter(object_type="auditing.finding", object_id=str(f.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_seen == [
        "audit.finding_detected",
        "audit.finding_confirmed",
        "audit.finding_accepted",
        "audit.finding_settled",
    ]
    # the hospital's statement of this month (built next month) carries the deduction
    last = month_bounds(today.strftime("%Y-%m"))[1]
    built = do_build_statements("220282", today.strftime("%Y-%m"), actor=users["finance"], on=last + dt.timedelta(days=1))
    statement = next(s for s in built if s.hospital.code == "HA0001")
    assert statement.deductions_total == Decimal("80.00")
    deduction.refresh_from_db()
    assert deduction.statement == statement


def test_an_appeal_needs_documents_and_may_be_upheld(found: dict[str, Any]) -> None:
    users, f = found["users"], found["overlap"]
    f = actions.do_confirm(f, amount="800.00", note="同一时段在两家医院住院", actor=users["reviewer"])
    hospital_c = users["hospital_c"]
    with pytest.raises(InvalidInput, match="证明材料"):
        actions.do_appeal(f, reason="患者转院，非冒名", documents=[], actor=hospital_c)
    with pytest.raises(InvalidInput, match="不支持的文件类型"):
        actions.do_appeal(f, reason="患者转院，非冒名", documents=[("x.exe", [b"MZ"])], actor=hospital_c)
    f.refresh_from_db()
    assert f.status == "confirmed" and not FindingDocument.objects.exists()
    f = actions.do_appeal(
        f, reason="患者转院，非冒名", documents=[("转院证明.pdf", [b"%PDF-1.4 proof"])], actor=hospital_c
    )
    assert f.status == "appealed"
    doc = FindingDocument.objects.get(finding=f)
    assert doc.name == "转院证明.pdf" and doc.size == len(b"%PDF-1.4 proof") and doc.step.kind == "appealed"
    with pytest.raises(InvalidInput, match="0 至 800.00"):
        actions.do_settle(f, amount="900.00", note="超额", actor=users["supervisor"])
    f = actions.do_settle(f, amount="0", note="申诉成立：转院当日", actor=users["supervisor"])
    assert f.status == "overturned" and f.final_amount == Decimal("0.00")
    assert not Deduction.objects.exists() and not PlatformFeedback.objects.exists()


def test_an_appeal_may_reduce_the_amount(found: dict[str, Any]) -> None:
    users = found["users"]
    f = actions.do_confirm(found["overlap"], amount="800.00", note="重叠", actor=users["reviewer"])
    f = actions.do_appeal(f, reason="部分属实", documents=[("说明.png", [b"\x89PNG"])], actor=users["hospital_c"])
    f = actions.do_settle(f, amount="300.00", note="部分认定", actor=users["supervisor"])
    assert f.status == "settled" and f.deduction.amount == Decimal("300.00") and f.deduction.hospital.code == "HA0002"


def test_refusals_change_nothing(found: dict[str, Any]) -> None:
    users, f = found["users"], found["cross"]
    with pytest.raises(InvalidInput, match="排除理由"):
        actions.do_dismiss(f, reason=" ", actor=users["reviewer"])
    with pytest.raises(InvalidInput, match="医疗费总额 1000.00"):
        actions.do_confirm(f, amount="1000.01", note="金额过多", actor=users["reviewer"])
    with pytest.raises(InvalidInput, match="大于 0"):
        actions.do_confirm(f, amount="0", note="认定为零", actor=users["reviewer"])
    with pytest.raises(InvalidInput, match="最多 2 位小数"):
        actions.do_confirm(f, amount="1.005", note="三位小数", actor=users["reviewer"])
    with pytest.raises(Conflict, match="待审核"):
        actions.do_accept(f, note="", actor=users["hospital"])
    f.refresh_from_db()
    assert f.status == "open" and f.steps.count() == 1
    f = actions.do_dismiss(f, reason="系统时间录入错误，已核实", actor=users["reviewer"])
    assert f.status == "dismissed" and f.due_on is None
    with pytest.raises(Conflict, match="已排除"):
        actions.do_confirm(f, amount="10", note="再认定", actor=users["reviewer"])


def test_the_bureau_confirms_an_unanswered_finding_only_after_the_hospital_deadline(found: dict[str, Any]) -> None:
    users = found["users"]
    f = actions.do_confirm(found["cross"], amount="100.00", note="属实", actor=users["reviewer"])
    with pytest.raises(Conflict, match="医院反馈期限"):
        actions.do_settle(f, amount="100.00", note="确认", actor=users["supervisor"])
    Finding.objects.filter(pk=f.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    f.refresh_from_db()
    assert f.is_overdue
    with pytest.raises(InvalidInput, match="应为审核认定的 100.00"):
        actions.do_settle(f, amount="50.00", note="确认", actor=users["supervisor"])
    f = actions.do_settle(f, amount="100.00", note="确认", actor=users["supervisor"])
    step = f.steps.get(kind="settled")
    # the bureau acted within its own 5 working days after the hospital's deadline: not late
    assert not step.late and step.note.startswith("医院逾期未反馈，视为认可")
    assert f.deduction.amount == Decimal("100.00")


def test_a_settled_finding_is_a_credit_event_for_the_hospital_and_the_doctor(found: dict[str, Any]) -> None:
    from dae.credit.models import CreditEvent

    users = found["users"]
    f = actions.do_confirm(found["cross"], amount="100.00", note="属实", actor=users["reviewer"])
    f = actions.do_accept(f, note="", actor=users["hospital"])
    actions.do_settle(f, amount="100.00", note="确认", actor=users["supervisor"])
    assert sorted(CreditEvent.objects.values_list("party_kind", "party_code", "amount")) == [
        ("doctor", "D002", Decimal("100.00")),
        ("hospital", "HA0001", Decimal("100.00")),
    ]


def test_pages_walk_the_steps_as_each_party(found: dict[str, Any], client_for: Any) -> None:
    f = found["cross"]
    reviewer, hospital, supervisor = client_for("reviewer"), client_for("hospital"), client_for("supervisor")
    page = reviewer.get(f"/audit/findings/{f.pk}/").content.decode()
    assert "收费跨期" in page and "F-OUT" in page and 'data-testid="confirm-form"' in page
    assert 'data-testid="confirm-form"' not in hospital.get(f"/audit/findings/{f.pk}/").content.decode()
    reviewer.post(f"/audit/findings/{f.pk}/confirm/", {"amount": "100.00", "note": "属实"})
    page = hospital.get(f"/audit/findings/{f.pk}/").content.decode()
    assert 'data-testid="accept-form"' in page and 'data-testid="appeal-form"' in page
    hospital.post(
        f"/audit/findings/{f.pk}/appeal/", {"reason": "有误", "documents": [SimpleUploadedFile("证明.pdf", b"%PDF-1")]}
    )
    f.refresh_from_db()
    assert f.status == "appealed"
    doc = f.documents.get()
    download = hospital.get(f"/audit/findings/{f.pk}/documents/{doc.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1"
    supervisor.post(f"/audit/findings/{f.pk}/settle/", {"amount": "60.00", "note": "部分认定"})
    f.refresh_from_db()
    assert f.status == "settled" and f.deduction.amount == Decimal("60.00")
    assert FindingStep.objects.filter(finding=f, kind="appealed").exists()


def test_a_hospital_sees_only_its_own_findings(found: dict[str, Any], client_for: Any) -> None:
    hospital = client_for("hospital")  # HA0001
    listing = hospital.get("/api/v1/audit/findings").json()
    assert {row["hospital"] for row in listing["results"]} == {"HA0001"}
    assert hospital.get(f"/audit/findings/{found['overlap'].pk}/").status_code == 404
    assert hospital.get(f"/api/v1/audit/findings/{found['overlap'].pk}").status_code == 404
    other = client_for("clerk_b")  # region B staff
    assert other.get("/api/v1/audit/findings").status_code == 403  # not an audit post at all
    response = hospital.post(
        f"/api/v1/audit/findings/{found['overlap'].pk}/accept", {"note": ""}, content_type="application/json"
    )
    assert response.status_code == 404
    Finding.objects.filter(pk=found["overlap"].pk, status="open").get()


def test_api_steps_and_errors(found: dict[str, Any], client_for: Any) -> None:
    reviewer = client_for("reviewer")
    pk = found["cross"].pk
    bad = reviewer.post(
        f"/api/v1/audit/findings/{pk}/confirm", {"amount": 12.5, "note": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "浮点" in str(bad.json())
    ok = reviewer.post(
        f"/api/v1/audit/findings/{pk}/confirm", {"amount": "12.50", "note": "属实"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed" and ok.json()["reviewed_amount"] == "12.50"
    again = reviewer.post(
        f"/api/v1/audit/findings/{pk}/confirm", {"amount": "12.50", "note": "属实"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "bad_finding_state"
    assert (
        client_for("hospital")
        .post(f"/api/v1/audit/findings/{pk}/settle", {"amount": "1", "note": "x"}, content_type="application/json")
        .status_code
        == 403
    )


def test_the_bureau_is_late_only_after_its_own_deadline(found: dict[str, Any]) -> None:
    users = found["users"]
    f = actions.do_confirm(found["cross"], amount="80", note="属实", actor=users["reviewer"])
    assert f.reviewed_amount == Decimal("80.00")
    Finding.objects.filter(pk=f.pk).update(due_on=timezone.localdate() - dt.timedelta(days=30))
    f = actions.do_settle(f, amount="80", note="确认", actor=users["supervisor"])
    assert f.steps.get(kind="settled").late
    assert PlatformFeedback.objects.get(finding=f).message["vola_amt"] == "80.00"


def test_a_cancelled_settlement_is_not_deducted_again(found: dict[str, Any]) -> None:
    f = found["cross"]
    f.settlement.__class__.objects.filter(pk=f.settlement_id).update(state="cancelled")
    with pytest.raises(Conflict, match="已撤销"):
        actions.do_confirm(f, amount="10.00", note="属实", actor=found["users"]["reviewer"])
    f.refresh_from_db()
    assert f.status == "open"


def test_a_hospital_sees_that_another_stay_exists_not_which(found: dict[str, Any], client_for: Any) -> None:
    from django.test import Client

    from dae.accounts.models import User

    overlap = found["overlap"]  # on HA0002's ST0002; SA0001 of HA0001 is 涉及项
    client = Client()
    client.force_login(User.objects.get(username="hospital_c"))
    page = client.get(f"/audit/findings/{overlap.pk}/").content.decode()
    assert "他院就诊（信息已隐去）" in page and "SA0001" not in page
    lines = client.get(f"/api/v1/audit/findings/{overlap.pk}").json()["lines"]
    assert sorted((x["setl_id"], x["role"]) for x in lines) == [("", "involved"), ("ST0002", "violation")]
    staff = client_for("reviewer").get(f"/api/v1/audit/findings/{overlap.pk}").json()["lines"]
    assert sorted(x["setl_id"] for x in staff) == ["SA0001", "ST0002"]
