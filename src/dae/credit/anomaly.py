"""Anomaly screening (异常数据挖掘), the arithmetic: indicators of hospitals, departments and doctors and their
robust distance from their peers. Pure Python on Decimal (no Django): ``screening.py`` reads the stays and fee
totals from the database and stores what this returns.

Units and peers
    hospital — peers: the region's hospitals of the same grade (三级 / 二级 / 一级 / 无等级, from ``hosp_lv``);
    department (a hospital's ``bilg_dept_codg``) — peers: the same department code in the region's hospitals;
    doctor (a hospital's ``bilg_dr_codg``) — peers: the doctors whose main department has the same code.
    A stay belongs to the department and the doctor that billed the largest amount on it (ties: smallest code).

Indicators (inpatient stays only; a stay is one ``mdtrt_id``, its settlements summed)
    cost_index — 病种校正次均费用指数: the unit's cost ÷ its expected cost, the expected cost being, for each
        diagnosis group (first 3 characters of the main diagnosis), the unit's stays × the median cost per stay
        of the peer units in that group. 1.0000 = exactly the peers' median for its case mix.
    drug_share — 药品费用占比 (%): fee lines of med_chrgitm_type 09 西药费, 10 中药饮片费, 11 中成药费 over all the
        unit's fee lines (a department or doctor: the lines it billed).
    readmit_rate — 再入院率 (%): stays of the unit whose person left the same hospital at most ``readmit_days``
        days before this admission (a different stay).
    avg_los — 平均住院日: days from admission to discharge (at least 1) per stay.

Robust z
    z = (value − peer median) / (1.4826 × MAD) over the peers with at least ``min_volume`` stays (the unit
    itself included); fewer than ``min_peers`` such peers: not scored. MAD = 0 (more than half the peers share
    one value): the scale is 1.2533 × the mean absolute deviation instead (the consistent estimate for a
    normal sample); if that is 0 as well every peer has the same value and z = 0. A readmission rate is a count
    of rare events: its scale is at least the binomial standard error √(p(1 − p)/n) of the peers' pooled rate p
    for the unit's n stays, so one readmission among a few stays is not an outlier. An indicator is flagged when
    z > threshold — for the average stay |z| > threshold, as a stay far shorter than the peers' (split stays)
    is as suspicious as one far longer (挂床); a cost, drug share or readmission rate far below the peers' is not
    flagged (it is shown with its z). A unit's score is the sum of |z| over its flagged indicators (several moderate outliers
    rank above one borderline one; a single extreme one still ranks high).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HOSPITAL, DEPARTMENT, DOCTOR = "hospital", "department", "doctor"
INDICATORS = ("cost_index", "drug_share", "readmit_rate", "avg_los")
DRUG_TYPES = ("09", "10", "11")
MAD_FACTOR = Decimal("1.4826")
MEAN_AD_FACTOR = Decimal("1.2533")
#: Places of each indicator as shown and compared.
PLACES = {
    "cost_index": Decimal("0.0001"),
    "drug_share": Decimal("0.01"),
    "readmit_rate": Decimal("0.01"),
    "avg_los": Decimal("0.01"),
}
Z_PLACES = Decimal("0.01")
PCT_PLACES = Decimal("0.1")
FEN = Decimal("0.01")
HUNDRED = Decimal(100)
#: Indicators flagged on either side of the median; the others only above it (a low cost, drug share or
#: readmission rate is no sign of abuse).
BOTH_WAYS = frozenset({"avg_los"})


def q(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Params:
    threshold: Decimal = Decimal("3.00")
    min_peers: int = 5
    min_volume: int = 10
    readmit_days: int = 15


@dataclass(frozen=True)
class Stay:
    """One inpatient stay (its settlements summed); ``cost`` in yuan."""

    key: str  # mdtrt_id
    hospital: int
    psn_no: str
    adm: dt.date
    dscg: dt.date
    dise: str
    cost: Decimal

    @property
    def group(self) -> str:
        return (self.dise or "")[:3].upper()

    @property
    def los(self) -> int:
        return max(1, (self.dscg - self.adm).days)


@dataclass(frozen=True)
class LineTotal:
    """The fee lines of one stay billed by one department and doctor: total and drug amounts in fen."""

    stay: str
    hospital: int
    dept: str
    doctor: str
    total_fen: int
    drug_fen: int


@dataclass(frozen=True)
class Earlier:
    """A stay before the period, only to find readmissions."""

    key: str
    hospital: int
    psn_no: str
    dscg: dt.date


@dataclass
class Unit:
    kind: str
    hospital: int
    code: str
    peer_group: str
    dept: str = ""
    stays: list[Stay] = field(default_factory=list)
    billed_stays: set[str] = field(default_factory=set)
    total_fen: int = 0
    drug_fen: int = 0
    readmits: int = 0

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.kind, self.hospital, self.code)


@dataclass(frozen=True)
class Indicator:
    key: str
    value: Decimal | None
    volume: int
    peer_median: Decimal | None = None
    scale: Decimal | None = None
    z: Decimal | None = None
    pct: Decimal | None = None
    peers: int = 0
    status: str = "ok"  # ok | low_volume | few_peers | no_value
    flagged: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        def s(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        return {
            "key": self.key,
            "value": s(self.value),
            "volume": self.volume,
            "peer_median": s(self.peer_median),
            "scale": s(self.scale),
            "z": s(self.z),
            "pct": s(self.pct),
            "peers": self.peers,
            "status": self.status,
            "flagged": self.flagged,
            **({"extra": self.extra} if self.extra else {}),
        }


@dataclass(frozen=True)
class Result:
    kind: str
    hospital: int
    code: str
    dept: str
    peer_group: str
    stays: int
    cost: Decimal
    indicators: tuple[Indicator, ...]
    score: Decimal
    flagged: bool


# -- statistics ----------------------------------------------------------------------------------------------


def median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("median of nothing")
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def robust_scale(values: Sequence[Decimal], centre: Decimal) -> Decimal:
    """1.4826 × MAD, or 1.2533 × the mean absolute deviation when the MAD is 0 (0 when every value is equal)."""
    deviations = [abs(v - centre) for v in values]
    mad = median(deviations)
    if mad > 0:
        return MAD_FACTOR * mad
    return MEAN_AD_FACTOR * sum(deviations, Decimal(0)) / len(deviations)


# -- units ---------------------------------------------------------------------------------------------------


def _main(amounts: dict[str, int]) -> str:
    """The code with the largest amount (ties: smallest code); "" when none."""
    known = [(code, fen) for code, fen in amounts.items() if code]
    if not known:
        return ""
    return sorted(known, key=lambda cf: (-cf[1], cf[0]))[0][0]


@dataclass
class _Book:
    """The units found so far (in order of first sight) and each doctor's main department."""

    doctor_dept: dict[tuple[int, str], str]
    units: dict[tuple[str, int, str], Unit] = field(default_factory=dict)

    def unit(self, kind: str, hospital: int, code: str, group: str, dept: str = "") -> Unit:
        key = (kind, hospital, code)
        found = self.units.get(key)
        if found is None:
            found = self.units[key] = Unit(kind, hospital, code, group, dept)
        return found

    def targets(self, hospital_unit: Unit, hospital: int, dept: str, doctor: str) -> list[Unit]:
        """The hospital, and the department and doctor when known."""
        found = [hospital_unit]
        if dept:
            found.append(self.unit(DEPARTMENT, hospital, dept, f"dept:{dept}", dept))
        if doctor:
            dd = self.doctor_dept.get((hospital, doctor), "")
            found.append(self.unit(DOCTOR, hospital, doctor, f"doctor:{dd or '?'}", dd))
        return found


