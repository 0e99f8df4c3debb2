"""Which rules can fire on a small slice of data (a single-claim check): the rest need not run.

A rule over catalogue restrictions or a parameter table finds nothing unless one of the slice's charged items is
among the items it restricts; a rule comparing two stays needs two visits; 挂床住院 needs a stay of at least one
night; 超限价 a line priced above a cap; 收费跨期 a line dated outside its visit. :func:`may_fire` answers from
the slice's own rows (no query), and only ever says "no" when the rule's query must return nothing — a rule it
does not know always runs. The equality of single-claim and batch findings over every settlement of a demo city
is the test that keeps these conditions honest.

Pure: no Django, no DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from dae.audit.engine import AuditData


class Slice:
    """What the conditions look at, computed once per check: the charged item codes and the visits."""

    def __init__(self, data: AuditData) -> None:
        self.data = data
        lines = data["fee_line"]
        self.charged = lines.filter(pc.greater(lines["cnt"], 0))
        self.codes = pc.unique(self.charged["med_list_codg"])
        settlements = data["settlement"]
        self.visits = len(pc.unique(settlements["mdtrt_id"]))
        self.nights = bool(settlements.num_rows) and pc.any(
            pc.greater(settlements["dscg_date"], settlements["adm_date"])
        ).as_py()

    def uses(self, codes: pa.Array | pa.ChunkedArray) -> bool:
        """Whether any charged item is among ``codes``."""
        if not len(self.codes) or not len(codes):
            return False
        return bool(pc.any(pc.is_in(self.codes, value_set=pc.unique(codes))).as_py())

    def catalogue_codes(self, mask: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
        cat = self.data["catalogue"]
        return cat.filter(pc.fill_null(mask, False))["med_list_codg"]

    def param_codes(self, table: str, column: str = "med_list_codg") -> pa.ChunkedArray:
        return self.data[table][column]


def _pairs_both(s: Slice, params: Mapping[str, Any]) -> bool:
    pairs = s.data[params["pairs"]]
    if not pairs.num_rows or not len(s.codes):
        return False
    mains = pc.is_in(pairs["main_codg"], value_set=s.codes)
    accs = pc.is_in(pairs["acc_codg"], value_set=s.codes)
    return bool(pc.any(pc.and_(mains, accs)).as_py())


def _over_cap(s: Slice, params: Mapping[str, Any]) -> bool:
    """超限价 needs a charged line priced above its item's cap (+ tolerance); the lowest cap of any version of the
    item stands in for the version in force (a line above the cap in force is above the lowest)."""
    cat = s.data["catalogue"]
    cat = cat.filter(pc.and_(pc.is_valid(cat["pric_uplmt_amt"]), pc.is_in(cat["med_list_codg"], value_set=s.codes)))
    if not cat.num_rows:
        return False
    lowest: dict[str, Decimal] = {}
    for code, cap in zip(cat["med_list_codg"].to_pylist(), cat["pric_uplmt_amt"].to_pylist(), strict=True):
        lowest[code] = min(cap, lowest.get(code, cap))
    tolerance = Decimal(str(params["tolerance"]))
    lines = s.charged
    return any(code in lowest and price is not None and price > lowest[code] + tolerance
               for code, price in zip(lines["med_list_codg"].to_pylist(), lines["pric"].to_pylist(), strict=True))


def _outside_visit(s: Slice, params: Mapping[str, Any]) -> bool:
    """收费跨期 needs a charged line dated more than ``days`` before its visit's admission or after its discharge.
    The visit's span over its valid settlements (earliest admission, latest discharge) contains the span from the
    latest admission to the earliest discharge of all its settlements, so a line outside the first is outside
    the second."""
    days = dt.timedelta(days=int(params["days"]))
    settlements = s.data["settlement"]
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for mdtrt, adm, dscg in zip(settlements["mdtrt_id"].to_pylist(), settlements["adm_date"].to_pylist(),
                                settlements["dscg_date"].to_pylist(), strict=True):  # fmt: skip
        if mdtrt in spans:
            adm, dscg = max(adm, spans[mdtrt][0]), min(dscg, spans[mdtrt][1])
        spans[mdtrt] = (adm, dscg)
    lines = s.charged
    for mdtrt, at in zip(lines["mdtrt_id"].to_pylist(), lines["fee_ocur_time"].to_pylist(), strict=True):
        span = spans.get(mdtrt)
        if span is not None and at is not None and (at.date() < span[0] - days or at.date() > span[1] + days):
            return True
    return False


def _not_blank(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.and_(pc.is_valid(column), pc.not_equal(column, ""))


CONDITIONS: dict[str, Callable[[Slice, Mapping[str, Any]], bool]] = {
    "R01_DUP_SAME_DAY": lambda s, p: s.uses(s.param_codes(p["items"])),
    "R02_DUP_BUNDLED": _pairs_both,
    "R03_FREQ_DAY": lambda s, p: s.uses(s.catalogue_codes(pc.is_valid(s.data["catalogue"]["max_per_day"]))),
    "R04_FREQ_STAY": lambda s, p: s.uses(s.catalogue_codes(pc.is_valid(s.data["catalogue"]["max_per_stay"]))),
    "R05_FREQ_PERIOD": lambda s, p: s.uses(s.param_codes(p["limits"])),
    "R06_SEX": lambda s, p: s.uses(s.catalogue_codes(_not_blank(s.data["catalogue"]["lmt_sex"]))),
    "R07_AGE": lambda s, p: s.uses(s.catalogue_codes(pc.or_(pc.is_valid(s.data["catalogue"]["lmt_age_min"]),
                                                            pc.is_valid(s.data["catalogue"]["lmt_age_max"])))),
    "R08_HOSP_LEVEL": lambda s, p: s.uses(s.catalogue_codes(pc.is_valid(s.data["catalogue"]["min_hosp_grade"])))
    or s.uses(s.param_codes("item_hosp_lv")),
    "R09_SETTING": lambda s, p: s.uses(s.catalogue_codes(pc.or_(pc.fill_null(s.data["catalogue"]["inpatient_only"],
                                                                             False),
                                                                pc.fill_null(s.data["catalogue"]["outpatient_only"],
                                                                             False)))),
    "R10_DIAGNOSIS": lambda s, p: s.uses(s.param_codes("item_dise_prefix")),
    "R11_PRICE_CAP": _over_cap,
    "R12_COURSE": lambda s, p: s.uses(s.param_codes(p["limits"])),
    "R13_SPLIT_STAY": lambda s, p: s.visits >= 2,
    "R14_IDLE_BED": lambda s, p: s.nights,
    "R15_OVERLAP": lambda s, p: s.visits >= 2,
    "R16_REPEAT_STAY": lambda s, p: s.visits >= 2,
    "R17_CROSS_PERIOD": _outside_visit,
    "R18_SUBSTITUTE": lambda s, p: s.uses(s.param_codes(p["pairs"], "material_codg")),
}  # fmt: skip


def may_fire(rule_id: str, data: AuditData | Slice, params: Mapping[str, Any]) -> bool:
    """False only when ``rule_id`` with ``params`` cannot find anything in ``data``."""
    condition = CONDITIONS.get(rule_id)
    if condition is None:
        return True
    return bool(condition(data if isinstance(data, Slice) else Slice(data), params))


def rules_that_may_fire(rule_ids: tuple[str, ...], data: AuditData, params: Mapping[str, Mapping[str, Any]]
                        ) -> tuple[str, ...]:  # fmt: skip
    """The rules of ``rule_ids`` worth running on ``data`` (in their order)."""
    piece = Slice(data)
    return tuple(r for r in rule_ids if may_fire(r, piece, params[r]))
