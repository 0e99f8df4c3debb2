"""Rules evaluated in plain Python on one person's slice (the single-claim check), with the same definitions as
their Ibis queries in :mod:`dae.audit.rules`: the same parameters, catalogue rows, derived tables (valid
settlements, net lines, stays — built by :class:`relevance.Slice` the way ``rules.base`` builds them) and the
same output rows (rule id, finding key, settlement, amount at issue, detail text, evidence).

A person's slice has a few visits and a few hundred lines; a prepared DuckDB statement costs 5–12 ms on it even
when it finds nothing, these loops well under one. A rule without an evaluator here keeps running on the compiled
suite (:class:`compiled.CompiledSuite`); ``check_one`` splits per rule. The test that keeps them honest runs each
evaluator and its DuckDB rule on the same slices and compares the rows.

Text follows the DuckDB casts the rules use: a date as ``YYYY-MM-DD``, money with two places, a unit price with
six places less up to four trailing zeros (``price_text``), amounts rounded half away from zero to the fen.

Pure: no Django, no DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit import inmemory_lines as lines
from dae.audit.inmemory_text import MICRO, VIOLATION, Row, floor_of, money, money_text, price_text
from dae.audit.relevance import NetLine, Slice

Evaluator = Callable[[Slice, Mapping[str, Any]], list[Row]]

# --- 挂床住院 -------------------------------------------------------------------------------------------------------


def idle_bed(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    """``rules.stays.idle_bed``: an inpatient stay of at least one night whose nights less its days with a net line
    of the active types (from admission to the day before discharge) reach ``min_idle_days``; the amount is the
    idle days times the stay's highest bed price (0 without a bed line)."""
    active_types, bed_types = set(params["active_types"]), set(params["bed_types"])
    floor = floor_of(params)
    by_visit: dict[str, list[NetLine]] = {}
    for line in s.net_lines:
        by_visit.setdefault(line.mdtrt_id, []).append(line)
    rows: list[Row] = []
    for stay in s.stays:
        los = (stay.dscg_date - stay.adm_date).days
        if not stay.inpatient or los <= 0:
            continue
        lines = by_visit.get(stay.mdtrt_id, [])
        active = {x.fee_day for x in lines
                  if x.med_chrgitm_type in active_types and stay.adm_date <= x.fee_day < stay.dscg_date}  # fmt: skip
        idle = los - len(active)
        if idle < int(params["min_idle_days"]):
            continue
        bed = max((x.pric for x in lines if x.med_chrgitm_type in bed_types), default=Decimal(0))
        issue = money(idle * bed)
        if floor is not None and issue < floor:
            continue
        detail = (f"住院{los}天（{stay.adm_date.isoformat()}至{stay.dscg_date.isoformat()}），其中{idle}天无治疗、检查或用药收费，"
                  f"疑似挂床住院，按床位费单价{price_text(bed)}元计{money_text(issue)}元")  # fmt: skip
        rows.append(("R14_IDLE_BED", stay.mdtrt_id, stay.setl_id, issue, detail, stay.setl_id, None, VIOLATION))
    return rows


# --- 超限价 ---------------------------------------------------------------------------------------------------------


def price_cap(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    """``rules.charges.price_cap``: each net line joined to every catalogue version with a cap in force on its day
    (``with_item``), priced above cap + ``tolerance``; per settlement and item one finding, the sum of
    (price − cap) × count per line rounded to the fen (``per_item``)."""
    caps = s.caps
    if not caps:
        return []
    tolerance = Decimal(str(params["tolerance"])).quantize(MICRO, rounding=ROUND_HALF_UP)
    floor = floor_of(params)
    groups: dict[tuple[str, str], list[tuple[NetLine, Decimal, Decimal]]] = {}
    for line in s.net_lines:
        for begin, end, cap in caps.get(line.med_list_codg, ()):
            if begin <= line.fee_day and (end is None or line.fee_day < end) and line.pric > cap + tolerance:
                groups.setdefault((line.setl_id, line.med_list_codg), []).append(
                    (line, cap, money((line.pric - cap) * line.cnt))
                )
    rows: list[Row] = []
    for (setl_id, code), hits in groups.items():
        total = sum((issue for _l, _c, issue in hits), Decimal(0))
        if floor is not None and total < floor:
            continue
        detail = (f"「{code}」单价{price_text(max(x.pric for x, _c, _i in hits))}元超过限价"
                  f"{price_text(min(c for _x, c, _i in hits))}元，共{len(hits)}条，超出金额{money_text(total)}元")  # fmt: skip
        rows.extend(("R11_PRICE_CAP", f"{setl_id}|{code}", setl_id, total, detail, setl_id, x.feedetl_sn, VIOLATION)
                    for x, _c, _i in hits)  # fmt: skip
    return rows


#: The rules evaluated here, by id.
EVALUATORS: dict[str, Evaluator] = {
    "R03_FREQ_DAY": lines.per_day,
    "R04_FREQ_STAY": lines.per_stay,
    "R06_SEX": lines.sex,
    "R07_AGE": lines.age,
    "R08_HOSP_LEVEL": lines.hospital_level,
    "R09_SETTING": lines.setting,
    "R10_DIAGNOSIS": lines.diagnosis_scope,
    "R11_PRICE_CAP": price_cap,
    "R14_IDLE_BED": idle_bed,
}


def run(s: Slice, rule_ids: tuple[str, ...], params: Mapping[str, Mapping[str, Any]], target: pa.Schema) -> pa.Table:
    """The long rows of ``rule_ids`` (each must have an evaluator) on the slice, in ``target`` (the output schema
    as Arrow): a finding's person and hospital are its settlement's, and a row whose settlement is not in the slice
    is dropped (the rules' inner join)."""
    who = {r["setl_id"]: (r["psn_no"], r["fixmedins_code"]) for r in s.settlement_rows}
    columns: dict[str, list[Any]] = {name: [] for name in target.names}
    for rule_id in rule_ids:
        for rule, key, setl_id, amount, detail, ev_setl, ev_sn, role in EVALUATORS[rule_id](s, params[rule_id]):
            for psn_no, fixmedins_code in [who[setl_id]] if setl_id in who else []:
                for name, value in zip(
                    target.names,
                    (rule, key, setl_id, psn_no, fixmedins_code, amount, detail, ev_setl, ev_sn, role),
                    strict=True,
                ):
                    columns[name].append(value)
    return pa.table(columns, schema=target)
