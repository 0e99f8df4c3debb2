"""补付 / 追回: when a person-year's payouts move, every stored settlement whose payout changed gets an
adjustment for the next monthly statement. A paid amount is never edited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dae.benefits.engine.person_year import calculate, policy_year_of
from dae.benefits.engine.results import Calculation
from dae.core.bulk import insert_rows
from dae.core.events import record_event
from dae.ledger.actions import do_post_many
from dae.ledger.entries import entry_adjustment

from .models import Adjustment, Settlement
from .payout import book_for_region, engine_settlement, stored_inputs

#: (setl_id, old payout, new payout, reason, the setl_id that caused it)
Moved = tuple[str, Decimal, Decimal, str, str]


def record_adjustments(actor: Any, moved: Sequence[Moved], statement_month: str) -> int:
    """Write one adjustment (and its event) per moved payout. Runs inside the caller's transaction."""
    if not moved:
        return 0
    stored = {s.setl_id: s for s in Settlement.objects.filter(setl_id__in=[m[0] for m in moved])}
    now = timezone.now()
    rows = []
    for setl_id, old, new, reason, cause in moved:
        s = stored[setl_id]
        amount = new - old
        kind = Adjustment.Kind.SUPPLEMENT if amount > 0 else Adjustment.Kind.RECOVERY
        rows.append((s.pk, kind, old, new, amount, reason, cause, statement_month, Adjustment.Status.OPEN,
                     s.region_id, s.hospital_id, s.psn_no, now))
        record_event(actor, f"adjustment.{kind}", s, region_id=s.region_id, before={"payout": old},
                     after={"payout": new}, note=f"由 {cause} 引起的重算")
    count = insert_rows(Adjustment, ("settlement", "kind", "old_payout", "new_payout", "amount", "reason",
                                     "cause_setl_id", "statement_month", "status", "region", "hospital", "psn_no",
                                     "created_at"), rows)
    _post(actor, [s.pk for s in stored.values()], now)
    return count


def _post(actor: Any, settlement_ids: list[int], now: Any) -> None:
    """Each adjustment just written posts its 补付 or 追回 (``ledger.entries.entry_adjustment``)."""
    made = Adjustment.objects.filter(settlement_id__in=settlement_ids, created_at=now).select_related("settlement")
    on = timezone.localdate()
    do_post_many((e for a in made if (e := entry_adjustment(a, on=on, settle_way=a.settlement.settle_way)) is not None),
                 actor=actor)


def book_late_settlement(actor: Any, settlement: Settlement) -> int:
    """A settlement just stored (e.g. an approved manual claim) that is dated before others of its person-year:
    the later ones' payouts move. Books the differences for this month's statement; returns how many."""
    book = book_for_region(settlement.region_id)
    year = policy_year_of(engine_settlement(settlement), book)
    inputs = [s for s in stored_inputs([settlement.psn_no]).get(settlement.psn_no, [])
              if policy_year_of(s, book) == year]
    others = [s for s in inputs if s.setl_id != settlement.setl_id]
    if not others:
        return 0
    moved = _moved(calculate(others, book, trace=False), calculate(inputs, book, trace=False),
                   "late_settlement", settlement.setl_id)
    return record_adjustments(actor, moved, timezone.localdate().strftime("%Y-%m"))


def book_cancellation(actor: Any, cancellation: Settlement, *, pending: Iterable[str] = ()) -> int:
    """A 2305 cancellation stored after its person-year's payouts were computed with the original counting (the
    original already marked cancelled, as a declaration's store leaves it): the other payouts move. ``pending``
    are the person's originals whose own cancellations come later (still counting at this one). Books the
    differences (``cancelled_related``) for the statement month of the cancellation; returns how many."""
    original = Settlement.objects.get(setl_id=cancellation.init_setl_id)
    book = book_for_region(original.region_id)
    year = policy_year_of(engine_settlement(original), book)
    counted = stored_inputs([original.psn_no], include=[original.setl_id, *pending]).get(original.psn_no, [])
    inputs = [s for s in counted if policy_year_of(s, book) == year]
    before = calculate(inputs, book, trace=False)
    after = calculate([s for s in inputs if s.setl_id != original.setl_id], book, trace=False)
    moved = _moved(before, after, "cancelled_related", cancellation.setl_id)
    return record_adjustments(actor, moved, timezone.localtime(cancellation.setl_time).strftime("%Y-%m"))


def _moved(before: Calculation, after: Calculation, reason: str, cause: str) -> list[Moved]:
    """Every payout of ``before`` that ``after`` still computes, at a different amount."""
    moved: list[Moved] = []
    for person_year in before.person_years:
        for old in person_year.settlements:
            new = after.settlement(old.setl_id)
            if new is not None and new.payout != old.payout:
                moved.append((old.setl_id, old.payout, new.payout, reason, cause))
    return moved
