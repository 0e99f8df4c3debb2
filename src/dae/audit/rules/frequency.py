"""超限定频次 (over the frequency limit): per day and per stay from the catalogue (``max_per_day``,
``max_per_stay``), per N days from the ``period_limit`` parameter table.

Lines of a group (a visit's item on one day, a stay's item, a person's item on one day) are taken in time order;
the quantity beyond the limit is at issue, line by line: a line entirely within the limit is 涉及项, a line that
takes the total over it is 违规项 and contributes (its quantity over the limit) × its price, rounded to the fen.
Per N days the window is rolling: on each day the N days ending that day (across visits and hospitals) count,
and what of that day's quantity takes the window over the limit is at issue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ibis  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis import _
from ibis.expr.types import StringValue, Table, Value  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.params import ParamSpec
from dae.audit.rules.base import (
    INVOLVED,
    MIN_AMOUNT,
    NO_SETL,
    QTY,
    VIOLATION,
    Rule,
    at_least,
    concat,
    day_text,
    emit,
    int_text,
    key,
    line_amount,
    line_order,
    money_text,
    qty_text,
    with_item,
)

if TYPE_CHECKING:
    from dae.audit.backends import AuditTables



def excess(rows: Table, group_by: list[str], params: Mapping[str, Any]) -> tuple[Table, Any]:
    """Lines of the groups whose quantity exceeds ``allowed``, each with ``over_qty`` (its quantity beyond the
    limit), ``issue``, ``violating``; and per group ``total`` (amount), ``over_total``, ``total_qty``, ``setl``
    (the first violating line's settlement). Returns the rows and the group window."""
    group = ibis.window(group_by=[rows[c] for c in group_by])
    ordered = ibis.window(group_by=[rows[c] for c in group_by], order_by=line_order(rows), preceding=None,
                          following=0)  # fmt: skip
    rows = rows.mutate(total_qty=rows.cnt.sum().over(group))
    rows = rows.filter(rows.total_qty > rows.allowed)
    rows = rows.mutate(cum=rows.cnt.sum().over(ordered))
    zero = ibis.literal(0).cast(QTY)
    rows = rows.mutate(over_qty=ibis.least(rows.cnt, ibis.greatest((rows.cum - rows.allowed).cast(QTY), zero)))
    rows = rows.mutate(over_qty=rows.over_qty.cast(QTY), violating=rows.over_qty > 0)
    rows = rows.mutate(issue=line_amount(rows.over_qty * rows.pric))
    rows = rows.mutate(total=rows.issue.sum().over(group), over_total=rows.over_qty.sum().over(group),
                       setl=ibis.ifelse(rows.violating, rows.setl_id, NO_SETL).min().over(group))  # fmt: skip
    return at_least(rows, rows.total, params), group


def _emit(tables: AuditTables, rule_id: str, rows: Table, finding_key: Value, detail: StringValue) -> Table:
    return emit(tables, rule_id, rows.select(
        finding_key=finding_key,
        setl_id=rows.setl,
        amount=rows.total,
        detail=detail,
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.ifelse(rows.violating, VIOLATION, INVOLVED),
    ))  # fmt: skip


def _tail(rows: Table) -> StringValue:
    return concat("，超出", qty_text(rows.over_total), "，金额", money_text(rows.total), "元")


def per_day(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    cat = tables.catalogue.filter(_.max_per_day.notnull())
    lines = with_item(tables.lines(), cat, {"allowed": _.max_per_day})
    rows, group = excess(lines, ["mdtrt_id", "med_list_codg", "fee_day"], params)
    detail = concat("「", rows.med_list_codg, "」每日限", qty_text(rows.allowed.min().over(group)), "，",
                    day_text(rows.fee_day), "共", qty_text(rows.total_qty), _tail(rows))  # fmt: skip
    return _emit(tables, "R03_FREQ_DAY", rows, key(rows.mdtrt_id, rows.med_list_codg, rows.fee_day), detail)


def per_stay(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    cat = tables.catalogue.filter(_.max_per_stay.notnull())
    lines = with_item(tables.lines(), cat, {"allowed": _.max_per_stay})
    inpatient = tables.stays().filter(_.inpatient).select(s_mdtrt=_.mdtrt_id)
    lines = lines.semi_join(inpatient, lines.mdtrt_id == inpatient.s_mdtrt)
    rows, group = excess(lines, ["mdtrt_id", "med_list_codg"], params)
    detail = concat("「", rows.med_list_codg, "」每次住院限", qty_text(rows.allowed.min().over(group)), "，本次住院共",
                    qty_text(rows.total_qty), _tail(rows))  # fmt: skip
    return _emit(tables, "R04_FREQ_STAY", rows, key(rows.mdtrt_id, rows.med_list_codg), detail)


def per_period(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    limits = tables.raw[params["limits"]].select(l_code=_.med_list_codg, window_days=_.window_days,
                                                 max_cnt=_.max_cnt.cast(QTY))  # fmt: skip
    lines = tables.lines()
    lines = lines.semi_join(limits, lines.med_list_codg == limits.l_code)
    days = lines.group_by("psn_no", "med_list_codg", "fee_day").agg(day_qty=_.cnt.sum().cast(QTY))
    days = days.mutate(epoch=days.fee_day.epoch_days())
    days = days.join(limits, days.med_list_codg == limits.l_code)
    other = days.select(o_psn=_.psn_no, o_code=_.med_list_codg, o_epoch=_.epoch, o_qty=_.day_qty)
    window = days.join(other, [
        days.psn_no == other.o_psn, days.med_list_codg == other.o_code, other.o_epoch <= days.epoch,
        other.o_epoch > days.epoch - days.window_days,
    ])  # fmt: skip
    window = window.group_by("psn_no", "med_list_codg", "fee_day", "day_qty", "window_days", "max_cnt").agg(
        window_qty=_.o_qty.sum().cast(QTY)
    )
    zero = ibis.literal(0).cast(QTY)
    window = window.mutate(
        viol_qty=ibis.least(window.day_qty, ibis.greatest((window.window_qty - window.max_cnt).cast(QTY), zero))
    )
    window = window.filter(window.viol_qty > 0).mutate(allowed=(_.day_qty - _.viol_qty).cast(QTY))
    window = window.rename(w_psn="psn_no", w_code="med_list_codg", w_day="fee_day")
    lines = lines.join(window, [lines.psn_no == window.w_psn, lines.med_list_codg == window.w_code,
                                lines.fee_day == window.w_day])  # fmt: skip
    rows, group = excess(lines, ["psn_no", "med_list_codg", "fee_day"], params)
    detail = concat("「", rows.med_list_codg, "」每", int_text(rows.window_days.min().over(group)), "日限",
                    qty_text(rows.max_cnt.min().over(group)), "，截至", day_text(rows.fee_day), "的",
                    int_text(rows.window_days.min().over(group)), "日内共",
                    qty_text(rows.window_qty.min().over(group)), _tail(rows))  # fmt: skip
    return _emit(tables, "R05_FREQ_PERIOD", rows, key(rows.psn_no, rows.med_list_codg, rows.fee_day), detail)


_AMOUNT_ZH = "超出限定数量部分 × 单价（逐条明细按时间顺序计）"
_AMOUNT_EN = "quantity beyond the limit × unit price, line by line in time order"

RULES = (
    Rule("R03_FREQ_DAY", "超限定频次（每日）", "Over the daily frequency limit", "policy", "violation", "单日",
         "single day", _AMOUNT_ZH, _AMOUNT_EN, (MIN_AMOUNT,), per_day),
    Rule("R04_FREQ_STAY", "超限定频次（每次住院）", "Over the per-stay limit", "policy", "violation", "当次住院",
         "this inpatient stay", _AMOUNT_ZH, _AMOUNT_EN, (MIN_AMOUNT,), per_stay),
    Rule("R05_FREQ_PERIOD", "超限定频次（每N日）", "Over the limit per N days", "policy", "violation", "N日（滚动）",
         "rolling N days", _AMOUNT_ZH, _AMOUNT_EN,
         (MIN_AMOUNT, ParamSpec("limits", "table", "period_limit", "每N日限量表", "table of per-N-day limits")),
         per_period),
)  # fmt: skip
