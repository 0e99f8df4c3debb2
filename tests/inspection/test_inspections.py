"""On-site inspections: the draft with its inspectors and findings, submit / return / confirm, exactly one deduction
per finding with an amount (idempotent), the deduction on the hospital's next statement, the refusals, and what a
hospital and another region see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import AccessRecord, Event
from dae.inspection.actions import documents, inspections
from dae.inspection.models import Finding, Inspection
from dae.ledger.models import Transaction
from dae.payments.actions import do_build_statements
from dae.payments.models import Deduction
from tests.factories import REGION_A, HospitalFactory

from .conftest import login

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2025, 5, 12)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16

FINDINGS = [
    {"description": "超标准收取床位费", "basis": "《吉林省医疗服务价格项目规范》床位费标准", "amount": "1200.00"},
    {"description": "病历首次病程记录不及时", "basis": "《病历书写基本规范》第二十二条", "amount": "0"},
    {"description": "串换药品", "basis": "服务协议第十二条", "amount": "3560.50"},
]


def new_inspection(world: Any, users: Any, **overrides: Any) -> Inspection:
    fields: dict[str, Any] = {
        "hospital": world["hospitals"][0],
        "inspected_on": DAY,
        "kind": "routine",
        "inspectors": [users["inspector"], users["inspector2"]],
        "summary": "查阅住院病历 30 份",
        "findings": FINDINGS,
    }
    fields.update(overrides)
    return inspections.do_create_inspection(users["inspector"], **fields)


def test_confirmation_makes_one_deduction_per_finding_with_an_amount(world: Any, users: Any) -> None:
    inspection = new_inspection(world, users)
    assert inspection.status == "draft" and inspection.region_id == REGION_A
    assert sorted(inspection.inspectors.values_list("username", flat=True)) == ["inspector", "inspector2"]
    assert list(inspection.findings.values_list("seq", "amount")) == [
        (1, D("1200.00")),
        (2, D("0.00")),
        (3, D("3560.50")),
    ]
    inspections.do_submit_inspection(users["inspector"], inspection)
    before = Transaction.objects.count()
    done = inspections.do_confirm_inspection(users["manager"], inspection, on=dt.date(2025, 5, 20))
    assert (done.status, done.confirmed_by, done.confirmed_on) == ("confirmed", users["manager"], dt.date(2025, 5, 20))
    deductions = list(Deduction.objects.order_by("amount"))
    assert [(d.kind, d.amount, d.source_type, d.hospital, d.confirmed_on, d.status) for d in deductions] == [
        ("inspection", D("1200.00"), "inspection.finding", world["hospitals"][0], dt.date(2025, 5, 20), "open"),
        ("inspection", D("3560.50"), "inspection.finding", world["hospitals"][0], dt.date(2025, 5, 20), "open"),
    ]
    findings = {f.seq: f for f in Finding.objects.all()}
    assert findings[1].deduction == deductions[0] and findings[3].deduction == deductions[1]
    assert findings[2].deduction is None
    assert [d.source_id for d in deductions] == [str(findings[1].pk), str(findings[3].pk)]
    assert deductions[0].reason == f"现场巡查 {done.number}（2025-05-12）问题 1：超标准收取床位费"
    assert Transaction.objects.count() == before + 2
    event = Event.objects.get(action="inspection.confirmed")
    assert [d["amount"] for d in event.after["deductions"]] == ["1200.00", "3560.50"]

    again = inspections.do_confirm_inspection(users["manager"], inspection, on=dt.date(2025, 5, 21))
    assert again.confirmed_on == dt.date(2025, 5, 20)
    assert Deduction.objects.count() == 2 and Transaction.objects.count() == before + 2
    assert Event.objects.filter(action="inspection.confirmed").count() == 1


def test_the_deductions_land_on_the_hospitals_next_statement(world: Any, users: Any) -> None:
    inspection = new_inspection(world, users)
    inspections.do_submit_inspection(users["inspector"], inspection)
    inspections.do_confirm_inspection(users["manager"], inspection, on=dt.date(2025, 5, 20))
    statements = do_build_statements(REGION_A, "2025-05", actor=users["finance"], on=dt.date(2025, 6, 3))
    assert len(statements) == 1
    statement = statements[0]
    assert statement.hospital == world["hospitals"][0] and statement.deductions_total == D("4760.50")
    assert set(Deduction.objects.values_list("statement", flat=True)) == {statement.pk}


def test_a_manager_who_inspected_does_not_confirm(world: Any, users: Any) -> None:
    inspection = new_inspection(world, users, inspectors=[users["inspector"], users["manager"]])
    inspections.do_submit_inspection(users["inspector"], inspection)
    with pytest.raises(Conflict) as conflict:
        inspections.do_confirm_inspection(users["manager"], inspection, on=DAY)
    assert conflict.value.message == "巡查人员不能确认本人参与的巡查"
    inspections.do_confirm_inspection(users["manager2"], inspection, on=DAY)
    assert Deduction.objects.count() == 2


def test_the_workflow_refusals(world: Any, users: Any) -> None:
    inspection = new_inspection(world, users, findings=[])
    with pytest.raises(Conflict) as conflict:
        inspections.do_confirm_inspection(users["manager"], inspection, on=DAY)
    assert conflict.value.message == "巡查须先提交，才能确认"
    finding = inspections.do_add_finding(
        users["inspector2"], inspection, description="重复收取输液费", basis="价格规范", amount="86.00"
    )
    assert finding.seq == 1
    inspections.do_submit_inspection(users["inspector"], inspection)
    with pytest.raises(Conflict) as conflict:
        inspections.do_add_finding(users["inspector"], inspection, description="x 问题", basis="依据", amount="1")
    assert conflict.value.code == "not_draft" and "只有草稿可以修改" in conflict.value.message
    with pytest.raises(Conflict):
        documents.do_attach_document(users["inspector"], chunks=[PNG], name="a.png", inspection=inspection)
    with pytest.raises(InvalidInput) as error:
        inspections.do_return_inspection(users["manager"], inspection, reason="")
    assert error.value.message == "请填写退回原因"
    returned = inspections.do_return_inspection(users["manager"], inspection, reason="请补充现场照片")
    assert (returned.status, returned.return_reason) == ("draft", "请补充现场照片")
    photo = documents.do_attach_document(
        users["inspector"], chunks=[PNG], name="床位.png", inspection=inspection, finding=finding
    )
    assert (photo.inspection, photo.finding, photo.hospital) == (inspection, finding, world["hospitals"][0])
    with pytest.raises(Conflict) as conflict:
        inspections.do_remove_finding(users["inspector"], finding)
    assert conflict.value.message == "该问题已有附件，不能删除"
    extra = inspections.do_add_finding(
        users["inspector"], inspection, description="多收诊查费", basis="价格规范", amount="12.00"
    )
    inspections.do_remove_finding(users["inspector"], extra)
    assert list(inspection.findings.values_list("seq", flat=True)) == [1]
    inspections.do_submit_inspection(users["inspector"], inspection)
    assert Inspection.objects.get(pk=inspection.pk).return_reason == ""
    inspections.do_confirm_inspection(users["manager"], inspection, on=DAY)
    assert list(Deduction.objects.values_list("amount", flat=True)) == [D("86.00")]
    with pytest.raises(Conflict):
        inspections.do_return_inspection(users["manager"], inspection, reason="再退回")
    assert [e.action for e in Event.objects.filter(action__startswith="inspection.").order_by("id")] == [
        "inspection.created",
        "inspection.finding_added",
        "inspection.submitted",
        "inspection.returned",
        "inspection.document_attached",
        "inspection.finding_added",
        "inspection.finding_removed",
        "inspection.submitted",
        "inspection.confirmed",
    ]


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"inspectors": []}, "no_inspectors", "请至少选择一名巡查人员（通常为两人）"),
        ({"inspectors": ["inspector_b"]}, "invalid_inspectors", "巡查人员须为本统筹区在岗的稽核、审核或管理人员"),
        ({"inspectors": ["finance"]}, "invalid_inspectors", "巡查人员须为本统筹区在岗的稽核、审核或管理人员"),
        ({"kind": "weekly"}, "invalid_kind", "请选择巡查类型（日常巡查、专项检查或驻点核查）"),
        ({"inspected_on": dt.date(2999, 1, 1)}, "future_date", "巡查日期不能晚于今天"),
        ({"inspected_on": "2025/05/12"}, "invalid_date", "巡查日期格式应为 YYYY-MM-DD"),
        (
            {"findings": [{"description": "多收费", "basis": "价格规范", "amount": "-5"}]},
            "invalid_amount",
            "扣款金额须为不小于 0 的金额，精确到分",
        ),
        ({"findings": [{"description": "", "basis": "价格规范", "amount": "5"}]}, "required", "请填写问题描述"),
        ({"hospital": "other-region"}, "invalid_region", "统筹区 220281 不在本人负责的统筹区内"),
    ],
)
def test_bad_input_writes_nothing(world: Any, users: Any, change: dict[str, Any], code: str, message: str) -> None:
    if "inspectors" in change:
        change["inspectors"] = [users[name] for name in change["inspectors"]]
    if change.get("hospital") == "other-region":
        change["hospital"] = world["hospitals"][1]
    with pytest.raises(InvalidInput) as error:
        new_inspection(world, users, **change)
    assert (error.value.code, error.value.message) == (code, message)
    assert Inspection.objects.count() == 0 and Finding.objects.count() == 0
    assert not Event.objects.filter(action__startswith="inspection.").exists()


def test_the_hospital_sees_only_its_own_confirmed_inspections(world: Any, users: Any) -> None:
    own = new_inspection(world, users)
    photo = documents.do_attach_document(users["inspector"], chunks=[PNG], name="现场.png", inspection=own)
    inspections.do_submit_inspection(users["inspector"], own)
    inspections.do_confirm_inspection(users["manager"], own, on=DAY)
    pending = new_inspection(world, users, findings=[])
    pending_photo = documents.do_attach_document(users["inspector"], chunks=[PNG], name="草稿.png", inspection=pending)
    other = new_inspection(world, users, hospital=HospitalFactory(name="另一家医院"))
    inspections.do_submit_inspection(users["inspector"], other)
    inspections.do_confirm_inspection(users["manager"], other, on=DAY)
    hospital = login(users["hospital"])
    page = hospital.get("/inspection/inspections/").content.decode()
    assert own.number in page and pending.number not in page and other.number not in page
    detail = hospital.get(f"/inspection/inspections/{own.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200 and "超标准收取床位费" in html and 'data-testid="confirm-form"' not in html
    assert 'data-testid="finding-form"' not in html
    assert hospital.get(f"/inspection/inspections/{pending.pk}/").status_code == 404
    assert hospital.get(f"/inspection/inspections/{other.pk}/").status_code == 404
    assert AccessRecord.objects.filter(why="denied", object_id=str(other.pk)).exists()
    file = hospital.get(f"/inspection/documents/{photo.pk}/")
    assert file.status_code == 200 and file["Content-Type"] == "image/png" and b"".join(file.streaming_content) == PNG
    assert hospital.get(f"/inspection/documents/{pending_photo.pk}/").status_code == 404
    api = hospital.get("/api/v1/inspection/inspections").json()
    assert [row["number"] for row in api] == [own.number]
    assert [f["deduction"] is not None for f in api[0]["findings"]] == [True, False, True]
    assert hospital.get(f"/api/v1/inspection/inspections/{pending.pk}").status_code == 404


def test_another_region_sees_nothing(world: Any, users: Any) -> None:
    inspection = new_inspection(world, users)
    other = login(users["clerk_b"])
    assert inspection.number not in other.get("/inspection/inspections/").content.decode()
    assert other.get(f"/inspection/inspections/{inspection.pk}/").status_code == 404
    assert other.get(f"/api/v1/inspection/inspections/{inspection.pk}").status_code == 404
    assert other.get("/api/v1/inspection/inspections").json() == []
