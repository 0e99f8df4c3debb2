"""The annual hospital evaluation (定点医疗机构年度考核): a scoring sheet as data, scored per hospital from the
year's figures. Pure Python on Decimal; the figures come from the column engine (``indicators.hospital_profile``).

A criterion has a weight (points) and bands: the first band whose bound the hospital's value does not exceed
gives that share of the weight (lower is better for every criterion of the default sheet). A value that cannot be
measured (no stays, no fee lines) scores nothing and says so — it is never taken as 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    id: str
    zh: str
    weight: Decimal
    bands: tuple[tuple[Decimal, Decimal], ...]  # (upper bound of the value, share of the weight), ascending
    unit: str


def _c(id: str, zh: str, weight: str, unit: str, *bands: tuple[str, str]) -> Criterion:
    return Criterion(id, zh, Decimal(weight), tuple((Decimal(a), Decimal(b)) for a, b in bands), unit)


#: The default sheet (data: the manager's own sheet replaces it). Weights add up to 100.
DEFAULT_SHEET: tuple[Criterion, ...] = (
    _c("cost_index", "次均住院费用 ÷ 同级医院中位数", "35", "",
       ("1.00", "1"), ("1.10", "0.8"), ("1.20", "0.5"), ("9999", "0")),
    _c("drug_share", "药品费用占比", "25", "%", ("30", "1"), ("40", "0.7"), ("50", "0.4"), ("100", "0")),
    _c("readmit_rate", "15 日内再入院率", "20", "%", ("2", "1"), ("5", "0.6"), ("10", "0.3"), ("100", "0")),
    _c("deduction_rate", "确认扣款 ÷ 大额支付", "20", "%", ("0", "1"), ("1", "0.8"), ("3", "0.5"), ("100", "0")),
)


@dataclass(frozen=True)
class Profile:
    """A hospital's year (whole fen and counts, from the engine)."""

    hospital: str
    level: str
    admissions: int
    cost_fen: int
    drug_fen: int
    lines_fen: int
    readmissions: int
    deductions_fen: int
    payout_fen: int


@dataclass(frozen=True)
class Score:
    hospital: str
    values: dict[str, Decimal | None]
    points: dict[str, Decimal]
    total: Decimal


def median(values: Sequence[Decimal]) -> Decimal | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def level_medians(profiles: Sequence[Profile]) -> dict[str, Decimal]:
    """The median cost per stay of each hospital level (hospitals with stays only)."""
    by_level: dict[str, list[Decimal]] = {}
    for p in profiles:
        if p.admissions:
            by_level.setdefault(p.level, []).append(Decimal(p.cost_fen) / p.admissions)
    return {lv: m for lv, vs in by_level.items() if (m := median(vs)) is not None}


def measures(p: Profile, medians: Mapping[str, Decimal]) -> dict[str, Decimal | None]:
    def ratio(num: int | Decimal, den: int | Decimal, factor: int = 100) -> Decimal | None:
        return None if not den else (Decimal(num) * factor / Decimal(den)).quantize(ONE, rounding=ROUND_HALF_UP)

    per_stay = Decimal(p.cost_fen) / p.admissions if p.admissions else None
    median_cost = medians.get(p.level)
    return {
        "cost_index": None if per_stay is None or not median_cost else ratio(per_stay, median_cost, 1),
        "drug_share": ratio(p.drug_fen, p.lines_fen),
        "readmit_rate": ratio(p.readmissions, p.admissions),
        "deduction_rate": ratio(p.deductions_fen, p.payout_fen) if p.payout_fen else
        (Decimal("0.00") if not p.deductions_fen else None),
    }


def score(profiles: Sequence[Profile], sheet: Sequence[Criterion] = DEFAULT_SHEET) -> list[Score]:
    medians = level_medians(profiles)
    out = []
    for p in profiles:
        values = measures(p, medians)
        points: dict[str, Decimal] = {}
        for c in sheet:
            value = values.get(c.id)
            share = Decimal(0)
            if value is not None:
                share = next((s for bound, s in c.bands if value <= bound), Decimal(0))
            points[c.id] = (c.weight * share).quantize(ONE, rounding=ROUND_HALF_UP)
        out.append(Score(p.hospital, values, points, sum(points.values(), Decimal("0.00"))))
    return sorted(out, key=lambda s: (-s.total, s.hospital))
