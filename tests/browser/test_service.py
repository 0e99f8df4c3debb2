"""参保人服务 in the browser: an insured person asks online and reads the answer; a complaint goes from intake through
assignment to the reply and the complainant's rating; the manager reads a survey's analysis."""

from __future__ import annotations

from typing import Any

import pytest

from dae.service import actions
from dae.service.models import Case

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def logout(page: Any) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_selector("input[name=username]")


def test_insured_asks_online_and_reads_the_answer(world: dict[str, Any], live_server: Any, page: Any,
                                                  shot: Any) -> None:
    base = live_server.url
    login(page, base, "insured")
    page.goto(f"{base}/service/mine/")
    page.fill("[data-testid=ask-text]", "异地住院回来怎么报销？")
    page.click("[data-testid=ask-submit]")
    page.wait_for_selector("[data-testid=my-consultation]:has-text('异地住院回来怎么报销？')")
    logout(page)

    login(page, base, "service")
    page.goto(f"{base}/service/consultations/?owner=none")
    page.click("a:has-text('ZX220282-')")
    page.fill("[data-testid=answer-text]", "请带发票和出院记录到窗口办理手工报销，20 个工作日内办结。")
    page.click("[data-testid=answer-submit]")
    page.wait_for_selector("[data-testid=consultation-status]:has-text('已答复')")
    shot("service-01-consultation-answered")
    logout(page)

    login(page, base, "insured")
    page.goto(f"{base}/service/mine/")
    answer = page.locator("[data-testid=my-answer]").inner_text()
    assert "20 个工作日内办结" in answer
    shot("service-02-insured-reads-answer")


def test_complaint_from_intake_through_assignment_to_reply_and_rating(world: dict[str, Any], live_server: Any,
                                                                      page: Any, shot: Any) -> None:
    base = live_server.url
    login(page, base, "service")
    page.goto(f"{base}/service/cases/new/")
    form = page.locator("[data-testid=case-form]")
    form.locator("select[name=category]").select_option("delay")
    form.locator("textarea[name=subject]").fill("报销材料交齐三周仍未到账")
    form.locator("input[name=contact_name]").fill("张三")
    form.locator("input[name=psn_no]").fill("PA0001")
    page.click("[data-testid=case-submit]")
    page.wait_for_selector("[data-testid=case-status]:has-text('已受理')")
    case = Case.objects.get()
    page.locator("[data-testid=assign-form] select[name=assignee]").select_option(str(world["users"]["settlement"].pk))
    page.locator("[data-testid=assign-form] input[name=note]").fill("请核实支付情况")
    page.click("[data-testid=assign-submit]")
    page.wait_for_selector("[data-testid=case-status]:has-text('办理中')")
    shot("service-03-case-assigned")
    logout(page)

    login(page, base, "settlement")
    page.goto(f"{base}/service/cases/{case.pk}/")
    page.locator("[data-testid=reply-form] textarea[name=reply]").fill("已查明银行退票，今日已重新支付。")
    page.click("[data-testid=reply-submit]")
    page.wait_for_selector("[data-testid=case-status]:has-text('已反馈')")
    logout(page)

    login(page, base, "insured")
    page.goto(f"{base}/service/mine/")
    item = page.locator("[data-testid=my-case]")
    assert "今日已重新支付" in item.inner_text()
    item.locator("select[name=rating]").select_option("5")
    page.click("[data-testid=my-rate-submit]")
    page.wait_for_selector("[data-testid=my-case]:has-text('5 / 5')")
    shot("service-04-insured-rated")
    case.refresh_from_db()
    assert (case.status, case.rating, case.handovers.count()) == ("replied", 5, 1)


def test_manager_reads_the_survey_analysis(world: dict[str, Any], live_server: Any, page: Any, shot: Any) -> None:
    users, base = world["users"], live_server.url
    survey = actions.do_create_survey(users["service"], region_code="220282", title="年度满意度调查",
                                      period_from="2026-01-01", period_to="2026-12-31", sample_size=5, seed="b")
    actions.do_record_answers(users["service"], survey.respondents.get(), answers={
        "service.s1": "5", "service.s2": "4", "service.s3": "2", "service.s8": "希望缩短到账时间"})
    login(page, base, "manager")
    page.goto(f"{base}/service/surveys/")
    page.click("a:has-text('年度满意度调查')")
    page.click("[data-testid=analysis-link]")
    page.wait_for_selector("[data-testid=satisfaction-rate]")
    assert page.locator("[data-testid=satisfaction-rate]").inner_text() == "66.67%"
    assert page.locator("[data-testid=response-rate]").inner_text() == "100.00%"
    assert "未达到目标" in page.locator("[data-testid=target-met]").inner_text()
    assert "希望缩短到账时间" in page.locator("[data-testid=free-texts]").inner_text()
    assert "桦甸市" in page.locator("[data-testid=by-region]").inner_text()
    shot("service-05-survey-analysis")
