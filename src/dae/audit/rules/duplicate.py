"""重复收费 (duplicate charging, 条例第三十八条 (三)): the same once-a-day item on two lines of one day, and an
accompanying item charged with the main item that already includes it.

The first of the duplicate lines (in time order) is 涉及项, the others 违规项 and their amounts are at issue.
For a bundled pair the accompanying item's lines are 违规项 (their amounts at issue) and the main item's lines
涉及项. Pairs and once-a-day items are parameter tables (``once_daily_item``, ``bundle_pair``).
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
    NO_SETL,
    VIOLATION,
    ZERO_MONEY,
    Rule,
    at_least,
    concat,
    day_text,
    emit,
    int_text,
    key,
    line_order,
    money_text,
)

if TYPE_CHECKING:
    from dae.audit.backends import AuditTables



def same_day(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    items = tables.raw[params["items"]].select(i_code=_.med_list_codg).distinct()
    lines = tables.lines()
    lines = lines.semi_join(items, lines.med_list_codg == items.i_code)
    group = ibis.window(group_by=[lines.mdtrt_id, lines.med_list_codg, lines.fee_day])
    ordered = ibis.window(group_by=[lines.mdtrt_id, lines.med_list_codg, lines.fee_day], order_by=line_order(lines))
    rows = lines.mutate(n=lines.feedetl_sn.count().over(group), seq=ibis.row_number().over(ordered))
    rows = rows.filter(rows.n >= 2)
    rows = rows.mutate(first=rows.seq == 0)
    rows = rows.mutate(issue=ibis.ifelse(rows.first, ZERO_MONEY, rows.amount))
    rows = rows.mutate(total=rows.issue.sum().over(group),
                       setl=ibis.ifelse(rows.first, NO_SETL, rows.setl_id).min().over(group))  # fmt: skip
    rows = at_least(rows, rows.total, params)
    return emit(tables, "R01_DUP_SAME_DAY", rows.select(
        finding_key=key(rows.mdtrt_id, rows.med_list_codg, rows.fee_day),
        setl_id=rows.setl,
        amount=rows.total,
        detail=concat("「", rows.med_list_codg, "」每日限收一次，", day_text(rows.fee_day), "同一就诊收取",
                      int_text(rows.n), "次，重复收费", money_text(rows.total), "元"),
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.ifelse(rows.first, INVOLVED, VIOLATION),
    ))  # fmt: skip


def bundled(tables: AuditTables, params: Mapping[str, Any]) -> Table:
    pairs = tables.raw[params["pairs"]].select(main=_.main_codg, acc=_.acc_codg).distinct()
    codes = pairs.select(code=_.main).union(pairs.select(code=_.acc)).distinct()
    lines = tables.lines()
    lines = lines.semi_join(codes, lines.med_list_codg == codes.code)
    seen = lines.select(mdtrt=_.mdtrt_id, day=_.fee_day, code=_.med_list_codg).distinct()
    mains = seen.rename(pm_mdtrt="mdtrt", pm_day="day", pm_code="code")
    accs = seen.rename(pa_mdtrt="mdtrt", pa_day="day", pa_code="code")
    fired = mains.join(pairs, mains.pm_code == pairs.main)
    fired = fired.join(accs, [fired.pm_mdtrt == accs.pa_mdtrt, fired.pm_day == accs.pa_day, fired.acc == accs.pa_code])
    fired = fired.select(f_mdtrt=_.pm_mdtrt, f_day=_.pm_day, f_acc=_.acc, f_main=_.main)
    firsts = fired.group_by("f_mdtrt", "f_day", "f_acc").agg(f_main_min=_.f_main.min())
    acc_rows = lines.join(
        firsts, [lines.mdtrt_id == firsts.f_mdtrt, lines.fee_day == firsts.f_day, lines.med_list_codg == firsts.f_acc]
    ).select("setl_id", "feedetl_sn", "amount", "f_mdtrt", "f_day", "f_acc", "f_main_min",
             violating=ibis.literal(True))  # fmt: skip
    main_rows = lines.join(
        fired, [lines.mdtrt_id == fired.f_mdtrt, lines.fee_day == fired.f_day, lines.med_list_codg == fired.f_main]
    )
    main_rows = main_rows.join(firsts, ["f_mdtrt", "f_day", "f_acc"]).select(
        "setl_id", "feedetl_sn", "amount", "f_mdtrt", "f_day", "f_acc", "f_main_min", violating=ibis.literal(False)
    )
    rows = acc_rows.union(main_rows)
    group = ibis.window(group_by=[rows.f_mdtrt, rows.f_day, rows.f_acc])
    rows = rows.mutate(issue=ibis.ifelse(rows.violating, rows.amount, ZERO_MONEY))
    rows = rows.mutate(total=rows.issue.sum().over(group),
                       n=ibis.ifelse(rows.violating, 1, 0).sum().over(group),
                       setl=ibis.ifelse(rows.violating, rows.setl_id, NO_SETL).min().over(group))  # fmt: skip
    rows = at_least(rows, rows.total, params)
    return emit(tables, "R02_DUP_BUNDLED", rows.select(
        finding_key=key(rows.f_mdtrt, rows.f_acc, rows.f_day),
        setl_id=rows.setl,
        amount=rows.total,
        detail=concat("「", rows.f_acc, "」已含于主项目「", rows.f_main_min, "」，", day_text(rows.f_day),
                      "同时收取，重复收费", int_text(rows.n), "条，金额", money_text(rows.total), "元"),
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.ifelse(rows.violating, VIOLATION, INVOLVED),
    ))  # fmt: skip


RULES = (
    Rule("R01_DUP_SAME_DAY", "重复收费（同日同项目）", "Duplicate charge: once-a-day item twice a day", "policy",
         "violation", "单日", "single day", "除第一条外同日同项目明细金额之和",
         "sum of that day's lines of the item after the first",
         (MIN_AMOUNT, ParamSpec("items", "table", "once_daily_item", "每日限收一次的项目表",
                                "table of once-a-day items")), same_day),
    Rule("R02_DUP_BUNDLED", "重复收费（主项目含附带项目）", "Duplicate charge: accompanying item with its main item",
         "policy", "violation", "单日", "single day", "同日附带项目明细金额之和",
         "sum of the accompanying item's lines of that day",
         (MIN_AMOUNT, ParamSpec("pairs", "table", "bundle_pair", "主项目与附带项目对照表",
                                "table of main and accompanying items")), bundled),
)  # fmt: skip
