"""Charges against the price list and the calendar: 超限价 (price above the catalogue cap), 超疗程 (an item
charged beyond its course of N days in a stay), 收费跨期 (a fee dated outside the visit), 串换 (a material
charged without the procedure it belongs to, 条例第三十八条 (四)).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis import _
from ibis.expr.types import StringValue, Table  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.params import ParamSpec
from dae.audit.rules.base import (
    INVOLVED,
    MIN_AMOUNT,
    NO_SETL,
    PRICE,
    VIOLATION,
    ZERO_MONEY,
    Rule,
    at_least,
    concat,
    day_text,
    emit,
    int_text,
    key,
    line_amount,
    money_text,
    per_item,
    price_text,
    with_item,
)

if TYPE_CHECKING:
    from dae.audit.backends import AuditTables



# --- 超限价 ---------------------------------------------------------------------------------------------------------


def price_cap(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    cat = tables.catalogue.filter(_.pric_uplmt_amt.notnull())
    lines = with_item(tables.lines(), cat, {"cap": _.pric_uplmt_amt})
    tolerance = ibis.literal(params["tolerance"]).cast(PRICE)
    bad = lines.filter(lines.pric > lines.cap + tolerance)
    issue = line_amount((bad.pric - bad.cap).cast(PRICE) * bad.cnt)

    def detail(rows: Table, group: Any) -> StringValue:
        return concat("「", rows.med_list_codg, "」单价", price_text(rows.pric.max().over(group)), "元超过限价",
                      price_text(rows.cap.min().over(group)), "元，共", int_text(rows.n), "条，超出金额",
                      money_text(rows.total), "元")  # fmt: skip

    return emit(tables, "R11_PRICE_CAP", per_item(bad, issue, detail, params))


# --- 超疗程 ---------------------------------------------------------------------------------------------------------


def course(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    limits = tables.raw[params["limits"]].select(l_code=_.med_list_codg, max_days=_.max_days)
    lines = tables.lines()
    inpatient = tables.stays().filter(_.inpatient).select(s_mdtrt=_.mdtrt_id)
    lines = lines.semi_join(inpatient, lines.mdtrt_id == inpatient.s_mdtrt)
    lines = lines.join(limits, lines.med_list_codg == limits.l_code)
    group = ibis.window(group_by=[lines.mdtrt_id, lines.med_list_codg])
    rows = lines.mutate(first_day=lines.fee_day.min().over(group))
    rows = rows.mutate(violating=rows.fee_day.delta(rows.first_day, unit="day") >= rows.max_days)
    rows = rows.mutate(hits=ibis.ifelse(rows.violating, 1, 0).sum().over(group))
    rows = rows.filter(rows.hits > 0)
    rows = rows.mutate(total=ibis.ifelse(rows.violating, rows.amount, ZERO_MONEY).sum().over(group),
                       setl=ibis.ifelse(rows.violating, rows.setl_id, NO_SETL).min().over(group))  # fmt: skip
    rows = at_least(rows, rows.total, params)
    return emit(tables, "R12_COURSE", rows.select(
        finding_key=key(rows.mdtrt_id, rows.med_list_codg),
        setl_id=rows.setl,
        amount=rows.total,
        detail=concat("「", rows.med_list_codg, "」限用", int_text(rows.max_days), "天（自", day_text(rows.first_day),
                      "首次使用起），超出疗程仍收费", int_text(rows.hits), "条，金额", money_text(rows.total), "元"),
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.ifelse(rows.violating, VIOLATION, INVOLVED),
    ))  # fmt: skip


# --- 收费跨期 -------------------------------------------------------------------------------------------------------


def cross_period(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    days = int(params["days"])
    visit = tables.stays().select(s_mdtrt=_.mdtrt_id, adm_date=_.adm_date, dscg_date=_.dscg_date)
    lines = tables.lines()
    lines = lines.join(visit, lines.mdtrt_id == visit.s_mdtrt)
    bad = lines.filter((lines.fee_day < lines.adm_date - ibis.interval(days=days))
                       | (lines.fee_day > lines.dscg_date + ibis.interval(days=days)))  # fmt: skip
    group = ibis.window(group_by=bad.setl_id)
    rows = bad.mutate(total=bad.amount.sum().over(group), n=bad.feedetl_sn.count().over(group),
                      first=bad.fee_day.min().over(group), last=bad.fee_day.max().over(group))  # fmt: skip
    rows = at_least(rows, rows.total, params)
    return emit(tables, "R17_CROSS_PERIOD", rows.select(
        finding_key=rows.setl_id,
        setl_id=rows.setl_id,
        amount=rows.total,
        detail=concat(int_text(rows.n), "条费用发生于", day_text(rows.first), "至", day_text(rows.last),
                      "，超出就诊期间（", day_text(rows.adm_date), "至", day_text(rows.dscg_date), "）", str(days),
                      "天以上，金额", money_text(rows.total), "元"),
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.literal(VIOLATION),
    ))  # fmt: skip


# --- 串换 (material without its procedure) ---------------------------------------------------------------------------


def substitution(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    pairs = tables.raw[params["pairs"]].select(m_code=_.material_codg, p_code=_.procedure_codg).distinct()
    first_proc = pairs.group_by(f_code=_.m_code).agg(f_proc=_.p_code.min())
    lines = tables.lines()
    materials = lines.semi_join(pairs, lines.med_list_codg == pairs.m_code)
    procs = lines.semi_join(pairs, lines.med_list_codg == pairs.p_code)
    done = procs.select(d_mdtrt=_.mdtrt_id, d_day=_.fee_day, d_code=_.med_list_codg).distinct()
    used = materials.select(u_mdtrt=_.mdtrt_id, u_day=_.fee_day, u_code=_.med_list_codg).distinct()
    covered = used.join(pairs, used.u_code == pairs.m_code)
    covered = covered.join(done, [covered.u_mdtrt == done.d_mdtrt, covered.u_day == done.d_day,
                                  covered.p_code == done.d_code])  # fmt: skip
    covered = covered.select("u_mdtrt", "u_day", "u_code").distinct()
    bad = materials.anti_join(covered, [materials.mdtrt_id == covered.u_mdtrt, materials.fee_day == covered.u_day,
                                        materials.med_list_codg == covered.u_code])  # fmt: skip
    bad = bad.join(first_proc, bad.med_list_codg == first_proc.f_code)
    group = ibis.window(group_by=[bad.mdtrt_id, bad.med_list_codg, bad.fee_day])
    rows = bad.mutate(total=bad.amount.sum().over(group), n=bad.feedetl_sn.count().over(group),
                      setl=bad.setl_id.min().over(group))  # fmt: skip
    rows = at_least(rows, rows.total, params)
    return emit(tables, "R18_SUBSTITUTE", rows.select(
        finding_key=key(rows.mdtrt_id, rows.med_list_codg, rows.fee_day),
        setl_id=rows.setl,
        amount=rows.total,
        detail=concat("耗材「", rows.med_list_codg, "」于", day_text(rows.fee_day), "收费", int_text(rows.n),
                      "条，同日未见对应的手术或操作项目（如「", rows.f_proc, "」），疑似串换，金额",
                      money_text(rows.total), "元"),
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.literal(VIOLATION),
    ))  # fmt: skip


RULES = (
    Rule("R11_PRICE_CAP", "超限价", "Price above the catalogue cap", "policy", "violation", "当次就诊", "this visit",
         "（单价 − 限价）× 数量，逐条四舍五入到分后相加", "(price − cap) × count per line, rounded to the fen, summed",
         (MIN_AMOUNT, ParamSpec("tolerance", "decimal", "0", "单价容差", "tolerance on the unit price", "元", 0)),
         price_cap),
    Rule("R12_COURSE", "超疗程", "Beyond the course of treatment", "medical", "violation", "当次住院",
         "this inpatient stay", "自首次使用起第N天以后的明细金额之和",
         "sum of the item's lines from day N after its first use",
         (MIN_AMOUNT, ParamSpec("limits", "table", "course_limit", "疗程天数表", "table of course lengths")), course),
    Rule("R17_CROSS_PERIOD", "收费跨期", "Fee dated outside the visit", "management", "violation", "当次就诊",
         "this visit", "就诊期间以外（超过容许天数）的明细金额之和",
         "sum of the lines dated outside the visit by more than the allowance",
         (MIN_AMOUNT, ParamSpec("days", "int", 1, "容许天数", "days allowed outside the visit", "天", 0, 366)),
         cross_period),
    Rule("R18_SUBSTITUTE", "串换（耗材无对应项目）", "Material without its procedure", "policy", "suspicious", "单日",
         "single day", "当日该耗材明细金额之和", "sum of the material's lines of that day",
         (MIN_AMOUNT, ParamSpec("pairs", "table", "material_procedure", "耗材与手术操作对照表",
                                "table of materials and their procedures")), substitution),
)  # fmt: skip
