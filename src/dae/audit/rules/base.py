"""What every audit rule shares: the :class:`Rule` record, the derived tables rules read, the output shape.

A rule is a pure function ``(tables, params) -> ibis.Table`` over the audit tables (``backends.AuditTables``). It
returns *finding rows* in one fixed long shape (:data:`OUTPUT_SCHEMA`): one row per piece of evidence, the
finding's own columns repeated on each of its rows. The engine splits them into findings and evidence. One table
instead of two keeps each rule one query (nothing computed twice) and runs the same on DuckDB and Spark (no arrays
of structs, whose order Spark does not keep).

Evidence follows 3101/3102 (``vola_item_type``): ``violation`` (违规项) for a line (or a settlement) that breaks the
rule, ``involved`` (涉及项) for one that only takes part (the first of two duplicate lines, the main item of a
bundled pair, the earlier of two stays). Stay-level rules give settlements as evidence with no line.

Everything here is backend-neutral Ibis: no SQL text, no backend branch. Amounts stay decimal from the input to
``amount_at_issue`` (DECIMAL(16,2)); products are cast to narrow decimals before multiplying so that neither
engine has to drop digits, and rounded half up to the fen once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import ibis  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
import ibis.expr.datatypes as dt  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs
from ibis import _
from ibis.expr.types import BooleanValue, DateValue, StringValue, Table, Value  # type: ignore[import-untyped]  # pyarrow and ibis ship no type stubs

from dae.audit.params import ParamSpec

if TYPE_CHECKING:
    from dae.audit.backends import AuditTables

MONEY = dt.Decimal(16, 2)
QTY = dt.Decimal(16, 4)
PRICE = dt.Decimal(16, 6)
#: Zero money, and "no settlement" (a null setl_id), for the rules' window expressions.
ZERO_MONEY = ibis.literal(0).cast(MONEY)
NO_SETL = ibis.null().cast("string")

VIOLATION = "violation"  # 违规项 (3101 vola_item_type 1)
INVOLVED = "involved"  # 涉及项 (3101 vola_item_type 2)

#: The columns every rule returns, in this order (one row per piece of evidence).
OUTPUT_SCHEMA = ibis.schema(
    {
        "rule_id": "string",
        "finding_key": "string",
        "setl_id": "string",
        "psn_no": "string",
        "fixmedins_code": "string",
        "amount_at_issue": MONEY,
        "detail": "string",
        "ev_setl_id": "string",
        "ev_feedetl_sn": "string",
        "ev_role": "string",
    }
)

#: med_type codes of inpatient care (医疗类别 2x 住院, 52 生育住院); everything else is outpatient.
INPATIENT_MED_TYPE_PREFIXES = ("2", "52")

Category = Literal["policy", "management", "medical"]
ResultType = Literal["violation", "suspicious"]
CATEGORY_ZH = {"policy": "政策类", "management": "管理类", "medical": "医疗类"}
RESULT_ZH = {"violation": "违规", "suspicious": "可疑"}

RuleFunction = Callable[["AuditTables", Mapping[str, Any]], Table]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the library: identity, classification, parameters, and the query that finds its cases.

    ``window`` is the rule's time window in the national vocabulary (当次住院, 单日 …); ``amount`` says how the
    amount at issue of one finding is computed (shown in the docs and the rule list).
    """

    id: str
    name_zh: str
    name_en: str
    category: Category
    result: ResultType
    window_zh: str
    window_en: str
    amount_zh: str
    amount_en: str
    params: tuple[ParamSpec, ...]
    build: RuleFunction

    def __call__(self, tables: AuditTables, params: Mapping[str, Any]) -> Table:
        return self.build(tables, params)


# --- derived tables (built once per run by the engine, see AuditTables) ------------------------------------------


def valid_settlements(settlement: Table) -> Table:
    """Settlements that count: neither a cancellation (2305, ``init_setl_id`` set) nor cancelled by one."""
    cancels = settlement.filter(_.init_setl_id.notnull() & (_.init_setl_id != ""))
    cancelled = cancels.select(setl_id=_.init_setl_id)
    kept = settlement.filter(_.init_setl_id.isnull() | (_.init_setl_id == ""))
    return kept.anti_join(cancelled, "setl_id")


def dropped_settlements(fee_line: Table, settlement: Table) -> Table:
    """The settlement ids on fee lines whose lines do not count: cancellations, cancelled settlements and ids with
    no settlement at all. Small (a few per thousand); the net lines leave them out by an anti-join."""
    valid = valid_settlements(settlement).select("setl_id")
    return fee_line.select("setl_id").distinct().anti_join(valid, "setl_id")


