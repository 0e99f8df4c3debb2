"""Reconciliation arithmetic (对账), pure: no Django, no database. Amounts are integer fen.

``Totals`` is one side of a 3201 comparison (count, medical cost, fund payment of type 330100, cancelled count);
``compare_details`` lines up the 3202 details of both sides by ``setl_id`` and names, for each settlement missing
on either side or different, the fields that differ with both values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: The fields of a settlement compared in the detail reconciliation, in this order.
DETAIL_FIELDS: tuple[str, ...] = ("mdtrt_id", "psn_no", "medfee_sumamt", "hifob_pay", "refd_setl_flag")
MONEY_FIELDS = frozenset({"medfee_sumamt", "hifob_pay"})


@dataclass(frozen=True)
class Totals:
    count: int
    medfee_fen: int
    fund_fen: int
    cancelled: int

    def differing(self, other: Totals) -> tuple[str, ...]:
        names = ("count", "medfee_fen", "fund_fen", "cancelled")
        return tuple(n for n in names if getattr(self, n) != getattr(other, n))


@dataclass(frozen=True)
class Detail:
    setl_id: str
    mdtrt_id: str
    psn_no: str
    medfee_sumamt: int  # fen
    hifob_pay: int      # fen
    refd_setl_flag: str  # "1" for a cancellation (2305), else "0"


@dataclass(frozen=True)
class FieldDiff:
    field: str
    ours: str | int | None
    platform: str | int | None


@dataclass(frozen=True)
class DetailDiff:
    setl_id: str
    kind: str  # "missing_here" | "missing_platform" | "amount"
    fields: tuple[FieldDiff, ...] = field(default_factory=tuple)


def totals_of(details: Iterable[Detail]) -> Totals:
    count = medfee = fund = cancelled = 0
    for d in details:
        count += 1
        medfee += d.medfee_sumamt
        fund += d.hifob_pay
        cancelled += d.refd_setl_flag == "1"
    return Totals(count, medfee, fund, cancelled)


def _all_fields(d: Detail, *, ours: bool) -> tuple[FieldDiff, ...]:
    return tuple(FieldDiff(f, getattr(d, f) if ours else None, None if ours else getattr(d, f))
                 for f in DETAIL_FIELDS)


def compare_details(ours: Iterable[Detail], platform: Iterable[Detail]) -> list[DetailDiff]:
    """Every settlement on one side only, and every settlement on both whose compared fields differ, ordered by
    ``setl_id``. Equal inputs give an empty list."""
    mine: Mapping[str, Detail] = {d.setl_id: d for d in ours}
    theirs: Mapping[str, Detail] = {d.setl_id: d for d in platform}
    diffs: list[DetailDiff] = []
    for setl_id in sorted(set(mine) | set(theirs)):
        a, b = mine.get(setl_id), theirs.get(setl_id)
        if b is None:
            assert a is not None
            diffs.append(DetailDiff(setl_id, "missing_platform", _all_fields(a, ours=True)))
        elif a is None:
            diffs.append(DetailDiff(setl_id, "missing_here", _all_fields(b, ours=False)))
        else:
            fields = tuple(FieldDiff(f, getattr(a, f), getattr(b, f)) for f in DETAIL_FIELDS
                           if getattr(a, f) != getattr(b, f))
            if fields:
                diffs.append(DetailDiff(setl_id, "amount", fields))
    return diffs
