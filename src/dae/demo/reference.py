"""Reference data of the demo city: regions, hospitals with their staff and own codes, catalogue, diagnoses.

The catalogue and diagnoses are the same for every seed; hospitals' bank accounts, doctors and own codes are
drawn from the seed. Besides the exported rows this module keeps what the stay generator needs (an item's
pool and self-pay ratio, a hospital's capability and departments) in ``*Spec`` objects that are never exported.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from dae.core.money import D
from dae.demo import vocab
from dae.demo.city import (
    SP_DRUG_B_MANAGED,
    SP_DRUG_BASIC,
    SP_DRUG_NONE,
    CatalogueItem,
    CodeMapping,
    Diagnosis,
    Hospital,
    Region,
)
from dae.demo.medical_data import CATALOGUE_TABLE, DIAGNOSIS_TABLE, RESTRICTIONS
from dae.demo.names import NameMaker

LV_A = "01"  # 甲类
LV_B = "02"  # 乙类
LV_C = "03"  # 丙类

_RATIO_B = D("0.10")
_RATIO_SP_BASIC = D("0.20")
_RATIO_SP_B_MANAGED = D("0.10")
_RATIO_ZERO = D("0")
_RATIO_FULL = D("1")
_RATIO_PLACES = D("0.0001")


def first_selfpay_ratio(chrgitm_lv: str, sp_drug_kind: str) -> Decimal:
    """The first self-pay ratio of an item (benefit-policy.md §2 step 1); 1 for 丙类 (wholly self-paid)."""
    if chrgitm_lv == LV_C:
        return _RATIO_FULL
    if sp_drug_kind == SP_DRUG_BASIC:
        return _RATIO_SP_BASIC
    if sp_drug_kind == SP_DRUG_B_MANAGED:
        return _RATIO_SP_B_MANAGED
    if chrgitm_lv == LV_B:
        return _RATIO_B
    return _RATIO_ZERO


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """A catalogue item as the stay generator sees it."""

    row: CatalogueItem
    pool: str
    ratio: Decimal  # first self-pay ratio; 1 for 丙类
    selfpay_prop: Decimal  # the same ratio with the 4 places of the selfpay_prop column
    is_service: bool  # a service item (priced below the cap at lower-level hospitals)


@dataclass(frozen=True, slots=True)
class DiagnosisSpec:
    row: Diagnosis
    dept: str
    profile: str
    weight_young: float
    weight_old: float
    median_cost_yuan: int
    median_days: int
    sex: str  # "" any, "1" men, "2" women
    emergency_share: float


@dataclass(frozen=True, slots=True)
class Doctor:
    codg: str
    name: str


@dataclass(frozen=True, slots=True)
class Department:
    codg: str
    name: str
    doctors: tuple[Doctor, ...]


@dataclass(frozen=True, slots=True)
class HospitalSpec:
    row: Hospital
    capability: int  # 3 tertiary, 2 county general, 1 primary
    weight: float  # share of the local case load
    local: bool  # in one of the city's two regions
    far: bool  # far away (long-term off-site residents' hospitals)
    tcm: bool  # a TCM hospital (more decoction pieces and TCM treatments)
    price_factor: Decimal  # service items are priced at cap × factor
    departments: dict[str, Department] = field(hash=False, compare=False)
    own_codes: dict[str, str] = field(hash=False, compare=False)  # med_list_codg → medins_list_codg


@dataclass(frozen=True, slots=True)
class Reference:
    regions: tuple[Region, ...]
    hospitals: tuple[HospitalSpec, ...]
    items: tuple[ItemSpec, ...]
    diagnoses: tuple[DiagnosisSpec, ...]
    code_map: tuple[CodeMapping, ...]
    pools: dict[str, tuple[ItemSpec, ...]] = field(hash=False, compare=False)
    by_name: dict[str, ItemSpec] = field(hash=False, compare=False)

    def pool(self, name: str) -> tuple[ItemSpec, ...]:
        return self.pools[name]

    def item(self, name: str) -> ItemSpec:
        return self.by_name[name]


# --- catalogue -------------------------------------------------------------------------------------------------


def _digits(text: str, count: int) -> str:
    """Stable digits derived from a text (the catalogue is the same for every seed)."""
    value = zlib.crc32(text.encode("utf-8"))
    out = f"{value:010d}"
    while len(out) < count:
        value = zlib.crc32(out.encode("ascii"), value)
        out += f"{value:010d}"
    return out[:count]


def _national_code(list_type: str, chrgitm_type: str, stem: str, name: str) -> str:
    if list_type == "201":
        return f"00{stem}0000"
    if list_type == "301":
        return f"C{stem}{_digits(name, 15)}"
    if list_type == "102":
        return f"T{stem}{_digits(name, 10)}"
    letter = "Z" if chrgitm_type == "11" else "X"
    tail = _digits(name, 15)
    return f"{letter}{stem}A{tail[0:3]}A{tail[3:6]}{tail[6:15]}"


_SP_CODES = {"-": SP_DRUG_NONE, "b": SP_DRUG_BASIC, "m": SP_DRUG_B_MANAGED}
_QTY_PLACES = D("0.0001")
_QUANTITY_LIMITS = ("max_per_day", "max_per_stay")


def restricted(row: CatalogueItem) -> CatalogueItem:
    """The row with its restrictions from ``medical_data.RESTRICTIONS`` (quantity limits with the 4 places of cnt)."""
    limits = RESTRICTIONS.get(row.med_list_name)
    if not limits:
        return row
    values: dict[str, Any] = {k: D(str(v)).quantize(_QTY_PLACES) if k in _QUANTITY_LIMITS else v
                              for k, v in limits.items()}  # fmt: skip
    return replace(row, **values)


def build_catalogue() -> tuple[ItemSpec, ...]:
    items: list[ItemSpec] = []
    seen: set[str] = set()
    for line in CATALOGUE_TABLE.strip().splitlines():
        pool, stem, name, list_type, lv, chrgitm_type, unt, price, sp = line.split("|")
        code = _national_code(list_type, chrgitm_type, stem, name)
        while code in seen:  # two items sharing a stem: bump the last digits
            code = code[:-4] + f"{(int(code[-4:]) + 1) % 10000:04d}"
        seen.add(code)
        cap = D(price)
        sp_kind = _SP_CODES[sp]
        row = CatalogueItem(
            med_list_codg=code,
            med_list_name=name,
            list_type=list_type,
            chrgitm_lv=lv,
            med_chrgitm_type=chrgitm_type,
            unt=unt,
            pric_uplmt_amt=cap,
            sp_drug_kind=sp_kind,
            dialysis_flag=pool.startswith(("dialysis", "mat_dialysis", "drug_dialysis")),
        )
        row = restricted(row)
        ratio = first_selfpay_ratio(lv, sp_kind)
        items.append(ItemSpec(row, pool, ratio, ratio.quantize(_RATIO_PLACES), list_type == "201"))
    return tuple(items)


def build_diagnoses() -> tuple[DiagnosisSpec, ...]:
    specs = []
    for line in DIAGNOSIS_TABLE.strip().splitlines():
        code, name, dept, profile, w_young, w_old, cost, days, sex, emergency = line.split("|")
        specs.append(
            DiagnosisSpec(
                row=Diagnosis(dise_codg=code, dise_name=name),
                dept=dept,
                profile=profile,
                weight_young=float(w_young),
                weight_old=float(w_old),
                median_cost_yuan=int(cost),
                median_days=int(days),
                sex="" if sex == "-" else sex,
                emergency_share=float(emergency),
            )
        )
    return tuple(specs)


# --- hospitals -------------------------------------------------------------------------------------------------

_LEVEL_FACTORS = {"01": "1.00", "02": "1.00", "03": "1.00", "04": "1.00", "12": "1.00"}
_COUNTY_FACTOR = "0.92"
_PRIMARY_FACTOR = "0.80"
_PRIMARY_LEVEL_CODES = ("08", "09", "10", "11", "14")

_DEPTS_BY_CAPABILITY = {
    1: ("internal", "surgery", "tcm", "rehab", "neuro", "resp"),
    2: tuple(k for k in vocab.DEPARTMENTS if k not in ("haem",)),
    3: tuple(vocab.DEPARTMENTS),
}


def _price_factor(hosp_lv: str) -> Decimal:
    if hosp_lv in _LEVEL_FACTORS:
        return D(_LEVEL_FACTORS[hosp_lv])
    if hosp_lv in _PRIMARY_LEVEL_CODES:
        return D(_PRIMARY_FACTOR)
    return D(_COUNTY_FACTOR)


def _hospital_list(count: int) -> list[vocab.HospitalSpec]:
    """The named hospitals first, then off-site centres, township centres, community centres and clinics."""
    if count < 12:
        raise ValueError(f"医院数量至少为12: {count} (a demo city needs at least 12 hospitals)")
    offsite_count = max(4, round(count * 0.15))
    local_named = list(vocab.LOCAL_HOSPITALS)
    chosen: list[vocab.HospitalSpec] = local_named[: max(4, count - offsite_count)]
    fillers: list[vocab.HospitalSpec] = []
    for i in range(max(len(towns) for towns in vocab.TOWNS.values())):
        for admdvs, towns in vocab.TOWNS.items():
            if i < len(towns):
                lv = vocab.PRIMARY_LEVELS[i % len(vocab.PRIMARY_LEVELS)]
                fillers.append((f"{vocab.REGION_SHORT[admdvs]}市{towns[i]}卫生院", lv, "乡镇卫生院", admdvs, 1.0, 1))
    for i in range(max(len(streets) for streets in vocab.STREETS.values())):
        for admdvs, streets in vocab.STREETS.items():
            if i < len(streets):
                name = f"{vocab.REGION_SHORT[admdvs]}市{streets[i]}社区卫生服务中心"
                fillers.append((name, "08" if i % 2 else "11", "社区卫生服务中心", admdvs, 0.8, 1))
    clinic = 0
    while len(chosen) + len(fillers) < count - offsite_count:
        admdvs = (vocab.HUADIAN, vocab.JIAOHE)[clinic % 2]
        trade = vocab.TRADE_NAMES[(clinic * 7) % len(vocab.TRADE_NAMES)]
        word = vocab.CLINIC_WORDS[clinic % len(vocab.CLINIC_WORDS)]
        fillers.append((f"{vocab.REGION_SHORT[admdvs]}{trade}{word}", "11", "诊所", admdvs, 0.3, 1))
        clinic += 1
    chosen += fillers[: count - offsite_count - len(chosen)]
    offsite = list(vocab.OFFSITE_HOSPITALS)
    while len(offsite) < offsite_count:
        base = vocab.OFFSITE_HOSPITALS[len(offsite) % len(vocab.OFFSITE_HOSPITALS)]
        offsite.append((f"{base[0]}第{len(offsite)}分院", *base[1:]))
    return chosen + offsite[:offsite_count]


def _departments(rng: random.Random, names: NameMaker, capability: int, admdvs: str, serial: list[int]) -> dict[
    str, Department
]:
    departments = {}
    for key in _DEPTS_BY_CAPABILITY[capability]:
        codg, dept_name = vocab.DEPARTMENTS[key]
        doctors = []
        for _ in range(rng.randint(1, 2) if capability == 1 else rng.randint(3, 8)):
            serial[0] += 1
            gend = "1" if rng.random() < 0.55 else "2"
            doctors.append(Doctor(f"D{admdvs}{serial[0]:06d}", names.full_name(rng, gend, 40)))
        departments[key] = Department(codg, dept_name, tuple(doctors))
    return departments


def _own_code_scheme(rng: random.Random) -> tuple[str, str, str, str]:
    """Each hospital numbers its own list its own way (prefixes for drugs, pieces, items, materials)."""
    schemes = (("YP", "ZY", "ZL", "CL"), ("1", "2", "3", "4"), ("XY", "CY", "XM", "HC"), ("Y", "C", "F", "M"))
    return schemes[rng.randrange(len(schemes))]


def _own_codes(rng: random.Random, items: tuple[ItemSpec, ...]) -> dict[str, str]:
    prefixes = _own_code_scheme(rng)
    width = rng.choice((5, 6, 8))
    start = rng.randrange(1, 3000)
    by_type = {"101": prefixes[0], "102": prefixes[1], "201": prefixes[2], "301": prefixes[3]}
    codes = {}
    number = start
    for item in items:
        number += rng.randint(1, 3)
        codes[item.row.med_list_codg] = f"{by_type[item.row.list_type]}{number:0{width}d}"
    return codes


def _bank_account(rng: random.Random) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(19))


def build_reference(rng: random.Random, names: NameMaker, hospital_count: int) -> Reference:
    items = build_catalogue()
    hospitals = []
    serial = [0]
    counters: dict[str, int] = {}
    for name, lv, kind, admdvs, weight, capability in _hospital_list(hospital_count):
        counters[admdvs] = counters.get(admdvs, 0) + 1
        code = f"H{admdvs}{counters[admdvs]:05d}"
        bank_region = vocab.REGION_SHORT.get(admdvs, "吉林")
        row = Hospital(
            fixmedins_code=code,
            fixmedins_name=name,
            hosp_lv=lv,
            fixmedins_type=kind,
            admdvs=admdvs,
            bank_name=rng.choice(vocab.BANKS).format(r=bank_region),
            bank_acct=_bank_account(rng),
            status="active",
        )
        own = _own_codes(rng, items)
        hospitals.append(
            HospitalSpec(
                row=row,
                capability=capability,
                weight=weight,
                local=admdvs in vocab.REGION_SHORT,
                far=admdvs in vocab.FAR_ADMDVS,
                tcm=kind == "中医医院",
                price_factor=_price_factor(lv),
                departments=_departments(rng, names, capability, admdvs, serial),
                own_codes=own,
            )
        )
    code_map = tuple(
        CodeMapping(h.row.fixmedins_code, h.own_codes[item.row.med_list_codg], item.row.med_list_name,
                    item.row.med_list_codg)
        for h in hospitals
        for item in items
    )
    regions = tuple(Region(admdvs, name) for admdvs, name in vocab.REGIONS)
    pools: dict[str, list[ItemSpec]] = {}
    for item in items:
        pools.setdefault(item.pool, []).append(item)
    return Reference(
        regions=regions,
        hospitals=tuple(hospitals),
        items=items,
        diagnoses=build_diagnoses(),
        code_map=code_map,
        pools={name: tuple(group) for name, group in pools.items()},
        by_name={item.row.med_list_name: item for item in items},
    )
