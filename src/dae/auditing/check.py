"""The single-claim check (单笔审核): the same rules on one settlement, answering in well under a second.

Three callers: a stored settlement (the reviewer's 重新审核 on one claim), the window's manual claim before it is
approved, and a hospital's 3101/3102-style request before or during a stay (明细审核事前/事中分析). Each builds the
person's slice of the audit tables — their stored stays within :data:`runs.CONTEXT_DAYS`, plus the claim being
checked — and calls :func:`dae.audit.check_one` with the rules as the manager has set them now.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import connection
from django.utils import timezone

from dae.audit import RULES, AuditData, Findings, check_one
from dae.audit.rules.base import CATEGORY_ZH
from dae.audit.schemas import OPTIONAL_TABLES, SCHEMAS, conform, stored_schema
from dae.catalog.models import CatalogueItem, Hospital
from dae.claims.models import Settlement
from dae.core import inputs
from dae.core.errors import InvalidInput
from dae.core.money import round_fen
from dae.enrollment.models import Person

from . import person_slice, rulebook
from .codes import Code
from .engine_adapters import data_from_querysets
from .models import RuleSetting
from .runs import CONTEXT_DAYS

#: Rules that need the day of each fee line: a manual claim's lines carry no time, so these are left out for it.
DAY_RULES = ("R01_DUP_SAME_DAY", "R02_DUP_BUNDLED", "R03_FREQ_DAY", "R05_FREQ_PERIOD", "R12_COURSE",
             "R14_IDLE_BED", "R17_CROSS_PERIOD", "R18_SUBSTITUTE")  # fmt: skip


#: The catalogue as audit tables, kept between checks with the signature it was read under.
_CATALOGUE: dict[str, tuple[tuple[Any, ...], dict[str, pa.Table]]] = {}
CATALOGUE_TABLES = ("catalogue", "item_dise_prefix", "item_hosp_lv")


def _signature(sql: str) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def catalogue_tables() -> dict[str, pa.Table]:
    """The catalogue's audit tables, read again only when the catalogue changed: versions are added (count,
    highest id) or closed (how many have an end date, the earliest and latest end). One aggregate query per
    check instead of the whole catalogue."""
    table = connection.ops.quote_name(CatalogueItem._meta.db_table)
    key = _signature(f"SELECT COUNT(*), MAX(id), COUNT(end_date), MIN(end_date), MAX(end_date) FROM {table}")
    cached = _CATALOGUE.get("tables")
    if cached is not None and cached[0] == key:
        return cached[1]
    data = data_from_querysets(
        Settlement.objects.none(),
        persons=Person.objects.none(),
        hospitals=Hospital.objects.none(),
        catalogue=CatalogueItem.objects.all(),
    )
    tables = {name: data[name] for name in CATALOGUE_TABLES}
    _CATALOGUE["tables"] = (key, tables)
    return tables


#: The rule book and its parameter tables (conformed), kept with the signature of the settings they were read
#: under: settings are only ever added (a change is a new version), so their count, highest id and latest time
#: change with every change.
_BOOK: dict[str, tuple[tuple[Any, ...], rulebook.Book, dict[str, pa.Table]]] = {}


def current_book() -> tuple[rulebook.Book, dict[str, pa.Table]]:
    """:func:`rulebook.current_book` and its parameter tables, read again only when a setting was added."""
    table = connection.ops.quote_name(RuleSetting._meta.db_table)
    key = _signature(f"SELECT COUNT(*), MAX(id), MAX(created_at) FROM {table}")
    cached = _BOOK.get("book")
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    book = rulebook.current_book()
    tables = {name: conform(name, t) for name, t in book.engine_tables().items()}
    _BOOK["book"] = (key, book, tables)
    return book, tables


#: Empty tables of the optional schemas a stored slice leaves out (the same objects every check).
_EMPTY = {name: stored_schema(name).empty_table() for name in OPTIONAL_TABLES}


def _person_data(psn_no: str, around: tuple[dt.date, dt.date], book: rulebook.Book) -> AuditData:
    """The person's slice: their stored settlements within :data:`CONTEXT_DAYS` of ``around`` and their lines (plain
    SQL, :mod:`.person_slice`), with the resident hospitals, catalogue and the book's parameter tables — the same
    tables as ``data_from_querysets`` on the person's querysets."""
    lo, hi = around[0] - dt.timedelta(days=CONTEXT_DAYS), around[1] + dt.timedelta(days=CONTEXT_DAYS)
    cached = _BOOK.get("book")
    params = cached[2] if cached is not None and cached[1] is book else book.engine_tables()
    own = {name: conform(name, t) for name, t in person_slice.person_tables(psn_no, lo, hi).items()}
    tables = {**_EMPTY, **params, **catalogue_tables(), "hospital": person_slice.hospitals(), **own}
    return AuditData({name: tables[name] for name in SCHEMAS})