def _doctor_departments(by_stay: dict[str, list[LineTotal]]) -> dict[tuple[int, str], str]:
    """Each doctor's main department over everything they billed."""
    doctor_depts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for stay_lines in by_stay.values():
        for line in stay_lines:
            if line.doctor:
                doctor_depts[(line.hospital, line.doctor)][line.dept] += line.total_fen
    return {key: _main(amounts) for key, amounts in doctor_depts.items()}


def _main_dept_and_doctor(stay_lines: list[LineTotal]) -> tuple[str, str]:
    """The department and the doctor that billed the most of one stay."""
    depts: dict[str, int] = defaultdict(int)
    doctors: dict[str, int] = defaultdict(int)
    for line in stay_lines:
        depts[line.dept] += line.total_fen
        doctors[line.doctor] += line.total_fen
    return _main(depts), _main(doctors)


def build_units(
    stays: Iterable[Stay],
    lines: Iterable[LineTotal],
    earlier: Iterable[Earlier],
    grades: dict[int, str],
    readmit_days: int,
) -> dict[tuple[str, int, str], Unit]:
    """Hospitals, departments and doctors with their stays, billed lines and readmissions."""
    stays = list(stays)
    by_stay: dict[str, list[LineTotal]] = defaultdict(list)
    for line in lines:
        by_stay[line.stay].append(line)
    book = _Book(_doctor_departments(by_stay))
    readmitted = _readmissions(stays, earlier, readmit_days)
    for stay in stays:
        hospital = book.unit(HOSPITAL, stay.hospital, str(stay.hospital), f"grade:{grades.get(stay.hospital, '?')}")
        stay_lines = by_stay.get(stay.key, [])
        for target in book.targets(hospital, stay.hospital, *_main_dept_and_doctor(stay_lines)):
            target.stays.append(stay)
            if stay.key in readmitted:
                target.readmits += 1
        for line in stay_lines:
            for target in book.targets(hospital, stay.hospital, line.dept, line.doctor):
                target.total_fen += line.total_fen
                target.drug_fen += line.drug_fen
                target.billed_stays.add(stay.key)
    return book.units


