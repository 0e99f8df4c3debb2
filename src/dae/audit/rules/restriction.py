"""Restrictions the catalogue puts on an item (政策类 · 超限定使用): 限性别, 限年龄 / 限儿童, 限定医院等级,
限门诊 / 限住院, 限定支付范围 (diagnosis by ICD prefix).

Each checks a line against the catalogue version in force on its fee day. A line that breaks the restriction is a
违规项 and its whole (net) amount is at issue; the lines of one item on one settlement make one finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis import _
from ibis.expr.types import IntegerValue, StringValue, Table  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.params import ParamSpec
from dae.audit.rules.base import (
    MIN_AMOUNT,
    Rule,
    concat,
    emit,
    int_text,
    money_text,
    per_item,
    with_item,
)

if TYPE_CHECKING:
    from dae.audit.backends import AuditTables

#: Hospital grade of each hosp_lv code: the same table as ``catalog.models.HOSPITAL_GRADE`` (a test keeps them
#: equal; the engine may not import Django models).
HOSPITAL_GRADE = {
    "01": 3, "02": 3, "03": 3, "04": 3, "12": 3,
    "05": 2, "06": 2, "07": 2, "13": 2,
    "08": 1, "09": 1, "10": 1, "14": 1,
    "11": 0,
}  # fmt: skip

SEX_ZH = {"1": "男", "2": "女"}


def sex_text(value: StringValue) -> StringValue:
    return value.substitute(SEX_ZH, else_="未知")


def age_on(brdy: Any, day: Any) -> IntegerValue:
    """Age in whole years on ``day`` (the birthday itself counts as the new year)."""
    before_birthday = (day.month() * 100 + day.day()) < (brdy.month() * 100 + brdy.day())
    return (day.year() - brdy.year() - ibis.ifelse(before_birthday, 1, 0)).cast("int32")


def _summary(rows: Table) -> StringValue:
    return concat("，共", int_text(rows.n), "条，金额", money_text(rows.total), "元")


# --- 限性别 -------------------------------------------------------------------------------------------------------


def sex(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    cat = tables.catalogue.filter(_.lmt_sex.notnull() & (_.lmt_sex != ""))
    lines = with_item(tables.lines(), cat, {"c_sex": _.lmt_sex})
    person = tables.person.select(p_psn_no=_.psn_no, gend=_.gend)
    lines = lines.join(person, lines.psn_no == person.p_psn_no)
    bad = lines.filter(lines.gend.notnull() & (lines.gend != lines.c_sex))

    def detail(rows: Table, group: Any) -> StringValue:
        return concat("「", rows.med_list_codg, "」限", sex_text(rows.c_sex.max().over(group)), "性使用，参保人性别为",
                      sex_text(rows.gend.max().over(group)), _summary(rows))  # fmt: skip

    return emit(tables, "R06_SEX", per_item(bad, bad.amount, detail, params))


# --- 限年龄 / 限儿童 -----------------------------------------------------------------------------------------------


def age(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    cat = tables.catalogue.filter(_.lmt_age_min.notnull() | _.lmt_age_max.notnull())
    lines = with_item(tables.lines(), cat, {"c_min": _.lmt_age_min, "c_max": _.lmt_age_max})
    person = tables.person.filter(_.brdy.notnull()).select(p_psn_no=_.psn_no, brdy=_.brdy)
    lines = lines.join(person, lines.psn_no == person.p_psn_no)
    lines = lines.mutate(age=age_on(lines.brdy, lines.fee_day))
    bad = lines.filter((lines.c_min.notnull() & (lines.age < lines.c_min))
                       | (lines.c_max.notnull() & (lines.age > lines.c_max)))  # fmt: skip
    child_max = int(params["child_age_max"])

    def detail(rows: Table, group: Any) -> StringValue:
        low, high = rows.c_min.max().over(group), rows.c_max.max().over(group)
        span = ibis.cases(
            (low.isnull(), concat(int_text(high), "岁及以下")),
            (high.isnull(), concat(int_text(low), "岁及以上")),
            else_=concat(int_text(low), "至", int_text(high), "岁"),
        )
        kind = ibis.ifelse(high.notnull() & (high <= child_max), "（限儿童）", "")
        return concat("「", rows.med_list_codg, "」限", span, "使用", kind, "，患者", int_text(rows.age.min().over(group)),
                      "岁", _summary(rows))  # fmt: skip

    return emit(tables, "R07_AGE", per_item(bad, bad.amount, detail, params))


# --- 限定医院等级 ----------------------------------------------------------------------------------------------------


def hospital_level(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    lists = tables.item_hosp_lv.group_by(l_code=_.med_list_codg, l_begin=_.begin_date).agg(n_lvs=_.hosp_lv.count())
    cat = tables.catalogue.left_join(
        lists, [tables.catalogue.med_list_codg == lists.l_code, tables.catalogue.begin_date == lists.l_begin]
    )
    cat = cat.filter(_.min_hosp_grade.notnull() | _.n_lvs.notnull())
    lines = with_item(tables.lines(), cat, {"c_grade": _.min_hosp_grade, "c_listed": _.n_lvs.notnull()})
    hosp = tables.hospital.select(h_code=_.fixmedins_code, hosp_lv=_.hosp_lv.fill_null(""))
    lines = lines.join(hosp, lines.fixmedins_code == hosp.h_code)
    lines = lines.mutate(grade=lines.hosp_lv.substitute(HOSPITAL_GRADE, else_=0).cast("int32"))
    allowed = tables.item_hosp_lv.select(a_code=_.med_list_codg, a_begin=_.begin_date, a_lv=_.hosp_lv,
                                         a_ok=ibis.literal(True))  # fmt: skip
    lines = lines.left_join(
        allowed, [lines.med_list_codg == allowed.a_code, lines.c_begin == allowed.a_begin,
                  lines.hosp_lv == allowed.a_lv]
    )  # fmt: skip
    bad = lines.filter((lines.c_grade.notnull() & (lines.grade < lines.c_grade))
                       | (lines.c_listed & lines.a_ok.isnull()))  # fmt: skip

    def detail(rows: Table, group: Any) -> StringValue:
        need = rows.c_grade.max().over(group)
        rule = ibis.ifelse(need.notnull(), concat("限", int_text(need), "级及以上医院使用"), "限指定等级医院使用")
        return concat("「", rows.med_list_codg, "」", rule, "，本机构等级代码", rows.hosp_lv.max().over(group),
                      _summary(rows))  # fmt: skip

    return emit(tables, "R08_HOSP_LEVEL", per_item(bad, bad.amount, detail, params))


# --- 限门诊 / 限住院 ---------------------------------------------------------------------------------------------------


def setting(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    cat = tables.catalogue.filter(_.inpatient_only.fill_null(False) | _.outpatient_only.fill_null(False))
    lines = with_item(tables.lines(), cat, {"c_inp": _.inpatient_only.fill_null(False),
                                            "c_outp": _.outpatient_only.fill_null(False)})  # fmt: skip
    visit = tables.stays().select(v_mdtrt=_.mdtrt_id, inpatient=_.inpatient, med_type=_.med_type)
    lines = lines.join(visit, lines.mdtrt_id == visit.v_mdtrt)
    bad = lines.filter((lines.c_inp & ~lines.inpatient) | (lines.c_outp & lines.inpatient))

    def detail(rows: Table, group: Any) -> StringValue:
        inpatient = rows.inpatient.max().over(group)
        rule = ibis.ifelse(inpatient, "限门诊使用，本次为住院", "限住院使用，本次为门诊")
        return concat("「", rows.med_list_codg, "」", rule, "（医疗类别", rows.med_type.max().over(group), "）",
                      _summary(rows))  # fmt: skip

    return emit(tables, "R09_SETTING", per_item(bad, bad.amount, detail, params))


# --- 限定支付范围 (diagnosis) -------------------------------------------------------------------------------------------


def diagnosis_scope(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    prefixes = tables.item_dise_prefix.select(p_code=_.med_list_codg, p_begin=_.begin_date,
                                              prefix=_.dise_prefix.upper())  # fmt: skip
    versions = prefixes.select(v_code=_.p_code, v_begin=_.p_begin).distinct()
    cat = tables.catalogue.join(
        versions, [tables.catalogue.med_list_codg == versions.v_code, tables.catalogue.begin_date == versions.v_begin]
    )
    lines = with_item(tables.lines(), cat, {})
    dx = tables.visit_dx()
    if not params["use_secondary"]:
        dx = dx.filter(dx.is_main)
    dx = dx.select(d_mdtrt=_.mdtrt_id, dx=_.dx)
    keys = lines.select(m_setl=_.setl_id, m_sn=_.feedetl_sn, m_mdtrt=_.mdtrt_id, m_code=_.med_list_codg,
                        m_begin=_.c_begin)  # fmt: skip
    pairs = keys.join(prefixes, [keys.m_code == prefixes.p_code, keys.m_begin == prefixes.p_begin])
    pairs = pairs.join(dx, pairs.m_mdtrt == dx.d_mdtrt)
    matched = pairs.filter(pairs.dx.substr(0, pairs.prefix.length()) == pairs.prefix).select("m_setl", "m_sn")
    bad = lines.anti_join(matched.distinct(), [lines.setl_id == matched.m_setl, lines.feedetl_sn == matched.m_sn])
    main = tables.stays().select(s_mdtrt=_.mdtrt_id, main_dx=_.dise_codg)
    bad = bad.join(main, bad.mdtrt_id == main.s_mdtrt)

    def detail(rows: Table, group: Any) -> StringValue:
        return concat("「", rows.med_list_codg, "」限定诊断范围使用，本次就诊诊断（主诊断",
                      rows.main_dx.max().over(group), "）不在其支付范围内", _summary(rows))  # fmt: skip

    return emit(tables, "R10_DIAGNOSIS", per_item(bad, bad.amount, detail, params))


RULES = (
    Rule("R06_SEX", "限性别", "Item restricted by sex", "policy", "violation", "当次就诊", "this visit",
         "违规明细金额之和", "sum of the violating lines' amounts", (MIN_AMOUNT,), sex),
    Rule("R07_AGE", "限年龄 / 限儿童", "Item restricted by age (children)", "policy", "violation", "当次就诊",
         "this visit", "违规明细金额之和", "sum of the violating lines' amounts",
         (MIN_AMOUNT, ParamSpec("child_age_max", "int", 17, "儿童年龄上限", "highest age counted as a child", "岁", 0,
                                30)),
         age),
    Rule("R08_HOSP_LEVEL", "限定医院等级", "Item restricted by hospital level", "policy", "violation", "当次就诊",
         "this visit", "违规明细金额之和", "sum of the violating lines' amounts", (MIN_AMOUNT,), hospital_level),
    Rule("R09_SETTING", "限门诊 / 限住院", "Item restricted to outpatient or inpatient care", "policy", "violation",
         "当次就诊", "this visit", "违规明细金额之和", "sum of the violating lines' amounts", (MIN_AMOUNT,), setting),
    Rule("R10_DIAGNOSIS", "限定支付范围", "Drug restricted to diagnoses", "policy", "violation", "当次就诊",
         "this visit", "违规明细金额之和", "sum of the violating lines' amounts",
         (MIN_AMOUNT, ParamSpec("use_secondary", "bool", True, "含其他诊断", "count secondary diagnoses as well")),
         diagnosis_scope),
)  # fmt: skip
