"""The daily close (日清日结): days close in order and only after the bank statements covering their cash
movements are imported; then the ledger refuses ``post``, ``post_many`` and ``reverse`` dated on or before the
latest closed day (code ``day_closed``) and writes nothing, while later dates post as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dae.bank.actions import do_close_day, do_close_days, do_import_statement
from dae.core.errors import AppendOnlyViolation, Conflict, InvalidInput
from dae.core.models import Event
from dae.ledger.actions import Cr, Dr, Entry, do_post, do_post_many, do_reverse
from dae.ledger.errors import DayClosed, InvalidEntry
from dae.ledger.models import DayClose, Leg, Transaction
from tests.factories import REGION_A, REGION_B

from .books import day, move, statement_csv

pytestmark = pytest.mark.django_db
CLOSED_MESSAGE = "统筹区 220282 已日结至 2026-03-04，凭证日期须晚于该日（更正请在以后日期记账）"


@pytest.fixture
def books(clerk: Any) -> dict[str, Any]:
    """03-02: 1000.00 into 100202 and 500.00 into 100201; 03-04: 200.00 out of 100202 and 80.00 out of 100202
    that the bank has not seen. Only 100202's March statement is imported."""
    txns = {"drawn": move("100202", "2301", "1000.00", day(2), "revolving-1", description="临时周转金"),
            "appropriation": move("100201", "1131", "500.00", day(2), "appr-1", description="拨款"),
            "cost": move("5101", "100202", "200.00", day(4), "cost-1", description="经办费用"),
            "open": move("5101", "100202", "80.00", day(4), "cost-2", description="经办费用（银行未付）")}
    do_import_statement(region=REGION_A, account="100202", file_name="100202.csv", actor=clerk, period_from=day(1),
                     period_to=day(31), content=statement_csv("2026-03-02,S1,收,1000.00,,,周转金,1000.00",
                                                              "2026-03-04,S2,付,200.00,,,经办费用,800.00"))
    return {"txns": txns, "clerk": clerk}


def _income_statement(clerk: Any) -> None:
    do_import_statement(region=REGION_A, account="100201", file_name="100201.csv", actor=clerk, period_from=day(1),
                     period_to=day(31), content=statement_csv("2026-03-02,R1,收,500.00,,,拨款,500.00"))


def test_days_close_in_order_and_only_after_the_statements(books: dict[str, Any]) -> None:
    clerk = books["clerk"]
    with pytest.raises(Conflict) as caught:
        do_close_day(REGION_A, day(4), actor=clerk)
    assert (caught.value.code, caught.value.message) == (
        "close_in_order", "请先日结 2026-03-02：该日有资金收付且尚未日结，日结须按日期顺序进行")
    with pytest.raises(Conflict) as caught:
        do_close_day(REGION_A, day(2), actor=clerk)
    assert (caught.value.code, caught.value.message) == (
        "not_reconciled", "2026-03-02 100201 收入户存款 有资金收付，但尚未导入覆盖该日的银行对账单（请先导入并完成对账）")
    assert DayClose.objects.count() == 0

    _income_statement(clerk)
    first = do_close_day(REGION_A, day(2), actor=clerk, note="三月二日对账完毕")
    assert (first.region_id, first.day, first.closed_by, first.note, first.unmatched_count) == (
        REGION_A, day(2), clerk, "三月二日对账完毕", 0)
    second = do_close_day(REGION_A, day(4), actor=clerk)  # 03-03 had no cash movement: nothing to wait for
    assert second.unmatched_count == 1  # the 80.00 the bank has not paid stays listed
    events = Event.objects.filter(action="ledger.day_closed").order_by("id")
    assert [(e.object_id, e.after, e.actor) for e in events] == [
        (str(first.pk), {"day": "2026-03-02", "unmatched_count": 0}, clerk),
        (str(second.pk), {"day": "2026-03-04", "unmatched_count": 1}, clerk)]
    with pytest.raises(Conflict) as caught:
        do_close_day(REGION_A, day(3), actor=clerk)
    assert (caught.value.code, caught.value.message) == (
        "already_closed", "统筹区 220282 已日结至 2026-03-04，2026-03-03 已日结，日结不能撤销")


def test_a_close_is_never_undone(books: dict[str, Any]) -> None:
    _income_statement(books["clerk"])
    closed = do_close_day(REGION_A, day(2), actor=books["clerk"])
    with pytest.raises(AppendOnlyViolation):
        closed.delete()
    closed.note = "改"
    with pytest.raises(AppendOnlyViolation):
        closed.save()
    with pytest.raises(AppendOnlyViolation):
        DayClose.objects.all().delete()


