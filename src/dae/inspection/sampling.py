"""The monthly re-review sample (抽样复审): which settlements are in the population, and the seeded draw.

Population of a region and a settlement month (by ``setl_time`` in local time): inpatient settlements
(``med_type`` starting ``2`` — 住院 — or ``52`` — 生育住院) that are valid: not cancelled (no other settlement
carries their ``setl_id`` as ``init_setl_id``, state not ``cancelled``) and not a cancellation themselves
(``init_setl_id`` empty).

Cross-province (跨省异地就医): the national place categories we keep (``Settlement.PlaceCategory``) say whether
a stay was off-site and why, not where; so a settlement counts as cross-province when it is off-site
(``place_category`` ≠ ``local``) and the hospital lies in another province than the insured person's region
(the first two digits of the administrative division codes differ: 22 吉林 vs 11 北京).

The population is read by ``population.py`` (the Django adapter); this module is pure (no Django, checked by
the import contract in ``.importlinter``). The draw (``draw``) is pure: the candidates sorted by ``setl_id`` (never the database's row order), then
``random.Random(seed)`` picks ⌈cross-province ratio × cross-province count⌉ of the cross-province ones and, from
the rest, as many more as are needed to reach ⌈inpatient ratio × all⌉ (the cross-province picks count toward
it). The same seed, month and data always give the same sample.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from dae.core.errors import InvalidInput

from .codes import Code

#: Largest seed accepted (the column is a signed 64-bit integer).
MAX_SEED = 2**63 - 1
CROSS_PROVINCE = "cross_province"
INPATIENT = "inpatient"
#: ``claims.Settlement.PlaceCategory.LOCAL`` (the value; this module imports no models).
LOCAL_PLACE = "local"


@dataclass(frozen=True)
class Candidate:
    settlement_id: int
    setl_id: str
    cross_province: bool


@dataclass(frozen=True)
class Draw:
    population: int
    cross_population: int
    required_total: int
    required_cross: int
    #: (candidate, stratum) in draw order: the cross-province stratum first, then the inpatient one.
    picks: tuple[tuple[Candidate, str], ...]

    @property
    def setl_ids(self) -> list[str]:
        return [c.setl_id for c, _stratum in self.picks]


def required(count: int, ratio: Decimal) -> int:
    """⌈count × ratio %⌉, exact (Decimal), e.g. 41 × 5 % = 2.05 → 3."""
    return int(math.ceil(Decimal(count) * Decimal(ratio) / Decimal(100)))


def is_cross_province(place_category: str, region: str, hospital_region: str) -> bool:
    return place_category != LOCAL_PLACE and region[:2] != hospital_region[:2]


def draw(candidates: Sequence[Candidate], seed: int, inpatient_ratio: Decimal, cross_province_ratio: Decimal) -> Draw:
    """The sample of ``candidates`` for ``seed`` (pure; see the module's docstring)."""
    ordered = sorted(candidates, key=lambda c: c.setl_id)
    cross = [c for c in ordered if c.cross_province]
    need_cross = required(len(cross), cross_province_ratio)
    need_total = required(len(ordered), inpatient_ratio)
    rng = random.Random(seed)
    cross_picks = rng.sample(cross, need_cross)
    chosen = {c.setl_id for c in cross_picks}
    rest = [c for c in ordered if c.setl_id not in chosen]
    more = rng.sample(rest, max(0, need_total - len(cross_picks)))
    picks = tuple([(c, CROSS_PROVINCE) for c in cross_picks] + [(c, INPATIENT) for c in more])
    return Draw(len(ordered), len(cross), need_total, need_cross, picks)


def check_seed(seed: object) -> int:
    """A seed given by a person: a whole number from 0 to 2⁶³ − 1."""
    text = str(seed).strip()
    if not text.isdigit() or int(text) > MAX_SEED:
        raise InvalidInput(
            f"随机种子须为 0 到 {MAX_SEED} 之间的整数",
            code=Code.INVALID_SEED,
            details=[{"path": "seed", "message": "随机种子须为非负整数"}],
        )
    return int(text)


def check_ratio(value: object, what: str, path: str) -> Decimal:
    """A sampling ratio in percent: more than 0, at most 100, at most two decimals."""
    try:
        ratio = Decimal(str(value).strip())
    except ArithmeticError:
        ratio = Decimal("NaN")
    if not ratio.is_finite() or not Decimal(0) < ratio <= Decimal(100) or ratio != ratio.quantize(Decimal("0.01")):
        raise InvalidInput(
            f"{what}须大于 0 且不超过 100（最多两位小数）",
            code=Code.INVALID_RATIO,
            details=[{"path": path, "message": f"{what}须在 0 到 100 之间"}],
        )
    return ratio.quantize(Decimal("0.01"))
