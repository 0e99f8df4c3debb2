"""A settlement stored late (an approved manual claim dated before paid ones) books exact 补付/追回."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dae.benefits.engine.person_year import calculate
from dae.claims.adjustments import book_late_settlement
from dae.claims.models import Adjustment
from dae.claims.payout import book_for_region, stored_inputs

from ..factories import EnrolmentFactory, PersonFactory, SettlementFactory, region


def test_late_march_settlement_books_the_differences_of_later_paid_ones(world: dict[str, Any]) -> None:
    from django.db import transaction

    p = PersonFactory(region=region("220282"), psn_no="PL0001", certno="220282198001010038")
    EnrolmentFactory(person=p, begin_date=dt.date(2015, 1, 1))
    book = book_for_region("220282")
    amount = Decimal("30000.00")

    def stored(setl_id: str, month: int, state: str = "paid") -> Any:
        return SettlementFactory(person=p, hospital=world["hospitals"][0], setl_id=setl_id, medfee_sumamt=amount,
                                 fulamt_ownpay_amt=Decimal(0), preselfpay_amt=Decimal(0), inscp_scp_amt=amount,
                                 state=state, setl_time=timezone.make_aware(dt.datetime(2026, month, 10, 9)))

    for month in (4, 6, 9):
        stored(f"L{month:02d}", month)
    before = calculate(stored_inputs(["PL0001"])["PL0001"], book, trace=False)
    march = stored("L03", 3, state="payable")
    with transaction.atomic():
        count = book_late_settlement(world["users"]["checker"], march)
    after = calculate(stored_inputs(["PL0001"])["PL0001"], book, trace=False)
    expected = {}
    for setl_id in ("L04", "L06", "L09"):
        old, new = before.settlement(setl_id), after.settlement(setl_id)
        assert old is not None and new is not None
        if new.payout != old.payout:
            expected[setl_id] = new.payout - old.payout
    assert expected and count == len(expected)
    booked = {a.settlement.setl_id: a.amount for a in Adjustment.objects.select_related("settlement")}
    assert booked == expected
    assert all(a.cause_setl_id == "L03" and a.reason == "late_settlement" for a in Adjustment.objects.all())
