"""Payment batches: the payment file, the bank's result (paid / failed / still in progress), an unknown outcome
never sent again, the same result file twice, a contradicting one, the overdraft check, persons' claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.claims.models import Settlement
from dae.core.errors import Conflict, InvalidInput
from dae.ledger.models import Transaction
from dae.ledger.queries import balance, trial_balance
from dae.payments.actions import (
    do_approve_statement,
    do_build_statements,
    do_confirm_order,
    do_create_batch,
    do_export_batch,
    do_import_result,
)
from dae.payments.bankfiles import payment_file
from dae.payments.models import PaymentBatch, PaymentOrder, Statement

from ..factories import HospitalFactory, region
from .flow import fund_spending, result_file
from .test_statements import owed

A = "220282"
PAY_DAY = dt.date(2026, 4, 10)


@pytest.fixture
def three_statements(world: dict[str, Any]) -> list[Statement]:
    """March statements of three hospitals of region A: 1,000.00, 2,000.00 and 3,000.00 owed."""
    Settlement.objects.filter(setl_id="SA0001").update(state="paid")
    finance = world["users"]["finance"]
    others = [HospitalFactory(region=region(A), code=f"HA000{n}", name=f"桦甸医院{n}") for n in (2, 3)]
    for n, hospital in enumerate([world["hospitals"][0], *others], start=1):
        s = owed(world, f"P{n}", f"{n * 1000}.00")
        Settlement.objects.filter(pk=s.pk).update(hospital=hospital)
    statements = do_build_statements(A, "2026-03", actor=finance, on=dt.date(2026, 4, 2))
    for st in statements:
        do_approve_statement(st, actor=finance, on=dt.date(2026, 4, 3))
    return sorted(statements, key=lambda st: st.net_payable)


def import_bytes(batch: PaymentBatch, content: bytes, actor: Any, name: str = "result.csv") -> Any:
    return do_import_result(batch, name=name, chunks=[content], actor=actor)


def test_batch_file_result_and_ledger(world: dict[str, Any], three_statements: list[Statement]) -> None:
    finance = world["users"]["finance"]
    fund_spending(A, "10000.00", dt.date(2026, 4, 1))
    batch = do_create_batch(A, "hospital", actor=finance, on=PAY_DAY)
    assert (batch.orders_count, batch.total, batch.status) == (3, Decimal("6000.00"), "draft")
    assert set(Statement.objects.values_list("status", flat=True)) == {"paying"}
    orders = list(batch.orders.order_by("seq"))
    text = payment_file(batch).decode("utf-8-sig").splitlines()
    assert text[0] == "批次号,指令序号,收款人,开户银行,收款账号,金额,用途,附言"
    assert text[1] == (f"{batch.number},1,桦甸市人民医院,中国工商银行桦甸支行,{orders[0].bank_account},1000.00,"
                       f"2026-03大额医疗补助,DAE-PO{orders[0].pk}")
    path = do_export_batch(batch, actor=finance)
    assert path.read_bytes() == payment_file(batch) and batch.status == "exported"
    assert do_export_batch(batch, actor=finance).read_bytes() == path.read_bytes()  # again: the same file
    assert set(PaymentOrder.objects.values_list("status", flat=True)) == {"sent"}

    result = import_bytes(batch, result_file(batch, {2: "失败", 3: "处理中"}, day=dt.date(2026, 4, 11)), finance)
    assert (result.paid, result.failed, result.pending) == (1, 1, 1)
    statuses = dict(batch.orders.values_list("seq", "status"))
    assert statuses == {1: "paid", 2: "failed", 3: "sent"}
    first, second, third = (Statement.objects.get(pk=st.pk) for st in three_statements)
    assert (first.status, first.paid_on) == ("paid", dt.date(2026, 4, 11))
    assert second.status == "approved" and third.status == "paying"
    assert Settlement.objects.get(setl_id="P1").state == "paid"
    assert Settlement.objects.get(setl_id="P2").state == "payable"
    paid = Transaction.objects.get(reference_type="payments.order")
    assert sorted(paid.legs.values_list("account__code", "debit", "credit")) == [
        ("100202", Decimal("0.00"), Decimal("1000.00")), ("2201", Decimal("1000.00"), Decimal("0.00"))]
    assert balance("100202", regions=[A]) == Decimal("9000.00")
    assert batch.orders.get(seq=2).failure_reason == "账户已冻结"
    assert PaymentBatch.objects.get(pk=batch.pk).status == "exported"

    # the same file again changes nothing
    again = import_bytes(batch, result_file(batch, {2: "失败", 3: "处理中"}, day=dt.date(2026, 4, 11)), finance)
    assert again.pk == result.pk and Transaction.objects.filter(reference_type="payments.order").count() == 1

    # a new batch takes the failed statement again, never the one whose outcome is unknown
    retry = do_create_batch(A, "hospital", actor=finance, on=dt.date(2026, 4, 12))
    assert list(retry.orders.values_list("statement_id", flat=True)) == [second.pk]

    # a contradicting file is refused whole
    with pytest.raises(Conflict, match="回盘结果矛盾"):
        import_bytes(batch, result_file(batch, {1: "失败", 3: "成功"}, day=dt.date(2026, 4, 13)), finance, "b.csv")
    assert batch.orders.get(seq=3).status == "sent"

    # a later file settles the unknown one; the batch is done
    import_bytes(batch, result_file(batch, {1: None, 2: None, 3: "成功"}, day=dt.date(2026, 4, 13)), finance, "c.csv")
    batch.refresh_from_db()
    assert batch.status == "done" and Statement.objects.get(pk=third.pk).status == "paid"
    assert balance("100202", regions=[A]) == Decimal("6000.00")
    assert trial_balance(regions=[A]).balanced


def test_bad_result_rows_are_listed_in_chinese_and_nothing_applies(world: dict[str, Any],
                                                                 three_statements: list[Statement]) -> None:
    finance = world["users"]["finance"]
    fund_spending(A, "10000.00", dt.date(2026, 4, 1))
    batch = do_create_batch(A, "hospital", actor=finance, on=PAY_DAY)
    with pytest.raises(Conflict, match="尚未导出"):
        import_bytes(batch, result_file(batch, day=PAY_DAY), finance)
    do_export_batch(batch, actor=finance)
    good = result_file(batch, day=PAY_DAY).decode()
    bad = (good.replace(",1000.00,", ",1000.01,").replace("成功", "OK", 1)
           .replace(f"{batch.number},3,", f"{batch.number},9,"))
    with pytest.raises(InvalidInput) as caught:
        import_bytes(batch, bad.encode("gb18030"), finance)
    messages = {(p["row"], p["column"], p["message"]) for p in caught.value.details}
    assert (2, "金额", "与指令金额 1000.00 不符") in messages
    assert (2, "结果", "结果应为 成功、失败 或 处理中") in messages
    assert (4, "指令序号", "本批次没有这条指令") in messages
    assert set(batch.orders.values_list("status", flat=True)) == {"sent"}
    assert not Transaction.objects.filter(reference_type="payments.order").exists()


def test_unknown_outcome_is_settled_by_a_manual_check(world: dict[str, Any], three_statements: list[Statement]) -> None:
    finance = world["users"]["finance"]
    fund_spending(A, "10000.00", dt.date(2026, 4, 1))
    batch = do_create_batch(A, "hospital", actor=finance, on=PAY_DAY)
    do_export_batch(batch, actor=finance)
    order = batch.orders.get(seq=1)
    with pytest.raises(InvalidInput):
        do_confirm_order(order, outcome="paid", actor=finance, day=PAY_DAY, reason="电话查证")  # no serial
    do_confirm_order(order, outcome="paid", actor=finance, day=PAY_DAY, reason="银行柜面查证已入账", serial="B001")
    assert PaymentOrder.objects.get(pk=order.pk).result_source.startswith("人工查证")
    with pytest.raises(Conflict):
        do_confirm_order(order, outcome="failed", actor=finance, day=PAY_DAY, reason="再次查证")
    assert Transaction.objects.filter(reference_type="payments.order").count() == 1


def test_overdraft_is_refused_before_a_batch(world: dict[str, Any], three_statements: list[Statement]) -> None:
    fund_spending(A, "5999.99", dt.date(2026, 4, 1))
    with pytest.raises(Conflict, match="透支 0.01 元"):
        do_create_batch(A, "hospital", actor=world["users"]["finance"], on=PAY_DAY)
    assert not PaymentBatch.objects.exists()
    with pytest.raises(Conflict, match="没有可支付"):
        do_create_batch("220281", "hospital", actor=world["users"]["finance"], on=PAY_DAY)


def test_manual_claims_are_paid_to_the_insured(world: dict[str, Any]) -> None:
    from dae.notices.models import Notice
    from dae.reimbursement import actions

    from ..reimbursement.helpers import claim_input

    users = world["users"]
    claim = actions.do_register(users["settlement"], claim_input())
    claim = actions.do_approve(users["checker"], actions.do_check(users["checker"],
                                                                  actions.do_compute(users["settlement"], claim)))
    payable = Transaction.objects.get(idempotency_key=f"settlement:{claim.number}:payable")
    assert sorted(payable.legs.values_list("account__code", "debit", "credit")) == [
        ("2202", Decimal("0.00"), Decimal("43265.00")), ("5001", Decimal("43265.00"), Decimal("0.00"))]
    fund_spending(A, "50000.00", dt.date(2026, 10, 1))
    batch = do_create_batch(A, "person", actor=users["finance"], on=dt.date(2026, 10, 20))
    [order] = batch.orders.all()
    assert (order.payee_name, order.amount) == (claim.account_name, Decimal("43265.00"))
    do_export_batch(batch, actor=users["finance"])
    import_bytes(batch, result_file(batch, day=dt.date(2026, 10, 21)), users["finance"])
    claim.refresh_from_db()
    assert (claim.state, claim.paid_on) == ("paid", dt.date(2026, 10, 21))
    assert balance("2202", regions=[A]) == Decimal("0.00")
    assert Notice.objects.filter(claim_ref=claim.number, kind="paid").count() == 1
