"""Monthly statements (月结): exact totals, netting in the ledger, carrying an excess of recoveries, reconciling
to the fee lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.claims.models import Adjustment, Settlement
from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.ledger.actions import do_post_adjustment, do_post_settlement_payable
from dae.ledger.models import Transaction
from dae.ledger.queries import balance, trial_balance
from dae.payments.actions import do_approve_statement, do_build_statements, do_record_deduction
from dae.payments.models import Deduction
from dae.payments.queries import reconcile
from dae.workdays.service import deadline

from ..factories import FeeLineFactory, SettlementFactory

A = "220282"


@pytest.fixture(autouse=True)
def _no_fixture_settlement(world: dict[str, Any]) -> None:
    """The world's own settlement (SA0001, March, zero payout) is left out of these statements."""
    Settlement.objects.filter(setl_id="SA0001").update(state="paid")


def owed(world: dict[str, Any], setl_id: str, amount: str, *, day: int = 10, month: int = 3, state: str = "payable",
         lines: tuple[str, ...] = (), init: str = "") -> Settlement:
    """A direct settlement of hospital A owed ``amount`` (posted payable), with fee lines of these amounts."""
    medfee = sum((Decimal(x) for x in lines), Decimal("0.00")) if lines else Decimal("1000.00")
    s = SettlementFactory(setl_id=setl_id, person=world["persons"][0], hospital=world["hospitals"][0],
                          hifob_pay=Decimal(amount), computed_pay=Decimal(amount), state="payable", init_setl_id=init,
                          medfee_sumamt=medfee, setl_time=timezone.make_aware(dt.datetime(2026, month, day, 10)))
    for n, line in enumerate(lines):
        FeeLineFactory(settlement=s, feedetl_sn=f"{setl_id}-{n}", det_item_fee_sumamt=Decimal(line), cnt=1,
                       pric=Decimal(line))
    do_post_settlement_payable(s, on=s.setl_time.date(), actor=None)
    if state != "payable":
        Settlement.objects.filter(pk=s.pk).update(state=state)
    return s


def adjustment(s: Settlement, amount: str, month: str = "2026-03") -> Adjustment:
    value = Decimal(amount)
    a = Adjustment.objects.create(settlement=s, kind="supplement" if value > 0 else "recovery", old_payout=0,
                                  new_payout=value, amount=value, reason="late_settlement", cause_setl_id="X",
                                  statement_month=month, region_id=A, hospital_id=s.hospital_id, psn_no=s.psn_no)
    do_post_adjustment(a, on=dt.date(2026, 3, 20), actor=None)
    return a


def test_statement_totals_netting_and_ledger(world: dict[str, Any]) -> None:
    finance = world["users"]["finance"]
    s1 = owed(world, "S1", "1200.00", lines=("600.00", "400.00", "200.00"))
    s2 = owed(world, "S2", "800.50", lines=("300.25", "700.25"))
    original = owed(world, "S3", "500.00", state="cancelled", lines=("500.00",))
    owed(world, "S3C", "-500.00", init="S3", lines=("-500.00",))
    differing = SettlementFactory(setl_id="S4", person=world["persons"][0], hospital=world["hospitals"][0],
                                  state="computed", computed_pay=Decimal("90.00"), hifob_pay=Decimal("100.00"),
                                  setl_time=timezone.make_aware(dt.datetime(2026, 3, 12, 10)))
    owed(world, "S5", "70.00", month=4)  # April: not on March's statement
    adjustment(s1, "30.00")
    adjustment(s2, "-120.25")
    do_record_deduction(world["hospitals"][0], amount="200.00", kind="audit", reason="重复收费", source=("test", 1),
                        confirmed_on=dt.date(2026, 3, 25), actor=finance)
    do_record_deduction(world["hospitals"][0], amount="50.00", kind="audit", reason="四月确认", source=("test", 2),
                        confirmed_on=dt.date(2026, 4, 2), actor=finance)  # after March: next statement

    built_on = dt.date(2026, 4, 3)
    [st] = do_build_statements(A, "2026-03", actor=finance, on=built_on)
    assert st.settlements_count == 4  # S1, S2, S3 (cancelled after it was owed) and S3C; not S4, not S5
    assert set(Settlement.objects.filter(statement=st).values_list("setl_id", flat=True)) == {"S1", "S2", "S3", "S3C"}
    assert st.accepted_total == Decimal("2000.50")  # 1200 + 800.50 + 500 − 500
    assert st.supplements_total == Decimal("30.00") and st.recoveries_total == Decimal("120.25")
    assert st.deductions_total == Decimal("200.00") and st.carried_in == Decimal("0.00")
    assert st.net_payable == Decimal("1710.25") and st.carried_out == Decimal("0.00")  # 2030.50 − 320.25
    assert st.lines_count == 7 and st.lines_total == st.medfee_total == Decimal("2200.50")
    assert st.due_date == deadline(built_on, 15).due and st.status == "draft"
    assert differing.statement_id is None and original.pk
    assert reconcile(st).agrees

    again = do_build_statements(A, "2026-03", actor=finance, on=built_on)
    assert again == []  # idempotent

    approved = do_approve_statement(st, actor=finance, on=dt.date(2026, 4, 7))
    assert approved.status == "approved"
    offset = Transaction.objects.get(idempotency_key=f"statement:{st.pk}:offset")
    assert sorted(offset.legs.values_list("account__code", "debit", "credit")) == [
        ("1132", Decimal("0.00"), Decimal("320.25")), ("2201", Decimal("320.25"), Decimal("0.00"))]
    assert balance("1132", regions=[A]) == Decimal("50.00")  # April's deduction still to recover
    assert balance("2201", regions=[A]) == Decimal("1710.25") + Decimal("70.00")  # March net + April's S5
    assert trial_balance(regions=[A]).balanced
    assert set(Adjustment.objects.values_list("status", flat=True)) == {"settled"}
    assert Deduction.objects.get(source_id="1").status == "deducted"
    assert Deduction.objects.get(source_id="2").status == "open"
    assert Event.objects.filter(action__in=["statement.built", "statement.approved"]).count() == 2
    with pytest.raises(Conflict):
        do_approve_statement(st, actor=finance, on=dt.date(2026, 4, 7))


