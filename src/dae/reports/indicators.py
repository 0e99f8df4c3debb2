"""The indicator registry (统计指标库): each indicator is data — id, Chinese and English name, definition in words,
unit, the dimensions it breaks down by — plus one small function that builds an Ibis expression.

Pure: Ibis and pyarrow only, no Django. The same expressions run on DuckDB (pages, reports) and PySpark (the CI
equivalence test), so every figure is computed by the column engine, never row by row in Python. Money is whole
fen (``int64``) from the tables to the result; only the final ratio of two integers is formed here, in ``Decimal``.

Every expression answers one table: ``pid`` (the period's id), the requested dimension columns, ``n`` (how many
source rows the figure stands on), ``num`` and ``den`` (0 for a plain sum or count). ``n == 0`` is *no data*
(无数据), ``den == 0`` with data is *undefined* (—); neither is ever shown as 0 or 0%.

Tables (``SCHEMAS``): settlements (with the person's sex and birth year and the hospital's level), fee lines
(one row per settlement × charge type × charge level — the database sums the detail lines first), enrolments,
deductions and ledger legs. The periods asked for are a table too (``periods``: pid, start, end), so one query
answers a period, its 同比 and 环比 and a monthly series at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import ibis
from ibis.expr.types import Table

from .indicator_data import (
    SPECIAL_OUTPATIENT,
    Bound,
    age_band,
    claims,
    fee_lines,
    insured,
    line_sums,
    stays,
)
from .periods import Period

FEN = Decimal("0.01")

Unit = Literal["yuan", "count", "persons", "percent", "permille", "days", "yuan_per"]
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "yuan": ("元", "yuan"), "count": ("人次", "episodes"), "persons": ("人", "persons"), "percent": ("%", "%"),
    "permille": ("‰", "‰"), "days": ("天", "days"), "yuan_per": ("元", "yuan"),
}

#: Dimensions: id → (Chinese, English). Not every indicator has every dimension (``Indicator.dims``).
DIMENSIONS: dict[str, tuple[str, str]] = {
    "region": ("统筹区", "region"), "hospital": ("医疗机构", "hospital"), "hospital_level": ("医院等级", "hospital level"),
    "med_type": ("医疗类别", "medical type"), "place": ("就医地类别", "place category"),
    "icd_chapter": ("疾病章 (ICD-10)", "ICD-10 chapter"), "icd3": ("疾病类目 (ICD-10 三位码)", "ICD-10 category"),
    "sex": ("性别", "sex"), "age_band": ("年龄段", "age band"), "cost_segment": ("费用分段", "cost segment"),
    "month": ("月份", "month"), "fee_category": ("费用类别", "fee category"), "fee_level": ("收费项目等级", "charge level"),
    "deduction_kind": ("扣款类型", "deduction kind"),
}


@dataclass(frozen=True)
class Indicator:
    id: str
    zh: str
    en: str
    group: str
    unit: Unit
    definition_zh: str
    definition_en: str
    dims: tuple[str, ...]
    build: Callable[[Bound, tuple[str, ...]], Table]
    factor: int = 1  # applied to num ÷ den (100 for %, 1000 for ‰); 0 = a plain total (num only)
    places: int = 2
    money: bool = False  # num (and a total) in fen
    date_basis: str = "setl_date"
    annualise: bool = False  # × 12 ÷ months of the period (rates per year)


@dataclass(frozen=True)
class Cell:
    pid: str
    key: tuple[str, ...]
    n: int
    num: int
    den: int
    value: Decimal | None
    status: Literal["ok", "no_data", "undefined"]


# --- expression helpers --------------------------------------------------------------------------------------


def in_period(t: Table, date_col: str, p: Table) -> Table:
    joined = t.cross_join(p)
    return joined.filter((joined[date_col] >= joined.start) & (joined[date_col] < joined.end))


def _zero() -> Any:
    return ibis.literal(0, "int64")


def _agg(t: Table, dims: tuple[str, ...], *, n: Any, num: Any, den: Any = None) -> Table:
    keys = ["pid", *dims]
    return t.group_by(keys).aggregate(n=n, num=num, den=den if den is not None else _zero())


def _sum(col: Any) -> Any:
    return col.sum().coalesce(0).cast("int64")


def _count_if(cond: Any) -> Any:
    return cond.ifelse(1, 0).sum().coalesce(0).cast("int64")


# --- the builders ---------------------------------------------------------------------------------------------


def _settlement_total(column: str, *, valid_only: bool = False) -> Callable[[Bound, tuple[str, ...]], Table]:
    def build(b: Bound, dims: tuple[str, ...]) -> Table:
        c = claims(b)
        if valid_only:
            c = c.filter(c.valid)
        t = in_period(c, "setl_date", b.periods)
        return _agg(t, dims, n=t.count(), num=_sum(t[column]))

    return build


def _claimants(b: Bound, dims: tuple[str, ...]) -> Table:
    c = claims(b)
    t = in_period(c.filter(c.valid & (c.payout_fen > 0)), "setl_date", b.periods)
    return _agg(t, dims, n=t.count(), num=t.psn_no.nunique().cast("int64"))


def _episodes(b: Bound, dims: tuple[str, ...]) -> Table:
    c = claims(b)
    t = in_period(c.filter(c.valid & (c.payout_fen > 0)), "setl_date", b.periods)
    return _agg(t, dims, n=t.count(), num=t.count())


def _special_outpatient(b: Bound, dims: tuple[str, ...]) -> Table:
    c = claims(b)
    t = in_period(c.filter(c.valid & c.med_type.isin(SPECIAL_OUTPATIENT)), "setl_date", b.periods)
    return _agg(t, dims, n=t.count(), num=t.count())


def _ratio_of_settlements(num_col: str, den_col: str, num_filter: str | None = None
                          ) -> Callable[[Bound, tuple[str, ...]], Table]:
    def build(b: Bound, dims: tuple[str, ...]) -> Table:
        c = claims(b)
        c = c.filter(c.payout_fen.notnull())
        t = in_period(c, "setl_date", b.periods)
        return _agg(t, dims, n=t.count(), num=_sum(t[num_col]), den=_sum(t[den_col]))

    return build


def _stays_measure(kind: str) -> Callable[[Bound, tuple[str, ...]], Table]:
    def build(b: Bound, dims: tuple[str, ...]) -> Table:
        t = in_period(stays(b), "dscg", b.periods)
        n = t.count()
        if kind == "admissions":
            return _agg(t, dims, n=n, num=n)
        if kind == "avg_stay":
            return _agg(t, dims, n=n, num=_sum(t.days), den=n)
        if kind == "cost_per_stay":
            return _agg(t, dims, n=n, num=_sum(t.medfee_fen), den=n)
        if kind == "cost_per_person":
            return _agg(t, dims, n=n, num=_sum(t.medfee_fen), den=t.psn_no.nunique().cast("int64"))
        if kind == "offsite_admissions":
            return _agg(t, dims, n=n, num=_count_if(t.offsite))
        if kind == "offsite_share":
            return _agg(t, dims, n=n, num=_count_if(t.offsite), den=n)
        raise KeyError(kind)

    return build


def _insured_at_end(b: Bound, dims: tuple[str, ...]) -> Table:
    e = insured(b).cross_join(b.periods)
    # covered on the last day L = end − 1: begin ≤ L and (no end or L < end_date, the end being exclusive)
    covered = (e.begin_date < e.end) & (e.end_date.isnull() | (e.end_date >= e.end))
    t = e.filter(covered)
    t = t.mutate(age_band=age_band(t.end.year(), t.birth_year))
    return _agg(t, dims, n=t.count(), num=t.count())  # one enrolment row per person (``SCHEMAS``)


def _spans(column: str) -> Callable[[Bound, tuple[str, ...]], Table]:
    def build(b: Bound, dims: tuple[str, ...]) -> Table:
        e = insured(b)
        e = e.filter(e[column].notnull())
        t = in_period(e, column, b.periods)
        t = t.mutate(age_band=age_band(t[column].year(), t.birth_year))
        return _agg(t, dims, n=t.count(), num=t.count())

    return build


def _admission_rate(b: Bound, dims: tuple[str, ...]) -> Table:
    """Admissions ÷ insured at the period's end (× 1,000, annualised by ``Indicator.annualise``)."""
    adm = _stays_measure("admissions")(b, dims)
    ins = _insured_at_end(b, dims)
    keys = ["pid", *dims]
    j = ins.join(adm, keys, how="left", rname="{name}_adm")
    return j.select(*keys, n=j.n + j.n_adm.coalesce(0), num=j.num_adm.coalesce(0).cast("int64"), den=j.num)


