"""Fee lines of a stay or of a month of haemodialysis, drafted from the case mix and a target cost.

A stay gets fixed lines (bed, nursing and ward rounds by day, tests, examinations, an operation with its
materials) and then "elastic" lines (drugs, treatments, consumables, decoction pieces) whose quantities share
what is left of the target. Quantities are whole units; prices come from the catalogue cap (service items at
cap × the hospital's level factor), with a small share of lines charged above the cap. No amount is computed
here: ``settle`` does that from cnt × pric.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dae.core.money import round_fen
from dae.demo.casemix import Operation, Profile
from dae.demo.draft import DraftEpisode, DraftLine
from dae.demo.draws import at, draw_from, draw_int
from dae.demo.reference import LV_C, Department, Doctor, HospitalSpec, ItemSpec, Reference

OVER_CAP_SHARE = 0.012  # lines charged above the catalogue cap (超限价)
REFUND_SHARE = 0.03  # stays with a refund line (退费, negative cnt)

_CATEGORY_WEIGHT = {"drug": 1.0, "treat_profile": 0.5, "treat_basic": 0.25, "material": 0.1, "herb": 0.06}
_MAX_PER_DAY = {"drug": 12, "treat_profile": 6, "treat_basic": 10, "material": 20, "herb": 300}


_CNT_CACHE: dict[int, Decimal] = {}


def cnt_of(units: int) -> Decimal:
    """A quantity with the 4 places of the cnt column (Decimals are immutable: small ones are shared)."""
    cnt = _CNT_CACHE.get(units)
    if cnt is None:
        cnt = Decimal(units * 10000).scaleb(-4)
        if -1000 < units < 1000:
            _CNT_CACHE[units] = cnt
    return cnt


class FeeDrafter:
    """Drafts fee lines; keeps the hospitals' prices so each is computed once."""

    def __init__(self, reference: Reference) -> None:
        self.ref = reference
        self._prices: dict[tuple[str, str], Decimal] = {}

    # --- prices -------------------------------------------------------------------------------------------------

    def price(self, rng: random.Random, hospital: HospitalSpec, item: ItemSpec) -> Decimal:
        cap = item.row.pric_uplmt_amt
        if item.row.chrgitm_lv != LV_C and rng.random() < OVER_CAP_SHARE:
            # Charged 5–30% above the cap, at the cap's own precision.
            return (cap * Decimal(100 + rng.randint(5, 30)) / 100).quantize(cap, rounding=ROUND_HALF_UP)
        key = (hospital.row.fixmedins_code, item.row.med_list_codg)
        price = self._prices.get(key)
        if price is None:
            price = round_fen(cap * hospital.price_factor) if item.is_service else cap
            self._prices[key] = price
        return price

    # --- helpers --------------------------------------------------------------------------------------------------

    @staticmethod
    def department(hospital: HospitalSpec, key: str) -> Department:
        dept = hospital.departments.get(key)
        if dept is None:
            dept = hospital.departments.get("internal") or next(iter(hospital.departments.values()))
        return dept

    def _line(self, rng: random.Random, ep: DraftEpisode, item: ItemSpec, when: datetime, units: int,
              dept: Department, doctor: Doctor, session: int | None = None) -> DraftLine:
        return DraftLine(item, when, cnt_of(units), self.price(rng, ep.hospital, item), dept, doctor, session)

    def _pick(self, rng: random.Random, pools: tuple[str, ...], fallback: str) -> ItemSpec:
        pool = pools[int(rng.random() * len(pools))] if pools else fallback
        return draw_from(rng, self.ref.pool(pool))

    # --- an inpatient stay ----------------------------------------------------------------------------------------

    def stay_lines(self, rng: random.Random, ep: DraftEpisode, profile: Profile, target_fen: int,
                   operation: Operation | None, icu_days: int) -> list[DraftLine]:
        los = max(1, (ep.dscg_date - ep.adm_date).days)
        dept = self.department(ep.hospital, ep.diagnosis.dept)
        doctor = rng.choice(dept.doctors)
        lines: list[DraftLine] = []
        self._daily_lines(rng, ep, lines, los, icu_days, dept, doctor, severe=operation is not None or icu_days > 0)
        self._test_lines(rng, ep, profile, lines, los, dept, doctor, operation is not None)
        if operation is not None:
            self._operation_lines(rng, ep, lines, los, operation, dept, doctor)
        rigid_fen = sum(int(line.pric * line.cnt * 100) for line in lines)
        budget_fen = max(target_fen - rigid_fen, target_fen * 15 // 100, 20000)
        self._elastic_lines(rng, ep, profile, lines, los, budget_fen, dept, doctor)
        if rng.random() < REFUND_SHARE:
            self._refund(rng, ep, lines)
        return lines

    def _stay_day(self, ep: DraftEpisode, index: int) -> date:
        """The calendar day of day ``index`` of the stay (0: the admission day)."""
        return ep.adm_date + timedelta(days=index)

    def _when(self, rng: random.Random, ep: DraftEpisode, index: int, los: int) -> datetime:
        """A moment on day ``index`` of the stay; discharge-day charges come before the morning's settlement."""
        if index >= los:
            return at(ep.dscg_date, rng, 6, 8)
        return at(self._stay_day(ep, index), rng, 7, 20)

    def _daily_lines(self, rng: random.Random, ep: DraftEpisode, lines: list[DraftLine], los: int, icu_days: int,
                     dept: Department, doctor: Doctor, *, severe: bool) -> None:
        ref = self.ref
        icu_days = min(icu_days, los)
        if icu_days:
            icu = self.department(ep.hospital, "icu")
            icu_doctor = rng.choice(icu.doctors)
            when = self._when(rng, ep, 0, los)
            lines.append(self._line(rng, ep, ref.item("重症监护病房床位费"), when, icu_days, icu, icu_doctor))
            lines.append(self._line(rng, ep, ref.item("重症监护"), when, icu_days * 24, icu, icu_doctor))
            lines.append(self._line(rng, ep, ref.item("住院诊查费"), when, icu_days, icu, icu_doctor))
        ward_days = los - icu_days
        if ward_days <= 0:
            return
        if rng.random() < 0.03:
            bed = ref.item("单人间病房床位费")
        else:
            bed = ref.item("普通病房床位费(二人间)" if rng.random() < 0.2 else "普通病房床位费(三人间)")
        if severe:
            nurse = ref.item("Ⅰ级护理")
        else:
            nurse = ref.item("Ⅱ级护理" if rng.random() < 0.8 else "Ⅲ级护理")
        chunks = 1 + ward_days // 5
        start = icu_days
        for k in range(chunks):
            length = ward_days // chunks + (1 if k < ward_days % chunks else 0)
            when = self._when(rng, ep, start, los)
            for item in (bed, nurse, ref.item("住院诊查费")):
                lines.append(self._line(rng, ep, item, when, length, dept, doctor))
            start += length
        if rng.random() < 0.15:
            extra = rng.choice(ref.pool("nurse_extra"))
            lines.append(self._line(rng, ep, extra, self._when(rng, ep, 1, los), min(los, rng.randint(2, 10)),
                                    dept, doctor))

    def _test_lines(self, rng: random.Random, ep: DraftEpisode, profile: Profile, lines: list[DraftLine], los: int,
                    dept: Department, doctor: Doctor, operated: bool) -> None:
        labs = self.department(ep.hospital, "lab")
        imaging = self.department(ep.hospital, "imaging")
        for n in range(3 + min(7, los // 4)):
            item = self._pick(rng, profile.labs if rng.random() < 0.45 else (), "lab_basic")
            day = 0 if n < 3 else draw_int(rng, 0, los)
            lines.append(self._line(rng, ep, item, self._when(rng, ep, day, los), 1, labs, doctor))
        if operated:
            for item in rng.sample(self.ref.pool("lab_pre"), 4):
                lines.append(self._line(rng, ep, item, self._when(rng, ep, 0, los), 1, labs, doctor))
        for _ in range(1 + (los > 4) + (rng.random() < 0.4)):
            item = self._pick(rng, profile.exams if rng.random() < 0.6 else (), "exam_basic")
            day = draw_int(rng, 0, min(2, los))
            lines.append(self._line(rng, ep, item, self._when(rng, ep, day, los), 1, imaging, doctor))
        if rng.random() < 0.08:
            item = self.ref.pool("consult_extra")[0 if rng.random() < 0.3 else 1]
            lines.append(self._line(rng, ep, item, self._when(rng, ep, rng.randint(0, los), los), 1, dept, doctor))

    def _operation_lines(self, rng: random.Random, ep: DraftEpisode, lines: list[DraftLine], los: int,
                         operation: Operation, dept: Department, doctor: Doctor) -> None:
        ref = self.ref
        day = 0 if ep.med_type == "24" else min(los - 1, rng.randint(1, 3))
        when = at(self._stay_day(ep, day), rng, 8, 16)
        for name in operation.procedures:
            lines.append(self._line(rng, ep, ref.item(name), when, 1, dept, doctor))
        if operation.anaesthesia:
            anaes = self.department(ep.hospital, "surgery")
            anaesthetist = rng.choice(anaes.doctors)
            hours = rng.randint(2, 4)
            units = hours if ref.item(operation.anaesthesia).row.unt == "小时" else 1
            lines.append(self._line(rng, ep, ref.item(operation.anaesthesia), when, units, anaes, anaesthetist))
            lines.append(self._line(rng, ep, ref.item("麻醉中监测"), when, hours, anaes, anaesthetist))
        for name, least, most in operation.materials:
            units = rng.randint(least, most)
            if units:
                lines.append(self._line(rng, ep, ref.item(name), when, units, dept, doctor))

    def _elastic_lines(self, rng: random.Random, ep: DraftEpisode, profile: Profile, lines: list[DraftLine],
                       los: int, budget_fen: int, dept: Department, doctor: Doctor) -> None:
        picks: list[tuple[str, ItemSpec]] = []
        for _ in range(2 + min(8, los // 4) + draw_int(rng, 0, 3)):
            picks.append(("drug", self._pick(rng, profile.drugs if rng.random() < 0.6 else (), "drug_common")))
        for _ in range(1 + (los > 7)):
            picks.append(("treat_basic", draw_from(rng, self.ref.pool("treat_basic"))))
        for _ in range(draw_int(rng, 1, 3) if profile.treats else 0):
            picks.append(("treat_profile", self._pick(rng, profile.treats, "treat_basic")))
        for _ in range(draw_int(rng, 1, 3)):
            picks.append(("material", draw_from(rng, self.ref.pool("mat_gen"))))
        herb_share = profile.herb_share * (3.0 if ep.hospital.tcm else 1.0)
        if rng.random() < herb_share:
            for item in rng.sample(self.ref.pool("herb"), rng.randint(6, 12)):
                picks.append(("herb", item))
            if rng.random() < 0.2:
                picks.append(("herb", rng.choice(self.ref.pool("herb_self"))))
        priced = [(kind, item, self.price(rng, ep.hospital, item)) for kind, item in picks]
        weights = [
            _CATEGORY_WEIGHT[kind] * rng.lognormvariate(0.0, 0.7) * float(pric) ** 0.3 for kind, _, pric in priced
        ]
        total_weight = sum(weights)
        for (kind, item, pric), weight in zip(priced, weights, strict=True):
            share_fen = budget_fen * weight / total_weight
            units = max(1, min(round(share_fen / max(1.0, float(pric) * 100)), _MAX_PER_DAY[kind] * (los + 1)))
            day = draw_int(rng, 0, los)
            lines.append(DraftLine(item, self._when(rng, ep, day, los), cnt_of(units), pric, dept, doctor))

    def _refund(self, rng: random.Random, ep: DraftEpisode, lines: list[DraftLine]) -> None:
        candidates = [line for line in lines if line.item.row.list_type in ("101", "301") and line.refund_of is None]
        if not candidates:
            return
        original = rng.choice(candidates)
        units = rng.randint(1, int(original.cnt))
        # Same day, and before a discharge-day settlement (which is never before 10:00).
        when = original.when + timedelta(minutes=rng.randint(1, 60))
        if when.date() != original.when.date():
            when = original.when + timedelta(seconds=1)
        lines.append(DraftLine(original.item, when, -cnt_of(units), original.pric, original.dept, original.doctor,
                               refund_of=original))

    # --- a month of outpatient haemodialysis ------------------------------------------------------------------------

    def dialysis_lines(self, rng: random.Random, ep: DraftEpisode, sessions: list[date], doctor: Doctor,
                       regimen: dict[str, bool]) -> list[DraftLine]:
        ref = self.ref
        dept = self.department(ep.hospital, "nephro")
        lines: list[DraftLine] = []
        for number, day in enumerate(sessions, start=1):
            when = at(day, rng, 7, 13)
            weekly = day.weekday() < 2  # the week's first session carries the weekly drugs
            treatment = "血液透析滤过" if regimen["hdf"] and number % 4 == 0 else "血液透析"
            items = [(treatment, 1), ("一次性使用血液透析器", 1), ("一次性使用血液透析管路", 1),
                     ("一次性使用内瘘穿刺针", 2), ("血液透析浓缩液", 1),
                     ("低分子肝素钙注射液" if regimen["lmwh"] else "肝素钠注射液", 1)]
            if regimen["epo"] and weekly:
                items.append(("重组人促红素注射液(CHO细胞)(10000IU)", 1))
            if regimen["carnitine"] and weekly:
                items.append(("左卡尼汀注射液", 1))
            if regimen["iron"] and number in (1, 5):
                items.append(("蔗糖铁注射液", 1))
            for name, units in items:
                lines.append(self._line(rng, ep, ref.item(name), when, units, dept, doctor, session=number))
        return lines
