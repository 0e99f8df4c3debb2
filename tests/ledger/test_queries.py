"""Balances, trial balance and statements, read like a small ledger: entries in, figures out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.ledger.actions import Cr, Dr, do_post, do_reverse
from dae.ledger.models import Account
from dae.ledger.queries import balance, balances, statement, trial_balance
from tests.factories import REGION_A, REGION_B

pytestmark = pytest.mark.django_db

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 2, 10), dt.date(2026, 3, 15)


@pytest.fixture
def book(clerk: Any) -> dict[str, Any]:
    """A quarter of the fund in region A, and one entry in region B."""
    def p(key: str, day: dt.date, text: str, *lines: Any, region: str = REGION_A) -> Any:
        return do_post(list(lines), date=day, description=text, reference=("test", key), key=key, actor=clerk,
                       region=region)

    txns = {
        "raised": p("raised", D1, "年度筹集资金", Dr("1131", "5000000.00"), Cr("4001", "5000000.00")),
        "received": p("received", D1, "一季度拨款到账", Dr("100201", "1250000.00"), Cr("1131", "1250000.00")),
        "transfer": p("transfer", D1, "收入户划转支出户", Dr("100202", "1250000.00"), Cr("100201", "1250000.00")),
        "claim": p("claim", D2, "补助支出 SA0001", Dr("5001", "80000.10"), Cr("2201", "80000.10")),
        "paid": p("paid", D2, "支付医疗机构", Dr("2201", "80000.10"), Cr("100202", "80000.10")),
        "cost": p("cost", D3, "经办费用", Dr("5101", "3000.00"), Cr("100202", "3000.00")),
        "interest": p("interest", D3, "存款利息", Dr("100201", "412.35"), Cr("4101", "412.35")),
        "other": p("other", D2, "蛟河补助支出", Dr("5001", "7.77"), Cr("2201", "7.77"), region=REGION_B),
    }
    return txns


def test_balances_on_the_normal_side_by_date(book: dict[str, Any]) -> None:
    assert balance("100202", regions=[REGION_A]) == Decimal("1166999.90")
    assert balance("100202", on=D2, regions=[REGION_A]) == Decimal("1169999.90")
    assert balance("100202", on=D1 - dt.timedelta(days=1)) == Decimal("0.00")
    assert balance("1002", regions=[REGION_A]) == Decimal("1167412.25")  # group: income + expenditure accounts
    assert balance("1131") == Decimal("3750000.00")
    assert balance("4001") == Decimal("5000000.00")  # credit-normal shows positive
    assert balance("2201", regions=[REGION_A]) == Decimal("0.00")
    assert balance("5001") == Decimal("80007.87")  # both regions
    assert balance("5001", regions=[REGION_B]) == Decimal("7.77")


def test_all_balances_at_a_date_include_every_account_and_group_sums(book: dict[str, Any]) -> None:
    rows = {r.account.code: r for r in balances(D2, regions=[REGION_A])}
    assert set(rows) == set(Account.objects.values_list("code", flat=True))
    assert (rows["1002"].debit, rows["1002"].credit, rows["1002"].balance) == (
        Decimal("2500000.00"), Decimal("1330000.10"), Decimal("1169999.90"))
    assert rows["5101"].balance == Decimal("0.00")
    assert rows["5001"].balance == Decimal("80000.10")


def test_trial_balance_totals_agree(book: dict[str, Any]) -> None:
    tb = trial_balance(D3)
    assert tb.balanced and tb.difference == 0
    assert tb.total_debit == tb.total_credit == Decimal("7663420.32")
    assert tb.debit_balances == tb.credit_balances == Decimal("5000420.12")
    assert [r.account.code for r in tb.rows] == ["100201", "100202", "1131", "2201", "4001", "4101", "5001", "5101"]
    assert trial_balance(D1 - dt.timedelta(days=1)).rows == []


def test_trial_balance_stays_zero_after_a_reversal(book: dict[str, Any], clerk: Any) -> None:
    do_reverse(book["cost"], date=D3, reason="费用记错", actor=clerk)
    tb = trial_balance()
    assert tb.balanced and balance("5101") == Decimal("0.00")


def test_statement_running_balance(book: dict[str, Any]) -> None:
    account = Account.objects.get(code="100202")
    st = statement(account, start=D2, end=D3, regions=[REGION_A])
    assert st.opening == Decimal("1250000.00")
    assert [(leg.transaction.description, leg.debit, leg.credit, st.running(leg)) for leg in st.lines] == [
        ("支付医疗机构", Decimal("0.00"), Decimal("80000.10"), Decimal("1169999.90")),
        ("经办费用", Decimal("0.00"), Decimal("3000.00"), Decimal("1166999.90")),
    ]
    assert (st.debit, st.credit, st.closing) == (Decimal("0.00"), Decimal("83000.10"), Decimal("1166999.90"))


def test_statement_of_a_credit_normal_account(book: dict[str, Any]) -> None:
    st = statement(Account.objects.get(code="2201"), start=D1, end=D3, regions=[REGION_A])
    assert st.opening == Decimal("0.00")
    assert [st.running(leg) for leg in st.lines] == [Decimal("80000.10"), Decimal("0.00")]
    assert st.closing == Decimal("0.00")


def test_sums_are_exact_to_the_fen_over_many_small_amounts(clerk: Any) -> None:
    for i in range(30):
        do_post([Dr("5101", "0.10"), Dr("5101", "0.20"), Cr("100202", "0.30")], date=D1, description="小额",
                reference=("t", str(i)), key=f"s{i}", actor=clerk, region=REGION_A)
    assert balance("5101") == Decimal("9.00")
    assert balance("100202") == Decimal("-9.00")
    assert trial_balance().difference == Decimal("0.00")
