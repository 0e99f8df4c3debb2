"""Finance's manual work: matching by hand with a reason, undoing a manual match, notes on unmatched items — each
with its event — and a leg that cannot be matched twice, in Python and in the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from dae.bank import actions, queries
from dae.bank.actions import do_import_statement
from dae.bank.models import BankLine, Match, Note
from dae.core.errors import Conflict, DaeError, InvalidInput
from dae.core.models import Event
from dae.ledger.models import Account
from tests.factories import REGION_A, REGION_B

from .books import cash_leg, day, move, statement_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_items(clerk: Any) -> dict[str, Any]:
    """A bank payment of 300.00 on 03-20 the rules cannot pair (the book has it on 03-05, 15 days earlier), a
    second 300.00 bank line, a fee of 12.50 and the book's 300.00 payment."""
    cost = move("5101", "100202", "300.00", day(5), "cost-1", description="经办费用")
    do_import_statement(region=REGION_A, account="100202", file_name="m.csv", actor=clerk, period_from=day(1),
                     period_to=day(31), content=statement_csv(
        "2026-03-20,S001,付,300.00,,,经办费用（延迟扣款）,",
        "2026-03-21,S002,付,300.00,,,另一笔,",
        "2026-03-21,S003,付,12.50,,,手续费,"))
    return {"leg": cash_leg(cost, "100202"), "late": BankLine.objects.get(serial="S001"),
            "other": BankLine.objects.get(serial="S002"), "fee": BankLine.objects.get(serial="S003"), "clerk": clerk}


def test_manual_match_with_reason_and_its_event(open_items: dict[str, Any]) -> None:
    late, leg, clerk = open_items["late"], open_items["leg"], open_items["clerk"]
    assert Match.objects.count() == 0
    match = actions.do_match_manually(line=late, leg_id=leg.pk, reason="银行延迟扣款", actor=clerk)
    assert (match.rule, match.reason, match.matched_by, match.region_id) == ("manual", "银行延迟扣款", clerk, REGION_A)
    late.refresh_from_db()
    assert late.state == "matched"
    event = Event.objects.get(action="bank.matched_manually")
    assert (event.object_id, event.actor, event.note, event.after["leg"], event.after["line"]) == (
        str(match.pk), clerk, "银行延迟扣款", leg.pk, late.pk)
    items = queries.unmatched([REGION_A], [Account.objects.get(code="100202")], day(31)).items
    assert [(i.side, i.id) for i in items] == [("bank", open_items["other"].pk), ("bank", open_items["fee"].pk)]
    # before: the two 300.00 lines and the fee at the bank, the 300.00 payment in the book
    actions.do_unmatch(match=match, reason="核对", actor=clerk)
    items = queries.unmatched([REGION_A], [Account.objects.get(code="100202")], day(31)).items
    assert [(i.side, i.id) for i in items] == [("bank", late.pk), ("bank", open_items["other"].pk),
                                               ("bank", open_items["fee"].pk), ("book", leg.pk)]


def test_a_leg_is_matched_once(open_items: dict[str, Any]) -> None:
    leg, clerk = open_items["leg"], open_items["clerk"]
    actions.do_match_manually(line=open_items["late"], leg_id=leg.pk, reason="银行延迟扣款", actor=clerk)
    with pytest.raises(Conflict) as caught:
        actions.do_match_manually(line=open_items["other"], leg_id=leg.pk, reason="再匹配一次", actor=clerk)
    assert (caught.value.code, caught.value.message) == ("leg_matched", "该账面分录已与银行流水 S001 匹配")
    with pytest.raises(Conflict) as caught:
        actions.do_match_manually(line=open_items["late"], leg_id=leg.pk, reason="再匹配一次", actor=clerk)
    assert caught.value.code == "line_matched"
    assert Match.objects.count() == 1 and Event.objects.filter(action="bank.matched_manually").count() == 1


