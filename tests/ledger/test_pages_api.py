"""The ledger pages and API as finance, manager and supervisor use them; who may post and reverse."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.core.models import Event
from dae.ledger.actions import Cr, Dr, do_post
from dae.ledger.models import Transaction
from dae.ledger.queries import balance, trial_balance
from tests.factories import REGION_A, REGION_B, make_user

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(clerk: Any) -> dict[str, Client]:
    clients = {}
    for name, user in (("finance", clerk), ("manager", make_user("manager", username="l-manager")),
                       ("supervisor", make_user("supervisor", username="l-supervisor")),
                       ("settlement", make_user("settlement", username="l-clerk")),
                       ("finance_b", make_user("finance", username="l-finance-b", regions=(REGION_B,)))):
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


@pytest.fixture
def cost(clerk: Any) -> Transaction:
    return do_post([Dr("5101", "3000.00"), Cr("100202", "3000.00")], date=DAY, description="三月经办费用",
                   reference=("ledger.manual", "FP001"), key="cost-1", actor=clerk, region=REGION_A)


def entry_post(**rows: str) -> dict[str, str]:
    data = {"date": "2026-03-02", "region": REGION_A, "description": "存款利息", "reference_id": "HD-88",
            "key": "manual:abc"}
    data.update(rows)
    return data


def test_finance_posts_a_manual_entry_through_the_form(users: dict[str, Client]) -> None:
    page = users["finance"].get("/ledger/transactions/new/")
    assert page.status_code == 200 and "手工记账" in page.content.decode()
    response = users["finance"].post("/ledger/transactions/new/", entry_post(
        account_0="100201", debit_0="412.35", account_1="4101", credit_1="412.35"))
    txn = Transaction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledger/transactions/{txn.pk}/"
    assert (txn.reference_type, txn.reference_id, txn.idempotency_key) == ("ledger.manual", "HD-88", "manual:abc")
    assert balance("4101") == Decimal("412.35")
    again = users["finance"].post("/ledger/transactions/new/", entry_post(
        account_0="100201", debit_0="412.35", account_1="4101", credit_1="412.35"))  # a double submit
    assert again.status_code == 302 and Transaction.objects.count() == 1


@pytest.mark.parametrize(("rows", "message"), [
    ({"account_0": "5101", "debit_0": "10", "account_1": "100202", "credit_1": "9"}, "借贷不平衡：借方合计 10.00，贷方合计 9.00"),
    ({"account_0": "5101", "debit_0": "1,0x", "account_1": "100202", "credit_1": "9"}, "第 1 行的金额格式错误"),
    ({"account_0": "5101", "debit_0": "10"}, "记账凭证至少需要两条分录"),
])
def test_the_form_shows_the_broken_rule(users: dict[str, Client], rows: dict[str, str], message: str) -> None:
    response = users["finance"].post("/ledger/transactions/new/", entry_post(**rows))
    assert response.status_code == 200 and message in response.content.decode()
    assert Transaction.objects.count() == 0


def test_reverse_button_posts_the_reversal_once(users: dict[str, Client], cost: Transaction) -> None:
    detail = users["finance"].get(f"/ledger/transactions/{cost.pk}/").content.decode()
    assert 'data-testid="reverse-form"' in detail
    url = f"/ledger/transactions/{cost.pk}/reverse/"
    response = users["finance"].post(url, {"date": "2026-03-05", "reason": "发票作废"})
    reversal = Transaction.objects.get(reverses=cost)
    assert response["Location"] == f"/ledger/transactions/{reversal.pk}/"
    assert balance("5101") == Decimal("0.00")
    again = users["finance"].post(url, {"date": "2026-03-05", "reason": "再次"}, follow=True).content.decode()
    assert "已冲正" in again and "不能重复冲正" in again
    assert Transaction.objects.count() == 2
    assert 'data-testid="reverse-form"' not in users["finance"].get(f"/ledger/transactions/{cost.pk}/").content.decode()


def test_readers_see_the_pages_but_only_finance_writes(users: dict[str, Client], cost: Transaction) -> None:
    for name in ("finance", "manager", "supervisor"):
        for url in ("/ledger/", "/ledger/trial-balance/", "/ledger/accounts/5101/", "/ledger/transactions/",
                    f"/ledger/transactions/{cost.pk}/"):
            assert users[name].get(url).status_code == 200, (name, url)
    assert 'data-testid="reverse-form"' not in users["manager"].get(f"/ledger/transactions/{cost.pk}/").content.decode()
    for name in ("manager", "supervisor", "settlement"):
        assert users[name].post(f"/ledger/transactions/{cost.pk}/reverse/",
                                {"date": "2026-03-05", "reason": "x"}).status_code == 403
        assert users[name].post("/ledger/transactions/new/", entry_post(
            account_0="5101", debit_0="1", account_1="100202", credit_1="1")).status_code == 403
    assert users["settlement"].get("/ledger/").status_code == 403
    assert Transaction.objects.count() == 1


def test_another_regions_transaction_is_not_found(users: dict[str, Client], cost: Transaction) -> None:
    assert users["finance_b"].get(f"/ledger/transactions/{cost.pk}/").status_code == 404
    assert users["finance_b"].post(f"/ledger/transactions/{cost.pk}/reverse/",
                                   {"date": "2026-03-05", "reason": "x"}).status_code == 404
    assert users["finance_b"].get("/api/v1/ledger/trial-balance?date=2026-12-31").json()["rows"] == []


def test_chart_trial_balance_and_statement_pages(users: dict[str, Client], cost: Transaction) -> None:
    chart = users["manager"].get("/ledger/?date=2026-03-31").content.decode()
    assert "基金银行存款" in chart and "风险调节基金" in chart and "临时周转金" in chart
    assert 'data-testid="balance-5101">3,000.00<' in chart and 'data-testid="balance-1002">-3,000.00<' in chart
    tb = users["manager"].get("/ledger/trial-balance/?date=2026-03-31").content.decode()
    assert 'data-testid="tb-ok"' in tb and 'data-testid="tb-total-debit">3,000.00<' in tb
    st = users["supervisor"].get("/ledger/accounts/100202/?start=2026-01-01&end=2026-03-31").content.decode()
    assert "三月经办费用" in st and 'data-testid="closing">-3,000.00<' in st


def test_statement_exports_csv_and_excel(users: dict[str, Client], cost: Transaction) -> None:
    response = users["finance"].get("/ledger/accounts/5101/?start=2026-01-01&end=2026-03-31&export=csv")
    assert response["Content-Disposition"].startswith('attachment; filename="statement-5101-2026-01-01-2026-03-31.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0].startswith("明细账 5101") and rows[1][0].startswith("导出人 ledger-finance")
    assert rows[2:] == [["记账日期", "凭证号", "摘要", "业务类型", "业务编号", "借方金额", "贷方金额", "余额"],
                        ["", "", "期初余额", "", "", "", "", "0.00"],
                        ["2026-03-02", str(cost.pk), "三月经办费用", "ledger.manual", "FP001", "3000.00", "",
                         "3000.00"],
                        ["", "", "本期合计", "", "", "3000.00", "0.00", "3000.00"]]
    from openpyxl import load_workbook

    xlsx = users["finance"].get("/ledger/accounts/5101/?start=2026-01-01&end=2026-03-31&export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[4][2] == "三月经办费用" and Decimal(str(values[4][5])) == Decimal("3000.00")


def test_api_reads_accounts_and_trial_balance(users: dict[str, Client], cost: Transaction) -> None:
    accounts = users["supervisor"].get("/api/v1/ledger/accounts?date=2026-03-31").json()
    by_code = {a["code"]: a for a in accounts["accounts"]}
    assert by_code["5101"]["balance"] == "3000.00" and by_code["100202"]["parent"] == "1002"
    tb = users["manager"].get("/api/v1/ledger/trial-balance?date=2026-03-31").json()
    assert (tb["balanced"], tb["difference"], tb["total_debit"]) == (True, "0.00", "3000.00")
    bad = users["manager"].get("/api/v1/ledger/trial-balance?date=31.03.2026")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_date"


def api_entry(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"date": "2026-03-02", "description": "存款利息", "idempotency_key": "api-1",
                            "region": REGION_A, "legs": [{"account": "100201", "debit": "412.35"},
                                                         {"account": "4101", "credit": "412.35"}]}
    body.update(extra)
    return body


def test_api_post_is_idempotent_and_refuses_floats(users: dict[str, Client]) -> None:
    finance = users["finance"]
    first = finance.post("/api/v1/ledger/transactions", api_entry(), content_type="application/json")
    assert first.status_code == 201 and first.json()["legs"][0] == {"account": "100201", "debit": "412.35",
                                                                   "credit": "0.00"}
    again = finance.post("/api/v1/ledger/transactions", api_entry(), content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    other = finance.post("/api/v1/ledger/transactions", api_entry(description="别的"), content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    floats = finance.post("/api/v1/ledger/transactions", api_entry(idempotency_key="api-2", legs=[
        {"account": "100201", "debit": 0.1}, {"account": "4101", "credit": 0.1}]), content_type="application/json")
    assert floats.status_code == 400 and "浮点数" in str(floats.json()["details"])
    unbalanced = finance.post("/api/v1/ledger/transactions", api_entry(idempotency_key="api-3", legs=[
        {"account": "100201", "debit": "1"}, {"account": "4101", "credit": "2"}]), content_type="application/json")
    assert unbalanced.status_code == 400 and unbalanced.json()["code"] == "unbalanced"
    assert users["finance_b"].post("/api/v1/ledger/transactions", api_entry(idempotency_key="api-4"),
                                   content_type="application/json").json()["code"] == "invalid_region"
    assert users["manager"].post("/api/v1/ledger/transactions", api_entry(idempotency_key="api-5"),
                                 content_type="application/json").status_code == 403
    assert Transaction.objects.count() == 1 and trial_balance().balanced


def test_api_lists_and_reverses(users: dict[str, Client], cost: Transaction) -> None:
    listing = users["manager"].get("/api/v1/ledger/transactions").json()
    assert [t["id"] for t in listing["results"]] == [cost.pk]
    url = f"/api/v1/ledger/transactions/{cost.pk}/reverse"
    assert users["manager"].post(url, {"date": "2026-03-05", "reason": "x"},
                                 content_type="application/json").status_code == 403
    done = users["finance"].post(url, {"date": "2026-03-05", "reason": "作废"}, content_type="application/json")
    assert done.status_code == 201 and done.json()["reverses"] == cost.pk
    detail = users["supervisor"].get(f"/api/v1/ledger/transactions/{cost.pk}").json()
    assert detail["reversal"] == done.json()["id"]
    twice = users["finance"].post(url, {"date": "2026-03-05", "reason": "作废"}, content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_reversed"
    assert Event.objects.filter(action="ledger.reversed").count() == 1
