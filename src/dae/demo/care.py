"""Who is treated where and when during the year: inpatient stays, cancer treatment courses, haemodialysis.

Three groups: a haemodialysis cohort (uraemia, N18.5: 2–3 sessions a week, one settlement a month), a cancer
cohort (an operation for some, then treatment cycles every three weeks or so), and everyone else, who is admitted
with a probability rising with age. Stays of one person never overlap; each lies inside the person's enrolment.
Costs are lognormal around the diagnosis's median, scaled by hospital level and length of stay, with a rare
catastrophic tail. A few settlements are later cancelled (2305).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate

from dae.demo.casemix import PROFILES, Operation, operations_for
from dae.demo.city import (
    PLACE_EMERGENCY_AWAY,
    PLACE_LOCAL,
    PLACE_LONG_TERM_OFFSITE,
    PLACE_LONG_TERM_OFFSITE_NOT_DIRECT,
    PLACE_REFERRED,
    PLACE_SELF_REFERRED,
    SETTLE_DIRECT,
    SETTLE_MANUAL,
    Person,
)
from dae.demo.draft import DraftEpisode, DraftLine, DraftSettlement
from dae.demo.draws import Weighted, at, draw_int
from dae.demo.fees import FeeDrafter
from dae.demo.population import PSN_TYPE_RETIRED, age_on
from dae.demo.reference import DiagnosisSpec, HospitalSpec, Reference

MED_TYPE_INPATIENT = "21"
MED_TYPE_EMERGENCY_ADMISSION = "24"
MED_TYPE_CHRONIC_OUTPATIENT = "14"

DIALYSIS_RATE = 0.0006  # share of persons on haemodialysis
CANCER_RATE = 0.003  # share of persons in active cancer treatment
OFFSITE_RESIDENT_RATE = 0.008  # share of retirees living far away (候鸟, long-term off-site)
CANCEL_RATE = 0.003  # share of settlements cancelled (2305)
CATASTROPHE_RATE = 0.004  # stays with complications that multiply cost and length
MID_SETTLEMENT_DAYS = 30  # a long stay is settled every this many days (中途结算) …
MID_SETTLEMENT_SHARE = 0.7  # … in this share of long stays settled at the hospital

# Per-stay place of treatment for people living at home: (category, probability).
_AWAY_DRAWS = ((PLACE_REFERRED, 0.02), (PLACE_EMERGENCY_AWAY, 0.012), (PLACE_SELF_REFERRED, 0.008))
_MANUAL_SHARE = {
    PLACE_LOCAL: 0.05,
    PLACE_REFERRED: 0.10,
    PLACE_EMERGENCY_AWAY: 0.35,
    PLACE_SELF_REFERRED: 0.60,
    PLACE_LONG_TERM_OFFSITE: 0.0,
    PLACE_LONG_TERM_OFFSITE_NOT_DIRECT: 1.0,
}
_LEVEL_COST = {1: 0.55, 2: 1.0, 3: 1.5}
_MONTH_WEIGHT = (1.15, 1.0, 1.05, 1.0, 0.95, 0.9, 0.9, 0.9, 0.95, 1.0, 1.05, 1.15)


class Planner:
    """Plans and drafts every visit of the year."""

    def __init__(self, rng: random.Random, reference: Reference, persons: tuple[Person, ...], year: int) -> None:
        self.rng = rng
        self.ref = reference
        self.persons = persons
        self.year = year
        self.jan1 = date(year, 1, 1)
        self.dec31 = date(year, 12, 31)
        self.fees = FeeDrafter(reference)
        self.episodes: list[DraftEpisode] = []
        self._diag_tables = self._diagnosis_tables()
        self._hospital_lists: dict[tuple[str, str, int], list[HospitalSpec]] = {}
        hospitals = reference.hospitals
        self.referral_centres = tuple(h for h in hospitals if not h.local and not h.far)
        self.far_hospitals = tuple(h for h in hospitals if h.far) or self.referral_centres
        self.by_code = {d.row.dise_codg: d for d in reference.diagnoses}

    # --- the year ---------------------------------------------------------------------------------------------------

    def plan(self) -> list[DraftEpisode]:
        rng = self.rng
        adults = list(self.persons)
        dialysis = self._cohort(adults, DIALYSIS_RATE, min_age=30, exclude=set())
        cancer = self._cohort(adults, CANCER_RATE, min_age=35, exclude={p.psn_no for p in dialysis})
        for person in dialysis:
            self._dialysis_year(person)
        for person in cancer:
            self._cancer_course(person)
        in_cohort = {p.psn_no for p in dialysis} | {p.psn_no for p in cancer}
        for person in self.persons:
            if person.psn_no in in_cohort:
                continue
            retired = person.psn_type == PSN_TYPE_RETIRED
            age = age_on(person.brdy, self.jan1)
            chance = min(0.32, 0.114 + 0.004 * max(0, age - 60)) if retired else 0.032 + 0.00065 * (age - 18)
            if rng.random() >= chance:
                continue
            stays = 1
            while stays < 8 and rng.random() < (0.28 if retired else 0.2):
                stays += 1
            offsite = retired and rng.random() < OFFSITE_RESIDENT_RATE
            self._general_stays(person, stays, offsite)
        self._cancellations()
        return self.episodes

    def _cohort(self, people: list[Person], rate: float, min_age: int, exclude: set[str]) -> list[Person]:
        """``rate`` × persons people (at least one) drawn by age among those enrolled all year."""
        eligible = [
            p for p in people
            if p.psn_no not in exclude and p.psn_insu_stas == "1" and p.psn_insu_date < self.jan1
            and age_on(p.brdy, self.jan1) >= min_age
        ]
        count = min(len(eligible), max(1, round(len(people) * rate)))
        weights = [float(age_on(p.brdy, self.jan1) - min_age + 5) for p in eligible]
        chosen: dict[str, Person] = {}
        cum = list(accumulate(weights))
        while len(chosen) < count:
            person = self.rng.choices(eligible, cum_weights=cum)[0]
            chosen[person.psn_no] = person
        return sorted(chosen.values(), key=lambda p: p.psn_no)

    # --- diagnoses and hospitals ------------------------------------------------------------------------------------

    def _diagnosis_tables(self) -> dict[tuple[str, bool], Weighted[DiagnosisSpec]]:
        """Diagnoses by sex and age band (under 55, 55 and over); dialysis patients are a cohort of their own."""
        tables = {}
        for gend in ("1", "2"):
            for old in (False, True):
                specs = [d for d in self.ref.diagnoses if d.sex in ("", gend) and d.profile != "renal"]
                tables[(gend, old)] = Weighted(specs, [d.weight_old if old else d.weight_young for d in specs])
        return tables

    def _draw_diagnosis(self, person: Person) -> DiagnosisSpec:
        old = age_on(person.brdy, self.jan1) >= 55
        return self._diag_tables[(person.gend, old)](self.rng)

    def _pick_hospital(self, candidates: Sequence[HospitalSpec]) -> HospitalSpec:
        return self.rng.choices(list(candidates), weights=[h.weight for h in candidates])[0]

    def _local_hospitals(self, admdvs: str, need: int) -> list[HospitalSpec]:
        key = ("local", admdvs, need)
        if key not in self._hospital_lists:
            self._hospital_lists[key] = [
                h for h in self.ref.hospitals if h.row.admdvs == admdvs and h.capability >= need
            ]
        return self._hospital_lists[key]

    def _other_region_hospitals(self, admdvs: str, need: int) -> list[HospitalSpec]:
        key = ("other", admdvs, need)
        if key not in self._hospital_lists:
            self._hospital_lists[key] = [
                h for h in self.ref.hospitals if h.local and h.row.admdvs != admdvs and h.capability >= max(2, need)
            ]
        return self._hospital_lists[key]

    def _place_and_hospital(self, person: Person, need: int, offsite_resident: bool) -> tuple[str, HospitalSpec]:
        rng = self.rng
        if offsite_resident:
            place = PLACE_LONG_TERM_OFFSITE_NOT_DIRECT if rng.random() < 0.2 else PLACE_LONG_TERM_OFFSITE
            return place, self._pick_hospital(self.far_hospitals)
        place = PLACE_LOCAL
        draw = rng.random()
        for category, share in _AWAY_DRAWS:
            if draw < share:
                place = category
                break
            draw -= share
        local = self._local_hospitals(person.admdvs, need)
        if place == PLACE_LOCAL and local:
            return place, self._pick_hospital(local)
        other_region = self._other_region_hospitals(person.admdvs, need)
        if place == PLACE_EMERGENCY_AWAY:
            return place, self._pick_hospital([*self.referral_centres, *self.far_hospitals, *other_region])
        if place == PLACE_LOCAL:
            place = PLACE_REFERRED  # no local hospital treats it
        if other_region and rng.random() < 0.15:
            return place, self._pick_hospital(other_region)
        return place, self._pick_hospital(self.referral_centres)

    def _settle_way(self, place: str) -> str:
        return SETTLE_MANUAL if self.rng.random() < _MANUAL_SHARE[place] else SETTLE_DIRECT

    # --- dates ------------------------------------------------------------------------------------------------------

    def _cover_to(self, person: Person) -> date:
        """The last day a stay may end: the day before a pause or end of enrolment, else 31 December."""
        stop = person.paus_insu_date or person.insu_end_date
        return min(self.dec31, stop - timedelta(days=1)) if stop else self.dec31

    def _seasonal_day(self, first: date, last: date) -> date:
        span = (last - first).days
        while True:
            day = first + timedelta(days=draw_int(self.rng, 0, span))
            if self.rng.random() * 1.15 < _MONTH_WEIGHT[day.month - 1]:
                return day

    @staticmethod
    def _lag(way: str, rng: random.Random) -> int:
        """Days from discharge to settlement: same day at the hospital, weeks for a manual claim."""
        if way == SETTLE_MANUAL:
            return rng.randint(15, 75)
        return 0 if rng.random() < 0.85 else rng.randint(1, 2)

    # --- stays ------------------------------------------------------------------------------------------------------

    def _general_stays(self, person: Person, count: int, offsite_resident: bool) -> None:
        rng = self.rng
        cover_to = self._cover_to(person)
        previous_dscg: date | None = None
        diagnosis = self._draw_diagnosis(person)
        setl_days = sorted(self._seasonal_day(self.jan1, self.dec31) for _ in range(count))
        for index, setl_day in enumerate(setl_days):
            if index and rng.random() > 0.45:
                diagnosis = self._draw_diagnosis(person)
            profile = PROFILES[diagnosis.profile]
            operation = self._operation(diagnosis, profile.surgery_share)
            need = max(profile.capability, 2 if operation else 1)
            place, hospital = self._place_and_hospital(person, need, offsite_resident)
            way = self._settle_way(place)
            los = max(1, round(diagnosis.median_days * rng.lognormvariate(0.0, 0.45)))
            multiplier = 1.0
            if rng.random() < CATASTROPHE_RATE:
                multiplier = rng.lognormvariate(1.3, 0.4)
                los = round(los * 2.5)
            lag = self._lag(way, rng)
            dscg = setl_day - timedelta(days=lag)
            adm = dscg - timedelta(days=los)
            if previous_dscg is not None and adm <= previous_dscg:
                shift = (previous_dscg - adm).days + rng.randint(3, 30)
                adm, dscg, setl_day = (d + timedelta(days=shift) for d in (adm, dscg, setl_day))
            if adm < person.psn_insu_date or dscg > cover_to or setl_day > self.dec31 or setl_day < self.jan1:
                continue
            cost = diagnosis.median_cost_yuan * _LEVEL_COST[hospital.capability] * multiplier
            cost *= rng.lognormvariate(0.0, profile.cost_sigma) * math.sqrt(los / diagnosis.median_days)
            icu_days = self._icu_days(profile.icu_share, los)
            emergency = rng.random() < diagnosis.emergency_share * 0.4
            med_type = MED_TYPE_EMERGENCY_ADMISSION if emergency else MED_TYPE_INPATIENT
            episode = DraftEpisode(person, hospital, diagnosis, med_type, place, way, adm, dscg)
            lines = self.fees.stay_lines(rng, episode, profile, round(cost * 100), operation, icu_days)
            if self.attach_settlements(episode, lines, setl_day):
                previous_dscg = dscg

    def _operation(self, diagnosis: DiagnosisSpec, share: float) -> Operation | None:
        if share <= 0 or self.rng.random() >= share:
            return None
        options = operations_for(diagnosis.row.dise_codg, PROFILES[diagnosis.profile])
        return self.rng.choice(options) if options else None

    def _icu_days(self, share: float, los: int) -> int:
        if share <= 0 or self.rng.random() >= share:
            return 0
        low, high = (0.4, 0.8) if share >= 1 else (0.1, 0.5)
        return max(1, round(los * self.rng.uniform(low, high)))

    def attach_settlements(self, episode: DraftEpisode, lines: list[DraftLine], setl_day: date) -> bool:
        """Attach settlements to a drafted stay (splitting a long one) and keep it if any falls in the year."""
        rng = self.rng
        if episode.settle_way == SETTLE_MANUAL:
            final_time = at(setl_day, rng, 9, 16)
        elif setl_day == episode.dscg_date:
            final_time = at(setl_day, rng, 10, 17)
        else:
            final_time = at(setl_day, rng, 8, 17)
        periods: list[tuple[date, date, datetime, str]] = []
        los = (episode.dscg_date - episode.adm_date).days
        begin = episode.adm_date
        long_stay = los >= MID_SETTLEMENT_DAYS + 5
        if episode.settle_way == SETTLE_DIRECT and long_stay and rng.random() < MID_SETTLEMENT_SHARE:
            while (episode.dscg_date - begin).days > MID_SETTLEMENT_DAYS + 5:
                end = begin + timedelta(days=MID_SETTLEMENT_DAYS - 1)
                periods.append((begin, end, at(end, rng, 21, 23), "1"))
                begin = end + timedelta(days=1)
        periods.append((begin, episode.dscg_date, final_time, "0"))
        buckets: list[list[DraftLine]] = [[] for _ in periods]
        period_of: dict[int, int] = {}
        if len(periods) == 1:
            buckets[0] = lines
            lines = []
        for line in lines:
            if line.refund_of is not None:
                index = period_of[id(line.refund_of)]
            else:
                day = line.when.date()
                index = next((i for i, p in enumerate(periods) if day <= p[1]), len(periods) - 1)
            period_of[id(line)] = index
            buckets[index].append(line)
        for (first, last, when, flag), bucket in zip(periods, buckets, strict=True):
            if bucket and when.year == self.year:
                episode.settlements.append(DraftSettlement(first, last, when, flag, bucket))
        if not episode.settlements or episode.settlements[-1].mid_setl_flag != "0":
            episode.settlements.clear()
            return False
        self.episodes.append(episode)
        return True

    # --- cancer courses ---------------------------------------------------------------------------------------------

    def _cancer_course(self, person: Person) -> None:
        rng = self.rng
        old = age_on(person.brdy, self.jan1) >= 55
        cancers = [
            d for d in self.ref.diagnoses
            if d.profile in ("cancer", "leukaemia") and d.sex in ("", person.gend)
            and not d.row.dise_codg.startswith("Z")
        ]
        diagnosis = rng.choices(cancers, weights=[d.weight_old if old else d.weight_young for d in cancers])[0]
        if diagnosis.profile == "leukaemia":
            self._leukaemia_course(person, diagnosis)
            return
        chemo_code = self.by_code.get("Z51.1", diagnosis)
        if rng.random() < 0.75 and (local := self._local_hospitals(person.admdvs, 2)):
            place, hospital = PLACE_LOCAL, self._pick_hospital(local)
        else:
            place, hospital = PLACE_REFERRED, self._pick_hospital(self.referral_centres)
        profile = PROFILES["cancer"]
        operations = operations_for(diagnosis.row.dise_codg, profile)
        day = self.jan1 + timedelta(days=rng.randint(0, 270))
        cycles = rng.randint(3, 8)
        if operations and rng.random() < 0.35:
            los = rng.randint(10, 16)
            cost = diagnosis.median_cost_yuan * 2.5 * _LEVEL_COST[hospital.capability] * rng.lognormvariate(0, 0.3)
            self._course_stay(person, hospital, place, diagnosis, day, los, cost, rng.choice(operations))
            day += timedelta(days=los + rng.randint(21, 35))
        intensity = rng.lognormvariate(0.3, 0.35) if rng.random() < 0.3 else 1.0  # immunotherapy or targeted drugs
        for _ in range(cycles):
            los = rng.randint(3, 7)
            cost = diagnosis.median_cost_yuan * intensity * _LEVEL_COST[hospital.capability] * rng.lognormvariate(0, 0.4)
            stay_diag = chemo_code if rng.random() < 0.5 else diagnosis
            if not self._course_stay(person, hospital, place, stay_diag, day, los, cost, None):
                break
            day += timedelta(days=los + rng.randint(17, 25))

    def _leukaemia_course(self, person: Person, diagnosis: DiagnosisSpec) -> None:
        """Induction then consolidation: a few long, expensive stays at a tertiary centre."""
        rng = self.rng
        hospital = self._pick_hospital(self.referral_centres)
        day = self.jan1 + timedelta(days=rng.randint(0, 200))
        for _ in range(rng.randint(2, 5)):
            los = rng.randint(18, 35)
            cost = diagnosis.median_cost_yuan * _LEVEL_COST[hospital.capability] * rng.lognormvariate(-0.2, 0.5)
            if not self._course_stay(person, hospital, PLACE_REFERRED, diagnosis, day, los, cost, None):
                break
            day += timedelta(days=los + rng.randint(14, 30))

    def _course_stay(self, person: Person, hospital: HospitalSpec, place: str, diagnosis: DiagnosisSpec,
                     adm: date, los: int, cost: float, operation: Operation | None) -> bool:
        """One stay of a planned treatment course, settled directly at discharge."""
        dscg = adm + timedelta(days=los)
        if dscg > self.dec31:
            return False
        profile = PROFILES[diagnosis.profile]
        episode = DraftEpisode(person, hospital, diagnosis, MED_TYPE_INPATIENT, place, SETTLE_DIRECT, adm, dscg)
        icu_days = self._icu_days(profile.icu_share, los)
        lines = self.fees.stay_lines(self.rng, episode, profile, round(cost * 100), operation, icu_days)
        return self.attach_settlements(episode, lines, dscg)

    # --- haemodialysis ----------------------------------------------------------------------------------------------

    def _dialysis_year(self, person: Person) -> None:
        rng = self.rng
        diagnosis = self.by_code["N18.5"]
        local = self._local_hospitals(person.admdvs, 2)
        if local and rng.random() < 0.9:
            place, hospital = PLACE_LOCAL, self._pick_hospital(local)
        else:
            place, hospital = PLACE_LONG_TERM_OFFSITE, self._pick_hospital(self.far_hospitals)
        weekdays = rng.choice(((0, 2, 4), (1, 3, 5), (0, 2, 4), (1, 3, 5), (0, 3), (1, 4)))
        first = self.jan1 if rng.random() < 0.8 else self.jan1 + timedelta(days=rng.randint(30, 300))
        last = self._cover_to(person)
        doctor = rng.choice(self.fees.department(hospital, "nephro").doctors)
        regimen = {
            "epo": rng.random() < 0.8, "lmwh": rng.random() < 0.3, "carnitine": rng.random() < 0.3,
            "iron": rng.random() < 0.4, "hdf": rng.random() < 0.3,
        }
        for month in range(1, 13):
            start = max(first, date(self.year, month, 1))
            end = min(last, (date(self.year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
            sessions = [start + timedelta(days=k) for k in range((end - start).days + 1)]
            sessions = [d for d in sessions if d.weekday() in weekdays]
            if not sessions:
                continue
            episode = DraftEpisode(person, hospital, diagnosis, MED_TYPE_CHRONIC_OUTPATIENT, place, SETTLE_DIRECT,
                                   sessions[0], sessions[-1])
            lines = self.fees.dialysis_lines(rng, episode, sessions, doctor, regimen)
            when = at(sessions[-1], rng, 14, 18)
            episode.settlements.append(DraftSettlement(sessions[0], sessions[-1], when, "0", lines))
            self.episodes.append(episode)

    # --- cancellations ----------------------------------------------------------------------------------------------

    def _cancellations(self) -> None:
        """Cancel a few direct settlements (2305) some days later; the cancellation copies the original negated."""
        rng = self.rng
        settled = [(e, s) for e in self.episodes if e.settle_way == SETTLE_DIRECT for s in e.settlements]
        total = sum(len(e.settlements) for e in self.episodes)
        wanted = max(1, round(total * CANCEL_RATE)) if settled else 0
        for episode, original in rng.sample(settled, min(len(settled), wanted * 2)):
            if wanted == 0:
                break
            when = original.setl_time + timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
            if when.year != self.year:
                continue
            episode.settlements.append(
                DraftSettlement(original.begndate, original.enddate, when, original.mid_setl_flag, [], original)
            )
            wanted -= 1