def test_recoveries_larger_than_owed_carry_to_next_month(world: dict[str, Any]) -> None:
    finance = world["users"]["finance"]
    s1 = owed(world, "C1", "100.00")
    adjustment(s1, "-40.00")
    do_record_deduction(world["hospitals"][0], amount="300.00", kind="inspection", reason="巡查扣款",
                        source=("test", 9), confirmed_on=dt.date(2026, 3, 5), actor=finance)
    [march] = do_build_statements(A, "2026-03", actor=finance, on=dt.date(2026, 4, 1))
    assert march.net_payable == Decimal("0.00") and march.carried_out == Decimal("240.00")
    do_approve_statement(march, actor=finance, on=dt.date(2026, 4, 2))
    march.refresh_from_db()
    assert march.status == "carried"
    carried = Deduction.objects.get(kind="carried")
    assert carried.amount == Decimal("240.00") and carried.from_statement_id == march.pk
    offset = Transaction.objects.get(idempotency_key=f"statement:{march.pk}:offset")
    assert sorted(offset.legs.values_list("account__code", "debit", "credit")) == [
        ("1132", Decimal("0.00"), Decimal("100.00")), ("2201", Decimal("100.00"), Decimal("0.00"))]

    owed(world, "C2", "1000.00", month=4)
    [april] = do_build_statements(A, "2026-04", actor=finance, on=dt.date(2026, 5, 6))
    assert april.carried_in == Decimal("240.00") and april.net_payable == Decimal("760.00")
    do_approve_statement(april, actor=finance, on=dt.date(2026, 5, 7))
    assert balance("1132", regions=[A]) == Decimal("0.00")
    assert balance("2201", regions=[A]) == Decimal("760.00")


def test_statement_month_must_be_over_and_well_formed(world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="尚未结束"):
        do_build_statements(A, "2026-03", actor=None, on=dt.date(2026, 3, 30))
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        do_build_statements(A, "2026-3", actor=None, on=dt.date(2026, 4, 30))


def test_deduction_is_posted_once_per_source(world: dict[str, Any]) -> None:
    finance = world["users"]["finance"]
    first = do_record_deduction(world["hospitals"][0], amount="12.34", kind="audit", reason="超限价",
                                source=("audit.finding", 7), confirmed_on=dt.date(2026, 3, 5), actor=finance)
    again = do_record_deduction(world["hospitals"][0], amount="12.34", kind="audit", reason="超限价",
                                source=("audit.finding", 7), confirmed_on=dt.date(2026, 3, 5), actor=finance)
    assert first.pk == again.pk
    txn = Transaction.objects.get(reference_type="payments.deduction")
    assert sorted(txn.legs.values_list("account__code", "debit", "credit")) == [
        ("1132", Decimal("12.34"), Decimal("0.00")), ("5001", Decimal("0.00"), Decimal("12.34"))]
    with pytest.raises(InvalidInput):
        do_record_deduction(world["hospitals"][0], amount="0", kind="audit", reason="零", source=("x", 1),
                            confirmed_on=dt.date(2026, 3, 5), actor=finance)


def test_a_statements_settlements_are_a_list_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    """The settlements inside a statement are the list component: filters, totals over the filtered settlements
    (not the page), export of exactly those rows read back, each download in the access log."""
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back, page_figures

    owed(world, "S1", "1200.00", lines=("600.00", "400.00", "200.00"))
    owed(world, "S2", "800.50", lines=("300.25", "700.25"))
    owed(world, "S3", "500.00", state="cancelled", lines=("500.00",))
    owed(world, "S3C", "-500.00", init="S3", lines=("-500.00",))
    [st] = do_build_statements(A, "2026-03", actor=world["users"]["finance"], on=dt.date(2026, 4, 3))
    url = f"/payments/statements/{st.pk}/"
    finance = client_for("finance")
    html = finance.get(url).content.decode()
    assert 'data-testid="statement-figures"' in html and 'data-testid="list-table"' in html
    count, totals = page_figures(finance, url)
    # columns: 结算ID, 原结算ID, 人员编号, 医疗类别, 结算时间, 医疗费总额, 申报大额支付, 核定大额支付, 状态
    assert count == 4 and totals[7] == Decimal("2000.50")

    body = assert_read_back(finance, f"{url}?pay_min=600", 2)
    assert sorted(r[0] for r in body) == ["S1", "S2"]
    count, totals = page_figures(finance, f"{url}?pay_min=600&size=25")
    assert totals == {5: Decimal("2200.50"), 6: Decimal("2000.50"), 7: Decimal("2000.50")}
    body = assert_read_back(finance, f"{url}?cancel=yes", 1)
    assert body[0][:2] == ("S3C", "S3")
    assert AccessRecord.objects.filter(why="export", object_type="list:payments:statement_detail").count() == 4

    hospital = client_for("hospital")  # the hospital reads its own statement and may export it (the matrix)
    assert_read_back(hospital, f"{url}?q=S1", 1)
    assert client_for("hospital_b").get(url).status_code == 404
