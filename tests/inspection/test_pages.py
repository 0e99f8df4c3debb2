"""The inspection pages: every route walked as every post with real objects (allowed or 403 exactly as the
matrix says), the flows through the forms, the navigation and the dashboard counters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dae.accounts.permissions import load_matrix
from dae.accounts.posts import Post
from dae.inspection.actions import documents, inspections, investigations, samples
from dae.inspection.models import Document, Finding, Inspection, Investigation, Sample, SampleItem, SamplingSettings
from dae.payments.models import Deduction
from dae.web.dashboard import work_for
from tests.accounts.test_permission_matrix import all_routes
from tests.factories import REGION_A

from .conftest import login

pytestmark = pytest.mark.django_db
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def things(world: Any, users: Any, march: Any) -> dict[str, Any]:
    sample = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-03", seed=5, on=dt.date(2025, 4, 7))
    inspection = inspections.do_create_inspection(
        users["inspector"],
        hospital=world["hospitals"][0],
        inspected_on=dt.date(2025, 5, 12),
        kind="routine",
        inspectors=[users["inspector"], users["inspector2"]],
        findings=[{"description": "超标准收取床位费", "basis": "价格规范", "amount": "1200.00"}],
    )
    document = documents.do_attach_document(users["inspector"], chunks=[PNG], name="现场.png", inspection=inspection)
    inspections.do_submit_inspection(users["inspector"], inspection)
    inspections.do_confirm_inspection(users["manager"], inspection, on=dt.date(2025, 5, 20))
    investigation = investigations.do_create_investigation(
        users["settlement"],
        region=REGION_A,
        setl_id="SA0001",
        subject="核实住院真实性",
        created_on=dt.date(2025, 9, 30),
    )
    return {
        "sample": sample,
        "item": sample.items.order_by("seq").first(),
        "inspection": inspection,
        "finding": inspection.findings.get(),
        "document": document,
        "investigation": investigation,
    }


def _pk(name: str, things: dict[str, Any]) -> int:
    short = name.split(":")[1]
    for prefix, key in (
        ("sample_", "sample"),
        ("item_", "item"),
        ("inspection-sample-item", "item"),
        ("inspection-sample", "sample"),
        ("document", "document"),
        ("finding_", "finding"),
        ("inspection_", "inspection"),
        ("inspection-inspection", "inspection"),
        ("investigation_", "investigation"),
        ("inspection-investigation", "investigation"),
    ):
        if short.startswith(prefix):
            return int(things[key].pk)
    raise AssertionError(name)


@pytest.mark.route_walk  # the SQLite run carries the route walks
def test_every_inspection_route_as_every_post(world: Any, users: Any, things: dict[str, Any]) -> None:
    matrix = load_matrix()
    routes = [
        (name, params)
        for name, params in all_routes()
        if name.startswith("inspection:") or name.startswith("api:inspection-")
    ]
    assert len(routes) == 44
    failures = []
    for name, params in routes:
        url = reverse(name, kwargs={"pk": _pk(name, things)} if params else {})
        for post in Post:
            client = login(world["users"][post.value])
            for method in ("GET", "POST"):
                response = client.get(url) if method == "GET" else client.post(url, {})
                allowed = matrix[name].allows(post.value, method)
                if allowed == (response.status_code == 403) or response.status_code >= 500:
                    failures.append(f"{method} {url} ({name}) as {post.value}: {response.status_code}")
    assert failures == []
    # the empty posts changed nothing that matters: the confirmed inspection kept its one deduction
    assert Deduction.objects.count() == 1 and Inspection.objects.get().status == "confirmed"
    assert SampleItem.objects.filter(status="reviewed").count() == 0 and Sample.objects.count() == 1


def test_drawing_and_reviewing_through_the_pages(world: Any, users: Any, march: Any) -> None:
    reviewer = login(users["reviewer"])
    listing = reviewer.get("/inspection/samples/").content.decode()
    assert 'data-testid="draw-form"' in listing and "不低于住院结算总数的 5.00%" in listing
    response = reviewer.post(
        "/inspection/samples/draw/",
        {
            "region": REGION_A,
            "month": "2025-03",
            "seed": "77",
            "inpatient_ratio": "5",
            "cross_province_ratio": "20",
            "deadline_days": "20",
        },
    )
    sample = Sample.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/inspection/samples/{sample.pk}/"
    detail = reviewer.get(response["Location"]).content.decode()
    assert "0 / 3" in detail and sample.number in detail and 'data-testid="complete-form"' in detail
    assert "结果一致" in reviewer.get(f"/inspection/samples/{sample.pk}/?replay=1").content.decode()
    again = reviewer.post(
        "/inspection/samples/draw/",
        {
            "region": REGION_A,
            "month": "2025-03",
            "seed": "",
            "inpatient_ratio": "5",
            "cross_province_ratio": "20",
            "deadline_days": "20",
        },
        follow=True,
    )
    assert "已抽样" in again.content.decode() and Sample.objects.count() == 1
    item = sample.items.order_by("seq").first()
    assert item is not None
    page = reviewer.get(f"/inspection/items/{item.pk}/").content.decode()
    assert 'data-testid="review-form"' in page and "系统明细与病历" in page and item.settlement.setl_id in page
    bad = reviewer.post(
        f"/inspection/items/{item.pk}/", {"system_vs_record": "inconsistent", "not_payable": "0"}, follow=True
    ).content.decode()
    assert "复审记录有误：“系统明细与病历”不一致时须填写说明" in bad
    assert SampleItem.objects.get(pk=item.pk).status == "pending"
    good = reviewer.post(
        f"/inspection/items/{item.pk}/",
        {
            "system_vs_record": "consistent",
            "record_vs_bill": "inconsistent",
            "record_vs_bill_note": "清单多一天床位费",
            "system_vs_bill": "consistent",
            "not_payable": "45.00",
            "conclusion": "non_compliant",
            "opinion": "不予支付多收床位费",
        },
    )
    assert good.status_code == 302
    stored = SampleItem.objects.get(pk=item.pk)
    assert (stored.status, stored.record_vs_bill, stored.not_payable) == ("reviewed", "inconsistent", D("45.00"))
    upload = reviewer.post(
        f"/inspection/items/{item.pk}/documents/",
        {"file": SimpleUploadedFile("首页.png", PNG, "image/png"), "note": "病案首页"},
    )
    assert upload.status_code == 302 and Document.objects.get().sample_item == stored
    detail = reviewer.get(f"/inspection/samples/{sample.pk}/").content.decode()
    assert "1 / 3" in detail and "45.00" in detail
    assert (
        'data-testid="review-form"'
        not in login(users["hospital"]).get(f"/inspection/items/{item.pk}/").content.decode()
    )


def test_settings_page_keeps_the_history(world: Any, users: Any) -> None:
    manager = login(users["manager"])
    response = manager.post(
        "/inspection/samples/settings/",
        {"inpatient_ratio": "6", "cross_province_ratio": "25", "deadline_days": "15", "reason": "医保局通知"},
    )
    assert response.status_code == 302
    html = manager.get("/inspection/samples/settings/").content.decode()
    assert "v1" in html and "医保局通知" in html and 'data-testid="settings-form"' in html
    bad = manager.post(
        "/inspection/samples/settings/",
        {"inpatient_ratio": "0", "cross_province_ratio": "25", "deadline_days": "15", "reason": "错误"},
    ).content.decode()
    assert "住院结算抽样比例须大于 0 且不超过 100" in bad and SamplingSettings.objects.count() == 1
    assert (
        'data-testid="settings-form"'
        not in login(users["reviewer"]).get("/inspection/samples/settings/").content.decode()
    )
    # the history is the list component: filtered, exported and read back
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back

    manager.post("/inspection/samples/settings/",
                 {"inpatient_ratio": "8", "cross_province_ratio": "30", "deadline_days": "20", "reason": "年中调整"})
    body = assert_read_back(manager, "/inspection/samples/settings/?q=年中", 1)
    assert body[0][0] == "v2" and (Decimal(body[0][1]), Decimal(body[0][2])) == (Decimal("8"), Decimal("30"))
    assert body[0][3:5] == ("20", "年中调整")
    assert_read_back(login(users["reviewer"]), "/inspection/samples/settings/?changed_from=2000-01-01", 2)
    assert AccessRecord.objects.filter(why="export", object_type="list:inspection:sample_settings").count() == 4


def test_an_inspection_through_the_pages(world: Any, users: Any) -> None:
    inspector = login(users["inspector"])
    form = inspector.get("/inspection/inspections/new/").content.decode()
    assert "桦甸市人民医院" in form and "蛟河市人民医院" not in form and "inspector2" in form
    response = inspector.post(
        "/inspection/inspections/new/",
        {
            "hospital": world["hospitals"][0].pk,
            "inspected_on": "2025-05-12",
            "kind": "special",
            "inspectors": [users["inspector"].pk],
            "summary": "专项检查",
        },
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == f"/inspection/inspections/{inspection.pk}/"
    html = inspector.get(response["Location"]).content.decode()
    assert 'data-testid="few-inspectors"' in html and 'data-testid="finding-form"' in html
    inspector.post(
        f"/inspection/inspections/{inspection.pk}/findings/",
        {"description": "重复收取输液费", "basis": "价格规范", "amount": "86.50"},
    )
    finding = Finding.objects.get()
    inspector.post(
        f"/inspection/inspections/{inspection.pk}/documents/",
        {"file": SimpleUploadedFile("输液.png", PNG, "image/png"), "finding": str(finding.pk), "note": ""},
    )
    assert Document.objects.get().finding == finding
    refused = inspector.post(
        f"/inspection/inspections/{inspection.pk}/documents/",
        {"file": SimpleUploadedFile("x.png", b"GIF89a....", "image/png")},
        follow=True,
    )
    assert "只能上传 JPG、PNG 图片或 PDF 文件" in refused.content.decode()
    inspector.post(
        f"/inspection/inspections/{inspection.pk}/",
        {
            "inspected_on": "2025-05-13",
            "kind": "special",
            "inspectors": [users["inspector"].pk, users["inspector2"].pk],
            "summary": "专项检查：输液",
        },
    )
    assert (
        Inspection.objects.get().inspected_on == dt.date(2025, 5, 13)
        and Inspection.objects.get().inspectors.count() == 2
    )
    inspector.post(f"/inspection/inspections/{inspection.pk}/submit/")
    manager = login(users["manager"])
    page = manager.get(f"/inspection/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="confirm-form"' in page and 'data-testid="finding-form"' not in page
    done = manager.post(f"/inspection/inspections/{inspection.pk}/confirm/", {"on": "2025-05-20"}, follow=True)
    assert "巡查已确认" in done.content.decode()
    assert Inspection.objects.get().status == "confirmed"
    assert list(Deduction.objects.values_list("amount", "kind")) == [(D("86.50"), "inspection")]
    assert 'data-testid="finding-deduction"' in done.content.decode()


def test_an_investigation_through_the_pages(world: Any, users: Any) -> None:
    clerk = login(users["settlement"])
    response = clerk.post(
        "/inspection/investigations/new/",
        {
            "region": REGION_A,
            "setl_id": "SA0001",
            "subject": "核实住院真实性",
            "created_on": "2025-09-30",
            "assignee": "",
            "assigned_region": "",
        },
    )
    inv = Investigation.objects.get()
    assert response["Location"] == f"/inspection/investigations/{inv.pk}/" and inv.due_on == dt.date(2025, 10, 14)
    bad = clerk.post(
        "/inspection/investigations/new/", {"region": REGION_A, "subject": "核实", "created_on": "2025-09-30"}
    )
    assert "请填写协查对象：结算ID或人员编号" in bad.content.decode()
    inspector = login(users["inspector"])
    html = inspector.get(f"/inspection/investigations/{inv.pk}/").content.decode()
    assert "2025-10-14" in html and 'data-testid="result-form"' in html and 'data-testid="result-overdue"' in html
    inspector.post(f"/inspection/investigations/{inv.pk}/assign/", {"assignee": users["inspector"].pk})
    assert Investigation.objects.get().assignee == users["inspector"]
    inspector.post(
        f"/inspection/investigations/{inv.pk}/result/",
        {"outcome": "confirmed", "amount": "500.00", "result_on": "2025-10-14", "result_text": "冒名住院属实"},
    )
    assert Investigation.objects.get().feedback_due == dt.date(2025, 10, 17)
    inspector.post(
        f"/inspection/investigations/{inv.pk}/feedback/", {"feedback_on": "2025-10-16", "feedback_text": "已函告委托方"}
    )
    done = Investigation.objects.get()
    assert (done.status, done.feedback_on) == ("closed", dt.date(2025, 10, 16)) and not done.is_overdue()
    assert "已反馈" in clerk.get("/inspection/investigations/").content.decode()


def test_navigation_and_dashboard(world: Any, users: Any, things: dict[str, Any]) -> None:
    html = login(users["inspector"]).get("/").content.decode()
    for label in ("稽核", "抽样复审", "现场巡查", "异地协查", "协查统计"):
        assert label in html
    hospital_home = login(users["hospital"]).get("/").content.decode()
    assert "/inspection/inspections/" in hospital_home and "/inspection/samples/" not in hospital_home
    counts = {str(w["label"]): w["count"] for w in work_for(users["inspector"])}
    assert counts["待复审病历"] == 3 and counts["待出结果的异地协查"] == 1 and counts["逾期的异地协查"] == 1
    assert {str(w["label"]): w["count"] for w in work_for(users["reviewer"])}["待复审病历"] == 3
    assert {str(w["label"]): w["count"] for w in work_for(users["hospital"])}["现场巡查记录"] == 1
    manager = {str(w["label"]): w for w in work_for(users["manager"])}
    assert manager["待确认现场巡查"]["count"] == 0 and manager["待确认现场巡查"]["href"].endswith("status=submitted")
    assert {str(w["label"]): w["count"] for w in work_for(users["clerk_b"])}.get("待复审病历") is None
    thumbnail = re.search(
        r'<img src="(/inspection/documents/\d+/)"',
        login(users["hospital"]).get(f"/inspection/inspections/{things['inspection'].pk}/").content.decode(),
    )
    assert thumbnail is not None and thumbnail.group(1) == f"/inspection/documents/{things['document'].pk}/"