def _lines_total(filter_drug: bool = False, level: str | None = None, share: bool = False
                 ) -> Callable[[Bound, tuple[str, ...]], Table]:
    def build(b: Bound, dims: tuple[str, ...]) -> Table:
        if not share and any(d in ("fee_category", "fee_level") for d in dims):
            t = in_period(fee_lines(b), "setl_date", b.periods)  # the long table only when its columns are asked
            return _agg(t, dims, n=t.count(), num=_sum(t.amount_fen))
        t = in_period(line_sums(b), "setl_date", b.periods)
        if not share:
            return _agg(t, dims, n=t.count(), num=_sum(t.amount_fen))
        part = t.drug_fen if filter_drug else t[{"甲": "a_fen", "乙": "b_fen", "丙": "c_fen"}[level or ""]]
        return _agg(t, dims, n=t.count(), num=_sum(part), den=_sum(t.amount_fen))

    return build


def _deductions(b: Bound, dims: tuple[str, ...]) -> Table:
    d = b.deductions
    d = d.filter(d.kind != "carried").mutate(deduction_kind=d.kind, month=d.confirmed_on.strftime("%Y-%m"))
    t = in_period(d, "confirmed_on", b.periods)
    return _agg(t, dims, n=t.count(), num=_sum(t.amount_fen))


