"""The risk-adjustment fund (风险调节基金): the dated set-aside rule, the set-aside posted with the year-end clearing
(exact amounts in fen, none on a deficit, once), the use approved by the manager and then the supervisor, and the
balance on the fund pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.core.errors import Conflict, InvalidInput, PermissionDenied
from dae.core.models import Event
from dae.fund import actions, services
from dae.fund.models import Clearing, FundYear, RiskFundUse, RiskReserveRule
from dae.ledger.models import Transaction
from tests.factories import REGION_A, REGION_B, make_user

pytestmark = pytest.mark.django_db
D = Decimal


def fen(amount: Decimal) -> int:
    return int(amount * 100)


@pytest.fixture
def manager(chart: None) -> Any:
    return make_user("manager", username="risk-manager", regions=(REGION_A,))


@pytest.fixture
def supervisor(chart: None) -> Any:
    return make_user("supervisor", username="risk-supervisor", regions=(REGION_A,))


def _year(clerk: Any, book: Any, payouts: str) -> FundYear:
    """Funds raised 1,000,000.00; payouts ``payouts``; operating costs 20,000.00 (2025)."""
    fund_year = actions.do_enter_funds(clerk, REGION_A, 2025, "1000000.00", on=dt.date(2025, 1, 5))
    book("payout", payouts, dt.date(2025, 3, 10))
    book("cost", "20000.00", dt.date(2025, 11, 20))
    return fund_year


@pytest.fixture
def rule(manager: Any) -> RiskReserveRule:
    return actions.do_set_reserve_rule(manager, share="10", effective_from=dt.date(2025, 1, 1), reason="合同约定")


def test_the_rule_is_dated_and_every_change_is_an_event(manager: Any, rule: RiskReserveRule) -> None:
    later = actions.do_set_reserve_rule(manager, share="12.5", effective_from=dt.date(2026, 1, 1), reason="续约",
                                        region=REGION_A)
    assert services.reserve_rule(REGION_A, dt.date(2025, 12, 31)) == rule
    assert services.reserve_rule(REGION_A, dt.date(2026, 1, 1)) == later
    assert services.reserve_rule(REGION_B, dt.date(2026, 6, 1)) == rule  # region A's own row is not B's
    assert Event.objects.filter(action="fund.reserve_rule_set").count() == 2
    with pytest.raises(InvalidInput):
        actions.do_set_reserve_rule(manager, share="101", effective_from=dt.date(2026, 1, 1), reason="错误")
    with pytest.raises(InvalidInput):
        actions.do_set_reserve_rule(manager, share="5", effective_from=dt.date(2026, 1, 1), reason="")


def test_year_end_clearing_sets_aside_the_share_of_the_surplus(clerk: Any, book: Any, rule: RiskReserveRule) -> None:
    fund_year = _year(clerk, book, "900000.00")
    # profit 1,000,000 − 900,000 − 20,000 = 80,000.00; cap 3.85% = 38,500.00; returned 41,500.00;
    # surplus kept 38,500.00; 10% set aside = 3,850.00
    clearing = actions.do_record_clearing(clerk, fund_year, "year_end", on=dt.date(2026, 1, 10), reason="年终清算")
    assert fen(clearing.amount) == 4_150_000
    assert fen(clearing.reserve) == 385_000
    txn = clearing.reserve_transaction
    legs = sorted(txn.legs.values_list("account__code", "debit", "credit"))
    assert legs == [("3101", D("0.00"), D("3850.00")), ("4001", D("3850.00"), D("0.00"))]
    assert fen(services.risk_balance(REGION_A, dt.date(2026, 1, 10))) == 385_000
    assert fen(services.risk_balance(REGION_A, dt.date(2026, 1, 9))) == 0
    event = Event.objects.get(action="fund.risk_set_aside")
    assert event.after["amount"] == "3850.00" and event.after["surplus"] == "38500.00"
    # recording again returns the same clearing and posts nothing more (idempotent)
    again = actions.do_record_clearing(clerk, fund_year, "year_end", on=dt.date(2026, 1, 10), reason="年终清算")
    assert again.pk == clearing.pk
    assert Transaction.objects.filter(reference_type="fund.reserve").count() == 1
    assert fen(services.risk_balance(REGION_A, dt.date(2026, 1, 10))) == 385_000


def test_the_set_aside_rounds_to_the_fen(clerk: Any, book: Any, manager: Any) -> None:
    actions.do_set_reserve_rule(manager, share="3.33", effective_from=dt.date(2025, 1, 1), reason="测试")
    fund_year = _year(clerk, book, "900000.00")
    clearing = actions.do_record_clearing(clerk, fund_year, "year_end", on=dt.date(2026, 1, 10), reason="年终清算")
    assert fen(clearing.reserve) == 128_205  # 38,500.00 × 3.33% = 1,282.05


def test_nothing_is_set_aside_on_a_deficit(clerk: Any, book: Any, rule: RiskReserveRule) -> None:
    fund_year = _year(clerk, book, "1100000.00")  # profit −120,000.00
    clearing = actions.do_record_clearing(clerk, fund_year, "year_end", on=dt.date(2026, 1, 10), reason="年终清算")
    assert (fen(clearing.amount), fen(clearing.reserve), clearing.reserve_transaction) == (0, 0, None)
    assert not Transaction.objects.filter(reference_type="fund.reserve").exists()
    assert not Event.objects.filter(action="fund.risk_set_aside").exists()


def test_nothing_is_set_aside_without_a_rule_or_at_contract_end(clerk: Any, book: Any) -> None:
    fund_year = _year(clerk, book, "900000.00")
    clearing = actions.do_record_clearing(clerk, fund_year, "year_end", on=dt.date(2026, 1, 10), reason="年终清算")
    assert fen(clearing.reserve) == 0 and clearing.reserve_transaction is None


@pytest.fixture
def reserve(clerk: Any, book: Any, rule: RiskReserveRule) -> Clearing:
    """3,850.00 set aside at the 2025 year-end clearing."""
    return actions.do_record_clearing(clerk, _year(clerk, book, "900000.00"), "year_end", on=dt.date(2026, 1, 10),
                                      reason="年终清算")


def test_a_use_is_posted_only_after_the_manager_and_then_the_supervisor(
        clerk: Any, manager: Any, supervisor: Any, reserve: Clearing) -> None:
    use = actions.do_request_risk_use(clerk, REGION_A, purpose="deficit", amount="1000.00", on=dt.date(2026, 2, 1),
                                      reason="弥补 2026 年基金缺口")
    assert use.status == RiskFundUse.Status.REQUESTED and use.transaction is None
    with pytest.raises(PermissionDenied):  # the requester never approves
        actions.do_approve_risk_use(clerk, use)
    with pytest.raises(PermissionDenied):  # the supervisor only after the manager
        actions.do_approve_risk_use(supervisor, use)
    use = actions.do_approve_risk_use(manager, use)
    assert use.status == RiskFundUse.Status.MANAGER_APPROVED and use.transaction is None
    assert fen(services.risk_balance(REGION_A, dt.date(2026, 2, 1))) == 385_000  # not posted yet
    with pytest.raises(PermissionDenied):  # the second approval is not the manager's again
        actions.do_approve_risk_use(manager, use)
    use = actions.do_approve_risk_use(supervisor, use)
    assert use.status == RiskFundUse.Status.POSTED
    legs = sorted(use.transaction.legs.values_list("account__code", "debit", "credit"))
    assert legs == [("3101", D("1000.00"), D("0.00")), ("4001", D("0.00"), D("1000.00"))]
    assert fen(services.risk_balance(REGION_A, dt.date(2026, 2, 1))) == 285_000
    assert list(Event.objects.filter(action__startswith="fund.risk_use").order_by("id").values_list(
        "action", flat=True)) == ["fund.risk_use_requested", "fund.risk_use_manager_approved", "fund.risk_use_posted"]
    with pytest.raises(Conflict):  # posted once
        actions.do_approve_risk_use(supervisor, use)


def test_contract_end_use_goes_to_clearing(clerk: Any, manager: Any, supervisor: Any, reserve: Clearing) -> None:
    use = actions.do_request_risk_use(clerk, REGION_A, purpose="contract_end", amount="3850.00",
                                      on=dt.date(2026, 2, 1), reason="合同期满结清")
    use = actions.do_approve_risk_use(supervisor, actions.do_approve_risk_use(manager, use))
    assert sorted(use.transaction.legs.values_list("account__code", "debit")) == [("2401", D("0.00")),
                                                                                  ("3101", D("3850.00"))]
    assert fen(services.risk_balance(REGION_A, dt.date(2026, 2, 1))) == 0


def test_a_use_above_the_balance_or_refused_posts_nothing(clerk: Any, manager: Any, reserve: Clearing) -> None:
    with pytest.raises(Conflict):
        actions.do_request_risk_use(clerk, REGION_A, purpose="deficit", amount="3850.01", on=dt.date(2026, 2, 1),
                                    reason="超过余额")
    use = actions.do_request_risk_use(clerk, REGION_A, purpose="deficit", amount="100.00", on=dt.date(2026, 2, 1),
                                      reason="测试")
    with pytest.raises(InvalidInput):
        actions.do_refuse_risk_use(manager, use, "")
    use = actions.do_refuse_risk_use(manager, use, "理由不足")
    assert use.status == RiskFundUse.Status.REFUSED and use.transaction is None
    assert not Transaction.objects.filter(reference_type="fund.risk_use").exists()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_fund_pages_show_the_balance_and_the_approvals(clerk: Any, manager: Any, supervisor: Any,
                                                           reserve: Clearing) -> None:
    page = login(manager).get("/fund/").content.decode()
    assert 'data-code="3101">3,850.00' in page and "提取风险调节基金" in page
    clearing_page = login(clerk).get(f"/fund/years/{reserve.fund_year_id}/clearing/year_end/").content.decode()
    assert "提取风险调节基金 3,850.00 元" in clearing_page
    page = login(clerk).get("/fund/risk/").content.decode()
    assert 'data-testid="risk-balance">3,850.00' in page
    login(clerk).post("/fund/risk/uses/new/", {"region": REGION_A, "purpose": "deficit", "amount": "50.00",
                                               "on": "2026-02-01", "reason": "页面申请"})
    use = RiskFundUse.objects.get()
    assert login(supervisor).post(f"/fund/risk/uses/{use.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert RiskFundUse.objects.get().status == RiskFundUse.Status.REQUESTED  # refused: the manager first
    login(manager).post(f"/fund/risk/uses/{use.pk}/decide/", {"decision": "approve"})
    login(supervisor).post(f"/fund/risk/uses/{use.pk}/decide/", {"decision": "approve"})
    assert RiskFundUse.objects.get().status == RiskFundUse.Status.POSTED
    assert 'data-testid="risk-balance">3,800.00' in login(supervisor).get("/fund/risk/").content.decode()
    login(manager).post("/fund/risk/rule/", {"share": "8", "effective_from": "2026-01-01", "region": "",
                                             "reason": "调整"})
    assert RiskReserveRule.objects.filter(share=D("8")).exists()
    other = make_user("supervisor", username="risk-other", regions=(REGION_B,))
    assert login(other).post(f"/fund/risk/uses/{use.pk}/decide/", {"decision": "approve"}).status_code == 404


def test_the_demo_sets_the_rule_once(manager: Any) -> None:
    from dae.fund.demo import seed_risk_rule

    assert seed_risk_rule(manager, 2025) is True and seed_risk_rule(manager, 2025) is False
    assert services.reserve_rule(REGION_A, dt.date(2025, 12, 31)).share == D("10.00")
