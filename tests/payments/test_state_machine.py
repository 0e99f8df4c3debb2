"""Property test over the whole money path: random sequences of claims, cancellations, 补付/追回, deductions,
monthly statements, payment batches whose lines the bank pays, fails or leaves unknown, manual checks,
appropriations and their reversals (冲正). The machine keeps its own books of what each hospital is owed and
checks after every step that

- the trial balance is zero;
- every claim that was payable is unpaid or paid exactly once (one paid order per statement at most, a paid
  settlement's statement is paid or needed no transfer);
- the payments the bank confirmed equal the spending account's payment movements and the machine's own sum of
  what was owed on the paid statements; the spending account holds appropriations less payments.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dae.claims.models import Adjustment, Settlement
from dae.core.errors import Conflict
from dae.core.money import FEN, ZERO
from dae.core.months import month_bounds
from dae.core.sums import fen_sum, yuan
from dae.ledger import entries
from dae.ledger.actions import do_post_adjustment, do_post_settlement_payable, do_post_simple, do_reverse
from dae.ledger.models import Leg, Transaction
from dae.ledger.queries import balance, trial_balance
from dae.payments.actions import (
    do_approve_statement,
    do_build_statements,
    do_confirm_order,
    do_create_batch,
    do_export_batch,
    do_import_result,
    do_record_deduction,
)
from dae.payments.models import PaymentBatch, PaymentOrder, Statement
from dae.payments.queries import next_month

from ..factories import HospitalFactory, SettlementFactory, region
from .flow import result_file

A = "220282"
amounts = st.integers(min_value=1, max_value=2_000_000).map(lambda fen: Decimal(fen) * FEN)
small = st.integers(min_value=1, max_value=200_000).map(lambda fen: Decimal(fen) * FEN)
funding = st.integers(min_value=1, max_value=50_000_000).map(lambda fen: Decimal(fen) * FEN)
OUTCOMES = st.lists(st.sampled_from(["成功", "失败", "处理中", None]), min_size=1, max_size=6)
_ids = itertools.count()


class MoneyPath(RuleBasedStateMachine):
    world: dict[str, Any] = {}

    @initialize()
    def begin(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each run is rolled back at teardown
        Settlement.objects.filter(setl_id="SA0001").update(state="paid")
        self.finance = self.world["users"]["finance"]
        self.hospitals = [self.world["hospitals"][0],
                          HospitalFactory(region=region(A), code=f"HQ{next(_ids):04d}", name="第二医院")]
        self.month = "2026-01"
        # the machine's own books: per hospital, amounts owed not yet on a statement (+) and recoverable (−)
        self.pending: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.carried: dict[int, Decimal] = defaultdict(lambda: ZERO)
        self.expected_net: dict[int, Decimal] = {}  # statement pk → what the machine says it nets to
        self.claims: list[Settlement] = []
        self.cancelled: set[str] = set()
        self.appropriations: list[tuple[Transaction, Decimal]] = []
        self.cash_in = ZERO

    def teardown(self) -> None:
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def _day(self, n: int = 15) -> dt.date:
        first, last = month_bounds(self.month)
        return min(first.replace(day=n), last)

    # -- the business -----------------------------------------------------------------------------------------

    @rule(claims=st.lists(st.tuples(amounts, st.integers(0, 1), st.integers(1, 28)), min_size=1, max_size=5))
    def claim(self, claims: list[tuple[Decimal, int, int]]) -> None:
        """Settlements become payable (posted 补助支出 / 应付医疗机构)."""
        for amount, which, day in claims:
            hospital = self.hospitals[which]
            on = self._day(day)
            s = SettlementFactory(setl_id=f"Q{next(_ids):06d}", person=self.world["persons"][0], hospital=hospital,
                                  computed_pay=amount, hifob_pay=amount, state="payable",
                                  setl_time=timezone.make_aware(dt.datetime.combine(on, dt.time(10))))
            do_post_settlement_payable(s, on=on, actor=self.finance)
            self.claims.append(s)
            self.pending[hospital.pk] += amount

    @precondition(lambda self: any(s.setl_id not in self.cancelled for s in self.claims))
    @rule(data=st.data())
    def cancel(self, data: Any) -> None:
        """A 2305: a negative settlement naming the original; the original is cancelled (paid or not)."""
        live = [s for s in self.claims if s.setl_id not in self.cancelled]
        original = data.draw(st.sampled_from(live))
        self.cancelled.add(original.setl_id)
        on = self._day(20)
        negative = SettlementFactory(setl_id=f"{original.setl_id}C", person=self.world["persons"][0],
                                     hospital=original.hospital, computed_pay=-original.computed_pay,
                                     hifob_pay=-original.computed_pay, state="payable", init_setl_id=original.setl_id,
                                     setl_time=timezone.make_aware(dt.datetime.combine(on, dt.time(11))))
        do_post_settlement_payable(negative, on=on, actor=self.finance)
        Settlement.objects.filter(pk=original.pk).update(state="cancelled")
        self.pending[original.hospital_id] -= original.computed_pay

    @precondition(lambda self: bool(self.claims))
    @rule(data=st.data(), amount=small, kind=st.sampled_from(["supplement", "recovery", "deduction"]))
    def adjust(self, data: Any, amount: Decimal, kind: str) -> None:
        """补付 or 追回 on a claim, or a confirmed audit deduction on its hospital."""
        s = data.draw(st.sampled_from(self.claims))
        if kind == "deduction":
            do_record_deduction(s.hospital, amount=amount, kind="audit", reason="审核扣款", source=("test", next(_ids)),
                                confirmed_on=self._day(22), actor=self.finance)
            self.pending[s.hospital_id] -= amount
            return
        supplement = kind == "supplement"
        value = amount if supplement else -amount
        a = Adjustment.objects.create(settlement=s, kind="supplement" if supplement else "recovery", old_payout=ZERO,
                                      new_payout=value, amount=value, reason="late_settlement", cause_setl_id="X",
                                      statement_month=self.month, region_id=A, hospital_id=s.hospital_id,
                                      psn_no=s.psn_no)
        do_post_adjustment(a, on=self._day(21), actor=self.finance)
        self.pending[s.hospital_id] += value

    @rule(amount=funding)
    def appropriation(self, amount: Decimal) -> None:
        txn = do_post_simple(entries.SPENDING_BANK, entries.FUND_INCOME, amount=amount, on=self._day(2),
                                   reference=("tests.appropriation", next(_ids)), key=f"approp:{next(_ids)}", region=A,
                                   description="拨款划入支出户", actor=self.finance)
        self.appropriations.append((txn, amount))
        self.cash_in += amount

    @precondition(lambda self: bool(self.appropriations))
    @rule(data=st.data())
    def reverse_appropriation(self, data: Any) -> None:
        txn, amount = data.draw(st.sampled_from(self.appropriations))
        self.appropriations.remove((txn, amount))
        do_reverse(txn, date=self._day(28), reason="误记冲正", actor=self.finance)
        self.cash_in -= amount

    @precondition(lambda self: self.month < "2026-12")
    @rule(then_pay=st.none() | OUTCOMES)
    def close_month(self, then_pay: list[str | None] | None) -> None:
        """月结: the month's statements are built and approved; the machine predicts each one's net."""
        on = month_bounds(self.month)[1] + dt.timedelta(days=1)
        for st_ in do_build_statements(A, self.month, actor=self.finance, on=on):
            owed = self.pending.pop(st_.hospital_id, ZERO) - self.carried.pop(st_.hospital_id, ZERO)
            assert st_.net_payable - st_.carried_out == owed, (st_.net_payable, st_.carried_out, owed)
            do_approve_statement(st_, actor=self.finance, on=on)
            if st_.carried_out:
                self.carried[st_.hospital_id] = st_.carried_out
            self.expected_net[st_.pk] = max(owed, ZERO)
        for hospital_id in [h for h, v in self.pending.items() if v == 0]:
            del self.pending[hospital_id]
        self.month = next_month(self.month)
        if then_pay is not None and Statement.objects.filter(status="approved").exists():
            self.pay(then_pay, top_up=True)

    @precondition(lambda self: Statement.objects.filter(status="approved").exists())
    @rule(outcomes=OUTCOMES, top_up=st.sampled_from([True, True, True, False]))
    def pay(self, outcomes: list[str | None], top_up: bool) -> None:
        on = self._day(10)
        due = yuan(Statement.objects.filter(status="approved").aggregate(total=fen_sum("net_payable"))["total"])
        short = due - balance("100202", on=on, regions=[A])
        if top_up and short > 0:  # 临时周转金: the insurer advances what is missing
            do_post_simple(entries.SPENDING_BANK, entries.REVOLVING_FUND, amount=short, on=on,
                                 reference=("tests.revolving", next(_ids)), key=f"revolving:{next(_ids)}", region=A,
                                 description="临时周转金", actor=self.finance)
            self.cash_in += short
        try:
            batch = do_create_batch(A, "hospital", actor=self.finance, on=on)
        except Conflict as exc:
            assert exc.code == "overdraft" and not top_up
            assert balance("100202", on=on, regions=[A]) < due
            return
        do_export_batch(batch, actor=self.finance)
        chosen = {seq: outcomes[(seq - 1) % len(outcomes)] for seq in range(1, batch.orders_count + 1)}
        if all(v is None for v in chosen.values()):
            return  # the bank has not answered yet
        do_import_result(batch, name="r.csv", chunks=[result_file(batch, chosen, day=on)], actor=self.finance,
                         notify=False)

    @precondition(lambda self: PaymentOrder.objects.filter(status="sent").exists())
    @rule(data=st.data(), paid=st.booleans())
    def check_by_hand(self, data: Any, paid: bool) -> None:
        order = data.draw(st.sampled_from(list(PaymentOrder.objects.filter(status="sent").order_by("pk"))))
        do_confirm_order(order, outcome="paid" if paid else "failed", actor=self.finance, day=self._day(25),
                         reason="银行查证", serial="HAND" if paid else "")

    # -- what must always hold --------------------------------------------------------------------------------

    @invariant()
    def trial_balance_is_zero(self) -> None:
        if hasattr(self, "atomic"):
            assert trial_balance(regions=[A]).balanced

    @invariant()
    def paid_at_most_once(self) -> None:
        if not hasattr(self, "atomic"):
            return
        twice = (PaymentOrder.objects.filter(status="paid").values("statement").annotate(n=Count("id"))
                 .filter(n__gt=1))
        assert not twice.exists()
        assert not PaymentOrder.objects.filter(status__in=["pending", "sent", "paid"]).values("statement").annotate(
            n=Count("id")).filter(n__gt=1).exists()
        for s in Settlement.objects.filter(setl_id__startswith="Q").select_related("statement"):
            if s.state == "paid":
                assert s.statement is not None and s.statement.status in ("paid", "carried"), s.setl_id
            if s.statement is not None and s.statement.status == "paid":
                assert s.state in ("paid", "cancelled"), s.setl_id

    @invariant()
    def paid_equals_cash(self) -> None:
        if not hasattr(self, "atomic"):
            return
        orders = yuan(PaymentOrder.objects.filter(status="paid").aggregate(total=fen_sum("amount"))["total"])
        cash = yuan(Leg.objects.filter(account__code="100202", transaction__reference_type="payments.order")
                    .aggregate(total=fen_sum("credit"))["total"])
        expected = sum((self.expected_net[pk] for pk in Statement.objects.filter(status="paid")
                        .values_list("pk", flat=True)), ZERO)
        assert orders == cash == expected, (orders, cash, expected)
        assert balance("100202", regions=[A]) == self.cash_in - cash


@pytest.mark.django_db
def test_random_money_paths_keep_the_books(world: dict[str, Any]) -> None:
    MoneyPath.world = world
    run_state_machine_as_test(MoneyPath, settings=settings(
        max_examples=30, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    assert not PaymentBatch.objects.exists()  # every run was rolled back
