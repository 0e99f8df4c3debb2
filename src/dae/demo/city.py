"""The demo city's tables: frozen rows named in the national platform's vocabulary, and the ``City`` holding them.

Field names follow the NHSA interface (1101 person, 2301 fee details, 2304/2305 settlement, SETL_D / FEE_LIST_D
extracts). The few fields the platform has no name for say so in a comment. Money is ``Decimal`` (2 places,
``cnt`` 4 places, ``pric`` and ``pric_uplmt_amt`` up to 6 places, ratios 4 places). This module only declares:
the generator builds the rows, ``export`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# Place categories of a settlement (benefit-policy.md §4). Not national codes: our own names.
PLACE_LOCAL = "local"
PLACE_LONG_TERM_OFFSITE = "long_term_offsite"
PLACE_LONG_TERM_OFFSITE_NOT_DIRECT = "long_term_offsite_not_direct"
PLACE_REFERRED = "referred"
PLACE_SELF_REFERRED = "self_referred"
PLACE_EMERGENCY_AWAY = "emergency_away"
PLACE_CATEGORIES = (
    PLACE_LOCAL,
    PLACE_LONG_TERM_OFFSITE,
    PLACE_LONG_TERM_OFFSITE_NOT_DIRECT,
    PLACE_REFERRED,
    PLACE_SELF_REFERRED,
    PLACE_EMERGENCY_AWAY,
)

SETTLE_DIRECT = "direct"  # 即时结算 at the hospital
SETTLE_MANUAL = "manual"  # 手工/零星报销 at the insurer's counter

# Special-drug kinds (特殊药品) of a catalogue item; "" for an ordinary item.
SP_DRUG_NONE = ""
SP_DRUG_BASIC = "basic"  # in the basic scope, not managed as 乙类: first self-pay 20%
SP_DRUG_B_MANAGED = "b_managed"  # managed as 乙类: first self-pay 10%

INSUTYPE_LARGE_EXPENSE = "330"  # 大额医疗费用补助


@dataclass(frozen=True, slots=True)
class Region:
    """A 统筹区 (pooling area) the insurer serves."""

    admdvs: str
    name: str


@dataclass(frozen=True, slots=True)
class Unit:
    """An employer (参保单位)."""

    emp_no: str
    emp_name: str
    admdvs: str


@dataclass(frozen=True, slots=True)
class Person:
    """An insured employee or retiree with their 大额 enrolment (1101 ``baseinfo`` + one ``insuinfo`` row)."""

    psn_no: str
    psn_cert_type: str
    certno: str
    psn_name: str
    gend: str
    naty: str
    brdy: date
    admdvs: str  # insuplc_admdvs: the 统筹区 where the person is insured
    emp_no: str
    psn_type: str  # 1101 职工在职 / 1201 职工退休
    insutype: str
    psn_insu_stas: str  # 1 正常参保, 2 暂停参保, 4 终止参保
    psn_insu_date: date
    paus_insu_date: date | None
    insu_end_date: date | None  # not a 1101 field: the day an ended enrolment stopped


@dataclass(frozen=True, slots=True)
class Hospital:
    """A designated medical institution (定点医疗机构)."""

    fixmedins_code: str
    fixmedins_name: str
    hosp_lv: str  # national code 01–14
    fixmedins_type: str  # 综合医院, 中医医院, 专科医院, 妇幼保健院, 乡镇卫生院, 社区卫生服务中心, 诊所
    admdvs: str
    bank_name: str
    bank_acct: str
    status: str  # "active"


@dataclass(frozen=True, slots=True)
class CatalogueItem:
    """A national catalogue entry (医保目录: drug, decoction piece, service item or material)."""

    med_list_codg: str
    med_list_name: str
    list_type: str  # 101 西药中成药, 102 饮片, 201 诊疗, 301 耗材
    chrgitm_lv: str  # 01 甲, 02 乙, 03 丙
    med_chrgitm_type: str  # 01–14
    unt: str  # unit of cnt (支, 片, 日, 次, g …)
    pric_uplmt_amt: Decimal
    sp_drug_kind: str  # "", "basic", "b_managed"
    dialysis_flag: bool  # used in outpatient haemodialysis sessions
    # Restrictions the audit rules read (catalog.CatalogueItem; "" / None = no restriction).
    lmt_sex: str = ""  # 限定性别: 1 men, 2 women
    lmt_age_min: int | None = None  # 限定年龄, years inclusive
    lmt_age_max: int | None = None
    max_per_day: Decimal | None = None  # 每日最大数量 (cnt, 4 places)
    max_per_stay: Decimal | None = None  # 每次住院最大数量
    min_hosp_grade: int | None = None  # 限定最低医院级别: 3 三级, 2 二级, 1 一级
    hosp_lvs: str = ""  # 限定医院等级: allowed hosp_lv codes, comma-separated ("" = any)
    dise_prefixes: str = ""  # 限定支付范围: diagnosis code prefixes, comma-separated ("" = any)
    inpatient_only: bool = False  # 限住院使用
    outpatient_only: bool = False  # 限门诊使用


@dataclass(frozen=True, slots=True)
class CodeMapping:
    """A hospital's own code for a catalogue item (医药机构目录编码 → 医疗目录编码)."""

    fixmedins_code: str
    medins_list_codg: str
    medins_list_name: str
    med_list_codg: str


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """An ICD-10 diagnosis (医保版 codes where extended)."""

    dise_codg: str
    dise_name: str