def check_settlement(settlement: Settlement) -> Findings:
    """The current rules on a stored settlement."""
    book, _tables = current_book()
    data = _person_data(settlement.psn_no, (settlement.adm_date, settlement.dscg_date), book)
    return check_one(data, settlement.setl_id, book.rule_ids, book.engine_params())


def _with(data: AuditData, name: str, rows: dict[str, list[Any]]) -> AuditData:
    """``data`` with ``rows`` appended to table ``name``."""
    tables = dict(data.tables)
    extra = pa.table(rows, schema=tables[name].schema)
    tables[name] = conform(name, pa.concat_tables([tables[name], extra]))
    return AuditData(tables)


def check_manual_claim(claim: Any) -> Findings:
    """The current rules on a window manual claim (not yet a settlement) and its entered fee lines. Its lines have no
    time of their own, so the rules that compare days (:data:`DAY_RULES`) are left out."""
    book, _tables = current_book()
    rule_ids = tuple(r for r in book.rule_ids if r not in DAY_RULES)
    data = _person_data(claim.psn_no, (claim.adm_date, claim.dscg_date), book)
    setl_id = f"MANUAL-{claim.number}"
    mdtrt_id = f"MANUAL-{claim.number}"
    stay_end = dt.datetime.combine(claim.dscg_date, dt.time(12))
    data = _with(data, "settlement", {
        "setl_id": [setl_id], "init_setl_id": [None], "mdtrt_id": [mdtrt_id], "psn_no": [claim.psn_no],
        "fixmedins_code": [claim.hospital.code], "med_type": [claim.med_type], "adm_date": [claim.adm_date],
        "dscg_date": [claim.dscg_date], "setl_time": [stay_end], "dise_codg": [claim.dise_codg or None],
        "medfee_sumamt": [claim.medfee_sumamt]})  # fmt: skip
    lines = list(claim.fee_lines.all())
    data = _with(data, "fee_line", {
        "feedetl_sn": [x.feedetl_sn for x in lines], "init_feedetl_sn": [x.init_feedetl_sn or None for x in lines],
        "setl_id": [setl_id] * len(lines), "mdtrt_id": [mdtrt_id] * len(lines), "psn_no": [claim.psn_no] * len(lines),
        "fixmedins_code": [claim.hospital.code] * len(lines), "fee_ocur_time": [stay_end] * len(lines),
        "med_list_codg": [x.med_list_codg or "" for x in lines], "med_chrgitm_type": [x.med_chrgitm_type for x in lines],
        "cnt": [x.cnt for x in lines],
        "pric": [x.pric if x.pric is not None else _unit_price(x.det_item_fee_sumamt, x.cnt) for x in lines],
        "det_item_fee_sumamt": [x.det_item_fee_sumamt for x in lines]})  # fmt: skip
    params = book.engine_params()
    return check_one(data, setl_id, rule_ids, {r: params[r] for r in rule_ids})


def _unit_price(amount: Decimal, cnt: Decimal) -> Decimal:
    """The unit price of a line entered without one (6 places, as the column)."""
    return (amount / cnt).quantize(Decimal("0.000001")) if cnt else Decimal(0)


# -- 3101 / 3102 -------------------------------------------------------------------------------------------