def _ledger(accounts: tuple[str, ...], side: str, *, reference: str | None = None, cumulative: bool = False
            ) -> Callable[[Bound, tuple[str, ...]], Table]:
    """Movements of ``accounts`` in the period: ``debit`` − credit or ``credit`` − debit; ``cumulative`` = the
    balance at the period's end (every movement before ``end``)."""

    def build(b: Bound, dims: tuple[str, ...]) -> Table:
        legs = b.legs.filter(b.legs.account.isin(accounts))
        if reference:
            legs = legs.filter(legs.reference_type == reference)
        legs = legs.mutate(month=legs.date.strftime("%Y-%m"))
        j = legs.cross_join(b.periods)
        j = j.filter(j.date < j.end) if cumulative else j.filter((j.date >= j.start) & (j.date < j.end))
        amount = j.debit_fen - j.credit_fen if side == "debit" else j.credit_fen - j.debit_fen
        return _agg(j, dims, n=j.count(), num=_sum(amount))

    return build


def _profit_rate(b: Bound, dims: tuple[str, ...], *, with_costs: bool = True) -> Table:
    """(funds raised − claims expense [− operating costs]) ÷ funds raised, from the ledger."""
    legs = b.legs
    j = in_period(legs.mutate(month=legs.date.strftime("%Y-%m")), "date", b.periods)
    credit_minus_debit = j.credit_fen - j.debit_fen
    income = _sum((j.account == "4001").ifelse(credit_minus_debit, 0))
    spent = (j.account == "5001") | ((j.account == "5101") if with_costs else ibis.literal(False))
    out = _sum(spent.ifelse(-credit_minus_debit, 0))
    g = j.group_by(["pid", *dims]).aggregate(n=j.count(), income=income, out=out)
    return g.select("pid", *dims, n=g.n, num=g.income - g.out, den=g.income)


SETTLEMENT_DIMS = ("region", "hospital", "hospital_level", "med_type", "place", "icd_chapter", "icd3", "sex",
                   "age_band", "cost_segment", "month")
STAY_DIMS = ("region", "hospital", "hospital_level", "med_type", "place", "icd_chapter", "icd3", "sex",
             "age_band", "cost_segment", "month")
LINE_DIMS = (*SETTLEMENT_DIMS, "fee_category", "fee_level")
PERSON_DIMS = ("region", "sex", "age_band")
LEDGER_DIMS = ("region", "month")
DEDUCTION_DIMS = ("region", "hospital", "hospital_level", "deduction_kind", "month")

_BY_SETL = "按结算时间 (setl_time) 计入统计期; 撤销 (2305) 计入其到达的统计期并冲减原结算。"
_BY_SETL_EN = "dated by settlement time; a 2305 cancellation counts in its own period and nets the original."
_BY_DSCG = "住院人次按出院日期计入统计期, 同一就诊ID (中途结算) 为一人次, 不含已撤销的结算。"
_BY_DSCG_EN = "a stay counts once, in the period of its discharge; mid-stay settlements of one mdtrt_id are one stay."


