"""The service desk's pages answer for the posts the matrix names, and the forms call the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dae.core.models import AccessRecord
from dae.service import actions
from dae.service.models import Case, Consultation

from .conftest import login

A = "220282"


def test_desk_pages(users: dict[str, Any], world: dict[str, Any]) -> None:
    desk = login(users["service"])
    for url in ("/service/cases/", "/service/cases/new/", "/service/consultations/", "/service/consultations/new/",
                "/service/knowledge/", "/service/knowledge/new/", "/service/surveys/", "/service/surveys/new/",
                "/service/templates/", "/service/campaigns/"):
        assert desk.get(url).status_code == 200, url
    assert login(world["users"]["insured"]).get("/service/cases/").status_code == 403
    assert login(world["users"]["hospital"]).get("/service/consultations/").status_code == 403


def test_case_form_and_flow_through_pages(users: dict[str, Any], world: dict[str, Any]) -> None:
    desk = login(users["service"])
    response = desk.post("/service/cases/new/", {
        "kind": "complaint", "region": A, "category": "delay", "channel": "window", "subject": "报销太慢",
        "psn_no": "PA0001", "contact_name": "张三", "contact_phone": "13812345678", "received_on": "2026-11-02"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.due_on == dt.date(2026, 11, 16)
    desk.post(f"/service/cases/{case.pk}/assign/", {"assignee": users["settlement"].pk, "note": "请核实"})
    clerk = login(users["settlement"])
    clerk.post(f"/service/cases/{case.pk}/reply/", {"reply": "已办结", "replied_on": "2026-11-10"})
    insured = login(world["users"]["insured"])
    assert "已办结" in insured.get("/service/mine/").content.decode()
    insured.post(f"/service/cases/{case.pk}/rate/", {"rating": "5", "note": "满意"})
    desk.post(f"/service/cases/{case.pk}/archive/")
    case.refresh_from_db()
    assert (case.status, case.rating) == ("archived", 5)
    page = desk.get(f"/service/cases/{case.pk}/").content.decode()
    assert "已归档" in page and "结算岗" in page  # the post by its name, not its code


def test_insured_asks_online_and_reads_the_answer(users: dict[str, Any], world: dict[str, Any]) -> None:
    insured = login(world["users"]["insured"])
    insured.post("/service/mine/", {"question": "大额补助的起付线是多少？", "category": "policy"})
    c = Consultation.objects.get()
    desk = login(users["service"])
    desk.post(f"/service/consultations/{c.pk}/answer/", {"answer": "本年度起付线为 60,000 元"})
    assert "本年度起付线为 60,000 元" in insured.get("/service/mine/").content.decode()
    assert AccessRecord.objects.filter(object_type="service.consultation", actor=users["service"]).exists() is False
    desk.get(f"/service/consultations/{c.pk}/")
    assert AccessRecord.objects.filter(object_type="service.consultation", actor=users["service"]).count() == 1


def test_survey_analysis_page_and_exports(users: dict[str, Any], world: dict[str, Any]) -> None:
    survey = actions.do_create_survey(users["service"], region_code=A, title="年度调查", period_from="2026-01-01",
                                      period_to="2026-12-31", sample_size=5, seed="x")
    respondent = survey.respondents.get()
    desk = login(users["service"])
    desk.post(f"/service/respondents/{respondent.pk}/", {"service.s1": "5", "service.s2": "3", "service.s8": "好"})
    manager = login(users["manager"])
    page = manager.get(f"/service/surveys/{survey.pk}/analysis/").content.decode()
    assert 'data-testid="satisfaction-rate"' in page and "50.00%" in page and "好" in page
    xlsx = manager.get(f"/service/surveys/{survey.pk}/analysis.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = manager.get(f"/service/surveys/{survey.pk}/analysis.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert manager.get(f"/service/surveys/{survey.pk}/analysis.csv").status_code == 404