def _readmissions(stays: list[Stay], earlier: Iterable[Earlier], days: int) -> set[str]:
    """Keys of the stays admitted at most ``days`` days after the same person left the same hospital."""
    discharges: dict[tuple[int, str], list[tuple[dt.date, str]]] = defaultdict(list)
    for e in earlier:
        discharges[(e.hospital, e.psn_no)].append((e.dscg, e.key))
    for s in stays:
        discharges[(s.hospital, s.psn_no)].append((s.dscg, s.key))
    found = set()
    for s in stays:
        for dscg, key in discharges[(s.hospital, s.psn_no)]:
            if key != s.key and 0 <= (s.adm - dscg).days <= days:
                found.add(s.key)
                break
    return found


# -- indicators ----------------------------------------------------------------------------------------------


def _group_medians(units: Sequence[Unit], min_volume: int) -> dict[str, dict[str, Decimal]]:
    """Per peer group and diagnosis group: the median cost per stay of the units with enough stays."""
    costs: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for u in units:
        if len(u.stays) < min_volume:
            continue
        sums: dict[str, list[Decimal]] = defaultdict(list)
        for s in u.stays:
            sums[s.group].append(s.cost)
        for group, values in sums.items():
            costs[u.peer_group][group].append(sum(values, Decimal(0)) / len(values))
    return {peer: {g: median(v) for g, v in groups.items()} for peer, groups in costs.items()}


def raw_values(
    u: Unit, medians: dict[str, dict[str, Decimal]]
) -> dict[str, tuple[Decimal | None, int, dict[str, str]]]:
    """(value, volume, extra) of each indicator of a unit."""
    n = len(u.stays)
    out: dict[str, tuple[Decimal | None, int, dict[str, str]]] = {}
    cost = sum((s.cost for s in u.stays), Decimal(0))
    group_medians = medians.get(u.peer_group, {})
    expected = Decimal(0)
    complete = n > 0
    for s in u.stays:
        m = group_medians.get(s.group)
        if m is None:
            complete = False
            break
        expected += m
    if complete and expected > 0:
        index = q(cost / expected, PLACES["cost_index"])
        out["cost_index"] = (
            index,
            n,
            {"actual_per_stay": str(q(cost / n, FEN)), "expected_per_stay": str(q(expected / n, FEN))},
        )
    else:
        out["cost_index"] = (None, n, {"actual_per_stay": str(q(cost / n, FEN))} if n else {})
    volume = len(u.billed_stays)
    share = q(Decimal(u.drug_fen) * HUNDRED / Decimal(u.total_fen), PLACES["drug_share"]) if u.total_fen > 0 else None
    out["drug_share"] = (share, volume, {})
    out["readmit_rate"] = (
        q(Decimal(u.readmits) * HUNDRED / n, PLACES["readmit_rate"]) if n else None,
        n,
        {"readmissions": str(u.readmits)},
    )
    out["avg_los"] = (q(Decimal(sum(s.los for s in u.stays)) / n, PLACES["avg_los"]) if n else None, n, {})
    return out


