"""The overdraft check, the temporary revolving fund (临时周转金: draw, repayment due the next working day,
repay) and the warnings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.core.errors import Conflict
from dae.core.models import Event
from dae.fund import actions, services
from dae.fund.models import RepaymentDue
from dae.ledger.queries import balance
from tests.factories import REGION_A, REGION_B, make_user

pytestmark = pytest.mark.django_db
D = Decimal
APPROVAL = {"reason": "支出户余额不足以支付三月结算", "approval_no": "吉市医保〔2026〕12号"}


@pytest.fixture
def funded(clerk: Any, book: Any) -> Any:
    """Funds 1,200,000; the Q1 request (300,000) submitted; 100,000 received on 12 January and moved to the
    spending account; a payout of 150,000 owed to a hospital since 31 March."""
    actions.do_enter_funds(clerk, REGION_A, 2026, "1200000.00", on=dt.date(2026, 1, 5))
    request = actions.do_submit_request(clerk, actions.do_prepare_request(clerk, REGION_A, 2026, 1),
                                        on=dt.date(2026, 1, 5))
    actions.do_receive_appropriation(clerk, request, amount="100000.00", on=dt.date(2026, 1, 12), slip_no="HD-1")
    actions.do_record_entry(clerk, "transfer", REGION_A, on=dt.date(2026, 1, 12), amount="100000.00", key="t:1")
    book("payout", "150000.00", dt.date(2026, 3, 31))
    return request


def test_spending_shortfall_is_exact(funded: Any) -> None:
    day = dt.date(2026, 4, 2)
    assert services.spending_shortfall(REGION_A, D("100000.00"), day) == D("0.00")
    assert services.spending_shortfall(REGION_A, D("100000.01"), day) == D("0.01")
    assert services.spending_shortfall(REGION_A, D("150000.00"), day) == D("50000.00")
    assert services.spending_shortfall(REGION_A, D("0.00"), day) == D("0.00")
    assert services.spending_shortfall(REGION_A, D("150000.00"), dt.date(2026, 1, 11)) == D("150000.00")  # before
    assert services.spending_shortfall(REGION_B, D("1.00"), day) == D("1.00")


def test_draw_repayment_due_next_working_day_and_repay(clerk: Any, funded: Any, book: Any) -> None:
    draw = actions.do_record_entry(clerk, "revolving_draw", REGION_A, on=dt.date(2026, 4, 2), amount="50000.00",
                                   key="draw:1", **APPROVAL)
    assert (draw.approval_no, draw.reason) == (APPROVAL["approval_no"], APPROVAL["reason"])
    book("pay", "150000.00", dt.date(2026, 4, 2))
    assert services.revolving_outstanding(REGION_A) == D("50000.00")
    assert balance("100202", regions=[REGION_A]) == D("0.00")
    # income funds arrive on Friday 3 April 2026; 4–6 April is the Qingming holiday: due Tuesday 7 April
    income = actions.do_receive_appropriation(clerk, funded, amount="200000.00", on=dt.date(2026, 4, 3), slip_no="HD-2")
    due = RepaymentDue.objects.get()
    assert (due.source_id, due.amount, due.due_on, due.repaid) == (income.pk, D("50000.00"), dt.date(2026, 4, 7), D("0.00"))
    assert Event.objects.filter(action="fund.repayment_due").count() == 1
    actions.do_record_entry(clerk, "transfer", REGION_A, on=dt.date(2026, 4, 3), amount="200000.00", key="t:2")
    with pytest.raises(Conflict) as too_much:
        actions.do_record_entry(clerk, "revolving_repay", REGION_A, on=dt.date(2026, 4, 7), amount="50000.01",
                                key="repay:x")
    assert too_much.value.code == "repay_too_much"
    actions.do_record_entry(clerk, "revolving_repay", REGION_A, on=dt.date(2026, 4, 7), amount="30000.00", key="repay:1")
    due.refresh_from_db()
    assert (due.repaid, due.repaid_on, due.open_amount) == (D("30000.00"), None, D("20000.00"))
    actions.do_record_entry(clerk, "revolving_repay", REGION_A, on=dt.date(2026, 4, 7), amount="20000.00", key="repay:2")
    due.refresh_from_db()
    assert (due.repaid, due.repaid_on) == (D("50000.00"), dt.date(2026, 4, 7))
    assert services.revolving_outstanding(REGION_A) == D("0.00")
    assert balance("2301", regions=[REGION_A]) == D("0.00")


def test_no_repayment_falls_due_without_a_revolving_fund(clerk: Any, funded: Any) -> None:
    actions.do_receive_appropriation(clerk, funded, amount="10.00", on=dt.date(2026, 4, 3), slip_no="HD-3")
    assert RepaymentDue.objects.count() == 0


def codes(found: list[services.FundWarning]) -> list[str]:
    return [w.code for w in found]


def test_warnings(clerk: Any, funded: Any, book: Any) -> None:
    actions.do_record_entry(clerk, "revolving_draw", REGION_A, on=dt.date(2026, 4, 2), amount="50000.00",
                            key="draw:1", **APPROVAL)
    book("pay", "150000.00", dt.date(2026, 4, 2))
    actions.do_receive_appropriation(clerk, funded, amount="200000.00", on=dt.date(2026, 4, 3), slip_no="HD-2")
    found = services.fund_warnings(clerk, dt.date(2026, 4, 3))
    # April: 150,000 spent so far → projected 450,000 for the year, profit 62.50 % (red); Q2 request not made;
    # the spending account is at 0 (less than a month's average of 50,000); the revolving fund is due 7 April
    assert codes(found) == ["profit_red", "request_not_submitted", "spending_low", "revolving_outstanding",
                            "repayment_due"]
    assert found[0].level == "danger" and "62.50%" in found[0].message and "预计全年利润率" in found[0].message
    assert found[4].message == "220282 临时周转金应于 2026-04-07 归还 50,000.00 元"
    late = services.fund_warnings(clerk, dt.date(2026, 4, 8))
    assert late[-1].code == "repayment_overdue" and late[-1].level == "danger"

    actions.do_record_entry(clerk, "transfer", REGION_A, on=dt.date(2026, 4, 3), amount="200000.00", key="t:2")
    actions.do_record_entry(clerk, "revolving_repay", REGION_A, on=dt.date(2026, 4, 7), amount="50000.00", key="r:1")
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    actions.do_submit_request(clerk, request, on=dt.date(2026, 4, 7))
    assert codes(services.fund_warnings(clerk, dt.date(2026, 4, 8))) == ["profit_red"]


def test_negative_spending_account_and_missing_funds(clerk: Any, book: Any) -> None:
    book("pay", "10.00", dt.date(2026, 5, 1), REGION_B)  # a payment the ledger took without the fund's checks
    found = services.region_warnings(REGION_B, dt.date(2026, 5, 2))
    assert codes(found) == ["funds_not_entered", "spending_negative"]
    assert found[1].level == "danger" and "-10.00" in found[1].message


def test_only_fund_posts_see_warnings(world: Any) -> None:
    assert services.fund_warnings(world["users"]["settlement"]) == []
    assert services.fund_warnings(world["users"]["hospital"]) == []
    assert codes(services.fund_warnings(world["users"]["supervisor"], dt.date(2026, 5, 2))) == ["funds_not_entered"]


def test_the_home_dashboard_counts_the_warnings(world: Any) -> None:
    user = world["users"]["finance"]
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "基金预警" in html and 'href="/fund/"' in html
    assert len(services.fund_warnings(user)) >= 1  # at least: this year's funds raised not entered
    manager = make_user("manager", username="fund-manager-b", regions=(REGION_B,))
    client.force_login(manager)
    assert "基金预警" in client.get("/").content.decode()
