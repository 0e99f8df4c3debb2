"""A bedside visit at phone width (390 px): the resident representative opens today's work list, records a visit
with a photo (the patient is not in bed), and the manager sees the resulting 挂床 finding with the visit as its
evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dae.auditing.models import Finding
from dae.monitoring import actions
from dae.monitoring.models import Visit

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PHONE = {"width": 390, "height": 844}


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_representative_records_a_bedside_visit_on_a_phone(
    world: dict[str, Any], live_server: Any, browser: Any, shot: Any
) -> None:
    today = timezone.localdate()
    hospital, users = world["hospitals"][0], world["users"]
    actions.do_create_assignment(kind="resident", user=users["inspector"], region_id=hospital.region_id,
                                 hospitals=[hospital], start_date=today - dt.timedelta(days=30),
                                 end_date=today + dt.timedelta(days=200), actor=users["manager"])
    admission = actions.do_report_admission(
        hospital=hospital, mdtrt_id="MDB001", psn_no="PA0001", dept_name="心血管内科", bed_no="12",
        adm_date=today - dt.timedelta(days=4), dise_codg="I20.0", dise_name="不稳定型心绞痛", actor=users["hospital"])
    base = live_server.url

    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True)
    rep = context.new_page()
    rep.set_default_timeout(20_000)
    login(rep, base, "inspector")
    rep.goto(f"{base}/monitoring/")
    rep.wait_for_selector("[data-testid=worklist]")
    assert "张三" in rep.inner_text("[data-testid=worklist]")
    assert _fits(rep), "the work list scrolls sideways at 390 px"
    shot.page = rep
    shot("monitoring-worklist-390")
    rep.click("[data-testid=work-item]")
    rep.wait_for_selector("[data-testid=visit-form]")
    assert _fits(rep), "the visit form scrolls sideways at 390 px"
    rep.click("[data-testid=presence-absent]")
    rep.fill("#f-notes", "病房无人，护士称患者回家")
    rep.set_input_files("[data-testid=photos]", files=[{"name": "bed.png", "mimeType": "image/png", "buffer": PNG}])
    shot("monitoring-visit-390")
    rep.click("[data-testid=visit-save]")
    rep.wait_for_selector("text=已生成疑点，转入疑点处理流程")
    context.close()

    visit = Visit.objects.get(admission=admission)
    assert (visit.presence, visit.photos.count()) == ("absent", 1)
    finding = Finding.objects.get(pk=visit.finding_id)
    assert finding.rule_id == "R14_IDLE_BED"

    manager_context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
    manager = manager_context.new_page()
    manager.set_default_timeout(20_000)
    login(manager, base, "manager")
    manager.goto(f"{base}/audit/findings/")
    manager.click(f"#list-table a:text-is('{finding.pk}')")
    manager.wait_for_selector("[data-testid=visit-evidence]")
    assert manager.inner_text("[data-testid=finding-status]") == "待审核"
    assert "不在床" in manager.inner_text("[data-testid=finding-detail]")
    assert "住院中" in manager.inner_text("[data-testid=not-settled]")
    manager.click("[data-testid=visit-evidence] a")
    manager.wait_for_selector("[data-testid=photos] img")
    assert manager.inner_text("[data-testid=presence]") == "不在床"
    shot.page = manager
    shot("monitoring-finding-evidence")
    manager_context.close()
