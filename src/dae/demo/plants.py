"""Plants: known violations of every audit rule (R01–R18), put into the demo city at known rates.

Each plant is a :class:`~dae.demo.draft.Plant` named after its rule id. It picks ``rate`` × the visits eligible for
it (at least one when any is eligible), in an order drawn from its own random stream, and makes each a clean
textbook case of its rule — and of no other rule: it uses only items whose other restrictions the case keeps, prices
at the hospital's normal price, never touches a visit another plant has touched, and a plant that adds or stretches
a stay keeps the person's other stays well away. What it did is marked on the draft (``DraftLine.tags`` for the
violating line, ``DraftEpisode.tags`` for a stay) and comes out of ``freeze`` as ``City.planted``.

| rule | what is planted | eligible visits |
|---|---|---|
| R01 | a second line of a once-a-day ward fee (住院诊查费, bed, nursing) on the same day | stays with such a line |
| R02 | the accompanying item on the day of its main item (球囊扩张 with a stent, 血液透析 with 血液透析滤过, 肌瘤剔除 with a hysterectomy) | visits with a main item |
| R03 | a haemodialysis line billed 2 on one day (limit 1) | haemodialysis months |
| R04 | one more line of a per-stay limited implant taking the stay over its limit | stays with such an implant |
| R05 | two more units of a weekly dialysis drug on its weekly day (3 in 7 days, limit 2) | haemodialysis months with it |
| R06 | a sex-specific operation for a patient of the other sex | stays |
| R07 | 人工股骨头置换术 (60 and over) for a younger patient | stays of patients under 60 |
| R08 | 冠状动脉造影术 at a 一级 hospital or 特需医疗服务费 below 三级甲等 | stays outside 三级甲等 |
| R09 | 住院诊查费 (inpatient only) in a haemodialysis session | haemodialysis months |
| R10 | a dialysis drug (limited to N18) in a stay with another diagnosis | stays not N18 |
| R11 | a line's price raised 10–50% above the cap | visits with a line at or below its cap |
| R12 | a 14-day TCM injection on day k and again on day k + 14 or later | stays of 15 days or more |
| R13 | a copy of the stay at the same hospital 1–10 days after discharge | settled-at-discharge stays |
| R14 | the stay stretched 4–7 days with only bed, nursing and 诊查费 (3 or more days without treatment) | settled-at-discharge stays |
| R15 | a second stay at another hospital inside the stay (another diagnosis) | stays of 3 days or more |
| R16 | a stay with the same diagnosis at another hospital 1–10 days after discharge | settled-at-discharge stays |
| R17 | an exam dated 3–7 days before admission | stays with an exam or test |
| R18 | an implant without its procedure that day | stays without any of those procedures |

Pure Python: no Django, no database.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dae.demo.casemix import PROFILES
from dae.demo.city import PLACE_LOCAL, PLACE_REFERRED, SETTLE_DIRECT
from dae.demo.draft import Draft, DraftEpisode, DraftLine, DraftSettlement
from dae.demo.draws import at
from dae.demo.fees import cnt_of
from dae.demo.plant_kit import (
    AGE_ITEM,
    AGE_MIN,
    BUNDLES,
    COURSE_DAYS,
    COURSE_ITEMS,
    DIALYSIS,
    DIALYSIS_TREATMENTS,
    EXAM_TYPES,
    FEMALE_ONLY,
    GRADE,
    GRADE_ITEM,
    GRADE_MIN,
    IMPLANTS,
    INPATIENT,
    LEVEL_COST,
    LEVEL_ITEM,
    LEVEL_LVS,
    MALE_ONLY,
    ONCE_DAILY,
    PER_STAY,
    PROCEDURES,
    SCOPE_DRUGS,
    SCOPE_PREFIXES,
    WEEKLY,
    WEEKLY_MOST,
    CleanFees,
    Kit,
    add_line,
    count,
    cover_to,
    days_of,
    just_after,
    lines_of,
    moment_on,
    named_lines,
    new_line,
    normal_price,
    settlement_on,
)
from dae.demo.population import age_on
from dae.demo.reference import LV_C, DiagnosisSpec, HospitalSpec

__all__ = [
    "DEFAULT_PLANTS",
    "DEFAULT_RATES",
    "PLANTS",
    "CleanFees",
    "RulePlant",
    "count",
    "normal_price",
    "plant",
    "plants",
]

# --- the plants ---------------------------------------------------------------------------------------------------

Eligible = Callable[[Kit, DraftEpisode], bool]
Planter = Callable[[Kit, DraftEpisode, random.Random, str], bool]


@dataclass(frozen=True)
class RulePlant:
    """A plant of one audit rule: ``rate`` × the eligible visits, each made a textbook case of ``rule_id``."""

    rule_id: str
    rate: float
    eligible: Eligible = field(repr=False, compare=False)
    plant_one: Planter = field(repr=False, compare=False)
    stay_level: bool = False

    @property
    def name(self) -> str:
        return self.rule_id

    def apply(self, draft: Draft, rng: random.Random) -> None:
        kit = Kit(draft)
        candidates = [e for e in draft.episodes if kit.free(e) and self.eligible(kit, e)
                      and not (self.stay_level and e.person.psn_no in kit.persons_taken)]  # fmt: skip
        wanted = count(self.rate, len(candidates))
        done = 0
        for episode in rng.sample(candidates, len(candidates)):
            if done >= wanted:
                break
            if not kit.free(episode) or (self.stay_level and episode.person.psn_no in kit.persons_taken):
                continue
            if self.plant_one(kit, episode, rng, self.rule_id):
                kit.take(episode)
                done += 1


def _inpatient(kit: Kit, e: DraftEpisode) -> bool:
    return e.med_type in INPATIENT


def _dialysis(kit: Kit, e: DraftEpisode) -> bool:
    return e.med_type == DIALYSIS


# R01 重复收费（同日同项目）: a second line of a once-a-day ward fee on its day.
def _r01_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and bool(named_lines(e, ONCE_DAILY))


def _r01(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    original = rng.choice(named_lines(e, ONCE_DAILY))
    settlement = settlement_on(e, original.when.date())
    when = just_after(rng, settlement, original.when)
    add_line(e, new_line(kit, e, original.item.row.med_list_name, when, 1, tag, original), settlement)
    return True


# R02 重复收费（主项目含附带项目）: the accompanying item on its main item's day.
def _r02_mains(e: DraftEpisode) -> list[DraftLine]:
    return named_lines(e, [main for main, _acc in BUNDLES])


def _r02(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    main = rng.choice(_r02_mains(e))
    acc = next(a for m, a in BUNDLES if m == main.item.row.med_list_name)
    settlement = settlement_on(e, main.when.date())
    add_line(e, new_line(kit, e, acc, just_after(rng, settlement, main.when), 1, tag, main), settlement)
    return True


# R03 超限定频次（每日）: one haemodialysis billed 2 on its day.
def _r03(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    line = rng.choice(named_lines(e, DIALYSIS_TREATMENTS))
    line.cnt = cnt_of(2)
    line.tags = (tag,)
    return True


# R04 超限定频次（每次住院）: one more line of an implant takes the stay over its per-stay limit.
def _r04(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    implant = rng.choice(named_lines(e, PER_STAY))
    name = implant.item.row.med_list_name
    limit = kit.item(name).row.max_per_stay
    assert limit is not None
    used = sum((line.cnt for line in lines_of(e) if line.item is implant.item), Decimal(0))
    extra = int(limit - used) + rng.randint(1, 2)
    settlement = settlement_on(e, implant.when.date())
    add_line(e, new_line(kit, e, name, just_after(rng, settlement, implant.when), extra, tag, implant), settlement)
    return True


# R05 超限定频次（每N日）: two more units of a weekly dialysis drug on its weekly day.
def _r05(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    dose = rng.choice(named_lines(e, WEEKLY))
    settlement = settlement_on(e, dose.when.date())
    when = just_after(rng, settlement, dose.when)
    add_line(e, new_line(kit, e, dose.item.row.med_list_name, when, WEEKLY_MOST, tag, dose), settlement)
    return True


# R06 限性别: a sex-specific operation for the other sex.
def _r06(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    name = rng.choice(FEMALE_ONLY if e.person.gend == "1" else MALE_ONLY)
    day = rng.choice(days_of(e))
    add_line(e, new_line(kit, e, name, moment_on(rng, e, day), 1, tag))
    return True


# R07 限年龄: hemiarthroplasty (60 and over) for a younger patient.
def _r07_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and age_on(e.person.brdy, e.dscg_date) < AGE_MIN


def _r07(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    day = rng.choice(days_of(e))
    add_line(e, new_line(kit, e, AGE_ITEM, moment_on(rng, e, day), 1, tag))
    return True


# R08 限医院等级: coronary angiography at a 一级 hospital, or 特需医疗服务 below 三级甲等.
def _r08_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and e.hospital.row.hosp_lv not in LEVEL_LVS


def _r08(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    low = GRADE.get(e.hospital.row.hosp_lv, 0) < GRADE_MIN
    name = GRADE_ITEM if low and rng.random() < 0.5 else LEVEL_ITEM
    day = rng.choice(days_of(e))
    add_line(e, new_line(kit, e, name, moment_on(rng, e, day), 1, tag))
    return True


# R09 限门诊 / 限住院: 住院诊查费 in a haemodialysis session.
def _r09(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    session = rng.choice(named_lines(e, DIALYSIS_TREATMENTS))
    settlement = settlement_on(e, session.when.date())
    add_line(e, new_line(kit, e, "住院诊查费", just_after(rng, settlement, session.when), 1, tag, session), settlement)
    return True


# R10 限定支付范围: a dialysis drug in a stay with another diagnosis.
def _r10_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and not e.diagnosis.row.dise_codg.upper().startswith(SCOPE_PREFIXES)


def _r10(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    name, least, most = rng.choice(SCOPE_DRUGS)
    day = rng.choice(days_of(e))
    add_line(e, new_line(kit, e, name, moment_on(rng, e, day), rng.randint(least, most), tag))
    return True


# R11 超限价: a line's price raised 10–50% above the catalogue cap.
def _r11_lines(e: DraftEpisode) -> list[DraftLine]:
    refunded = {id(line.refund_of) for line in lines_of(e) if line.refund_of is not None}
    return [line for line in lines_of(e)
            if line.refund_of is None and id(line) not in refunded and line.item.row.chrgitm_lv != LV_C
            and line.pric <= line.item.row.pric_uplmt_amt]  # fmt: skip


def _r11(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    line = rng.choice(_r11_lines(e))
    cap = line.item.row.pric_uplmt_amt
    price = (cap * Decimal(100 + rng.randint(10, 50)) / 100).quantize(cap, rounding=ROUND_HALF_UP)
    if price <= cap:
        return False
    line.pric = price
    line.tags = (tag,)
    return True


# R12 超疗程: a 14-day TCM injection on day k and again 14 or more days later.
def _r12_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and len(days_of(e)) > COURSE_DAYS + 1 and not named_lines(e, COURSE_ITEMS)


def _r12(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    days = days_of(e)
    name = rng.choice(COURSE_ITEMS)
    first = rng.randint(0, len(days) - COURSE_DAYS - 2)
    later = rng.randint(first + COURSE_DAYS, len(days) - 1)
    if (days[later] - days[first]).days < COURSE_DAYS:
        return False
    add_line(e, new_line(kit, e, name, moment_on(rng, e, days[first]), rng.randint(1, 3), None))
    add_line(e, new_line(kit, e, name, moment_on(rng, e, days[later]), rng.randint(1, 3), tag))
    return True


# R13–R16: stays. The base is a stay settled once, at the hospital, at discharge.
def _stay_base(kit: Kit, e: DraftEpisode) -> bool:
    settlements = e.settlements
    return (_inpatient(kit, e) and e.settle_way == SETTLE_DIRECT and len(settlements) == 1
            and settlements[0].mid_setl_flag == "0" and e.adm_date.year == kit.draft.year)  # fmt: skip


def _new_stay(
    kit: Kit,
    base: DraftEpisode,
    hospital: HospitalSpec,
    diagnosis: DiagnosisSpec,
    adm: date,
    los: int,
    rng: random.Random,
    lines: Callable[[DraftEpisode], list[DraftLine]] | None = None,
) -> DraftEpisode | None:
    """A stay of the base's person, settled at discharge, if it fits the enrolment and the year; lines drafted by
    :class:`CleanFees` unless ``lines`` makes them."""
    person = base.person
    dscg = adm + timedelta(days=los)
    if dscg > cover_to(person, kit.draft.year) or not kit.clear_of_others(
        base, min(base.adm_date, adm), max(base.dscg_date, dscg)
    ):
        return None
    place = PLACE_LOCAL if hospital.row.admdvs == person.admdvs else PLACE_REFERRED
    episode = DraftEpisode(person, hospital, diagnosis, base.med_type, place, SETTLE_DIRECT, adm, dscg)
    if lines is None:
        profile = PROFILES[diagnosis.profile]
        cost = diagnosis.median_cost_yuan * LEVEL_COST[hospital.capability] * rng.lognormvariate(0.0, 0.3)
        cost *= math.sqrt(los / diagnosis.median_days)
        drafted = kit.fees.stay_lines(rng, episode, profile, round(cost * 100), None, 0)
    else:
        drafted = lines(episode)
    episode.settlements.append(DraftSettlement(adm, dscg, at(dscg, rng, 10, 17), "0", drafted))
    return episode


def _r13(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    """分解住院: the same stay again at the same hospital 1–10 days after discharge."""
    los = (e.dscg_date - e.adm_date).days
    adm = e.dscg_date + timedelta(days=rng.randint(1, 10))
    shift = adm - e.adm_date

    def copied(episode: DraftEpisode) -> list[DraftLine]:
        copies: dict[int, DraftLine] = {}
        out = []
        for line in sorted(lines_of(e), key=lambda x: x.refund_of is not None):
            price = (
                min(line.pric, normal_price(e.hospital, line.item))
                if line.refund_of is None
                else (copies[id(line.refund_of)].pric)
            )
            copy = DraftLine(
                line.item,
                line.when + shift,
                line.cnt,
                price,
                line.dept,
                line.doctor,
                line.session,
                copies.get(id(line.refund_of)) if line.refund_of is not None else None,
            )
            copies[id(line)] = copy
            out.append(copy)
        return out

    stay = _new_stay(kit, e, e.hospital, e.diagnosis, adm, los, rng, copied)
    if stay is None:
        return False
    stay.place_category = e.place_category
    stay.tags.append(tag)
    kit.add_episode(stay)
    return True


def _other_hospital(kit: Kit, e: DraftEpisode, need: int, rng: random.Random) -> HospitalSpec | None:
    hospitals = kit.draft.reference.hospitals
    local = [h for h in hospitals if h is not e.hospital and h.capability >= need and h.row.admdvs == e.person.admdvs]
    away = [h for h in hospitals if h is not e.hospital and h.capability >= need and not h.far]
    options = local or away
    return rng.choice(options) if options else None


def _r15(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    """冒名顶替: a second stay at another hospital, with another diagnosis, admitted during the stay."""
    los = (e.dscg_date - e.adm_date).days
    if los < 3:
        return False
    group = e.diagnosis.row.dise_codg[:3]
    options = [d for d in kit.draft.reference.diagnoses
               if d.sex in ("", e.person.gend) and d.row.dise_codg[:3] != group
               and d.profile not in ("renal", "cancer", "leukaemia", "radio")]  # fmt: skip
    diagnosis = rng.choice(options)
    hospital = _other_hospital(kit, e, PROFILES[diagnosis.profile].capability, rng)
    if hospital is None:
        return False
    adm = e.adm_date + timedelta(days=rng.randint(1, los - 1))
    stay = _new_stay(kit, e, hospital, diagnosis, adm, rng.randint(2, 6), rng)
    if stay is None:
        return False
    stay.tags.append(tag)
    kit.add_episode(stay)
    return True


def _r16(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    """重复住院: a stay with the same diagnosis at another hospital 1–10 days after discharge."""
    hospital = _other_hospital(kit, e, PROFILES[e.diagnosis.profile].capability, rng)
    if hospital is None:
        return False
    los = max(2, round(e.diagnosis.median_days * rng.lognormvariate(0.0, 0.3)))
    stay = _new_stay(kit, e, hospital, e.diagnosis, e.dscg_date + timedelta(days=rng.randint(1, 10)), los, rng)
    if stay is None:
        return False
    stay.tags.append(tag)
    kit.add_episode(stay)
    return True


def _r14_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _stay_base(kit, e) and bool(named_lines(e, ("住院诊查费",)))


def _r14(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    """挂床住院: the stay stretched 4–7 days with only bed, nursing and 诊查费 each day (the old discharge day may
    keep its morning charges: 3 or more days without treatment)."""
    idle = rng.randint(4, 7)
    dscg = e.dscg_date + timedelta(days=idle)
    if dscg > cover_to(e.person, kit.draft.year) or not kit.clear_of_others(e, e.adm_date, dscg):
        return False
    ward = [name for name in ONCE_DAILY if name != "重症监护病房床位费"]
    daily = [line for line in lines_of(e) if line.refund_of is None and line.item.row.med_list_name in ward]
    items = {line.item.row.med_list_name: line for line in daily}
    settlement = e.settlements[0]
    for k in range(idle):
        day = e.dscg_date + timedelta(days=k)
        for name, like in sorted(items.items()):
            settlement.lines.append(
                new_line(kit, e, name, at(day, rng, 7, 9) if k else at(day, rng, 9, 10), 1, None, like)
            )
    e.dscg_date = dscg
    settlement.enddate = dscg
    settlement.setl_time = at(dscg, rng, 10, 17)
    e.tags.append(tag)
    return True


# R17 收费跨期: an exam or test dated 3–7 days before admission.
def _r17_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and any(line.item.row.med_chrgitm_type in EXAM_TYPES for line in lines_of(e))


def _r17(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    exams = [line for line in lines_of(e) if line.refund_of is None and line.item.row.med_chrgitm_type in EXAM_TYPES]
    like = rng.choice(exams)
    day = e.adm_date - timedelta(days=rng.randint(3, 7))
    first = min((s for s in e.settlements if s.cancels is None), key=lambda s: s.begndate)
    add_line(e, new_line(kit, e, like.item.row.med_list_name, at(day, rng, 8, 11), 1, tag, like), first)
    return True


# R18 串换: an implant with no procedure of its own that day (none in the stay).
def _r18_eligible(kit: Kit, e: DraftEpisode) -> bool:
    return _inpatient(kit, e) and not named_lines(e, PROCEDURES) and not named_lines(e, IMPLANTS)


def _r18(kit: Kit, e: DraftEpisode, rng: random.Random, tag: str) -> bool:
    name = rng.choice(IMPLANTS)
    day = rng.choice(days_of(e))
    add_line(e, new_line(kit, e, name, moment_on(rng, e, day), 1, tag))
    return True


def _with(names: Sequence[str], kind: Eligible) -> Eligible:
    return lambda kit, e: kind(kit, e) and bool(named_lines(e, names))


#: Default rate of each plant: the share of its eligible visits it takes. Plants open to nearly every stay take
#: 0.5%; those with few eligible visits (haemodialysis months, stays with an implant or a bundled main item, stays of
#: 15 days or more) take 2–5%, so that every rule has a few dozen cases in the default city of 100,000 persons.
DEFAULT_RATES: dict[str, float] = {
    "R01_DUP_SAME_DAY": 0.005, "R02_DUP_BUNDLED": 0.05, "R03_FREQ_DAY": 0.03, "R04_FREQ_STAY": 0.03,
    "R05_FREQ_PERIOD": 0.03, "R06_SEX": 0.005, "R07_AGE": 0.005, "R08_HOSP_LEVEL": 0.005, "R09_SETTING": 0.03,
    "R10_DIAGNOSIS": 0.005, "R11_PRICE_CAP": 0.005, "R12_COURSE": 0.02, "R13_SPLIT_STAY": 0.005,
    "R14_IDLE_BED": 0.005, "R15_OVERLAP": 0.005, "R16_REPEAT_STAY": 0.005, "R17_CROSS_PERIOD": 0.005,
    "R18_SUBSTITUTE": 0.005,
}  # fmt: skip

_SPECS: dict[str, tuple[Eligible, Planter, bool]] = {
    "R01_DUP_SAME_DAY": (_r01_eligible, _r01, False),
    "R02_DUP_BUNDLED": (lambda kit, e: bool(_r02_mains(e)), _r02, False),
    "R03_FREQ_DAY": (_with(DIALYSIS_TREATMENTS, _dialysis), _r03, False),
    "R04_FREQ_STAY": (_with(PER_STAY, _inpatient), _r04, False),
    "R05_FREQ_PERIOD": (_with(WEEKLY, _dialysis), _r05, False),
    "R06_SEX": (_inpatient, _r06, False),
    "R07_AGE": (_r07_eligible, _r07, False),
    "R08_HOSP_LEVEL": (_r08_eligible, _r08, False),
    "R09_SETTING": (_with(DIALYSIS_TREATMENTS, _dialysis), _r09, False),
    "R10_DIAGNOSIS": (_r10_eligible, _r10, False),
    "R11_PRICE_CAP": (lambda kit, e: bool(_r11_lines(e)), _r11, False),
    "R12_COURSE": (_r12_eligible, _r12, False),
    "R13_SPLIT_STAY": (_stay_base, _r13, True),
    "R14_IDLE_BED": (_r14_eligible, _r14, True),
    "R15_OVERLAP": (_stay_base, _r15, True),
    "R16_REPEAT_STAY": (_stay_base, _r16, True),
    "R17_CROSS_PERIOD": (_r17_eligible, _r17, False),
    "R18_SUBSTITUTE": (_r18_eligible, _r18, False),
}

#: Every rule id a plant exists for, in id order.
PLANTS = tuple(_SPECS)


def plant(rule_id: str, rate: float | None = None) -> RulePlant:
    """The plant of one rule, at ``rate`` (default :data:`DEFAULT_RATES`)."""
    eligible, planter, stay_level = _SPECS[rule_id]
    return RulePlant(rule_id, DEFAULT_RATES[rule_id] if rate is None else rate, eligible, planter, stay_level)


def plants(rate: float | None = None, rates: dict[str, float] | None = None) -> tuple[RulePlant, ...]:
    """All 18 plants in rule order: each at ``rates[rule]``, else ``rate``, else its default rate."""
    rates = rates or {}
    return tuple(plant(rule_id, rates.get(rule_id, rate)) for rule_id in PLANTS)


#: The plants ``dae demo`` puts in by default: every rule at its default rate.
DEFAULT_PLANTS = plants()