def _i(id: str, zh: str, en: str, group: str, unit: Unit, dzh: str, den: str, dims: tuple[str, ...],
       build: Callable[[Bound, tuple[str, ...]], Table], **kw: Any) -> Indicator:
    return Indicator(id, zh, en, group, unit, dzh, den, dims, build, **kw)


INDICATORS: tuple[Indicator, ...] = (
    # 承保 insured
    _i("insured", "参保人数", "insured persons", "insured", "persons",
       "统计期末日 (最后一天) 有有效参保记录的人数。", "persons with an enrolment covering the period's last day.",
       PERSON_DIMS, _insured_at_end, factor=0, date_basis="period_end"),
    _i("joins", "新增参保人数", "joins", "insured", "persons", "参保开始日期在统计期内的人数。",
       "persons whose enrolment begins in the period.", PERSON_DIMS, _spans("begin_date"), factor=0,
       date_basis="begin_date"),
    _i("leavers", "减少参保人数", "leavers", "insured", "persons", "参保终止日期在统计期内的人数。",
       "persons whose enrolment ends in the period.", PERSON_DIMS, _spans("end_date"), factor=0,
       date_basis="end_date"),
    # 理赔 claimants
    _i("claimants", "赔付人数", "claimants", "payout", "persons",
       "统计期内有大额支付 (>0) 的有效结算的不同参保人数。" + _BY_SETL,
       "distinct persons with a valid settlement paying out > 0; " + _BY_SETL_EN, SETTLEMENT_DIMS, _claimants,
       factor=0),
    _i("payout_episodes", "赔付人次", "payout episodes", "payout", "count",
       "大额支付 > 0 的有效结算笔数 (不含已撤销及撤销冲正)。",
       "valid settlements paying out > 0 (cancelled ones and their reversals left out).", SETTLEMENT_DIMS,
       _episodes, factor=0),
    _i("payout_amount", "大额赔付金额", "payout amount", "payout", "yuan",
       "Σ 大额医疗费用补助基金支出 (hifob_pay), 含撤销冲减。" + _BY_SETL,
       "Σ hifob_pay, net of cancellations; " + _BY_SETL_EN, SETTLEMENT_DIMS, _settlement_total("payout_fen"),
       factor=0, money=True),
    _i("payout_ratio", "实际补偿比", "payout ratio", "payout", "percent",
       "大额赔付金额 ÷ 同一批结算的医疗费总额 × 100%。", "payout ÷ total medical cost of the same settlements × 100%.",
       SETTLEMENT_DIMS, _ratio_of_settlements("payout_fen", "medfee_fen"), factor=100, places=1),
    # 就医 care
    _i("admissions", "住院人次", "admissions", "care", "count", "出院日期在统计期内的住院人次。" + _BY_DSCG,
       "stays discharged in the period; " + _BY_DSCG_EN, STAY_DIMS, _stays_measure("admissions"), factor=0,
       date_basis="dscg_date"),
    _i("admission_rate", "住院率", "admission rate", "care", "permille",
       "住院人次 ÷ 期末参保人数 × 1000‰, 按年折算 (× 12 ÷ 统计期月数)。",
       "admissions ÷ insured at the period end × 1,000, annualised (× 12 ÷ months).", PERSON_DIMS,
       _admission_rate, factor=1000, places=1, annualise=True, date_basis="dscg_date"),
    _i("avg_stay", "平均住院日", "average stay", "care", "days",
       "Σ (出院日期 − 入院日期, 至少 1 天) ÷ 住院人次。" + _BY_DSCG,
       "Σ (discharge − admission, at least 1 day) ÷ admissions; " + _BY_DSCG_EN, STAY_DIMS,
       _stays_measure("avg_stay"), factor=1, places=1, date_basis="dscg_date"),
    _i("cost_per_stay", "次均住院费用", "cost per stay", "care", "yuan_per",
       "出院者住院医疗费用 ÷ 同期出院人次。" + _BY_DSCG, "medical cost of the stays ÷ admissions; " + _BY_DSCG_EN,
       STAY_DIMS, _stays_measure("cost_per_stay"), factor=1, money=True, date_basis="dscg_date"),
    _i("cost_per_person", "人均住院费用", "cost per person", "care", "yuan_per",
       "出院者住院医疗费用 ÷ 住院的不同参保人数。", "medical cost of the stays ÷ distinct persons admitted.", STAY_DIMS,
       _stays_measure("cost_per_person"), factor=1, money=True, date_basis="dscg_date"),
    _i("offsite_admissions", "异地就医人次", "off-site admissions", "care", "count",
       "就医地类别不是本地的住院人次。", "admissions whose place category is not local.", STAY_DIMS,
       _stays_measure("offsite_admissions"), factor=0, date_basis="dscg_date"),
    _i("offsite_share", "异地就医占比", "off-site share", "care", "percent", "异地住院人次 ÷ 住院人次 × 100%。",
       "off-site admissions ÷ admissions × 100%.", STAY_DIMS, _stays_measure("offsite_share"), factor=100,
       places=1, date_basis="dscg_date"),
    _i("special_outpatient", "门诊特殊病人次", "special outpatient visits", "care", "count",
       "医疗类别为门诊特殊病 (14, 含透析) 的有效结算笔数。",
       "valid settlements of med_type 14 (special outpatient diseases, dialysis included).", SETTLEMENT_DIMS,
       _special_outpatient, factor=0),
    # 费用 cost
    _i("total_cost", "医疗费用总额", "total medical cost", "cost", "yuan", "Σ 医疗费总额 (medfee_sumamt)。" + _BY_SETL,
       "Σ medfee_sumamt; " + _BY_SETL_EN, SETTLEMENT_DIMS, _settlement_total("medfee_fen"), factor=0, money=True),
    _i("inscp_share", "政策范围内费用占比", "in-scope share", "cost", "percent",
       "Σ 符合政策范围金额 ÷ Σ 医疗费总额 × 100%。", "Σ inscp_scp_amt ÷ Σ medfee_sumamt × 100%.", SETTLEMENT_DIMS,
       _ratio_of_settlements("inscp_fen", "medfee_fen"), factor=100, places=1),
    _i("fee_amount", "分类费用", "cost by category", "cost", "yuan",
       "费用明细金额之和, 按收费项目类别 (药品/检查/化验/手术/材料…) 与等级 (甲/乙/丙) 分组; 按结算时间计入。",
       "Σ fee line amounts by charge category and level; dated by the settlement.", LINE_DIMS, _lines_total(),
       factor=0, money=True),
    _i("drug_share", "药品费用占比", "drug share", "cost", "percent",
       "西药费、中药饮片费、中成药费 (09/10/11) ÷ 全部明细费用 × 100%。", "drug lines (09/10/11) ÷ all lines × 100%.",
       SETTLEMENT_DIMS, _lines_total(filter_drug=True, share=True), factor=100, places=1),
    _i("class_a_share", "甲类费用占比", "class A share", "cost", "percent", "甲类 (01) 明细费用 ÷ 全部明细费用 × 100%。",
       "class A lines ÷ all lines × 100%.", SETTLEMENT_DIMS, _lines_total(level="甲", share=True), factor=100,
       places=1),
    _i("class_b_share", "乙类费用占比", "class B share", "cost", "percent", "乙类 (02) 明细费用 ÷ 全部明细费用 × 100%。",
       "class B lines ÷ all lines × 100%.", SETTLEMENT_DIMS, _lines_total(level="乙", share=True), factor=100,
       places=1),
    _i("class_c_share", "丙类费用占比", "class C share", "cost", "percent", "丙类 (03) 明细费用 ÷ 全部明细费用 × 100%。",
       "class C lines ÷ all lines × 100%.", SETTLEMENT_DIMS, _lines_total(level="丙", share=True), factor=100,
       places=1),
    # 监管 control
    _i("deductions", "扣款金额", "deductions", "control", "yuan",
       "确认日期在统计期内的审核、巡查等扣款 (不含结转)。", "confirmed deductions dated in the period (carried excesses left out).",
       DEDUCTION_DIMS, _deductions, factor=0, money=True, date_basis="confirmed_on"),
    # 财务 finance
    _i("funds_raised", "筹集资金", "funds raised", "finance", "yuan", "基金收入科目 (4001) 贷方发生额 − 借方发生额。",
       "credits − debits of 4001 基金收入 in the period.", LEDGER_DIMS, _ledger(("4001",), "credit"), factor=0,
       money=True, date_basis="ledger_date"),
    _i("claims_expense", "补助支出", "claims expense", "finance", "yuan",
       "补助支出科目 (5001) 借方 − 贷方发生额 (应付确认, 补付追回, 扣款冲减)。",
       "debits − credits of 5001 in the period (payables, supplements and recoveries, less deductions).",
       LEDGER_DIMS, _ledger(("5001",), "debit"), factor=0, money=True, date_basis="ledger_date"),
    _i("payments_made", "实际支付金额", "payments made", "finance", "yuan",
       "银行确认的支付 (支付指令) 记入支出户存款 (100202) 的贷方金额。",
       "payments the bank confirmed: credits of 100202 from payment orders.", LEDGER_DIMS,
       _ledger(("100202",), "credit", reference="payments.order"), factor=0, money=True, date_basis="ledger_date"),
    _i("operating_costs", "经办费用", "operating costs", "finance", "yuan", "经办费用科目 (5101) 借方 − 贷方发生额。",
       "debits − credits of 5101 in the period.", LEDGER_DIMS, _ledger(("5101",), "debit"), factor=0, money=True,
       date_basis="ledger_date"),
    _i("fund_balance", "基金存款余额", "fund balance", "finance", "yuan",
       "统计期末收入户与支出户 (100201, 100202) 存款余额之和。", "balance of 100201 and 100202 at the period's end.",
       LEDGER_DIMS, _ledger(("100201", "100202"), "debit", cumulative=True), factor=0, money=True,
       date_basis="ledger_date"),
    _i("profit_rate", "盈利率", "profit rate", "finance", "percent",
       "(筹集资金 − 补助支出 − 经办费用) ÷ 筹集资金 × 100%, 合同上限 3.85%。",
       "(funds − claims expense − operating costs) ÷ funds × 100%; the contract caps it at 3.85%.", LEDGER_DIMS,
       _profit_rate, factor=100, places=2, date_basis="ledger_date"),
    _i("balance_rate", "结余率", "balance rate", "finance", "percent", "(筹集资金 − 补助支出) ÷ 筹集资金 × 100%, 年度不低于 5%。",
       "(funds − claims expense) ÷ funds × 100%; seed 004 asks ≥ 5% a year.", LEDGER_DIMS,
       lambda b, d: _profit_rate(b, d, with_costs=False), factor=100, places=2, date_basis="ledger_date"),
)
REGISTRY: dict[str, Indicator] = {i.id: i for i in INDICATORS}