def test_future_days_and_empty_requests_are_refused(clerk: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        do_close_day(REGION_A, tomorrow, actor=clerk)
    assert caught.value.code == "future_date"
    with pytest.raises(InvalidInput):
        do_close_days(REGION_A, [], actor=clerk)


def _closed_through_march_4(books: dict[str, Any]) -> None:
    _income_statement(books["clerk"])
    do_close_days(REGION_A, [day(2), day(4)], actor=books["clerk"])


def _written() -> tuple[int, int, int]:
    return Transaction.objects.count(), Leg.objects.count(), Event.objects.count()


@pytest.mark.parametrize("on", [day(4), day(1), day(1, month=2)])
def test_post_on_or_before_the_closed_day_is_refused(books: dict[str, Any], on: dt.date) -> None:
    _closed_through_march_4(books)
    before = _written()
    with pytest.raises(DayClosed) as caught:
        do_post([Dr("5101", "10.00"), Cr("100202", "10.00")], date=on, description="迟到的费用", reference=("x", 1),
                key="late-1", actor=books["clerk"], region=REGION_A)
    assert isinstance(caught.value, InvalidEntry)
    assert (caught.value.code, caught.value.message, caught.value.status) == ("day_closed", CLOSED_MESSAGE, 400)
    assert caught.value.details[0]["code"] == "day_closed"
    assert _written() == before


def test_post_after_the_closed_day_and_in_another_region_is_fine(books: dict[str, Any]) -> None:
    _closed_through_march_4(books)
    txn = do_post([Dr("5101", "10.00"), Cr("100202", "10.00")], date=day(5), description="次日费用",
                  reference=("x", 1), key="next-1", actor=books["clerk"], region=REGION_A)
    assert txn.date == day(5)
    other = do_post([Dr("5101", "10.00"), Cr("100202", "10.00")], date=day(4), description="蛟河费用",
                    reference=("x", 2), key="b-1", actor=None, region=REGION_B)
    assert other.region_id == REGION_B


def test_a_retry_of_an_entry_posted_before_the_close_returns_it(books: dict[str, Any]) -> None:
    _closed_through_march_4(books)
    cost = books["txns"]["cost"]
    again = do_post([Dr("5101", "200.00"), Cr("100202", "200.00")], date=day(4), description="经办费用",
                    reference=("ledger.manual", ""), key="cost-1", actor=None, region=REGION_A)
    assert again == cost


def test_post_many_refuses_a_closed_day_and_writes_nothing(books: dict[str, Any]) -> None:
    _closed_through_march_4(books)
    before = _written()
    entries = [Entry([Dr("5101", "1.00"), Cr("100202", "1.00")], day(6), "费用", ("x", n), f"bulk-{n}", REGION_A)
               for n in range(3)]
    entries.insert(2, Entry([Dr("5101", "1.00"), Cr("100202", "1.00")], day(4), "费用", ("x", 9), "bulk-9", REGION_A))
    with pytest.raises(DayClosed) as caught:
        do_post_many(entries, actor=books["clerk"], batch=2)  # the closed entry is in the second chunk
    assert (caught.value.code, caught.value.message) == ("day_closed", "第 3 笔凭证：" + CLOSED_MESSAGE)
    assert _written() == before
    assert do_post_many([e for e in entries if e.key != "bulk-9"], actor=books["clerk"], batch=2) == 3


def test_reverse_dated_on_or_before_the_closed_day_is_refused(books: dict[str, Any]) -> None:
    _closed_through_march_4(books)
    before = _written()
    with pytest.raises(DayClosed) as caught:
        do_reverse(books["txns"]["cost"], date=day(4), reason="发票作废", actor=books["clerk"])
    assert (caught.value.code, caught.value.message) == ("day_closed", CLOSED_MESSAGE)
    assert _written() == before
    reversal = do_reverse(books["txns"]["cost"], date=day(5), reason="发票作废", actor=books["clerk"])
    assert (reversal.date, reversal.reverses) == (day(5), books["txns"]["cost"])


def test_the_check_is_one_query_per_post_and_per_region_in_post_many(books: dict[str, Any]) -> None:
    _closed_through_march_4(books)

    def dayclose_queries(work: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            work()
        return sum(1 for q in ctx.captured_queries if "ledger_dayclose" in q["sql"])

    assert dayclose_queries(lambda: do_post([Dr("5101", "1.00"), Cr("100202", "1.00")], date=day(6), description="费",
                                            reference=("x", 1), key="q-1", actor=None, region=REGION_A)) == 1
    entries = [Entry([Dr("5101", "1.00"), Cr("100202", "1.00")], day(6), "费", ("x", n), f"q-many-{n}",
                     REGION_A if n % 2 else REGION_B) for n in range(10)]
    assert dayclose_queries(lambda: do_post_many(entries, actor=None, batch=3)) == 1


def test_the_manual_entry_page_and_the_api_show_the_error(books: dict[str, Any]) -> None:
    _closed_through_march_4(books)
    client = Client()
    client.force_login(books["clerk"])
    page = client.post("/ledger/transactions/new/", {
        "date": "2026-03-04", "region": REGION_A, "description": "迟到的利息", "reference_id": "", "key": "manual:x",
        "account_0": "100201", "debit_0": "5.00", "account_1": "4101", "credit_1": "5.00"})
    assert page.status_code == 200 and CLOSED_MESSAGE in page.content.decode()
    api = client.post("/api/v1/ledger/transactions", {
        "date": "2026-03-04", "description": "迟到的利息", "idempotency_key": "api-late", "region": REGION_A,
        "legs": [{"account": "100201", "debit": "5.00"}, {"account": "4101", "credit": "5.00"}]},
        content_type="application/json")
    assert api.status_code == 400
    assert (api.json()["code"], api.json()["message"]) == ("day_closed", CLOSED_MESSAGE)
    reversal = client.post(f"/ledger/transactions/{books['txns']['cost'].pk}/reverse/",
                           {"date": "2026-03-04", "reason": "发票作废"}, follow=True)
    assert CLOSED_MESSAGE in reversal.content.decode()
    assert not Transaction.objects.filter(description__startswith="迟到").exists()
