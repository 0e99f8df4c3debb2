"""One suspicious item from detection to the deduction on the hospital's next monthly statement, in the browser, as
the four parties: the reviewer (审核岗) runs the month's audit and confirms the amount, the hospital accepts it in
its portal, the bureau's supervisor confirms (三方确认), and finance builds the statement that deducts it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.auditing.models import Finding
from dae.core.months import month_bounds
from dae.payments.models import Deduction, Statement

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_finding_becomes_a_deduction(
    audit_world: dict[str, Any],
    live_server: Any,
    browser: Any,
    shot: Any,
) -> None:
    base = live_server.url

    def as_(username: str) -> Any:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
        page = context.new_page()
        page.set_default_timeout(20_000)
        login(page, base, username)
        return page

    # 1. 审核岗: audit March 2026; the run shows its progress, then its findings
    reviewer = as_("reviewer")
    reviewer.goto(f"{base}/audit/runs/")
    reviewer.select_option("#run-region", "220282")
    reviewer.fill("#run-month", "2026-03")
    reviewer.click("[data-testid=run-form] button")
    reviewer.wait_for_selector("[data-testid=job-progress]")
    reviewer.wait_for_selector("[data-testid=run-rules]")
    assert "收费跨期" in reviewer.inner_text("[data-testid=run-rules]")
    finding = Finding.objects.get(rule_id="R17_CROSS_PERIOD")
    reviewer.goto(f"{base}/audit/findings/")
    reviewer.click(f"#list-table a:text-is('{finding.pk}')")
    reviewer.wait_for_selector("[data-testid=evidence]")
    assert "F-OUT" in reviewer.inner_text("[data-testid=evidence]")
    assert reviewer.inner_text("[data-testid=amount-at-issue]") == "100.00"
    reviewer.fill("#confirm-amount", "100.00")
    reviewer.fill("#confirm-note", "入院前9天的费用计入本次住院，属收费跨期")
    reviewer.click("[data-testid=confirm-form] button")
    reviewer.wait_for_selector("text=已认定，等待医院确认")
    assert reviewer.inner_text("[data-testid=finding-status]") == "待医院确认"
    shot.page = reviewer
    shot("audit-finding-confirmed")

    # 2. 医院: the hospital's portal lists its own finding; it accepts
    hospital = as_("hospital")
    assert "待本院确认的疑点" in hospital.inner_text("[data-testid=work-counters]")
    hospital.goto(f"{base}/audit/findings/?status=confirmed")
    rows = hospital.inner_text("#list-table")
    assert "桦甸市人民医院" in rows and "桦甸市中医院" not in rows
    hospital.click(f"#list-table a:text-is('{finding.pk}')")
    hospital.fill("#accept-note", "认可")
    hospital.click("[data-testid=accept-form] button")
    hospital.wait_for_selector("text=已认可，等待医保局确认")

    # 3. 医保局监督: 三方确认
    supervisor = as_("supervisor")
    supervisor.goto(f"{base}/audit/findings/{finding.pk}/")
    supervisor.fill("#settle-note", "三方确认，下期月结扣减")
    supervisor.click("[data-testid=settle-form] button")
    supervisor.wait_for_selector("text=三方确认完成")
    assert supervisor.inner_text("[data-testid=finding-status]") == "已确认扣款"
    assert "将在下一期月结单中扣减" in supervisor.inner_text("[data-testid=deduction]")
    assert '"vola_amt": "100.00"' in supervisor.inner_text("[data-testid=feedback]")
    shot.page = supervisor
    shot("audit-finding-settled")

    # 4. 财务岗: this month's statement (built after the month ends) deducts it
    today = timezone.localdate()
    month = today.strftime("%Y-%m")
    finance = as_("finance")
    finance.goto(f"{base}/payments/statements/")
    finance.select_option("#build-region", "220282")
    finance.fill("#build-month", month)
    finance.fill("#build-on", (month_bounds(month)[1] + dt.timedelta(days=1)).isoformat())
    finance.click("[data-testid=build-form] button")
    finance.wait_for_selector("text=已编制")
    statement = Statement.objects.get(hospital__code="HA0001", month=month)
    finance.goto(f"{base}/payments/statements/{statement.pk}/")
    text = finance.inner_text("main")
    assert "智能审核疑点 R17_CROSS_PERIOD 收费跨期（结算 SA0001）三方确认" in text
    assert statement.deductions_total == Decimal("100.00")
    assert Deduction.objects.get(source_type="audit.finding", source_id=str(finding.pk)).statement == statement
    shot.page = finance
    shot("audit-finding-statement")
    for page in (reviewer, hospital, supervisor, finance):
        page.context.close()