@dataclass(frozen=True, slots=True)
class Settlement:
    """One settlement (2304) or its cancellation (2305, negative amounts, ``init_setl_id`` = the original)."""

    setl_id: str
    init_setl_id: str | None
    refd_setl_flag: str  # "1" for a cancellation
    mdtrt_id: str
    psn_no: str
    fixmedins_code: str
    admdvs: str  # the person's 统筹区 (insu_admdvs)
    place_category: str  # not national: see PLACE_* above
    med_type: str  # 21 普通住院, 24 急诊转住院, 14 门诊慢特病 (haemodialysis)
    adm_date: date
    dscg_date: date
    begndate: date  # first day this settlement covers (a mid-stay settlement covers part of the stay)
    enddate: date
    setl_time: datetime
    dise_codg: str
    dise_name: str
    settle_way: str  # not national: "direct" or "manual"
    mid_setl_flag: str  # "1" for a settlement in the middle of a stay
    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One fee detail (2301 ``feedetail`` input + ``result``), attached to the settlement that paid it."""

    feedetl_sn: str
    init_feedetl_sn: str | None
    setl_id: str
    mdtrt_id: str
    psn_no: str
    fixmedins_code: str
    med_type: str
    fee_ocur_time: datetime
    med_list_codg: str
    medins_list_codg: str
    list_type: str
    chrgitm_lv: str
    med_chrgitm_type: str
    sp_drug_kind: str
    cnt: Decimal
    pric: Decimal
    det_item_fee_sumamt: Decimal
    pric_uplmt_amt: Decimal
    selfpay_prop: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_amt: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    bilg_dept_codg: str
    bilg_dept_name: str
    bilg_dr_codg: str
    bilg_dr_name: str
    dialysis_session_id: str | None  # not national: one outpatient haemodialysis session


@dataclass(frozen=True, slots=True)
class PlantedCase:
    """A violation put in on purpose (``dae.demo.plants``): the ground truth an audit run is scored against.

    Line rules name the violating line (``feedetl_sn``); stay rules (R13–R16) name the stay's settlement only
    (``feedetl_sn`` None). Not a national table: the demo's own record of what it planted.
    """

    rule_id: str
    setl_id: str
    feedetl_sn: str | None
    mdtrt_id: str
    psn_no: str


@dataclass(frozen=True, slots=True)
class City:
    """A whole synthetic city for one year. Tables are tuples of rows, in a stable order."""

    seed: int
    year: int
    regions: tuple[Region, ...]
    units: tuple[Unit, ...]
    persons: tuple[Person, ...]
    hospitals: tuple[Hospital, ...]
    catalogue: tuple[CatalogueItem, ...]
    code_map: tuple[CodeMapping, ...]
    diagnoses: tuple[Diagnosis, ...]
    settlements: tuple[Settlement, ...]
    fee_lines: tuple[FeeLine, ...]
    planted: tuple[PlantedCase, ...] = ()  # the plants' ground truth (not a national table: never exported)

    def tables(self) -> dict[str, tuple[object, ...]]:
        """The tables by name, in writing order."""
        return {
            "regions": self.regions,
            "units": self.units,
            "persons": self.persons,
            "hospitals": self.hospitals,
            "catalogue": self.catalogue,
            "code_map": self.code_map,
            "diagnoses": self.diagnoses,
            "settlements": self.settlements,
            "fee_lines": self.fee_lines,
        }
