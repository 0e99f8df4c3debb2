"""Property test: whatever sequence of balanced postings, retries and reversals, the trial balance is zero,
every account's balance is what the entries say, and no transaction is reversed twice."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
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

from dae.core.money import FEN, ZERO, ratio_split
from dae.ledger.actions import Line, do_post, do_reverse
from dae.ledger.errors import AlreadyReversed, IdempotencyConflict
from dae.ledger.models import Account, Transaction
from dae.ledger.queries import balance, balances, trial_balance
from tests.factories import REGION_A, REGION_B

START = dt.date(2026, 1, 1)
CODES = ["100201", "100202", "1131", "1132", "2201", "2202", "2301", "2401", "3001", "3101", "4001", "4101", "5001",
         "5101"]
_keys = itertools.count()

amounts = st.integers(min_value=1, max_value=10**11).map(lambda fen: Decimal(fen) * FEN)
weights = st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=3)


class LedgerMachine(RuleBasedStateMachine):
    clerk: Any = None

    @initialize()
    def begin(self) -> None:
        self.atomic = transaction.atomic()
        self.atomic.__enter__()  # each run is rolled back at teardown
        self.net: dict[str, Decimal] = {code: ZERO for code in CODES}  # debit − credit
        self.posted: list[tuple[Transaction, list[Line]]] = []
        self.reversed: set[int] = set()

    def teardown(self) -> None:
        if hasattr(self, "atomic"):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def _apply(self, lines: list[Line]) -> None:
        for line in lines:
            self.net[line.account] += line.debit - line.credit

    @rule(total=amounts, debit_parts=weights, credit_parts=weights, data=st.data(), days=st.integers(0, 365),
          region=st.sampled_from([REGION_A, REGION_B]))
    def post_entry(self, total: Decimal, debit_parts: list[int], credit_parts: list[int], data: Any, days: int,
                   region: str) -> None:
        debit_codes = data.draw(st.lists(st.sampled_from(CODES), min_size=len(debit_parts), max_size=len(debit_parts)))
        credit_codes = data.draw(st.lists(st.sampled_from(CODES), min_size=len(credit_parts),
                                          max_size=len(credit_parts)))
        lines = [Line(code, debit=part) for code, part in
                 zip(debit_codes, ratio_split(total, [Decimal(w) for w in debit_parts]), strict=True) if part]
        lines += [Line(code, credit=part) for code, part in
                  zip(credit_codes, ratio_split(total, [Decimal(w) for w in credit_parts]), strict=True) if part]
        key = f"prop-{next(_keys)}"
        txn = do_post(lines, date=START + dt.timedelta(days=days), description="随机凭证", reference=("test", key),
                      key=key, actor=self.clerk, region=region)
        self.posted.append((txn, lines))
        self._apply(lines)

    @precondition(lambda self: any(not t.is_reversal for t, _ in self.posted))
    @rule(data=st.data())
    def retry_is_a_replay(self, data: Any) -> None:
        txn, lines = data.draw(st.sampled_from([(t, lines) for t, lines in self.posted if not t.is_reversal]))
        again = do_post(list(reversed(lines)), date=txn.date, description=txn.description,
                        reference=(txn.reference_type, txn.reference_id), key=txn.idempotency_key, actor=self.clerk,
                        region=txn.region_id)
        assert again.pk == txn.pk
        with pytest.raises(IdempotencyConflict):
            do_post(lines, date=txn.date + dt.timedelta(days=1), description=txn.description,
                    reference=(txn.reference_type, txn.reference_id), key=txn.idempotency_key, actor=self.clerk,
                    region=txn.region_id)

    @precondition(lambda self: any(t.pk not in self.reversed and not t.is_reversal for t, _ in self.posted))
    @rule(data=st.data(), later=st.integers(0, 30))
    def reverse_one(self, data: Any, later: int) -> None:
        candidates = [(t, lines) for t, lines in self.posted if t.pk not in self.reversed and not t.is_reversal]
        txn, lines = data.draw(st.sampled_from(candidates))
        reversal = do_reverse(txn, date=txn.date + dt.timedelta(days=later), reason="随机冲正", actor=self.clerk)
        self.reversed.add(txn.pk)
        mirrored = [Line(line.account, debit=line.credit, credit=line.debit) for line in lines]
        self.posted.append((reversal, mirrored))
        self._apply(mirrored)
        with pytest.raises(AlreadyReversed):
            do_reverse(txn, date=reversal.date, reason="再冲一次", actor=self.clerk)

    @invariant()
    def trial_balance_is_zero(self) -> None:
        if not hasattr(self, "net"):
            return
        tb = trial_balance()
        assert tb.difference == ZERO and tb.balanced
        assert sum(self.net.values(), ZERO) == ZERO
        by_code = {row.account.code: row.net_debit for row in balances()}
        for code, net in self.net.items():
            assert by_code[code] == net, code

    @invariant()
    def reversals_net_the_original_to_zero(self) -> None:
        if not hasattr(self, "reversed") or not self.reversed:
            return
        refs = [(t.reference_id, t.region_id) for t, _ in self.posted if t.pk in self.reversed]
        assert all(Transaction.objects.filter(reference_id=ref, region_id=region).count() == 2
                   for ref, region in refs)


@pytest.mark.django_db
def test_random_postings_and_reversals_keep_the_ledger_balanced(clerk: Any) -> None:
    LedgerMachine.clerk = clerk
    run_state_machine_as_test(LedgerMachine, settings=settings(
        max_examples=25, stateful_step_count=12, deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))
    assert Transaction.objects.count() == 0  # every run was rolled back


@pytest.mark.django_db
def test_balance_of_a_group_account_is_the_sum_of_its_children(clerk: Any) -> None:
    do_post([Line("100201", debit=Decimal("5.00")), Line("100202", credit=Decimal("5.00"))], date=START,
            description="划转", reference=("t", "g"), key="g", actor=clerk, region=REGION_A)
    assert balance("1002") == balance("100201") + balance("100202") == ZERO
    assert Account.objects.get(code="1002").children.count() == 2