def test_the_database_refuses_a_second_match_of_a_leg_or_a_line(open_items: dict[str, Any]) -> None:
    leg, clerk = open_items["leg"], open_items["clerk"]
    actions.do_match_manually(line=open_items["late"], leg_id=leg.pk, reason="银行延迟扣款", actor=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(line=open_items["other"], leg=leg, region_id=REGION_A, rule="manual")
    other_leg = cash_leg(move("5101", "100202", "12.50", day(21), "fee-1"), "100202")
    with pytest.raises(IntegrityError), transaction.atomic():
        Match.objects.create(line=open_items["late"], leg=other_leg, region_id=REGION_A, rule="manual")
    assert Match.objects.count() == 1


@pytest.mark.parametrize(("line", "reason", "code"), [
    ("fee", "手续费", "amount_mismatch"),   # 12.50 against 300.00
    ("late", "", "reason_required"),
    ("late", " ", "reason_required"),
])
def test_manual_match_refusals(open_items: dict[str, Any], line: str, reason: str, code: str) -> None:
    with pytest.raises(DaeError) as caught:
        actions.do_match_manually(line=open_items[line], leg_id=open_items["leg"].pk, reason=reason,
                               actor=open_items["clerk"])
    assert caught.value.code == code and Match.objects.count() == 0


def test_amount_mismatch_message_and_other_account(open_items: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        actions.do_match_manually(line=open_items["fee"], leg_id=open_items["leg"].pk, reason="x1",
                               actor=open_items["clerk"])
    assert caught.value.message == "金额或收支方向不一致：银行 付 12.50，账面 贷 300.00"
    income = cash_leg(move("100201", "4101", "300.00", day(20), "interest-1"), "100201")
    other_region = cash_leg(move("5101", "100202", "300.00", day(20), "b-1", region=REGION_B), "100202")
    for leg in (income, other_region):
        with pytest.raises(InvalidInput) as caught:
            actions.do_match_manually(line=open_items["late"], leg_id=leg.pk, reason="x1", actor=open_items["clerk"])
        assert caught.value.code == "other_account"


def test_a_duplicate_line_is_never_matched(open_items: dict[str, Any], clerk: Any) -> None:
    do_import_statement(region=REGION_A, account="100202", file_name="again.csv", actor=clerk,
                     content=statement_csv("2026-03-20,S001,付,300.00,,,重复发送,"))
    duplicate = BankLine.objects.get(serial="S001", state="duplicate")
    with pytest.raises(Conflict) as caught:
        actions.do_match_manually(line=duplicate, leg_id=open_items["leg"].pk, reason="x1", actor=clerk)
    assert caught.value.code == "duplicate_line"


def test_undo_a_manual_match_with_reason(open_items: dict[str, Any]) -> None:
    late, leg, clerk = open_items["late"], open_items["leg"], open_items["clerk"]
    match = actions.do_match_manually(line=late, leg_id=leg.pk, reason="银行延迟扣款", actor=clerk)
    with pytest.raises(InvalidInput) as caught:
        actions.do_unmatch(match=match, reason="", actor=clerk)
    assert caught.value.message == "请填写撤销原因"
    actions.do_unmatch(match=match, reason="匹配错了", actor=clerk)
    late.refresh_from_db()
    assert late.state == "unmatched" and Match.objects.count() == 0
    event = Event.objects.get(action="bank.unmatched")
    assert (event.object_id, event.note, event.before["leg"], event.before["rule"], event.after["reason"]) == (
        str(match.pk), "匹配错了", leg.pk, "manual", "匹配错了")
    # the pair can be made again
    actions.do_match_manually(line=open_items["other"], leg_id=leg.pk, reason="正确的那笔", actor=clerk)


def test_an_automatic_match_is_not_undone(clerk: Any) -> None:
    move("5101", "100202", "300.00", day(5), "cost-1")
    do_import_statement(region=REGION_A, account="100202", file_name="m.csv", actor=clerk,
                     content=statement_csv("2026-03-05,S001,付,300.00,,,经办费用,"))
    match = Match.objects.get()
    with pytest.raises(Conflict) as caught:
        actions.do_unmatch(match=match, reason="试试", actor=clerk)
    assert (caught.value.code, match.rule) == ("not_manual", "amount_date")
    assert Match.objects.count() == 1


def test_notes_on_unmatched_items(open_items: dict[str, Any]) -> None:
    clerk, fee, leg = open_items["clerk"], open_items["fee"], open_items["leg"]
    actions.do_add_note(text="已联系银行退还手续费", actor=clerk, line=fee)
    actions.do_add_note(text="银行回单已到", actor=clerk, line=fee)
    actions.do_add_note(text="待银行扣款", actor=clerk, leg=leg)
    assert list(Note.objects.order_by("id").values_list("line_id", "leg_id", "text")) == [
        (fee.pk, None, "已联系银行退还手续费"), (fee.pk, None, "银行回单已到"), (None, leg.pk, "待银行扣款")]
    assert [e.after["text"] for e in Event.objects.filter(action="bank.noted").order_by("id")] == [
        "已联系银行退还手续费", "银行回单已到", "待银行扣款"]
    items = {(i.side, i.id): i.note for i in queries.unmatched(
        [REGION_A], [Account.objects.get(code="100202")], day(31)).items}
    assert items[("bank", fee.pk)] == "银行回单已到" and items[("book", leg.pk)] == "待银行扣款"
    with pytest.raises(InvalidInput):
        actions.do_add_note(text="  ", actor=clerk, line=fee)
    actions.do_match_manually(line=open_items["late"], leg_id=leg.pk, reason="银行延迟扣款", actor=clerk)
    with pytest.raises(Conflict) as caught:
        actions.do_add_note(text="已匹配", actor=clerk, leg=leg)
    assert caught.value.code == "item_matched"


def test_matching_on_demand_after_a_late_posting(open_items: dict[str, Any]) -> None:
    clerk = open_items["clerk"]
    move("5101", "100202", "12.50", day(22), "fee-posted", description="银行手续费")
    counts = actions.do_run_matching(region=REGION_A, account="100202", actor=clerk)
    assert (counts.memo, counts.amount_date) == (0, 1)
    assert Match.objects.get(line=open_items["fee"]).rule == "amount_date"
    event = Event.objects.get(action="bank.matching_run")
    assert (event.object_id, event.after) == (f"{REGION_A}:100202", {"window": 3, "memo": 0, "amount_date": 1})
    # a wider window pairs the 300.00 paid on 03-05 with the bank's 03-20 line (the earlier of the two)
    assert actions.do_run_matching(region=REGION_A, account="100202", actor=clerk, window=31).total == 1
    assert Match.objects.get(leg=open_items["leg"]).line == open_items["late"]
    assert sum((m.line.amount for m in Match.objects.select_related("line")), Decimal(0)) == Decimal("312.50")