def refund_totals(fee_line: Table, dropped: Table) -> Table:
    """Refund lines (negative ``cnt``, ``init_feedetl_sn`` = the line they reverse) of counting settlements, summed
    per reversed line (``r_mdtrt_id``, ``r_sn``). Small: one row per refunded line."""
    refunds = fee_line.filter((_.cnt < 0) & _.init_feedetl_sn.notnull() & (_.init_feedetl_sn != ""))
    return (
        refunds.anti_join(dropped, "setl_id")
        .group_by(r_mdtrt_id=_.mdtrt_id, r_sn=_.init_feedetl_sn)
        .agg(r_cnt=_.cnt.sum(), r_amount=_.det_item_fee_sumamt.sum())
    )


def net_lines_over(fee_line: Table, dropped: Table, refunds: Table) -> Table:
    """The net lines read where the fee lines are: charges of counting settlements (anti-join ``dropped``) with
    their refunds (``refunds``, from :func:`refund_totals`) subtracted; lines refunded in full are gone. Adds
    ``fee_day`` (the date of ``fee_ocur_time``). Nothing is copied: on DuckDB this is a view."""
    charges = fee_line.filter(_.cnt > 0).anti_join(dropped, "setl_id")
    joined = charges.left_join(refunds, [charges.mdtrt_id == refunds.r_mdtrt_id, charges.feedetl_sn == refunds.r_sn])
    netted = joined.select(
        "setl_id",
        "mdtrt_id",
        "psn_no",
        "fixmedins_code",
        "feedetl_sn",
        "fee_ocur_time",
        "med_list_codg",
        "med_chrgitm_type",
        "pric",
        fee_day=_.fee_ocur_time.date(),
        cnt=(_.cnt + _.r_cnt.fill_null(0)).cast(QTY),
        amount=(_.det_item_fee_sumamt + _.r_amount.fill_null(0)).cast(MONEY),
    )
    return netted.filter(_.cnt > 0)


def net_lines(fee_line: Table, settlement: Table) -> Table:
    """Fee lines of valid settlements with refunds netted: a refund line (negative ``cnt``, ``init_feedetl_sn`` =
    the line it reverses within the same visit) lowers its original's quantity and amount; a line refunded in full
    and the refund lines themselves are gone. Adds ``fee_day`` (the date of ``fee_ocur_time``). The composition
    of :func:`dropped_settlements`, :func:`refund_totals` and :func:`net_lines_over`."""
    dropped = dropped_settlements(fee_line, settlement)
    return net_lines_over(fee_line, dropped, refund_totals(fee_line, dropped))


def stays(settlement: Table) -> Table:
    """One row per visit (``mdtrt_id``) over its valid settlements: the latest settlement's id, person, hospital,
    medical type and main diagnosis; the first admission and last discharge dates; the total medical fee;
    ``inpatient`` from the medical type."""
    valid = valid_settlements(settlement)
    latest = ibis.window(group_by=_.mdtrt_id, order_by=[ibis.desc(_.setl_time), ibis.desc(_.setl_id)])
    ranked = valid.mutate(rank=ibis.row_number().over(latest))
    last = ranked.filter(_.rank == 0).select(
        "mdtrt_id", "setl_id", "psn_no", "fixmedins_code", "med_type", dise_codg=_.dise_codg.fill_null("")
    )
    spans = valid.group_by("mdtrt_id").agg(
        adm_date=_.adm_date.min(), dscg_date=_.dscg_date.max(), medfee_sumamt=_.medfee_sumamt.sum().cast(MONEY)
    )
    inpatient: BooleanValue = ibis.or_(*(last.med_type.startswith(p) for p in INPATIENT_MED_TYPE_PREFIXES))
    return last.mutate(inpatient=inpatient).join(spans, "mdtrt_id")


def visit_diagnoses(settlement: Table, diagnosis: Table) -> Table:
    """Every diagnosis code of each visit, upper case: the settlements' main diagnoses (``is_main``) plus the
    diagnosis table's other diagnoses."""
    main = valid_settlements(settlement).filter(_.dise_codg.notnull() & (_.dise_codg != ""))
    codes = main.select("mdtrt_id", dx=_.dise_codg.upper(), is_main=ibis.literal(True)).union(
        diagnosis.select("mdtrt_id", dx=_.dise_codg.upper(), is_main=ibis.literal(False))
    )
    return codes.distinct()


# --- joins the rules share ------------------------------------------------------------------------------------------


def with_item(lines: Table, items: Table, columns: Mapping[str, Value | str]) -> Table:
    """``lines`` joined to the catalogue version in force on each line's fee day (``[begin_date, end_date)``).

    ``items`` is the catalogue (already narrowed to the rows a rule cares about); ``columns`` names the catalogue
    columns to keep, under new names (``{"cap": "pric_uplmt_amt"}``), so they never collide with line columns.
    """
    cat = items.select(c_code=_.med_list_codg, c_begin=_.begin_date, c_end=_.end_date, **columns)
    joined = lines.join(
        cat,
        [
            lines.med_list_codg == cat.c_code,
            cat.c_begin <= lines.fee_day,
            cat.c_end.isnull() | (lines.fee_day < cat.c_end),
        ],
    )
    return joined.drop("c_code", "c_end")


