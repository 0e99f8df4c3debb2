"""Rules over whole inpatient stays (管理类 / 医疗类): 分解住院, 重复住院 across hospitals, 冒名顶替 / overlapping
stays, 挂床住院.

A stay is a visit (``mdtrt_id``) over its valid settlements (``AuditTables.stays``): first admission, last
discharge, the latest settlement's id and main diagnosis, the total medical fee. The evidence is settlements (no
lines): the stay that breaks the rule is 违规项, the earlier stay it is compared with 涉及项. The amount at issue of
a stay finding is that stay's total medical fee (these are suspicions: the whole stay is in question), except
挂床住院 where it is the bed fee of the idle days.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis import _
from ibis.expr.types import Table  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.params import ParamSpec
from dae.audit.rules.base import (
    INVOLVED,
    MIN_AMOUNT,
    NO_LINE,
    VIOLATION,
    Rule,
    at_least,
    concat,
    day_text,
    emit,
    int_text,
    key,
    line_amount,
    money_text,
    price_text,
)

if TYPE_CHECKING:
    from dae.audit.backends import AuditTables


def _pair_rows(pairs: Table, rule_id: str, tables: AuditTables) -> Table:
    """Two evidence rows per finding: the later stay (违规项) and the earlier one (涉及项)."""
    base = {"finding_key": key(pairs.mdtrt_id, pairs.prev_mdtrt), "setl_id": pairs.setl_id,
            "amount": pairs.medfee_sumamt, "detail": pairs.detail, "ev_feedetl_sn": NO_LINE}  # fmt: skip
    later = pairs.select(**base, ev_setl_id=pairs.setl_id, ev_role=ibis.literal(VIOLATION))
    earlier = pairs.select(**base, ev_setl_id=pairs.prev_setl, ev_role=ibis.literal(INVOLVED))
    return emit(tables, rule_id, later.union(earlier))


def _readmissions(tables: AuditTables, params: Mapping[str, Any], same_hospital: bool) -> Table:
    chars = int(params["dise_chars"])
    stays = tables.stays().filter(_.inpatient & (_.dise_codg != ""))
    stays = stays.mutate(dise_grp=stays.dise_codg.upper().substr(0, chars))
    group = [stays.psn_no, stays.dise_grp] + ([stays.fixmedins_code] if same_hospital else [])
    order = ibis.window(group_by=group, order_by=[stays.adm_date, stays.dscg_date, stays.mdtrt_id])
    stays = stays.mutate(prev_dscg=stays.dscg_date.lag().over(order), prev_adm=stays.adm_date.lag().over(order),
                         prev_setl=stays.setl_id.lag().over(order), prev_mdtrt=stays.mdtrt_id.lag().over(order),
                         prev_fix=stays.fixmedins_code.lag().over(order))  # fmt: skip
    stays = stays.filter(stays.prev_dscg.notnull())
    stays = stays.mutate(gap=stays.adm_date.delta(stays.prev_dscg, unit="day"))
    hit = (stays.gap >= 0) & (stays.gap <= int(params["days"]))
    if not same_hospital:
        hit = hit & (stays.fixmedins_code != stays.prev_fix)
    pairs = at_least(stays.filter(hit), stays.medfee_sumamt, params)
    where = "同一机构" if same_hospital else concat("另一机构（前次", pairs.prev_fix, "）")
    what = "疑似分解住院" if same_hospital else "疑似重复住院"
    pairs = pairs.mutate(detail=concat(
        "前次住院", day_text(pairs.prev_adm), "至", day_text(pairs.prev_dscg), "，出院后", int_text(pairs.gap),
        "天再次入院（", day_text(pairs.adm_date), "），", where, "，主诊断类目同为", pairs.dise_grp, "，", what,
        "，本次医疗费", money_text(pairs.medfee_sumamt), "元",
    ))  # fmt: skip
    return _pair_rows(pairs, "R13_SPLIT_STAY" if same_hospital else "R16_REPEAT_STAY", tables)


def split_stay(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    return _readmissions(tables, params, same_hospital=True)


def repeat_stay(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    return _readmissions(tables, params, same_hospital=False)


def overlap(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    stays = tables.stays().filter(_.inpatient)
    a = stays.select(a_psn=_.psn_no, a_fix=_.fixmedins_code, a_adm=_.adm_date, a_dscg=_.dscg_date,
                     a_mdtrt=_.mdtrt_id, a_setl=_.setl_id)  # fmt: skip
    pairs = stays.join(a, [
        stays.psn_no == a.a_psn, stays.fixmedins_code != a.a_fix,
        (a.a_adm < stays.adm_date) | ((a.a_adm == stays.adm_date) & (a.a_mdtrt < stays.mdtrt_id)),
        a.a_dscg > stays.adm_date,
    ])  # fmt: skip
    pairs = pairs.mutate(days=ibis.least(pairs.dscg_date, pairs.a_dscg).delta(pairs.adm_date, unit="day"))
    pairs = pairs.filter(pairs.days >= int(params["min_days"]))
    pairs = at_least(pairs, pairs.medfee_sumamt, params)
    pairs = pairs.mutate(prev_mdtrt=pairs.a_mdtrt, prev_setl=pairs.a_setl, detail=concat(
        "同一参保人住院时间重叠", int_text(pairs.days), "天：本次", pairs.fixmedins_code, "（", day_text(pairs.adm_date),
        "至", day_text(pairs.dscg_date), "），另在", pairs.a_fix, "（", day_text(pairs.a_adm), "至",
        day_text(pairs.a_dscg), "），疑似冒名顶替，本次医疗费", money_text(pairs.medfee_sumamt), "元",
    ))  # fmt: skip
    return _pair_rows(pairs, "R15_OVERLAP", tables)


def idle_bed(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    stays = tables.stays().filter(_.inpatient)
    stays = stays.mutate(los=stays.dscg_date.delta(stays.adm_date, unit="day")).filter(_.los > 0)
    lines = tables.lines()
    active = lines.filter(lines.med_chrgitm_type.isin(list(params["active_types"])))
    active = active.select(a_mdtrt=_.mdtrt_id, a_day=_.fee_day).distinct()
    span = stays.select(j_mdtrt=_.mdtrt_id, j_adm=_.adm_date, j_dscg=_.dscg_date)
    active = active.join(span, [active.a_mdtrt == span.j_mdtrt, active.a_day >= span.j_adm,
                                active.a_day < span.j_dscg])  # fmt: skip
    counts = active.group_by(c_mdtrt=_.a_mdtrt).agg(active_days=_.a_day.count())
    bed = lines.filter(lines.med_chrgitm_type.isin(list(params["bed_types"])))
    bed = bed.group_by(b_mdtrt=_.mdtrt_id).agg(bed_pric=_.pric.max())
    stays = stays.left_join(counts, stays.mdtrt_id == counts.c_mdtrt)
    stays = stays.left_join(bed, stays.mdtrt_id == bed.b_mdtrt)
    stays = stays.mutate(idle=(stays.los - stays.active_days.fill_null(0)).cast("int32"))
    stays = stays.filter(stays.idle >= int(params["min_idle_days"]))
    stays = stays.mutate(issue=line_amount(stays.idle * stays.bed_pric.fill_null(0)))
    stays = at_least(stays, stays.issue, params)
    return emit(tables, "R14_IDLE_BED", stays.select(
        finding_key=stays.mdtrt_id,
        setl_id=stays.setl_id,
        amount=stays.issue,
        detail=concat("住院", int_text(stays.los), "天（", day_text(stays.adm_date), "至", day_text(stays.dscg_date),
                      "），其中", int_text(stays.idle), "天无治疗、检查或用药收费，疑似挂床住院，按床位费单价",
                      price_text(stays.bed_pric.fill_null(0)), "元计", money_text(stays.issue), "元"),
        ev_setl_id=stays.setl_id,
        ev_feedetl_sn=NO_LINE,
        ev_role=ibis.literal(VIOLATION),
    ))  # fmt: skip


_DAYS = ParamSpec("days", "int", 15, "间隔天数", "days between discharge and readmission", "天", 0, 365)
_CHARS = ParamSpec("dise_chars", "int", 3, "诊断编码比较位数", "diagnosis code characters compared", "位", 1, 10)
_STAY_AMOUNT_ZH = "本次（后一次）住院医疗费总额"
_STAY_AMOUNT_EN = "total medical fee of the later stay"

RULES = (
    Rule("R13_SPLIT_STAY", "分解住院", "Split hospitalisation (readmission)", "management", "suspicious",
         "出院后N日", "N days after discharge", _STAY_AMOUNT_ZH, _STAY_AMOUNT_EN, (MIN_AMOUNT, _DAYS, _CHARS),
         split_stay),
    Rule("R14_IDLE_BED", "挂床住院", "Bed occupied without treatment", "management", "suspicious", "当次住院",
         "this inpatient stay", "无治疗日数 × 床位费单价（住院期内最高）",
         "idle days × the stay's (highest) daily bed price",
         (MIN_AMOUNT,
          ParamSpec("min_idle_days", "int", 3, "无治疗天数下限", "idle days from which it fires", "天", 1, 365),
          ParamSpec("active_types", "text_list", ("03", "04", "05", "06", "09", "10", "11"), "视为治疗的收费类别",
                    "charge types counted as treatment (med_chrgitm_type)"),
          ParamSpec("bed_types", "text_list", ("01",), "床位费收费类别", "charge types of the bed fee")),
         idle_bed),
    Rule("R15_OVERLAP", "冒名顶替 / 住院时间重叠", "One person in two hospitals at once", "management",
         "suspicious", "住院期间", "the stays' spans", _STAY_AMOUNT_ZH, _STAY_AMOUNT_EN,
         (MIN_AMOUNT, ParamSpec("min_days", "int", 1, "重叠天数下限", "overlap in days from which it fires", "天", 1,
                                365)), overlap),
    Rule("R16_REPEAT_STAY", "重复住院（跨机构）", "Readmission at another hospital", "management", "suspicious",
         "出院后N日", "N days after discharge", _STAY_AMOUNT_ZH, _STAY_AMOUNT_EN, (MIN_AMOUNT, _DAYS, _CHARS),
         repeat_stay),
)  # fmt: skip
