"""Each fund action posts exactly one balanced transaction with the expected legs; a retry posts nothing new; a
failure in the business write leaves no posting, and a refused posting leaves no record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.fund import actions
from dae.fund.models import FundEntry, FundYear, FundYearChange
from dae.ledger.errors import InvalidEntry
from dae.ledger.models import Account, Transaction
from dae.ledger.queries import balance, trial_balance
from tests.factories import REGION_A

pytestmark = pytest.mark.django_db
D = Decimal
DAY = dt.date(2026, 4, 9)


def legs(txn: Transaction) -> list[tuple[str, str, str]]:
    return sorted((code, f"{dr:.2f}", f"{cr:.2f}") for code, dr, cr in
                  txn.legs.values_list("account__code", "debit", "credit"))


def test_entering_and_changing_funds_raised_posts_the_difference(clerk: Any) -> None:
    fund_year = actions.do_enter_funds(clerk, REGION_A, 2026, "5000000.00", on=dt.date(2026, 1, 5))
    first = Transaction.objects.get()
    assert first.idempotency_key == f"fund:year:{fund_year.pk}:v1"
    assert legs(first) == [("1131", "5000000.00", "0.00"), ("4001", "0.00", "5000000.00")]
    assert actions.do_enter_funds(clerk, REGION_A, 2026, "5000000.00", on=dt.date(2026, 1, 5)).pk == fund_year.pk
    assert Transaction.objects.count() == 1  # entering the same again posts nothing
    with pytest.raises(Conflict):
        actions.do_enter_funds(clerk, REGION_A, 2026, "5100000.00", on=dt.date(2026, 1, 5))

    fund_year = actions.do_change_funds(clerk, fund_year, "5200000.00", on=dt.date(2026, 2, 1), reason="合同补充协议")
    up = Transaction.objects.get(idempotency_key=f"fund:year:{fund_year.pk}:v2")
    assert legs(up) == [("1131", "200000.00", "0.00"), ("4001", "0.00", "200000.00")]
    fund_year = actions.do_change_funds(clerk, fund_year, "4900000.00", on=dt.date(2026, 3, 1), reason="参保人数下降")
    down = Transaction.objects.get(idempotency_key=f"fund:year:{fund_year.pk}:v3")
    assert legs(down) == [("1131", "0.00", "300000.00"), ("4001", "300000.00", "0.00")]
    assert actions.do_change_funds(clerk, fund_year, "4900000.00", on=dt.date(2026, 3, 1), reason="重复提交").version == 3
    assert Transaction.objects.count() == 3
    assert balance("4001") == D("4900000.00") and balance("1131") == D("4900000.00")
    history = list(FundYearChange.objects.filter(fund_year=fund_year).order_by("version")
                   .values_list("version", "funds_raised", "reason"))
    assert history == [(1, D("5000000.00"), ""), (2, D("5200000.00"), "合同补充协议"), (3, D("4900000.00"), "参保人数下降")]
    assert [e.action for e in Event.objects.filter(object_type="fund.fundyear").order_by("id")] == [
        "fund.year_entered", "fund.funds_changed", "fund.funds_changed"]
    with pytest.raises(InvalidInput):
        actions.do_change_funds(clerk, fund_year, "1.00", on=dt.date(2026, 3, 1), reason="")


def test_levels_change_with_a_reason_and_history_but_no_posting(clerk: Any) -> None:
    fund_year = actions.do_enter_funds(clerk, REGION_A, 2026, "5000000.00", on=dt.date(2026, 1, 5))
    assert (fund_year.yellow_level, fund_year.red_level) == (D("3.00"), D("3.85"))
    with pytest.raises(InvalidInput):
        actions.do_change_levels(clerk, fund_year, yellow_level=D("4.00"), red_level=D("3.85"), contract_start=None,
                                 contract_end=None, reason="黄线高于红线")
    changed = actions.do_change_levels(clerk, fund_year, yellow_level=D("2.50"), red_level=D("3.50"),
                                       contract_start=dt.date(2026, 1, 1), contract_end=dt.date(2028, 12, 31),
                                       reason="新合同")
    assert (changed.yellow_level, changed.red_level, changed.contract_end) == (D("2.50"), D("3.50"), dt.date(2028, 12, 31))
    assert Transaction.objects.count() == 1
    last = FundYearChange.objects.filter(fund_year=fund_year).order_by("-id").first()
    assert last is not None and (last.yellow_level, last.red_level, last.reason) == (D("2.50"), D("3.50"), "新合同")
    event = Event.objects.get(action="fund.levels_changed")
    assert event.before["red_level"] == "3.85" and event.after["red_level"] == "3.50"


@pytest.fixture
def funded(clerk: Any) -> Any:
    """Funds raised of 1,200,000.00 and the submitted Q1 request: a quarter of them, 300,000.00."""
    actions.do_enter_funds(clerk, REGION_A, 2026, "1200000.00", on=dt.date(2026, 1, 5))
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 1)
    return actions.do_submit_request(clerk, request, on=dt.date(2026, 1, 5))


@pytest.mark.parametrize(("kind", "expected"), [
    ("transfer", [("100201", "0.00", "1000.00"), ("100202", "1000.00", "0.00")]),
    ("operating_cost", [("100202", "0.00", "1000.00"), ("5101", "1000.00", "0.00")]),
    ("interest", [("100201", "1000.00", "0.00"), ("4101", "0.00", "1000.00")]),
    ("revolving_draw", [("100202", "1000.00", "0.00"), ("2301", "0.00", "1000.00")]),
])
def test_each_entry_posts_one_transaction_and_a_retry_posts_nothing(clerk: Any, funded: Any, kind: str,
                                                                    expected: list[tuple[str, str, str]]) -> None:
    actions.do_receive_appropriation(clerk, funded, amount="300000.00", on=DAY, slip_no="HD-1")
    actions.do_record_entry(clerk, "transfer", REGION_A, on=DAY, amount="50000.00", key="transfer:first")
    before = Transaction.objects.count()
    args = {"on": DAY, "amount": "1000.00", "key": f"{kind}:abc", "reference_no": "FP-1",
            "reason": "支出户余额不足", "approval_no": "吉医保〔2026〕1号"}
    entry = actions.do_record_entry(clerk, kind, REGION_A, **args)
    assert Transaction.objects.count() == before + 1
    assert legs(entry.transaction) == expected
    assert entry.transaction.idempotency_key == f"fund:{kind}:abc"
    assert entry.transaction.reference_type == f"fund.{kind}"
    again = actions.do_record_entry(clerk, kind, REGION_A, **args)  # a double submit
    assert again.pk == entry.pk and Transaction.objects.count() == before + 1
    assert FundEntry.objects.filter(key=f"{kind}:abc").count() == 1
    assert Event.objects.filter(action=f"fund.{kind}", object_id=str(entry.pk)).count() == 1
    with pytest.raises(Conflict) as other:
        actions.do_record_entry(clerk, kind, REGION_A, **{**args, "amount": "2000.00"})
    assert other.value.code == "idempotency_conflict"
    assert trial_balance().difference == 0


def test_appropriation_received_posts_once_per_bank_slip(clerk: Any, funded: Any) -> None:
    entry = actions.do_receive_appropriation(clerk, funded, amount="300000.00", on=DAY, slip_no="HD-1")
    assert legs(entry.transaction) == [("100201", "300000.00", "0.00"), ("1131", "0.00", "300000.00")]
    assert entry.transaction.idempotency_key == "fund:appropriation:220282:HD-1"
    again = actions.do_receive_appropriation(clerk, funded, amount="300000.00", on=DAY, slip_no="HD-1")
    assert again.pk == entry.pk and FundEntry.objects.count() == 1
    assert balance("1131") == D("900000.00") and balance("100201") == D("300000.00")
    assert Event.objects.filter(action="fund.appropriation").count() == 1


def test_a_draft_request_cannot_receive(clerk: Any) -> None:
    actions.do_enter_funds(clerk, REGION_A, 2026, "1200000.00", on=dt.date(2026, 1, 5))
    draft = actions.do_prepare_request(clerk, REGION_A, 2026, 1)
    with pytest.raises(Conflict):
        actions.do_receive_appropriation(clerk, draft, amount="1.00", on=DAY, slip_no="HD-9")
    assert FundEntry.objects.count() == 0 and Transaction.objects.count() == 1


def test_a_failed_business_write_leaves_no_posting(clerk: Any, funded: Any) -> None:
    count = Transaction.objects.count()
    with mock.patch("dae.fund.actions.entries.record_event", side_effect=RuntimeError("event store down")), \
            pytest.raises(RuntimeError):
        actions.do_record_entry(clerk, "interest", REGION_A, on=DAY, amount="12.34", key="interest:x")
    assert Transaction.objects.count() == count and FundEntry.objects.count() == 0
    with mock.patch("dae.fund.models.FundYearChange.objects.create", side_effect=RuntimeError("boom")), \
            pytest.raises(RuntimeError):
        actions.do_enter_funds(clerk, REGION_A, 2027, "100.00", on=dt.date(2027, 1, 4))
    assert Transaction.objects.count() == count and not FundYear.objects.filter(year=2027).exists()


def test_a_refused_posting_leaves_no_record(clerk: Any, funded: Any) -> None:
    Account.objects.filter(code="4101").update(active=False)
    with pytest.raises(InvalidEntry) as refused:
        actions.do_record_entry(clerk, "interest", REGION_A, on=DAY, amount="12.34", key="interest:y")
    assert refused.value.code == "inactive_account"
    assert FundEntry.objects.count() == 0 and not Event.objects.filter(action="fund.interest").exists()


def test_money_must_be_there_before_it_leaves(clerk: Any, funded: Any) -> None:
    with pytest.raises(Conflict) as transfer:
        actions.do_record_entry(clerk, "transfer", REGION_A, on=DAY, amount="1.00", key="transfer:1")
    assert transfer.value.code == "income_shortfall"
    with pytest.raises(Conflict) as cost:
        actions.do_record_entry(clerk, "operating_cost", REGION_A, on=DAY, amount="1.00", key="cost:1")
    assert cost.value.code == "spending_shortfall" and cost.value.details == {"shortfall": "1.00"}
    with pytest.raises(InvalidInput) as floaty:
        actions.do_record_entry(clerk, "interest", REGION_A, on=DAY, amount=1.5, key="interest:f")  # type: ignore[arg-type]
    assert floaty.value.code == "invalid_amount"
    with pytest.raises(InvalidInput) as no_approval:
        actions.do_record_entry(clerk, "revolving_draw", REGION_A, on=DAY, amount="1.00", key="draw:1",
                                reason="透支")
    assert no_approval.value.code == "approval_required"
    assert FundEntry.objects.count() == 0