def line_order(t: Table) -> list[Value]:
    """The one order of lines within a group: time, then settlement and serial number (a total order)."""
    return [t.fee_ocur_time, t.setl_id, t.feedetl_sn]


# --- text of the findings -------------------------------------------------------------------------------------------


def money_text(value: Value) -> StringValue:
    """An amount as text with two places (``12.30``)."""
    return value.cast(MONEY).cast("string")


def qty_text(value: Value) -> StringValue:
    """A quantity as text without padding zeros (``3``, ``2.5``)."""
    return value.cast(QTY).cast("string").re_replace(r"\.?0+$", "")


def price_text(value: Value) -> StringValue:
    """A unit price as text with at least two places (``12.50``, ``1.005``)."""
    return value.cast(PRICE).cast("string").re_replace(r"0{1,4}$", "")


def int_text(value: Value) -> StringValue:
    return value.cast("int64").cast("string")


def day_text(value: DateValue) -> StringValue:
    return value.cast("string")


def concat(*parts: Value | str) -> StringValue:
    """Text from pieces (literal strings and string columns)."""
    out: StringValue = ibis.literal("")
    for part in parts:
        out = out + part
    return out


def key(*parts: Value) -> StringValue:
    """A finding key: the parts joined with ``|`` (stable, readable, unique within the rule)."""
    out: StringValue = parts[0].cast("string")
    for part in parts[1:]:
        out = out + "|" + part.cast("string")
    return out


# --- output -----------------------------------------------------------------------------------------------------


def emit(tables: AuditTables, rule_id: str, rows: Table) -> Table:
    """The rule's rows in :data:`OUTPUT_SCHEMA`. ``rows`` has ``finding_key``, ``setl_id``, ``amount``, ``detail``,
    ``ev_setl_id``, ``ev_feedetl_sn`` (null for a settlement) and ``ev_role``; the finding's person and hospital
    come from its settlement."""
    who = tables.settlement.select(s_setl_id=_.setl_id, s_psn_no=_.psn_no, s_fixmedins_code=_.fixmedins_code)
    joined = rows.join(who, rows.setl_id == who.s_setl_id)
    return joined.select(
        rule_id=ibis.literal(rule_id),
        finding_key=_.finding_key.cast("string"),
        setl_id=_.setl_id.cast("string"),
        psn_no=_.s_psn_no.cast("string"),
        fixmedins_code=_.s_fixmedins_code.cast("string"),
        amount_at_issue=_.amount.cast(MONEY),
        detail=_.detail.cast("string"),
        ev_setl_id=_.ev_setl_id.cast("string"),
        ev_feedetl_sn=_.ev_feedetl_sn.cast("string"),
        ev_role=_.ev_role.cast("string"),
    )


NO_LINE = ibis.null().cast("string")

#: Every rule has this one: findings below it are not reported (起报金额; 0 reports all).
MIN_AMOUNT = ParamSpec("min_amount", "decimal", "0", "起报金额", "smallest amount at issue reported", "元", 0)


def at_least(rows: Table, amount: Value, params: Mapping[str, Any]) -> Table:
    """Rows whose finding amount is at least the rule's ``min_amount``."""
    floor = params["min_amount"]
    if floor <= 0:
        return rows
    return rows.filter(amount >= ibis.literal(floor).cast(MONEY))


def line_amount(value: Value) -> Value:
    """An amount rounded half up to the fen, as DECIMAL(16,2)."""
    return value.round(2).cast(MONEY)


def per_item(v: Table, issue: Value, detail: Callable[[Table, Any], StringValue], params: Mapping[str, Any]) -> Table:
    """Findings of a line restriction: the violating lines ``v`` grouped by settlement and item, one finding each;
    every line is a 违规项, ``issue`` is each line's amount at issue and the finding's amount is their sum.

    ``detail(rows, group)`` builds the explanation from the group's values: ``n`` lines, ``total`` amount, the
    group keys, and aggregates ``over(group)`` of other columns (never a bare line column: every row of a finding
    must carry the same text)."""
    group = ibis.window(group_by=[v.setl_id, v.med_list_codg])
    rows = v.mutate(issue=issue)
    rows = rows.mutate(total=rows.issue.sum().over(group), n=rows.feedetl_sn.count().over(group))
    rows = at_least(rows, rows.total, params)
    rows = rows.mutate(detail=detail(rows, group), finding_key=key(rows.setl_id, rows.med_list_codg))
    return rows.select(
        "finding_key",
        "setl_id",
        "detail",
        amount=rows.total,
        ev_setl_id=rows.setl_id,
        ev_feedetl_sn=rows.feedetl_sn,
        ev_role=ibis.literal(VIOLATION),
    )