class IndicatorError(ValueError):
    """An unknown indicator or a dimension it cannot be broken down by."""


def value_of(ind: Indicator, n: int, num: int, den: int, months: int) -> tuple[Decimal | None, str]:
    """The figure from the engine's integers: a total in yuan (money) or as a count, or a ratio rounded half-up to
    ``places``; ``no_data`` without rows, ``undefined`` for a ratio over zero."""
    if n == 0:
        return None, "no_data"
    quantum = Decimal(1).scaleb(-ind.places)
    if ind.factor == 0:
        return ((Decimal(num) * FEN).quantize(FEN) if ind.money else Decimal(num)), "ok"
    if den == 0:
        return None, "undefined"
    value = Decimal(num) * ind.factor / Decimal(den)
    if ind.money:
        value = value * FEN
    if ind.annualise:
        value = value * 12 / months
    return value.quantize(quantum, rounding=ROUND_HALF_UP), "ok"


def evaluate(b: Bound, indicator: str, periods: Sequence[Period], dims: Iterable[str] = ()) -> list[Cell]:
    """The figures of ``indicator`` for each of ``periods`` broken down by ``dims`` (at most two), sorted by
    period then key. A period without any row answers one ``no_data`` cell with an empty key when ``dims`` is
    empty, so a total is never missing."""
    ind = REGISTRY.get(indicator)
    if ind is None:
        raise IndicatorError(f"未知的统计指标: {indicator}")
    dims = tuple(dims)
    if len(dims) > 2 or any(d not in ind.dims for d in dims) or len(set(dims)) != len(dims):
        raise IndicatorError(f"指标 {ind.zh} 不能按 {', '.join(dims)} 分组")
    b.set_periods(periods)
    b.apply_scope()
    table = b.run(ind, dims).to_pylist()
    months = {p.id: p.months for p in periods}
    cells = []
    seen = set()
    for row in table:
        key = tuple("" if row[d] is None else str(row[d]) for d in dims)
        value, status = value_of(ind, int(row["n"] or 0), int(row["num"] or 0), int(row["den"] or 0),
                                 months[row["pid"]])
        cells.append(Cell(row["pid"], key, int(row["n"] or 0), int(row["num"] or 0), int(row["den"] or 0), value,
                          status))  # type: ignore[arg-type]
        seen.add(row["pid"])
    if not dims:
        for p in periods:
            if p.id not in seen:
                cells.append(Cell(p.id, (), 0, 0, 0, None, "no_data"))
                seen.add(p.id)
    order = {p.id: i for i, p in enumerate(periods)}
    return sorted(cells, key=lambda c: (order[c.pid], c.key))