def binomial_floor(rate: Decimal, stays: int) -> Decimal:
    """The standard error (in percentage points) of a rate observed on ``stays`` stays when the true rate is
    ``rate`` (a fraction): the least spread a rate of so few stays can be judged by."""
    return (rate * (1 - rate) / stays).sqrt() * HUNDRED


def _pooled_rate(members: Sequence[Unit], min_volume: int) -> Decimal | None:
    """Readmissions ÷ stays over the peers with enough stays (None when there are none)."""
    stays = sum(len(u.stays) for u in members if len(u.stays) >= min_volume)
    readmits = sum(u.readmits for u in members if len(u.stays) >= min_volume)
    return Decimal(readmits) / stays if stays else None


def score_units(units: dict[tuple[str, int, str], Unit], params: Params) -> list[Result]:
    """Every unit's indicators against its peers, its score and whether it is flagged."""
    groups: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for u in units.values():
        groups[(u.kind, u.peer_group)].append(u)
    results: list[Result] = []
    for (_kind, _peer), members in sorted(groups.items()):
        medians = _group_medians(members, params.min_volume)
        values = {u.key: raw_values(u, medians) for u in members}
        scored: dict[tuple[str, int, str], dict[str, Indicator]] = defaultdict(dict)
        for key in INDICATORS:
            eligible = [
                (u.key, values[u.key][key][0])
                for u in members
                if values[u.key][key][0] is not None and values[u.key][key][1] >= params.min_volume
            ]
            sample = [v for _k, v in eligible if v is not None]
            centre = median(sample) if sample else None
            enough = len(sample) >= params.min_peers
            scale = robust_scale(sample, centre) if enough and centre is not None else None
            pooled = _pooled_rate(members, params.min_volume) if key == "readmit_rate" else None
            for u in members:
                value, volume, extra = values[u.key][key]
                own = scale
                if scale is not None and pooled is not None and volume > 0:
                    own = max(scale, binomial_floor(pooled, volume))
                scored[u.key][key] = _indicator(key, value, volume, extra, centre, own, len(sample), enough, params)
        for u in members:
            indicators = tuple(scored[u.key][k] for k in INDICATORS)
            flagged = [i for i in indicators if i.flagged]
            score = sum((abs(i.z) for i in flagged if i.z is not None), Decimal(0))
            cost = sum((s.cost for s in u.stays), Decimal(0))
            results.append(
                Result(
                    u.kind,
                    u.hospital,
                    u.code,
                    u.dept,
                    u.peer_group,
                    len(u.stays),
                    q(cost, FEN),
                    indicators,
                    q(score, Z_PLACES),
                    bool(flagged),
                )
            )
    return results


def _indicator(
    key: str,
    value: Decimal | None,
    volume: int,
    extra: dict[str, str],
    centre: Decimal | None,
    scale: Decimal | None,
    peers: int,
    enough: bool,
    params: Params,
) -> Indicator:
    shown_centre = q(centre, PLACES[key]) if centre is not None else None
    if value is None:
        return Indicator(key, None, volume, shown_centre, None, None, None, peers, "no_value", False, extra)
    pct = q((value - centre) * HUNDRED / centre, PCT_PLACES) if centre else None
    if volume < params.min_volume:
        return Indicator(key, value, volume, shown_centre, None, None, pct, peers, "low_volume", False, extra)
    if not enough or scale is None or centre is None:
        return Indicator(key, value, volume, shown_centre, None, None, pct, peers, "few_peers", False, extra)
    z = q(Decimal(0), Z_PLACES) if scale == 0 else q((value - centre) / scale, Z_PLACES)
    if z.is_zero():
        z = abs(z)  # never "-0.00"
    suspicious = abs(z) if key in BOTH_WAYS else z
    return Indicator(
        key,
        value,
        volume,
        shown_centre,
        q(scale, Decimal("0.0001")),
        z,
        pct,
        peers,
        "ok",
        suspicious > params.threshold,
        extra,
    )


def rank(results: Sequence[Result]) -> dict[tuple[str, int, str], int]:
    """Rank of each flagged unit: highest score first, then kind, hospital and code for a stable order."""
    order = {HOSPITAL: 0, DEPARTMENT: 1, DOCTOR: 2}
    flagged = sorted((r for r in results if r.flagged), key=lambda r: (-r.score, order[r.kind], r.hospital, r.code))
    return {(r.kind, r.hospital, r.code): i + 1 for i, r in enumerate(flagged)}
