"""Which rules can fire on a small slice of data (a single-claim check): the rest need not run.

A rule over catalogue restrictions or a parameter table finds nothing unless one of the slice's charged items is
among the items it restricts; a rule comparing two stays needs two visits; 挂床住院 needs a stay of at least one
night; 超限价 a line priced above its cap; 收费跨期 a line dated outside its visit. :func:`may_fire` answers from
the slice's own rows (no query), and only ever says "no" when the rule's query must return nothing — a rule it
does not know always runs. The stay rules (分解住院, 重复住院, 住院时间重叠, 挂床住院) and 限门诊/限住院 are asked of
the slice's stays and net lines, built here in plain Python the way ``rules.base`` builds them (valid settlements,
refunds netted): a person's slice has a few visits, and a rule that need not run saves a query. The equality of single-claim and batch findings over every settlement of a demo city
is the test that keeps these conditions honest.

Pure: no Django, no DuckDB.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import pyarrow.compute as pc  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

if TYPE_CHECKING:
    from dae.audit.schemas import AuditData

#: med_type prefixes of inpatient care, as ``rules.base.INPATIENT_MED_TYPE_PREFIXES`` (kept equal by a test).
INPATIENT_PREFIXES = ("2", "52")


@dataclass(frozen=True, slots=True)
class Stay:
    """One visit over its valid settlements, as ``rules.base.stays``."""

    mdtrt_id: str
    setl_id: str
    psn_no: str
    fixmedins_code: str
    dise_codg: str
    inpatient: bool
    adm_date: dt.date
    dscg_date: dt.date
    med_type: str


@dataclass(frozen=True, slots=True)
class NetLine:
    """A charged line with its refunds netted, as ``rules.base.net_lines``: ``cnt`` and ``amount`` less the
    refunds of the line."""

    setl_id: str
    mdtrt_id: str
    med_list_codg: str
    med_chrgitm_type: str
    fee_day: dt.date
    pric: Decimal
    feedetl_sn: str
    fee_ocur_time: dt.datetime
    cnt: Decimal
    amount: Decimal
    psn_no: str
    fixmedins_code: str


class Slice:
    """What the conditions look at, computed once per check: the charged item codes and the visits.

    ``focus`` is the settlement a single-claim check reports on (``engine.check_one`` keeps the findings on it or
    naming it as evidence): the rules whose findings touch a settlement only through its own lines (超限定频次,
    限性别 … 超限价: :data:`OWN_LINES`) or as a stay's latest settlement (挂床住院), and the pairs of stays (分解住院,
    冒名顶替, 重复住院), are then asked about that settlement only. ``None``: any settlement of the slice."""

    def __init__(self, data: AuditData, focus: str | None = None) -> None:
        self.data = data
        self.focus = focus
        lines = data["fee_line"]
        self.charged = lines.filter(pc.greater(lines["cnt"], 0))
        self.codes = pc.unique(self.charged["med_list_codg"])
        own = self.charged if focus is None else self.charged.filter(pc.equal(self.charged["setl_id"], focus))
        self.own_codes = pc.unique(own["med_list_codg"])
        settlements = data["settlement"]
        self.visits = len(pc.unique(settlements["mdtrt_id"]))
        self.nights = (
            bool(settlements.num_rows) and pc.any(pc.greater(settlements["dscg_date"], settlements["adm_date"])).as_py()
        )

    def uses(self, codes: pa.Array | pa.ChunkedArray) -> bool:
        """Whether any charged item is among ``codes``."""
        if not len(self.codes) or not len(codes):
            return False
        return bool(pc.any(pc.is_in(self.codes, value_set=pc.unique(codes))).as_py())

    def uses_own(self, codes: pa.Array | pa.ChunkedArray) -> bool:
        """Whether any item charged on the focus settlement is among ``codes``."""
        if not len(self.own_codes) or not len(codes):
            return False
        return bool(pc.any(pc.is_in(self.own_codes, value_set=pc.unique(codes))).as_py())

    def own(self, setl_id: str) -> bool:
        """Whether a finding on ``setl_id`` can be the focus settlement's."""
        return self.focus is None or setl_id == self.focus

    def catalogue_codes(self, mask: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
        cat = self.data["catalogue"]
        return cat.filter(pc.fill_null(mask, False))["med_list_codg"]

    def param_codes(self, table: str, column: str = "med_list_codg") -> pa.ChunkedArray:
        return self.data[table][column]

    @functools.cached_property
    def settlement_rows(self) -> list[dict[str, Any]]:
        """The slice's settlements as rows."""
        return list(self.data["settlement"].to_pylist())

    @functools.cached_property
    def catalogue_rows(self) -> dict[str, list[dict[str, Any]]]:
        """The catalogue versions of the charged items, by item code (all columns)."""
        if not len(self.codes):
            return {}
        cat = self.data["catalogue"]
        out: dict[str, list[dict[str, Any]]] = {}
        for row in cat.filter(pc.is_in(cat["med_list_codg"], value_set=self.codes)).to_pylist():
            out.setdefault(row["med_list_codg"], []).append(row)
        return out

    @functools.cached_property
    def line_versions(self) -> list[tuple[NetLine, list[dict[str, Any]]]]:
        """Each net line with the catalogue versions of its item in force on its day (``rules.base.with_item``);
        lines with none are left out."""
        out = []
        for line in self.net_lines:
            versions = [v for v in self.catalogue_rows.get(line.med_list_codg, ())
                        if v["begin_date"] <= line.fee_day and (v["end_date"] is None or line.fee_day < v["end_date"])]  # fmt: skip
            if versions:
                out.append((line, versions))
        return out

    @functools.cached_property
    def caps(self) -> dict[str, list[tuple[dt.date, dt.date | None, Decimal]]]:
        """The catalogue versions with a price cap of the charged items: (begin, end, cap) by item code."""
        return {code: caps for code, rows in self.catalogue_rows.items()
                if (caps := [(r["begin_date"], r["end_date"], r["pric_uplmt_amt"]) for r in rows
                             if r["pric_uplmt_amt"] is not None])}  # fmt: skip

    @property
    def valid_settlements(self) -> list[dict[str, Any]]:
        """Settlements that count (``rules.base.valid_settlements``) as rows."""
        return self._valid

    @functools.cached_property
    def _valid(self) -> list[dict[str, Any]]:
        """Settlements that count: neither a cancellation nor cancelled by one (``rules.base.valid_settlements``)."""
        rows = self.settlement_rows
        cancelled = {r["init_setl_id"] for r in rows if r["init_setl_id"]}
        return [r for r in rows if not r["init_setl_id"] and r["setl_id"] not in cancelled]

    @functools.cached_property
    def stays(self) -> list[Stay]:
        """One row per visit: the latest valid settlement's person, hospital, medical type and main diagnosis, the
        first admission and the last discharge (``rules.base.stays``)."""
        by_visit: dict[str, list[dict[str, Any]]] = {}
        for row in self._valid:
            by_visit.setdefault(row["mdtrt_id"], []).append(row)
        out = []
        for mdtrt, rows in by_visit.items():
            last = max(rows, key=lambda r: (r["setl_time"], r["setl_id"]))
            out.append(Stay(mdtrt, last["setl_id"], last["psn_no"], last["fixmedins_code"], last["dise_codg"] or "",
                            last["med_type"].startswith(INPATIENT_PREFIXES), min(r["adm_date"] for r in rows),
                            max(r["dscg_date"] for r in rows), last["med_type"]))  # fmt: skip
        return out

    @functools.cached_property
    def net_lines(self) -> list[NetLine]:
        """Charges of valid settlements with their refunds subtracted; lines refunded in full are gone
        (``rules.base.net_lines``)."""
        lines = self.data["fee_line"].select(
            ["setl_id", "mdtrt_id", "feedetl_sn", "init_feedetl_sn", "cnt", "med_list_codg", "med_chrgitm_type",
             "fee_ocur_time", "pric", "det_item_fee_sumamt", "psn_no", "fixmedins_code"]).to_pylist()  # fmt: skip
        valid = {r["setl_id"] for r in self._valid}
        refunded: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        for r in lines:
            if r["setl_id"] in valid and r["cnt"] < 0 and r["init_feedetl_sn"]:
                at = (r["mdtrt_id"], r["init_feedetl_sn"])
                cnt, amount = refunded.get(at, (Decimal(0), Decimal(0)))
                refunded[at] = (cnt + r["cnt"], amount + r["det_item_fee_sumamt"])
        out = []
        for r in lines:
            if r["setl_id"] not in valid or not r["cnt"] > 0:
                continue
            cnt, amount = refunded.get((r["mdtrt_id"], r["feedetl_sn"]), (Decimal(0), Decimal(0)))
            if r["cnt"] + cnt > 0:
                out.append(NetLine(r["setl_id"], r["mdtrt_id"], r["med_list_codg"], r["med_chrgitm_type"],
                                   r["fee_ocur_time"].date(), r["pric"], r["feedetl_sn"], r["fee_ocur_time"],
                                   r["cnt"] + cnt, r["det_item_fee_sumamt"] + amount, r["psn_no"],
                                   r["fixmedins_code"]))  # fmt: skip
        return out


def _pairs_both(s: Slice, params: Mapping[str, Any]) -> bool:
    pairs = s.data[params["pairs"]]
    if not pairs.num_rows or not len(s.codes):
        return False
    mains = pc.is_in(pairs["main_codg"], value_set=s.codes)
    accs = pc.is_in(pairs["acc_codg"], value_set=s.codes)
    return bool(pc.any(pc.and_(mains, accs)).as_py())


def _over_cap(s: Slice, params: Mapping[str, Any]) -> bool:
    """超限价 needs a net line priced above the cap (+ tolerance) of its item's version in force on the line's day."""
    caps = s.caps
    if not caps:
        return False
    tolerance = Decimal(str(params["tolerance"]))
    return any(
        begin <= line.fee_day and (end is None or line.fee_day < end) and line.pric > cap + tolerance
        for line in s.net_lines
        if s.own(line.setl_id)
        for begin, end, cap in caps.get(line.med_list_codg, ())
    )


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


def _setting(s: Slice, params: Mapping[str, Any]) -> bool:
    """限门诊/限住院 needs a net line of an item restricted to inpatient care (in any version) on an outpatient visit,
    or one restricted to outpatient care on an inpatient visit."""
    cat = s.data["catalogue"]
    inp = set(s.catalogue_codes(pc.fill_null(cat["inpatient_only"], False)).to_pylist())
    outp = set(s.catalogue_codes(pc.fill_null(cat["outpatient_only"], False)).to_pylist())
    if not inp and not outp:
        return False
    inpatient = {stay.mdtrt_id: stay.inpatient for stay in s.stays}
    for line in s.net_lines:
        visit = inpatient.get(line.mdtrt_id)
        if (
            visit is not None
            and s.own(line.setl_id)
            and ((line.med_list_codg in inp and not visit) or (line.med_list_codg in outp and visit))
        ):
            return True
    return False


def _idle_bed(s: Slice, params: Mapping[str, Any]) -> bool:
    """挂床住院 needs an inpatient stay whose nights less its days with a treatment charge (a net line of the active
    types dated from admission to the day before discharge) reach the rule's idle days."""
    active_types = set(params["active_types"])
    for stay in s.stays:
        los = (stay.dscg_date - stay.adm_date).days
        if not stay.inpatient or los <= 0 or not s.own(stay.setl_id):
            continue
        active = {
            line.fee_day
            for line in s.net_lines
            if line.mdtrt_id == stay.mdtrt_id
            and line.med_chrgitm_type in active_types
            and stay.adm_date <= line.fee_day < stay.dscg_date
        }
        if los - len(active) >= int(params["min_idle_days"]):
            return True
    return False


def _overlap(s: Slice, params: Mapping[str, Any]) -> bool:
    """住院时间重叠 needs two inpatient stays of the person at different hospitals overlapping by the rule's days (the
    later admission's span, as the rule: from its admission to the earlier of the two discharges)."""
    stays = [x for x in s.stays if x.inpatient]
    return any(
        a.psn_no == b.psn_no and a.fixmedins_code != b.fixmedins_code and (s.own(a.setl_id) or s.own(b.setl_id))
        and (a.adm_date < b.adm_date or (a.adm_date == b.adm_date and a.mdtrt_id < b.mdtrt_id))
        and a.dscg_date > b.adm_date and (min(a.dscg_date, b.dscg_date) - b.adm_date).days >= int(params["min_days"])
        for a in stays for b in stays
    )  # fmt: skip


def _readmission(same_hospital: bool) -> Callable[[Slice, Mapping[str, Any]], bool]:
    """分解住院 (same hospital) and 重复住院 (another hospital) need two inpatient stays with a main diagnosis of the
    same category (its first ``dise_chars`` characters), the second admitted 0 to ``days`` days after the first's
    discharge. Consecutive stays of a category are such a pair, so no pair means no finding."""

    def condition(s: Slice, params: Mapping[str, Any]) -> bool:
        chars, days = int(params["dise_chars"]), int(params["days"])
        stays = [x for x in s.stays if x.inpatient and x.dise_codg != ""]
        return any(
            a is not b and (s.own(a.setl_id) or s.own(b.setl_id)) and a.psn_no == b.psn_no and a.dise_codg.upper()[:chars] == b.dise_codg.upper()[:chars]
            and (a.fixmedins_code == b.fixmedins_code) == same_hospital
            and 0 <= (b.adm_date - a.dscg_date).days <= days
            for a in stays for b in stays
        )  # fmt: skip

    return condition


def _not_blank(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.and_(pc.is_valid(column), pc.not_equal(column, ""))


CONDITIONS: dict[str, Callable[[Slice, Mapping[str, Any]], bool]] = {
    "R01_DUP_SAME_DAY": lambda s, p: s.uses(s.param_codes(p["items"])),
    "R02_DUP_BUNDLED": _pairs_both,
    "R03_FREQ_DAY": lambda s, p: s.uses_own(s.catalogue_codes(pc.is_valid(s.data["catalogue"]["max_per_day"]))),
    "R04_FREQ_STAY": lambda s, p: s.uses_own(s.catalogue_codes(pc.is_valid(s.data["catalogue"]["max_per_stay"]))),
    "R05_FREQ_PERIOD": lambda s, p: s.uses(s.param_codes(p["limits"])),
    "R06_SEX": lambda s, p: s.uses_own(s.catalogue_codes(_not_blank(s.data["catalogue"]["lmt_sex"]))),
    "R07_AGE": lambda s, p: s.uses_own(s.catalogue_codes(pc.or_(pc.is_valid(s.data["catalogue"]["lmt_age_min"]),
                                                            pc.is_valid(s.data["catalogue"]["lmt_age_max"])))),
    "R08_HOSP_LEVEL": lambda s, p: s.uses_own(s.catalogue_codes(pc.is_valid(s.data["catalogue"]["min_hosp_grade"])))
    or s.uses_own(s.param_codes("item_hosp_lv")),
    "R09_SETTING": _setting,
    "R10_DIAGNOSIS": lambda s, p: s.uses_own(s.param_codes("item_dise_prefix")),
    "R11_PRICE_CAP": _over_cap,
    "R12_COURSE": lambda s, p: s.uses(s.param_codes(p["limits"])),
    "R13_SPLIT_STAY": lambda s, p: s.visits >= 2 and _readmission(True)(s, p),
    "R14_IDLE_BED": lambda s, p: s.nights and _idle_bed(s, p),
    "R15_OVERLAP": lambda s, p: s.visits >= 2 and _overlap(s, p),
    "R16_REPEAT_STAY": lambda s, p: s.visits >= 2 and _readmission(False)(s, p),
    "R17_CROSS_PERIOD": _outside_visit,
    "R18_SUBSTITUTE": lambda s, p: s.uses(s.param_codes(p["pairs"], "material_codg")),
}  # fmt: skip


#: Rules whose findings touch a settlement only through its own lines of the finding's item, asked of the focus
#: settlement's lines only: ``rules.base.per_item`` (finding and evidence on the line's settlement) and the
#: frequency limits per day and per stay (a visit's lines of one item; the finding's settlement is one of theirs).
OWN_LINES = ("R03_FREQ_DAY", "R04_FREQ_STAY", "R06_SEX", "R07_AGE", "R08_HOSP_LEVEL", "R09_SETTING", "R10_DIAGNOSIS",
             "R11_PRICE_CAP")  # fmt: skip


def may_fire(rule_id: str, data: AuditData | Slice, params: Mapping[str, Any]) -> bool:
    """False only when ``rule_id`` with ``params`` cannot find anything in ``data``."""
    condition = CONDITIONS.get(rule_id)
    if condition is None:
        return True
    return bool(condition(data if isinstance(data, Slice) else Slice(data), params))


def rules_that_may_fire(rule_ids: tuple[str, ...], data: AuditData, params: Mapping[str, Mapping[str, Any]],
                        focus: str | None = None) -> tuple[str, ...]:  # fmt: skip
    """The rules of ``rule_ids`` worth running on ``data`` (in their order); with ``focus``, those that may find
    something on that settlement or naming it."""
    piece = Slice(data, focus)
    return tuple(r for r in rule_ids if may_fire(r, piece, params[r]))