def _time(value: Any, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    text = str(value)
    try:
        parsed = (
            dt.datetime.fromisoformat(text)
            if len(text) > 10
            else dt.datetime.combine(inputs.leading_date(text, field=where, label=where), dt.time(8))
        )
    except ValueError as exc:
        raise InvalidInput(f"{where} 时间格式错误：{value}", code=Code.BAD_TIME, details=[{"path": where}]) from exc
    return parsed.replace(tzinfo=None)


def analyse(data_in: Mapping[str, Any], *, scene: str, own_hospital: str | None = None) -> dict[str, Any]:
    """Answer a 3101 (``scene`` "3101", before) or 3102 ("3102", during) request: ``data_in`` is the checked
    input (``syscode``, ``rule_ids``/``trig_scen``, ``task_id``, ``patient_dtos``); the answer is
    ``{"result": [违规信息…]}`` in the 3101/3102 output vocabulary. Only the current visit (``curr_mdtrt_id``) is
    reported on; the person's stored stays are read for the rules that look across stays."""
    book, _tables = current_book()
    wanted = tuple(data_in.get("rule_ids") or ())
    unknown = [r for r in wanted if r not in RULES]
    if unknown:
        raise InvalidInput(f"未知的规则：{', '.join(unknown)}", code=Code.UNKNOWN_RULE, details=[{"path": "rule_ids"}])
    rule_ids = tuple(r for r in book.rule_ids if not wanted or r in wanted)
    params = book.engine_params()
    task_id = data_in.get("task_id") or uuid.uuid4().hex
    result: list[dict[str, Any]] = []
    for p, patient in enumerate(data_in["patient_dtos"]):
        result.extend(
            _analyse_patient(patient, p, book, rule_ids, {r: params[r] for r in rule_ids}, task_id, own_hospital)
        )
    return {"result": result, "task_id": task_id, "scene": scene}


def _analyse_patient(
    patient: Mapping[str, Any],
    p: int,
    book: rulebook.Book,
    rule_ids: tuple[str, ...],
    params: dict[str, dict[str, Any]],
    task_id: str,
    own_hospital: str | None = None,
) -> list[dict[str, Any]]:
    where = f"patient_dtos[{p}]"
    psn_no = patient["patn_id"]
    current = patient["curr_mdtrt_id"]
    encounters = {e["mdtrt_id"]: e for e in patient["fsi_encounter_dtos"]}
    if current not in encounters:
        raise InvalidInput(
            f"{where}.curr_mdtrt_id {current} 不在 fsi_encounter_dtos 中",
            code=Code.BAD_ENCOUNTER,
            details=[{"path": f"{where}.curr_mdtrt_id"}],
        )
    today = timezone.localdate()
    spans = [
        (
            inputs.leading_date(e["adm_date"], field=f"{where}.adm_date", label=f"{where}.adm_date"),
            inputs.leading_date(e.get("dscg_date") or today, field=f"{where}.dscg_date", label=f"{where}.dscg_date"),
        )
        for e in encounters.values()
    ]
    data = _person_data(psn_no, (min(s[0] for s in spans), max(s[1] for s in spans)), book)
    if not data["person"].num_rows:
        data = _with(
            data,
            "person",
            {
                "psn_no": [psn_no],
                "gend": [patient.get("gend") or None],
                "brdy": [
                    inputs.leading_date(patient["brdy"], field=f"{where}.brdy", label=f"{where}.brdy")
                    if patient.get("brdy")
                    else None
                ],
            },
        )
    hospitals = set(data["hospital"]["fixmedins_code"].to_pylist())
    setl_of: dict[str, str] = {}
    now = timezone.localtime().replace(tzinfo=None)
    for i, (mdtrt_id, e) in enumerate(encounters.items()):
        adm, dscg = spans[i]
        setl_of[mdtrt_id] = f"{task_id}:{mdtrt_id}"
        if e["medins_id"] not in hospitals:
            data = _with(data, "hospital", {"fixmedins_code": [e["medins_id"]], "hosp_lv": [e.get("medins_lv")]})
            hospitals.add(e["medins_id"])
        data = _with(data, "settlement", {
            "setl_id": [setl_of[mdtrt_id]], "init_setl_id": [None], "mdtrt_id": [mdtrt_id], "psn_no": [psn_no],
            "fixmedins_code": [e["medins_id"]], "med_type": [e["med_type"]], "adm_date": [adm], "dscg_date": [dscg],
            "setl_time": [now], "dise_codg": [e.get("dscg_main_dise_codg") or None],
            "medfee_sumamt": [Decimal(str(e.get("medfee_sumamt") or 0))]})  # fmt: skip
    diagnoses = [d for d in patient.get("fsi_diagnose_dtos") or [] if not d.get("maindise_flag") == "1"]
    if diagnoses:
        data = _with(
            data,
            "diagnosis",
            {
                "mdtrt_id": [d.get("mdtrt_id") or current for d in diagnoses],
                "dise_codg": [d["dise_codg"] for d in diagnoses],
            },
        )
    orders = list(patient.get("fsi_order_dtos") or [])
    cols: dict[str, list[Any]] = {name: [] for name in data["fee_line"].schema.names}
    for j, o in enumerate(orders):
        mdtrt_id = o.get("mdtrt_id") or current
        if mdtrt_id not in encounters:
            raise InvalidInput(
                f"{where}.fsi_order_dtos[{j}] 的就诊标识 {mdtrt_id} 不在 fsi_encounter_dtos 中",
                code=Code.BAD_ENCOUNTER,
                details=[{"path": f"{where}.fsi_order_dtos[{j}]"}],
            )
        cnt, pric = Decimal(str(o["cnt"])), Decimal(str(o["pric"]))
        row = {
            "feedetl_sn": o["rx_id"],
            "init_feedetl_sn": None,
            "setl_id": setl_of[mdtrt_id],
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "fixmedins_code": encounters[mdtrt_id]["medins_id"],
            "fee_ocur_time": _time(o.get("drord_begn_date") or now, f"{where}.fsi_order_dtos[{j}].drord_begn_date"),
            "med_list_codg": o["hilist_code"],
            "med_chrgitm_type": o.get("chrg_type") or "",
            "cnt": cnt,
            "pric": pric,
            "det_item_fee_sumamt": (
                Decimal(str(o["sumamt"])) if o.get("sumamt") is not None else round_fen(cnt * pric)
            ),
        }
        for name in cols:
            cols[name].append(row[name])
    data = _with(data, "fee_line", cols)
    found = check_one(data, setl_of[current], rule_ids, params)
    settlements = data["settlement"]
    hidden = set()
    if own_hospital is not None:  # a hospital learns that another stay exists, not which one
        hidden = {
            sid
            for sid, code in zip(
                settlements["setl_id"].to_pylist(), settlements["fixmedins_code"].to_pylist(), strict=True
            )
            if code != own_hospital
        }
    return _output(found, psn_no, task_id, {v: k for k, v in setl_of.items()}, hidden)


def _output(
    found: Findings, psn_no: str, task_id: str, virtual: dict[str, str], hidden: set[str] = frozenset()
) -> list[dict[str, Any]]:  # type: ignore[assignment]
    """Findings as 3101/3102 违规信息 with 违规明细 (``vola_item_type`` 1 违规项, 2 涉及项)."""
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for ev in found.evidence_records():
        by_key.setdefault((ev["rule_id"], ev["finding_key"]), []).append(ev)
    out = []
    for n, f in enumerate(found.records()):
        rule = RULES[f["rule_id"]]
        details = []
        for i, ev in enumerate(by_key.get((f["rule_id"], f["finding_key"]), [])):
            mdtrt = virtual.get(ev["ev_setl_id"], "")
            details.append(
                {
                    "jrd_id": f"{n + 1}-{i + 1}",
                    "patn_id": psn_no,
                    "mdtrt_id": mdtrt,
                    "setl_id": "" if mdtrt or ev["ev_setl_id"] in hidden else ev["ev_setl_id"],
                    "rx_id": "" if ev["ev_setl_id"] in hidden else (ev["ev_feedetl_sn"] or ""),
                    "vola_item_type": "1" if ev["ev_role"] == "violation" else "2",
                }
            )
        out.append(
            {
                "jr_id": f"{task_id}-{n + 1}",
                "rule_id": rule.id,
                "rule_name": rule.name_zh,
                "vola_cont": f["detail"],
                "patn_id": psn_no,
                "mdtrt_id": virtual.get(f["setl_id"], ""),
                "vola_amt": str(f["amount_at_issue"]),
                "vola_amt_stas": "1",
                "sev_deg": "1" if rule.result == "violation" else "2",
                "vola_evid": f"{rule.name_zh}：{rule.amount_zh}",
                "vola_bhvr_type": CATEGORY_ZH[rule.category],
                "task_id": task_id,
                "judge_result_detail_dtos": details,
            }
        )
    return out
