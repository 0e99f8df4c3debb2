"""The bank reconciliation pages and API as finance, manager and supervisor use them; who may write."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dae.bank.models import BankLine, BankStatement, Match, Note
from dae.ledger.models import DayClose
from tests.factories import REGION_A, REGION_B, make_user

from .books import cash_leg, day, move, pay_order, statement_csv

pytestmark = pytest.mark.django_db

FILE = statement_csv("2026-03-02,S000,收,10000.00,,,收入户划入,10000.00",
                     "2026-03-03,S001,付,1200.00,桦甸市人民医院,,DAE-PO101,8800.00",
                     "2026-03-05,S002,付,300.00,,,经办费用,8500.00",
                     "2026-03-05,S002,付,300.00,,,经办费用,8500.00",
                     "2026-03-18,S003,付,12.50,,,手续费,8487.50")


@pytest.fixture
def users(clerk: Any) -> dict[str, Client]:
    clients = {}
    for name, user in (("finance", clerk), ("manager", make_user("manager", username="b-manager")),
                       ("supervisor", make_user("supervisor", username="b-supervisor")),
                       ("settlement", make_user("settlement", username="b-clerk")),
                       ("finance_b", make_user("finance", username="b-finance-b", regions=(REGION_B,)))):
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


@pytest.fixture
def ledger(clerk: Any) -> dict[str, Any]:
    return {"in": move("100202", "100201", "10000.00", day(2), "transfer-1", description="划入支出户"),
            "po": pay_order(101, "1200.00", day(3)),
            "cost": move("5101", "100202", "300.00", day(5), "cost-1", description="经办费用"),
            "missing": move("5101", "100202", "450.00", day(10), "cost-2", description="经办费用（银行未付）")}


def upload(client: Client, content: bytes = FILE, name: str = "march.csv", **extra: str) -> Any:
    data = {"region": REGION_A, "account": "100202", "period_from": "2026-03-01", "period_to": "2026-03-31",
            "file": SimpleUploadedFile(name, content), **extra}
    return client.post("/bank/statements/upload/", data)


def test_finance_uploads_a_statement_and_sees_its_lines(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    page = users["finance"].get("/bank/statements/upload/").content.decode()
    assert "对账单格式" in page and "DAE-PO" in page and 'data-testid="template-link"' in page
    response = upload(users["finance"])
    statement = BankStatement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bank/statements/{statement.pk}/"
    detail = users["finance"].get(response["Location"]).content.decode()
    assert "已导入 5 笔流水：附言匹配 1 笔，金额日期匹配 2 笔，重复流水 1 笔" in detail
    assert 'data-testid="state-2">已匹配<' in detail and 'data-testid="rule-2">附言匹配<' in detail
    assert 'data-testid="state-4">重复流水<' in detail and 'data-testid="state-5">未匹配<' in detail
    listing = users["manager"].get("/bank/").content.decode()
    assert "march.csv" in listing and "2026-03-01 – 2026-03-31" in listing


def test_a_bad_file_shows_every_problem_and_stores_nothing(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    bad = statement_csv("2026-03-03,S001,付,1200.00,,,,", "2026-13-01,S002,收,abc,,,,")
    response = upload(users["finance"], bad)
    page = response.content.decode()
    assert response.status_code == 200 and "对账单有 1 行错误，未导入任何数据" in page
    assert "交易日期不是有效日期（格式 YYYY-MM-DD）" in page and "金额应为数字" in page
    assert BankStatement.objects.count() == 0
    upload(users["finance"])
    again = upload(users["finance"], name="again.csv").content.decode()
    assert "同一文件不能重复导入" in again and BankStatement.objects.count() == 1


def test_template_download(users: dict[str, Client]) -> None:
    response = users["supervisor"].get("/bank/statements/template.csv")
    assert response["Content-Disposition"] == 'attachment; filename="bank-statement-template.csv"'
    assert response.content.decode("utf-8-sig").startswith("交易日期,银行流水号,收支方向,金额")


def test_unmatched_page_manual_match_undo_and_note(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    upload(users["finance"])
    page = users["manager"].get("/bank/unmatched/?account=100202&date=2026-03-31").content.decode()
    assert 'data-testid="long-total">450.00<' in page and 'data-testid="short-total">12.50<' in page
    assert 'data-testid="bucket-8-30"' in page and 'data-testid="match-' not in page  # no forms
    fee = BankLine.objects.get(serial="S003")
    leg = cash_leg(ledger["missing"], "100202")
    finance_page = users["finance"].get("/bank/unmatched/?date=2026-03-31").content.decode()
    assert f'data-testid="note-bank-{fee.pk}"' in finance_page and f'data-testid="note-book-{leg.pk}"' in finance_page
    note = users["finance"].post("/bank/notes/", {"line": fee.pk, "text": "已联系银行", "next": "/bank/unmatched/"})
    assert note.status_code == 302 and Note.objects.get().text == "已联系银行"
    fee_leg = cash_leg(move("5101", "100202", "12.50", day(25), "fee-1", description="手续费"), "100202")
    users["finance"].post(f"/bank/lines/{fee.pk}/match/", {"leg": fee_leg.pk, "reason": "手续费补记"})
    match = Match.objects.get(line=fee)
    assert (match.rule, match.reason) == ("manual", "手续费补记")
    detail = users["finance"].get(f"/bank/statements/{fee.statement_id}/").content.decode()
    assert 'data-testid="undo-5"' in detail
    refused = users["finance"].post(f"/bank/matches/{match.pk}/undo/", {"reason": ""}, follow=True).content.decode()
    assert "请填写撤销原因" in refused and Match.objects.filter(pk=match.pk).exists()
    users["finance"].post(f"/bank/matches/{match.pk}/undo/", {"reason": "补记有误"})
    assert not Match.objects.filter(pk=match.pk).exists()
    run = users["finance"].post("/bank/match/", {"region": REGION_A, "account": "100202", "window": "31"},
                                follow=True).content.decode()
    assert "重新匹配完成：附言匹配 0 笔，金额日期匹配 1 笔" in run


def test_reconciliation_page_agrees(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    upload(users["finance"])
    page = users["supervisor"].get("/bank/reconciliation/?account=100202&date=2026-03-31").content.decode()
    assert 'data-testid="bank-balance">8,487.50<' in page and 'data-testid="book-balance">8,050.00<' in page
    assert 'data-testid="adjusted-bank">8,037.50<' in page and 'data-testid="adjusted-book">8,037.50<' in page
    assert 'data-testid="agree"' in page


def test_day_close_page(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    upload(users["finance"])
    page = users["finance"].get("/bank/day-close/?region=220282&month=2026-03").content.decode()
    assert "下一个待日结日期：2026-03-02" in page and 'data-testid="close-2026-03-02"' in page
    assert "未导入：100201" in page  # the transfer also left the income account, whose statement is missing
    refused = users["finance"].post("/bank/day-close/", {"region": REGION_A, "day": "2026-03-02"}, follow=True)
    assert "100201 收入户存款 有资金收付，但尚未导入覆盖该日的银行对账单" in refused.content.decode()
    users["finance"].post("/bank/statements/upload/", {
        "region": REGION_A, "account": "100201", "period_from": "2026-03-01", "period_to": "2026-03-31",
        "file": SimpleUploadedFile("in.csv", statement_csv("2026-03-02,R1,付,10000.00,,,划出,0.00"))})
    done = users["finance"].post("/bank/day-close/", {"region": REGION_A, "day": "2026-03-02", "note": "对账完毕"},
                                 follow=True).content.decode()
    assert "已日结 2026-03-02（未达账项 0 笔）" in done and 'data-testid="closed"' in done
    assert DayClose.objects.get().note == "对账完毕"
    reader = users["manager"].get("/bank/day-close/?month=2026-03").content.decode()
    assert "已日结至 2026-03-02" in reader and 'data-testid="close-2026-03-03"' not in reader


def test_readers_see_but_only_finance_writes(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    upload(users["finance"])
    statement = BankStatement.objects.get()
    for name in ("finance", "manager", "supervisor"):
        for url in ("/bank/", f"/bank/statements/{statement.pk}/", "/bank/unmatched/", "/bank/reconciliation/",
                    "/bank/day-close/", "/api/v1/bank/statements", "/api/v1/bank/day-closes"):
            assert users[name].get(url).status_code == 200, (name, url)
    for name in ("manager", "supervisor", "settlement"):
        assert upload(users[name], name="other.csv").status_code == 403
        assert users[name].post("/bank/day-close/", {"region": REGION_A, "day": "2026-03-02"}).status_code == 403
        assert users[name].post("/api/v1/bank/day-closes", {"region": REGION_A, "day": "2026-03-02"}).status_code == 403
    assert users["settlement"].get("/bank/").status_code == 403
    assert users["finance_b"].get(f"/bank/statements/{statement.pk}/").status_code == 404
    assert users["finance_b"].get("/api/v1/bank/statements").json()["results"] == []


def test_api_upload_lines_unmatched_reconciliation(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    response = users["finance"].post("/api/v1/bank/statements", {
        "region": REGION_A, "account": "100202", "file": SimpleUploadedFile("march.csv", FILE)})
    assert response.status_code == 201
    body = response.json()
    assert (body["duplicates"], body["matched_memo"], body["matched_amount_date"]) == (1, 1, 2)
    assert (body["statement"]["line_count"], body["statement"]["closing_balance"]) == (5, "8487.50")
    pk = body["statement"]["id"]
    lines = users["manager"].get(f"/api/v1/bank/statements/{pk}/lines").json()["results"]
    assert [(x["serial"], x["state"], x["rule"]) for x in lines] == [
        ("S000", "matched", "amount_date"), ("S001", "matched", "memo"), ("S002", "matched", "amount_date"), ("S002", "duplicate", None),
        ("S003", "unmatched", None)]
    assert lines[1]["transaction"] == ledger["po"].pk and lines[1]["amount"] == "1200.00"
    unmatched = users["supervisor"].get("/api/v1/bank/unmatched?date=2026-03-20&account=100202").json()
    assert (unmatched["count"], unmatched["long_total"], unmatched["short_total"]) == (2, "450.00", "12.50")
    assert [(i["side"], i["kind"], i["bucket"], i["age"]) for i in unmatched["items"]] == [
        ("bank", "short", "0-7", 2), ("book", "long", "8-30", 10)]
    rec = users["manager"].get("/api/v1/bank/reconciliation?date=2026-03-31&account=100202").json()["accounts"][0]
    assert (rec["bank_balance"], rec["book_balance"], rec["adjusted_bank"], rec["adjusted_book"], rec["agree"]) == (
        "8487.50", "8050.00", "8037.50", "8037.50", True)
    bad = users["manager"].get("/api/v1/bank/unmatched?region=220281")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_region"
    again = users["finance"].post("/api/v1/bank/statements", {
        "region": REGION_A, "account": "100202", "file": SimpleUploadedFile("copy.csv", FILE)})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_file"
    rejected = users["finance"].post("/api/v1/bank/statements", {
        "region": REGION_A, "account": "100202", "file": SimpleUploadedFile("b.csv", statement_csv("x,S,收,1,,,,"))})
    assert rejected.status_code == 400 and rejected.json()["details"] == [
        {"row": 2, "column": "交易日期", "value": "x", "reason": "交易日期不是有效日期（格式 YYYY-MM-DD）"}]


def test_api_matches_notes_and_day_closes(users: dict[str, Client], ledger: dict[str, Any]) -> None:
    upload(users["finance"])
    fee = BankLine.objects.get(serial="S003")
    leg = cash_leg(move("5101", "100202", "12.50", day(20), "fee-1", description="手续费"), "100202")
    note = users["finance"].post("/api/v1/bank/notes", {"line": fee.pk, "text": "待核实"},
                                 content_type="application/json")
    assert note.status_code == 201 and note.json()["text"] == "待核实"
    made = users["finance"].post("/api/v1/bank/matches", {"line": fee.pk, "leg": leg.pk, "reason": "补记手续费"},
                                 content_type="application/json")
    assert made.status_code == 201 and (made.json()["rule"], made.json()["amount"]) == ("manual", "12.50")
    twice = users["finance"].post("/api/v1/bank/matches", {"line": fee.pk, "leg": leg.pk, "reason": "再来"},
                                  content_type="application/json")
    assert twice.status_code == 409 and twice.json()["code"] == "line_matched"
    listed = users["manager"].get("/api/v1/bank/matches?rule=manual").json()["results"]
    assert [(m["serial"], m["reason"]) for m in listed] == [("S003", "补记手续费")]
    undo = users["finance"].post(f"/api/v1/bank/matches/{made.json()['id']}/undo", {"reason": "错配"},
                                 content_type="application/json")
    assert undo.status_code == 200 and undo.json() == {"line": fee.pk, "state": "unmatched"}
    run = users["finance"].post("/api/v1/bank/match-runs", {"region": REGION_A, "account": "100202"},
                                content_type="application/json")
    assert run.json() == {"memo": 0, "amount_date": 1, "total": 1}
    refused = users["finance"].post("/api/v1/bank/day-closes", {"region": REGION_A, "day": "2026-03-03"},
                                    content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "close_in_order"
    assert refused.json()["details"] == {"day": "2026-03-02"}
    other = users["finance_b"].post("/api/v1/bank/day-closes", {"region": REGION_A, "day": "2026-03-02"},
                                    content_type="application/json")
    assert other.status_code == 400 and other.json()["code"] == "invalid_region"
