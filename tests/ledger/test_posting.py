"""Posting rules, idempotency, reversal and append-only, as a finance clerk would read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import AppendOnlyViolation, Conflict
from dae.core.models import Event
from dae.core.money import MoneyError
from dae.ledger.actions import Cr, Dr, Line, do_post, do_reverse
from dae.ledger.errors import AlreadyReversed, IdempotencyConflict, InvalidEntry, NotReversible
from dae.ledger.models import Account, Leg, Transaction
from dae.ledger.queries import balance, trial_balance
from tests.factories import REGION_A, REGION_B

from .conftest import DAY

pytestmark = pytest.mark.django_db


def pay_hospital(clerk: Any, amount: str = "1200.00", key: str = "k1", **kw: Any) -> Transaction:
    args: dict[str, Any] = {"date": DAY, "description": "补助支出 SA0001", "reference": ("claims.settlement", "SA0001"),
                            "key": key, "actor": clerk, "region": REGION_A}
    args.update(kw)
    return do_post([Dr("5001", amount), Cr("2201", amount)], **args)


def test_a_balanced_entry_is_posted_with_its_legs_and_one_event(clerk: Any) -> None:
    txn = pay_hospital(clerk)
    assert [(leg.account.code, leg.debit, leg.credit) for leg in txn.legs.order_by("id")] == [
        ("5001", Decimal("1200.00"), Decimal("0.00")), ("2201", Decimal("0.00"), Decimal("1200.00"))]
    assert (txn.reference_type, txn.reference_id, txn.region_id, txn.posted_by) == (
        "claims.settlement", "SA0001", REGION_A, clerk)
    event = Event.objects.get(action="ledger.posted")
    assert (event.object_id, event.actor, event.region_id) == (str(txn.pk), clerk, REGION_A)
    assert event.after["legs"] == [["5001", "1200.00", "0.00"], ["2201", "0.00", "1200.00"]]


def test_a_split_entry_with_three_legs(clerk: Any) -> None:
    txn = do_post([Dr("100202", "1000.00"), Cr("1131", "999.99"), Cr("4101", "0.01")], date=DAY,
                  description="拨款到账及利息", reference=("ledger.manual", "1"), key="k3", actor=clerk, region=REGION_A)
    assert txn.legs.count() == 3
    assert balance("100202") == Decimal("1000.00")
    assert balance("1131") == Decimal("-999.99")  # a debit-normal account credited shows negative
    assert balance("4101") == Decimal("0.01")


@pytest.mark.parametrize(("lines", "code", "message"), [
    ([Dr("5001", "10.00")], "too_few_legs", "记账凭证至少需要两条分录（一借一贷）"),
    ([Dr("5001", "10.00"), Cr("2201", "9.99")], "unbalanced", "借贷不平衡：借方合计 10.00，贷方合计 9.99"),
    ([Dr("5001", "0"), Cr("2201", "0")], "one_side", "第 1 条分录须且只能填写借方或贷方中的一方"),
    ([Line("5001", Decimal("5"), Decimal("5")), Cr("2201", "0")], "one_side", "第 1 条分录须且只能填写借方或贷方中的一方"),
    ([Dr("5001", "-10.00"), Cr("2201", "-10.00")], "negative_amount", "第 1 条分录的金额不能为负数，请改记到另一方"),
    ([Dr("5001", "10.005"), Cr("2201", "10.005")], "not_fen", "第 1 条分录的金额 10.005 超过两位小数，须精确到分"),
    ([Dr("5001", "100000000000000.00"), Cr("2201", "100000000000000.00")], "too_large", "第 1 条分录的金额超出可记录的范围"),
    ([Dr("9999", "10.00"), Cr("2201", "10.00")], "unknown_account", "第 1 条分录的科目 9999 不存在"),
    ([Dr("1002", "10.00"), Cr("2201", "10.00")], "group_account", "第 1 条分录的科目 1002 基金银行存款 是汇总科目，请记到其明细科目"),
])
def test_an_entry_breaking_a_rule_is_refused_with_a_chinese_message(clerk: Any, lines: list[Line], code: str,
                                                                     message: str) -> None:
    with pytest.raises(InvalidEntry) as caught:
        do_post(lines, date=DAY, description="测试", reference=("t", "1"), key="bad", actor=clerk, region=REGION_A)
    assert (caught.value.code, caught.value.message, caught.value.status) == (code, message, 400)
    assert Transaction.objects.count() == Leg.objects.count() == 0
    assert not Event.objects.filter(action="ledger.posted").exists()


def test_every_broken_rule_is_listed_in_the_details(clerk: Any) -> None:
    with pytest.raises(InvalidEntry) as caught:
        do_post([Dr("5001", "-1"), Cr("2201", "1.001")], date=DAY, description=" ", reference=("", ""), key="",
                actor=clerk, region=REGION_A)
    assert [d["code"] for d in caught.value.details] == [
        "no_description", "bad_reference", "bad_key", "negative_amount", "not_fen"]


def test_an_inactive_account_and_another_regions_account_are_refused(clerk: Any) -> None:
    Account.objects.filter(code="5101").update(active=False)
    Account.objects.create(code="100203", name="蛟河支出户", kind="asset", normal_side="debit", region_id=REGION_B,
                           parent=Account.objects.get(code="1002"))
    with pytest.raises(InvalidEntry, match="第 1 条分录的科目 5101 经办费用 已停用"):
        do_post([Dr("5101", "1"), Cr("100202", "1")], date=DAY, description="经办费", reference=("t", "1"), key="a",
                actor=clerk, region=REGION_A)
    with pytest.raises(InvalidEntry, match="第 2 条分录的科目 100203 蛟河支出户 只用于统筹区 220281"):
        do_post([Dr("5001", "1"), Cr("100203", "1")], date=DAY, description="支付", reference=("t", "1"), key="b",
                actor=clerk, region=REGION_A)


def test_an_unknown_region_is_refused(clerk: Any) -> None:
    with pytest.raises(InvalidEntry, match="统筹区 999999 不存在"):
        pay_hospital(clerk, region="999999")


def test_a_float_amount_is_refused_before_anything_is_built() -> None:
    with pytest.raises(MoneyError):
        Dr("5001", 0.1)  # type: ignore[arg-type]


def test_a_retry_with_the_same_key_and_content_returns_the_same_transaction(clerk: Any) -> None:
    first = pay_hospital(clerk)
    again = do_post([Cr("2201", "1200"), Dr("5001", "1200.0")], date=DAY, description="补助支出 SA0001",
                     reference=("claims.settlement", "SA0001"), key="k1", actor=clerk, region=REGION_A)
    assert again.pk == first.pk
    assert Transaction.objects.count() == 1 and Leg.objects.count() == 2
    assert Event.objects.filter(action="ledger.posted").count() == 1


@pytest.mark.parametrize("change", [{"amount": "1200.01"}, {"date": DAY + dt.timedelta(days=1)},
                                    {"description": "别的摘要"}, {"reference": ("claims.settlement", "SA0002")},
                                    {"region": REGION_B}])
def test_the_same_key_with_different_content_is_a_conflict(clerk: Any, change: dict[str, Any]) -> None:
    first = pay_hospital(clerk)
    with pytest.raises(IdempotencyConflict) as caught:
        pay_hospital(clerk, **change)
    assert isinstance(caught.value, Conflict) and caught.value.status == 409
    assert caught.value.message.startswith(f"幂等键 k1 已用于凭证 #{first.pk}，但内容不同")
    assert Transaction.objects.count() == 1


def test_a_reversal_mirrors_the_original_points_to_it_and_nets_to_zero(clerk: Any) -> None:
    original = pay_hospital(clerk)
    reversal = do_reverse(original, date=DAY + dt.timedelta(days=3), reason="金额录错", actor=clerk)
    assert reversal.reverses == original and original.reversal_or_none() == reversal
    assert reversal.description == f"冲正凭证 #{original.pk}：金额录错"
    assert (reversal.reference_type, reversal.reference_id, reversal.region_id) == (
        "claims.settlement", "SA0001", REGION_A)
    assert [(leg.account.code, leg.debit, leg.credit) for leg in reversal.legs.order_by("id")] == [
        ("5001", Decimal("0.00"), Decimal("1200.00")), ("2201", Decimal("1200.00"), Decimal("0.00"))]
    assert balance("5001") == balance("2201") == Decimal("0.00")
    assert balance("5001", on=DAY) == Decimal("1200.00")  # the reversal is dated later
    assert Event.objects.filter(action="ledger.reversed", object_id=str(reversal.pk)).count() == 1


def test_a_transaction_is_reversed_once_only(clerk: Any) -> None:
    original = pay_hospital(clerk)
    reversal = do_reverse(original, date=DAY, reason="重复支付", actor=clerk)
    with pytest.raises(AlreadyReversed, match=f"凭证 #{original.pk} 已于 {DAY} 冲正（凭证 #{reversal.pk}），不能重复冲正"):
        do_reverse(original, date=DAY, reason="再来一次", actor=clerk)
    with pytest.raises(NotReversible, match=f"凭证 #{reversal.pk} 本身是冲正凭证，不能再冲正"):
        do_reverse(reversal, date=DAY, reason="撤销冲正", actor=clerk)
    assert Transaction.objects.count() == 2


def test_a_reversal_needs_a_reason_and_is_not_dated_before_the_original(clerk: Any) -> None:
    original = pay_hospital(clerk)
    with pytest.raises(InvalidEntry, match="请填写冲正原因"):
        do_reverse(original, date=DAY, reason="  ", actor=clerk)
    with pytest.raises(NotReversible, match="冲正日期 2026-03-01 不能早于原凭证日期 2026-03-02"):
        do_reverse(original, date=DAY - dt.timedelta(days=1), reason="错账", actor=clerk)


def test_posted_transactions_and_legs_cannot_be_changed_or_deleted_in_python(clerk: Any) -> None:
    txn = pay_hospital(clerk)
    leg = txn.legs.first()
    assert leg is not None
    leg.debit = Decimal("1.00")
    txn.description = "改"
    for obj in (txn, leg):
        with pytest.raises(AppendOnlyViolation):
            obj.save()
        with pytest.raises(AppendOnlyViolation):
            obj.delete()
    assert Leg.objects.get(pk=leg.pk).debit == Decimal("1200.00")
    with pytest.raises(AppendOnlyViolation):
        Transaction.objects.all().update(description="改")
    with pytest.raises(AppendOnlyViolation):
        Leg.objects.filter(transaction=txn).update(debit=1)
    for queryset in (Transaction.objects.all(), Leg.objects.filter(transaction=txn)):
        with pytest.raises(AppendOnlyViolation):
            queryset.delete()
    assert Leg.objects.filter(transaction=txn).count() == 2


def test_posting_joins_the_callers_transaction(clerk: Any) -> None:
    from django.db import transaction

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        pay_hospital(clerk)
        raise Boom
    assert Transaction.objects.count() == 0 and trial_balance().rows == []


def test_the_bulk_path_posts_with_the_same_rules(clerk: Any) -> None:
    from dae.ledger.actions import Entry, do_post_many

    entries = [Entry([Dr("5001", f"{i}.01"), Cr("2201", f"{i}.01")], DAY, f"补助支出 {i}", ("claims.settlement", i),
                     f"bulk-{i}", REGION_A) for i in range(1, 8)]
    assert do_post_many(entries, actor=clerk, batch=3) == 7
    assert balance("2201") == Decimal("28.07") and trial_balance().balanced
    txn = Transaction.objects.get(idempotency_key="bulk-3")
    assert (txn.legs.count(), txn.reference_id, txn.posted_by) == (2, "3", clerk)
    event = Event.objects.get(action="ledger.posted_many")
    assert event.after == {"count": 7, "first_id": txn.pk - 2, "last_id": txn.pk + 4}
    assert do_post([Dr("5001", "3.01"), Cr("2201", "3.01")], date=DAY, description="补助支出 3",
                   reference=("claims.settlement", 3), key="bulk-3", actor=clerk, region=REGION_A).pk == txn.pk
    bad = [Entry([Dr("5001", "1.00"), Cr("2201", "1.00")], DAY, "好", ("t", 1), "bulk-ok", REGION_A),
           Entry([Dr("5001", "1.00"), Cr("2201", "0.99")], DAY, "坏", ("t", 2), "bulk-bad", REGION_A)]
    with pytest.raises(InvalidEntry, match="第 2 笔凭证：借贷不平衡"):
        do_post_many(bad, actor=clerk)
    with pytest.raises(IdempotencyConflict, match="幂等键 bulk-1 已经记账"):
        do_post_many(entries[:1], actor=clerk)
    assert Transaction.objects.count() == 7
