"""The annual hospital evaluation (定点医疗机构年度考核): a scoring sheet as data, scored per hospital from the
year's figures. Pure Python on Decimal; the figures come from the column engine (``indicators.hospital_profile``).

A criterion has a weight (points) and bands: the first band whose bound the hospital's value does not exceed
gives that share of the weight (lower is better), or, for a criterion marked ``higher`` (the timeliness of answers
to findings), the first band whose bound the value reaches. A value that cannot be measured (no stays, no fee
lines) scores nothing and says so — it is never taken as 0.

The final total (the computed total plus the manager's adjustment) gives the grade (:func:`grade`); a poor grade
costs credit points (:data:`CREDIT_POINTS`, recorded when the evaluation is published).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ONE = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    id: str
    zh: str
    weight: Decimal
    bands: tuple[tuple[Decimal, Decimal], ...]  # (upper bound of the value, share of the weight), ascending
    unit: str
    higher: bool = False  # bands are lower bounds, descending: the first one the value reaches

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "zh": self.zh, "weight": str(self.weight), "unit": self.unit, "higher": self.higher,
                "bands": [[str(a), str(b)] for a, b in self.bands]}


def _c(id: str, zh: str, weight: str, unit: str, *bands: tuple[str, str], higher: bool = False) -> Criterion:
    return Criterion(id, zh, Decimal(weight), tuple((Decimal(a), Decimal(b)) for a, b in bands), unit, higher)


def sheet_from_json(rows: Sequence[Mapping[str, Any]]) -> tuple[Criterion, ...]:
    """A sheet stored with an evaluation (``Criterion.as_json`` of each criterion) read back."""
    return tuple(Criterion(str(r["id"]), str(r["zh"]), Decimal(str(r["weight"])),
                           tuple((Decimal(str(a)), Decimal(str(b))) for a, b in r["bands"]),
                           str(r["unit"]), bool(r.get("higher", False))) for r in rows)


def sheet_digest(sheet: Sequence[Criterion]) -> str:
    """SHA-256 of the sheet as canonical JSON: which sheet (criteria, weights, bands) an evaluation used."""
    blob = json.dumps([c.as_json() for c in sheet], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


#: The default sheet (data: the manager's own sheet replaces it). Weights add up to 100.
DEFAULT_SHEET: tuple[Criterion, ...] = (
    _c("cost_index", "次均住院费用 ÷ 同级医院中位数", "30", "",
       ("1.00", "1"), ("1.10", "0.8"), ("1.20", "0.5"), ("9999", "0")),
    _c("drug_share", "药品费用占比", "20", "%", ("30", "1"), ("40", "0.7"), ("50", "0.4"), ("100", "0")),
    _c("readmit_rate", "15 日内再入院率", "20", "%", ("2", "1"), ("5", "0.6"), ("10", "0.3"), ("100", "0")),
    _c("deduction_rate", "确认扣款 ÷ 大额支付", "15", "%", ("0", "1"), ("1", "0.8"), ("3", "0.5"), ("100", "0")),
    _c("answer_timeliness", "疑点按期答复率", "15", "%", ("100", "1"), ("90", "0.8"), ("75", "0.5"), ("0", "0"),
       higher=True),
)

#: Grades of the final total, highest first: (lowest total, id, name).
GRADES: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("90"), "excellent", "优秀"), (Decimal("75"), "pass", "合格"), (Decimal("60"), "basic", "基本合格"),
    (Decimal("-9999"), "fail", "不合格"),
)
GRADE_NAMES = {g: zh for _b, g, zh in GRADES}
#: Credit points a published grade costs the hospital (grades not named cost nothing).
CREDIT_POINTS = {"basic": 10, "fail": 20}
#: The manager's adjustment of one hospital's total is bounded: at most this many points either way.
MAX_ADJUSTMENT = Decimal("10")


def grade(total: Decimal) -> str:
    return next(g for bound, g, _zh in GRADES if total >= bound)


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
    # findings whose answer by the hospital fell due in the year, and of those answered by their deadline;
    # None: not counted by the caller (no timeliness measure at all)
    answers_due: int | None = None
    answers_on_time: int = 0


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
    out: dict[str, Decimal | None] = {
        "cost_index": None if per_stay is None or not median_cost else ratio(per_stay, median_cost, 1),
        "drug_share": ratio(p.drug_fen, p.lines_fen),
        "readmit_rate": ratio(p.readmissions, p.admissions),
        "deduction_rate": ratio(p.deductions_fen, p.payout_fen) if p.payout_fen else
        (Decimal("0.00") if not p.deductions_fen else None),
    }
    if p.answers_due is not None:  # no answer fell due: nothing was late (as no deductions is 0 %)
        out["answer_timeliness"] = ratio(p.answers_on_time, p.answers_due) if p.answers_due else Decimal("100.00")
    return out


def score(profiles: Sequence[Profile], sheet: Sequence[Criterion] = DEFAULT_SHEET) -> list[Score]:
    medians = level_medians(profiles)
    out = []
    for p in profiles:
        values = measures(p, medians)
        points: dict[str, Decimal] = {}
        for c in sheet:
            value = values.get(c.id)
            share = Decimal(0)
            if value is not None and c.higher:
                share = next((s for bound, s in c.bands if value >= bound), Decimal(0))
            elif value is not None:
                share = next((s for bound, s in c.bands if value <= bound), Decimal(0))
            points[c.id] = (c.weight * share).quantize(ONE, rounding=ROUND_HALF_UP)
        out.append(Score(p.hospital, values, points, sum(points.values(), Decimal("0.00"))))
    return sorted(out, key=lambda s: (-s.total, s.hospital))


def plain_lines(sheet: Sequence[Criterion], values: Mapping[str, str | None],
                points: Mapping[str, str | None]) -> list[str]:
    """Each criterion of a hospital's sheet in plain Chinese, as the hospital reads it when published."""
    out = []
    for c in sheet:
        value, got = values.get(c.id), points.get(c.id) or "0.00"
        if value is None:
            measured = "本年度无法计量（无相应数据）"
        elif c.id == "cost_index":
            measured = f"为同级医院中位数的 {value} 倍"
        else:
            measured = f"为 {value}{c.unit}"
        out.append(f"{c.zh}{measured}，得 {got} 分（满分 {c.weight} 分）。")
    return out
