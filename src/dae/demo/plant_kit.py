"""What the audit-rule plants (:mod:`dae.demo.plants`) share: the items and limits they work with, a fee drafter
that keeps planted lines clean of other rules, and :class:`Kit`, the draft seen by a plant (which visits are still
free, a person's stays, adding lines and settlements).

Pure Python: no Django, no database.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from dae.core.money import round_fen
from dae.demo.city import Person
from dae.demo.draft import Draft, DraftEpisode, DraftLine, DraftSettlement
from dae.demo.draws import at
from dae.demo.fees import FeeDrafter, cnt_of
from dae.demo.medical_data import BUNDLED_ITEMS, COURSE_LIMITS, MATERIAL_PROCEDURES, ONCE_DAILY_ITEMS, PERIOD_LIMITS
from dae.demo.reference import HospitalSpec, ItemSpec

INPATIENT = ("21", "24")
DIALYSIS = "14"
#: Hospital grade of each hosp_lv code (the same table as ``catalog.models.HOSPITAL_GRADE``; a test keeps them equal).
GRADE = {
    "01": 3, "02": 3, "03": 3, "04": 3, "12": 3, "05": 2, "06": 2, "07": 2, "13": 2, "08": 1, "09": 1, "10": 1,
    "14": 1, "11": 0,
}  # fmt: skip
#: Days a stay-level plant keeps between the stays it makes and the person's other visits.
CLEARANCE = 30

ONCE_DAILY = ONCE_DAILY_ITEMS
BUNDLES = BUNDLED_ITEMS
DIALYSIS_TREATMENTS = ("血液透析", "血液透析滤过")
PER_STAY = ("药物洗脱冠状动脉支架", "双腔永久心脏起搏器", "人工全髋关节假体", "人工全膝关节假体", "人工股骨头假体",
            "折叠式人工晶体")  # fmt: skip
WEEKLY = tuple(name for name, days_of, _most in PERIOD_LIMITS)
WEEKLY_MOST = 2  # the most of a weekly drug in 7 days (PERIOD_LIMITS)
FEMALE_ONLY = ("腹腔镜下子宫切除术", "子宫肌瘤剔除术", "卵巢囊肿剥除术")
MALE_ONLY = ("经尿道前列腺电切术",)
AGE_ITEM, AGE_MIN = "人工股骨头置换术", 60
GRADE_ITEM, GRADE_MIN = "冠状动脉造影术", 2
LEVEL_ITEM, LEVEL_LVS = "特需医疗服务费", ("01", "02")
SCOPE_DRUGS = (("左卡尼汀注射液", 1, 2), ("碳酸司维拉姆片", 6, 30), ("骨化三醇软胶囊", 4, 14))
SCOPE_PREFIXES = ("N18", "D50", "D63", "E20", "E83.5")
COURSE_ITEMS = tuple(name for name, days_of in COURSE_LIMITS)
COURSE_DAYS = 14  # every course of COURSE_LIMITS
IMPLANTS = tuple(material for material, _procedures in MATERIAL_PROCEDURES)
PROCEDURES = tuple(sorted({p for _material, procedures in MATERIAL_PROCEDURES for p in procedures}))
EXAM_TYPES = ("03", "04")
LEVEL_COST = {1: 0.55, 2: 1.0, 3: 1.5}  # cost by hospital capability, as care._LEVEL_COST


# --- what plants share -------------------------------------------------------------------------------------------


class CleanFees(FeeDrafter):
    """The generator's fee drafter with every line at the hospital's normal price (never above the cap), for the
    stays the plants make: they must break their own rule and no other."""

    def price(self, rng: random.Random, hospital: HospitalSpec, item: ItemSpec) -> Decimal:
        return normal_price(hospital, item)


def normal_price(hospital: HospitalSpec, item: ItemSpec) -> Decimal:
    """What the hospital charges for the item when it keeps to the cap (the generator's ``FeeDrafter.price``)."""
    cap = item.row.pric_uplmt_amt
    return round_fen(cap * hospital.price_factor) if item.is_service else cap


def is_planted(episode: DraftEpisode) -> bool:
    return bool(episode.tags) or any(line.tags for s in episode.settlements for line in s.lines)


def is_clean(episode: DraftEpisode) -> bool:
    """No settlement of the visit is cancelled (a cancelled settlement's lines do not count)."""
    return all(s.cancels is None for s in episode.settlements)


def lines_of(episode: DraftEpisode) -> Iterable[DraftLine]:
    return (line for s in episode.settlements if s.cancels is None for line in s.lines)


def named_lines(episode: DraftEpisode, names: Sequence[str]) -> list[DraftLine]:
    return [line for line in lines_of(episode) if line.refund_of is None and line.item.row.med_list_name in names]


def cover_to(person: Person, year: int) -> date:
    stop = person.paus_insu_date or person.insu_end_date
    last = date(year, 12, 31)
    return min(last, stop - timedelta(days=1)) if stop else last


@dataclass
class Kit:
    """A plant's view of the draft: which visits are taken, each person's visits, prices, adding lines."""

    draft: Draft
    taken: set[int] = field(default_factory=set)
    persons_taken: set[str] = field(default_factory=set)
    by_person: dict[str, list[DraftEpisode]] = field(default_factory=dict)
    _fees: CleanFees | None = None

    def __post_init__(self) -> None:
        for episode in self.draft.episodes:
            self.by_person.setdefault(episode.person.psn_no, []).append(episode)
            if is_planted(episode):
                self.taken.add(id(episode))
                self.persons_taken.add(episode.person.psn_no)

    @property
    def fees(self) -> CleanFees:
        if self._fees is None:
            self._fees = CleanFees(self.draft.reference)
        return self._fees

    def item(self, name: str) -> ItemSpec:
        return self.draft.reference.item(name)

    def free(self, episode: DraftEpisode) -> bool:
        return id(episode) not in self.taken and is_clean(episode)

    def take(self, episode: DraftEpisode) -> None:
        self.taken.add(id(episode))
        self.persons_taken.add(episode.person.psn_no)

    def add_episode(self, episode: DraftEpisode) -> None:
        self.draft.episodes.append(episode)
        self.by_person.setdefault(episode.person.psn_no, []).append(episode)
        self.take(episode)

    def clear_of_others(self, episode: DraftEpisode, first: date, last: date) -> bool:
        """No other visit of the person comes within ``CLEARANCE`` days of ``first``–``last``."""
        low, high = first - timedelta(days=CLEARANCE), last + timedelta(days=CLEARANCE)
        return all(other is episode or other.dscg_date < low or other.adm_date > high
                   for other in self.by_person[episode.person.psn_no])  # fmt: skip


def settlement_on(episode: DraftEpisode, day: date) -> DraftSettlement:
    """The (original) settlement covering ``day``, else the first one."""
    originals = [s for s in episode.settlements if s.cancels is None]
    return next((s for s in originals if s.begndate <= day <= s.enddate), originals[0])


def days_of(episode: DraftEpisode) -> list[date]:
    """The days of the visit its (kept) settlements cover."""
    days: set[date] = set()
    for s in episode.settlements:
        if s.cancels is None:
            first, last = max(s.begndate, episode.adm_date), min(s.enddate, episode.dscg_date)
            days.update(first + timedelta(days=k) for k in range((last - first).days + 1))
    return sorted(days)


def moment_on(rng: random.Random, episode: DraftEpisode, day: date) -> datetime:
    """A time on ``day`` before its settlement: early on the discharge day, else in working hours."""
    return at(day, rng, 6, 8) if day >= episode.dscg_date else at(day, rng, 8, 17)


def just_after(rng: random.Random, settlement: DraftSettlement, when: datetime) -> datetime:
    """A moment 1–20 minutes after ``when`` on the same day, but before the settlement."""
    later = when + timedelta(minutes=rng.randint(1, 20))
    limit = min(settlement.setl_time - timedelta(seconds=1), datetime.combine(when.date(), datetime.max.time()))
    return max(when, min(later, limit.replace(microsecond=0)))


def add_line(episode: DraftEpisode, line: DraftLine, settlement: DraftSettlement | None = None) -> DraftLine:
    (settlement or settlement_on(episode, line.when.date())).lines.append(line)
    return line


def new_line(
    kit: Kit,
    episode: DraftEpisode,
    name: str,
    when: datetime,
    units: int,
    tag: str | None,
    like: DraftLine | None = None,
) -> DraftLine:
    item = kit.item(name)
    source = like or next(iter(lines_of(episode)))
    return DraftLine(
        item,
        when,
        cnt_of(units),
        normal_price(episode.hospital, item),
        source.dept,
        source.doctor,
        source.session,
        tags=(tag,) if tag else (),
    )


def count(rate: float, eligible: int) -> int:
    """How many of ``eligible`` visits a plant at ``rate`` takes: rate × eligible rounded half up, at least one."""
    if rate <= 0 or eligible == 0:
        return 0
    return min(eligible, max(1, math.floor(rate * eligible + 0.5)))