def total(b: Bound, indicator: str, periods: Sequence[Period]) -> dict[str, Cell]:
    """One cell per period (no breakdown)."""
    return {c.pid: c for c in evaluate(b, indicator, periods)}


def growth(current: Cell | None, base: Cell | None) -> Decimal | None:
    """(current − base) ÷ base × 100, one decimal; None ("—") when either is missing or the base is 0."""
    if current is None or base is None or current.value is None or base.value is None or base.value == 0:
        return None
    return ((current.value - base.value) * 100 / abs(base.value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def registry_rows() -> list[dict[str, Any]]:
    """The registry as data (definitions page, the Excel definitions sheet, the API)."""
    return [{"id": i.id, "zh": i.zh, "en": i.en, "group": i.group, "unit": UNIT_NAMES[i.unit][0],
             "definition_zh": i.definition_zh, "definition_en": i.definition_en, "dims": list(i.dims),
             "date_basis": i.date_basis} for i in INDICATORS]


def date_or_none(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


# --- the hospital evaluation's figures ---------------------------------------------------------------------------

READMIT_DAYS = 15


def hospital_profile(b: Bound, period: Period) -> list[dict[str, Any]]:
    """Per hospital for ``period``: level, admissions, cost of the stays, drug and all fee-line amounts, stays that
    are readmissions (the same person at the same hospital within ``READMIT_DAYS`` of a discharge), confirmed
    deductions and payout — each one grouped query on the engine, merged by hospital."""
    b.set_periods([period])
    b.apply_scope()
    s = in_period(stays(b), "dscg", b.periods)
    w = ibis.window(group_by=[s.psn_no, s.hospital], order_by=[s.adm, s.mdtrt_id])
    s = s.mutate(prev=s.dscg.lag().over(w))
    gap = s.adm.delta(s.prev, unit="day")
    readmit = s.prev.notnull() & (gap <= READMIT_DAYS)
    parts = [
        s.group_by(["hospital", "hospital_level"]).aggregate(admissions=s.count(), cost_fen=_sum(s.medfee_fen),
                                                             readmissions=_count_if(readmit)),
    ]
    f = in_period(fee_lines(b), "setl_date", b.periods)
    parts.append(f.group_by("hospital").aggregate(drug_fen=_sum(f.drug.ifelse(f.amount_fen, 0)),
                                                   lines_fen=_sum(f.amount_fen)))
    d = b.deductions
    d = in_period(d.filter(d.kind != "carried"), "confirmed_on", b.periods)
    parts.append(d.group_by("hospital").aggregate(deductions_fen=_sum(d.amount_fen)))
    c = in_period(claims(b), "setl_date", b.periods)
    parts.append(c.group_by(["hospital", "hospital_level"]).aggregate(payout_fen=_sum(c.payout_fen)))
    merged: dict[str, dict[str, Any]] = {}
    for expr in parts:
        for row in b.execute(expr).to_pylist():
            merged.setdefault(row["hospital"], {}).update({k: v for k, v in row.items() if v is not None})
    keys = ("admissions", "cost_fen", "drug_fen", "lines_fen", "readmissions", "deductions_fen", "payout_fen")
    return [{"hospital": h, "level": r.get("hospital_level", ""), **{k: int(r.get(k, 0)) for k in keys}}
            for h, r in sorted(merged.items())]
