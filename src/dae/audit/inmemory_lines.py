"""In-memory evaluators of the per-line rules (:mod:`dae.audit.inmemory`): the catalogue restrictions 限性别,
限年龄, 限定医院等级, 限门诊/限住院, 限定支付范围 (``rules.restriction``) and the frequency limits per day and per
stay (``rules.frequency``), each line matched to every catalogue version in force on its day (``with_item``).

Pure: no Django, no DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from dae.audit.inmemory_text import VIOLATION, Row, floor_of, money, money_text, qty_text
from dae.audit.relevance import NetLine, Slice
from dae.audit.rules.restriction import HOSPITAL_GRADE, SEX_ZH

INVOLVED = "involved"
#: One violating line of a restriction with the values its explanation reads (catalogue version, person …).
Hit = tuple[NetLine, dict[str, Any]]


def in_force(s: Slice, keep: Callable[[dict[str, Any]], bool]) -> Iterator[tuple[NetLine, list[dict[str, Any]]]]:
    """The net lines with the catalogue versions of their item in force on their day that ``keep`` accepts
    (``with_item``); lines with none are skipped."""
    for line, versions in s.line_versions:
        kept = [v for v in versions if keep(v)]
        if kept:
            yield line, kept


def per_item(rule_id: str, hits: list[Hit], params: Mapping[str, Any],
             detail: Callable[[str, list[Hit]], str]) -> list[Row]:  # fmt: skip
    """``rules.base.per_item`` with the line's net amount at issue: one finding per settlement and item, every
    line a 违规项; ``detail(code, hits)`` gives the explanation without :func:`summary`."""
    groups: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit[0].setl_id, hit[0].med_list_codg), []).append(hit)
    floor = floor_of(params)
    rows: list[Row] = []
    for (setl_id, code), group in groups.items():
        total = sum((line.amount for line, _v in group), Decimal(0))
        if floor is not None and total < floor:
            continue
        text = f"{detail(code, group)}，共{len(group)}条，金额{money_text(total)}元"
        rows.extend((rule_id, f"{setl_id}|{code}", setl_id, money(total), text, setl_id, line.feedetl_sn, VIOLATION)
                    for line, _v in group)  # fmt: skip
    return rows


def _max(values: Iterable[Any]) -> Any:
    """SQL ``max``: nulls ignored, null when there is nothing else."""
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _persons(s: Slice) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in s.data["person"].to_pylist():
        out.setdefault(row["psn_no"], []).append(row)
    return out


# --- 限性别 -------------------------------------------------------------------------------------------------------


def sex(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    persons = _persons(s)
    hits: list[Hit] = []
    for line, versions in in_force(s, lambda v: v["lmt_sex"] not in (None, "")):
        for v in versions:
            hits.extend((line, {"c_sex": v["lmt_sex"], "gend": p["gend"]}) for p in persons.get(line.psn_no, ())
                        if p["gend"] is not None and p["gend"] != v["lmt_sex"])  # fmt: skip

    def detail(code: str, group: list[Hit]) -> str:
        c_sex, gend = _max(h["c_sex"] for _l, h in group), _max(h["gend"] for _l, h in group)
        return f"「{code}」限{SEX_ZH.get(c_sex, '未知')}性使用，参保人性别为{SEX_ZH.get(gend, '未知')}"

    return per_item("R06_SEX", hits, params, detail)


# --- 限年龄 / 限儿童 -----------------------------------------------------------------------------------------------


def age(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    persons = _persons(s)
    hits: list[Hit] = []
    for line, versions in in_force(s, lambda v: v["lmt_age_min"] is not None or v["lmt_age_max"] is not None):
        for v in versions:
            for p in persons.get(line.psn_no, ()):
                if p["brdy"] is None:
                    continue
                day, born = line.fee_day, p["brdy"]
                years = day.year - born.year - ((day.month * 100 + day.day) < (born.month * 100 + born.day))
                low, high = v["lmt_age_min"], v["lmt_age_max"]
                if (low is not None and years < low) or (high is not None and years > high):
                    hits.append((line, {"c_min": low, "c_max": high, "age": years}))
    child_max = int(params["child_age_max"])

    def detail(code: str, group: list[Hit]) -> str:
        low, high = _max(h["c_min"] for _l, h in group), _max(h["c_max"] for _l, h in group)
        span = f"{high}岁及以下" if low is None else f"{low}岁及以上" if high is None else f"{low}至{high}岁"
        kind = "（限儿童）" if high is not None and high <= child_max else ""
        return f"「{code}」限{span}使用{kind}，患者{min(h['age'] for _l, h in group)}岁"

    return per_item("R07_AGE", hits, params, detail)


# --- 限定医院等级 ----------------------------------------------------------------------------------------------------


def hospital_level(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    allowed: dict[tuple[str, Any], list[str]] = {}
    for row in s.data["item_hosp_lv"].to_pylist():
        allowed.setdefault((row["med_list_codg"], row["begin_date"]), []).append(row["hosp_lv"])
    hospitals: dict[str, list[str]] = {}
    for row in s.data["hospital"].to_pylist():
        hospitals.setdefault(row["fixmedins_code"], []).append(row["hosp_lv"] or "")
    hits: list[Hit] = []
    for line, versions in in_force(s, lambda v: v["min_hosp_grade"] is not None
                                   or (v["med_list_codg"], v["begin_date"]) in allowed):  # fmt: skip
        for v in versions:
            listed = allowed.get((v["med_list_codg"], v["begin_date"]))
            for hosp_lv in hospitals.get(line.fixmedins_code, ()):
                grade, need = HOSPITAL_GRADE.get(hosp_lv, 0), v["min_hosp_grade"]
                matches = listed.count(hosp_lv) if listed is not None else 0
                if (need is not None and grade < need) or (listed is not None and not matches):
                    hits.extend([(line, {"c_grade": need, "hosp_lv": hosp_lv})] * max(1, matches))

    def detail(code: str, group: list[Hit]) -> str:
        need = _max(h["c_grade"] for _l, h in group)
        rule = f"限{need}级及以上医院使用" if need is not None else "限指定等级医院使用"
        return f"「{code}」{rule}，本机构等级代码{_max(h['hosp_lv'] for _l, h in group)}"

    return per_item("R08_HOSP_LEVEL", hits, params, detail)


# --- 限门诊 / 限住院 ---------------------------------------------------------------------------------------------------


def setting(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    stays = {stay.mdtrt_id: stay for stay in s.stays}
    hits: list[Hit] = []
    for line, versions in in_force(s, lambda v: bool(v["inpatient_only"]) or bool(v["outpatient_only"])):
        stay = stays.get(line.mdtrt_id)
        if stay is None:
            continue
        for v in versions:
            if (v["inpatient_only"] and not stay.inpatient) or (v["outpatient_only"] and stay.inpatient):
                hits.append((line, {"inpatient": stay.inpatient, "med_type": stay.med_type}))

    def detail(code: str, group: list[Hit]) -> str:
        inpatient = any(h["inpatient"] for _l, h in group)
        rule = "限门诊使用，本次为住院" if inpatient else "限住院使用，本次为门诊"
        return f"「{code}」{rule}（医疗类别{_max(h['med_type'] for _l, h in group)}）"

    return per_item("R09_SETTING", hits, params, detail)


# --- 限定支付范围 (diagnosis) -------------------------------------------------------------------------------------------


def diagnosis_scope(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    prefixes: dict[tuple[str, Any], list[str]] = {}
    for row in s.data["item_dise_prefix"].to_pylist():
        prefixes.setdefault((row["med_list_codg"], row["begin_date"]), []).append(row["dise_prefix"].upper())
    if not prefixes:
        return []
    valid = {r["setl_id"] for r in s.valid_settlements}
    dx: dict[str, set[str]] = {}
    for r in s.settlement_rows:
        if r["setl_id"] in valid and r["dise_codg"]:
            dx.setdefault(r["mdtrt_id"], set()).add(r["dise_codg"].upper())
    if params["use_secondary"]:
        for r in s.data["diagnosis"].to_pylist():
            if r["dise_codg"] is not None:
                dx.setdefault(r["mdtrt_id"], set()).add(r["dise_codg"].upper())
    stays = {stay.mdtrt_id: stay for stay in s.stays}
    hits: list[Hit] = []
    for line, versions in in_force(s, lambda v: (v["med_list_codg"], v["begin_date"]) in prefixes):
        codes = dx.get(line.mdtrt_id, set())
        matched = any(d[: len(p)] == p for v in versions for p in prefixes[(v["med_list_codg"], v["begin_date"])]
                      for d in codes)  # fmt: skip
        stay = stays.get(line.mdtrt_id)
        if not matched and stay is not None:
            hits.extend((line, {"main_dx": stay.dise_codg}) for _v in versions)

    def detail(code: str, group: list[Hit]) -> str:
        main = _max(h["main_dx"] for _l, h in group)
        return f"「{code}」限定诊断范围使用，本次就诊诊断（主诊断{main}）不在其支付范围内"

    return per_item("R10_DIAGNOSIS", hits, params, detail)


# --- 超限定频次 (per day, per stay) -------------------------------------------------------------------------------------


def _excess(rule_id: str, groups: dict[tuple[Any, ...], list[tuple[NetLine, Decimal]]], params: Mapping[str, Any],
            detail: Callable[[tuple[Any, ...], Decimal, Decimal, Decimal, Decimal], str]) -> list[Row]:  # fmt: skip
    """``rules.frequency.excess``: per group (lines with their allowed quantity), the lines in time order; a line's
    quantity beyond the limit is at issue (× its price, to the fen). ``detail(group key, smallest allowed,
    total quantity, quantity over, amount)``."""
    floor = floor_of(params)
    rows: list[Row] = []
    for group_key, members in groups.items():
        total_qty = sum((line.cnt for line, _a in members), Decimal(0))
        kept = sorted(((line, allowed) for line, allowed in members if total_qty > allowed),
                      key=lambda m: (m[0].fee_ocur_time, m[0].setl_id, m[0].feedetl_sn))  # fmt: skip
        if not kept:
            continue
        cum, out = Decimal(0), []
        for line, allowed in kept:
            cum += line.cnt
            over = min(line.cnt, max(cum - allowed, Decimal(0)))
            out.append((line, allowed, over, money(over * line.pric)))
        total = sum((issue for *_x, issue in out), Decimal(0))
        violating = [line.setl_id for line, _a, over, _i in out if over > 0]
        if (floor is not None and total < floor) or not violating:
            continue
        over_total = sum((over for _l, _a, over, _i in out), Decimal(0))
        text = detail(group_key, min(a for _l, a, _o, _i in out), total_qty, over_total, total)
        key = "|".join(str(k) for k in group_key)
        rows.extend((rule_id, key, min(violating), money(total), text, line.setl_id, line.feedetl_sn,
                     VIOLATION if over > 0 else INVOLVED) for line, _a, over, _i in out)  # fmt: skip
    return rows


def per_day(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    groups: dict[tuple[Any, ...], list[tuple[NetLine, Decimal]]] = {}
    for line, versions in in_force(s, lambda v: v["max_per_day"] is not None):
        for v in versions:
            groups.setdefault((line.mdtrt_id, line.med_list_codg, line.fee_day), []).append((line, v["max_per_day"]))

    def detail(k: tuple[Any, ...], allowed: Decimal, total_qty: Decimal, over: Decimal, total: Decimal) -> str:
        return (f"「{k[1]}」每日限{qty_text(allowed)}，{k[2].isoformat()}共{qty_text(total_qty)}，超出{qty_text(over)}，"
                f"金额{money_text(total)}元")  # fmt: skip

    return _excess("R03_FREQ_DAY", groups, params, detail)


def per_stay(s: Slice, params: Mapping[str, Any]) -> list[Row]:
    inpatient = {stay.mdtrt_id for stay in s.stays if stay.inpatient}
    groups: dict[tuple[Any, ...], list[tuple[NetLine, Decimal]]] = {}
    for line, versions in in_force(s, lambda v: v["max_per_stay"] is not None):
        if line.mdtrt_id in inpatient:
            for v in versions:
                groups.setdefault((line.mdtrt_id, line.med_list_codg), []).append((line, v["max_per_stay"]))

    def detail(k: tuple[Any, ...], allowed: Decimal, total_qty: Decimal, over: Decimal, total: Decimal) -> str:
        return (f"「{k[1]}」每次住院限{qty_text(allowed)}，本次住院共{qty_text(total_qty)}，超出{qty_text(over)}，"
                f"金额{money_text(total)}元")  # fmt: skip

    return _excess("R04_FREQ_STAY", groups, params, detail)
