"""The demo city as audit data, the demo's rule parameters, and the score of an audit run against the plants.

``city_audit_data(city)`` puts a generated :class:`~dae.demo.city.City` into the audit engine's tables
(``dae.audit.SCHEMAS``): its settlements, fee lines, persons, hospitals, catalogue with the restriction columns, and
the parameter tables of :data:`DEMO_AUDIT_TABLES` (the demo catalogue's codes). ``score(findings, city)`` compares a
run's findings with ``City.planted`` rule by rule: planted cases found, findings that match no planted case (false
positives, each with a reason class found by looking at it), recall and precision. ``write_truth`` / ``read_truth``
keep the ground truth as JSON next to a loaded demo, so an audit run on the database can be scored later.

Pure Python over pyarrow: no Django import.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from dae.audit import SCHEMAS, AuditData, Findings
from dae.demo.city import City, PlantedCase
from dae.demo.medical_data import (
    BUNDLED_ITEMS,
    COURSE_LIMITS,
    MATERIAL_PROCEDURES,
    ONCE_DAILY_ITEMS,
    PERIOD_LIMITS,
)
from dae.demo.reference import build_catalogue

__all__ = [
    "DEMO_AUDIT_TABLES",
    "DEMO_RULE_PARAMS",
    "RULE_IDS",
    "RuleScore",
    "city_audit_data",
    "format_scores",
    "param_tables",
    "read_truth",
    "score",
    "truth",
    "write_truth",
]

#: The 18 rules in id order (the same ids as ``dae.audit.RULES``).
RULE_IDS = (
    "R01_DUP_SAME_DAY", "R02_DUP_BUNDLED", "R03_FREQ_DAY", "R04_FREQ_STAY", "R05_FREQ_PERIOD", "R06_SEX", "R07_AGE",
    "R08_HOSP_LEVEL", "R09_SETTING", "R10_DIAGNOSIS", "R11_PRICE_CAP", "R12_COURSE", "R13_SPLIT_STAY",
    "R14_IDLE_BED", "R15_OVERLAP", "R16_REPEAT_STAY", "R17_CROSS_PERIOD", "R18_SUBSTITUTE",
)  # fmt: skip
#: Rules whose evidence is whole stays (settlements, no line).
STAY_RULES = frozenset({"R13_SPLIT_STAY", "R14_IDLE_BED", "R15_OVERLAP", "R16_REPEAT_STAY"})
#: Rules whose plant adds a whole stay (the others change lines, or stretch a stay).
NEW_STAY_RULES = frozenset({"R13_SPLIT_STAY", "R15_OVERLAP", "R16_REPEAT_STAY"})

_CODES = {item.row.med_list_name: item.row.med_list_codg for item in build_catalogue()}


def code(name: str) -> str:
    """The demo catalogue's national code of an item, by its catalogue name (the same for every seed)."""
    return _CODES[name]


#: The demo's parameter tables (the engine's ``once_daily_item``, ``bundle_pair``, ``period_limit``,
#: ``course_limit``, ``material_procedure``), in the demo catalogue's codes: the audit manager's initial parameters.
DEMO_AUDIT_TABLES: dict[str, list[dict[str, Any]]] = {
    "once_daily_item": [{"med_list_codg": code(name)} for name in ONCE_DAILY_ITEMS],
    "bundle_pair": [{"main_codg": code(main), "acc_codg": code(acc)} for main, acc in BUNDLED_ITEMS],
    "period_limit": [
        {"med_list_codg": code(name), "window_days": days, "max_cnt": Decimal(most)}
        for name, days, most in PERIOD_LIMITS
    ],  # fmt: skip
    "course_limit": [{"med_list_codg": code(name), "max_days": days} for name, days in COURSE_LIMITS],
    "material_procedure": [
        {"material_codg": code(material), "procedure_codg": code(procedure)}
        for material, procedures in MATERIAL_PROCEDURES
        for procedure in procedures
    ],  # fmt: skip
}

#: Scalar rule parameters the demo sets (rule id → parameter → value); every other parameter keeps its default.
DEMO_RULE_PARAMS: dict[str, dict[str, Any]] = {}


# --- the city as audit tables -----------------------------------------------------------------------------------


def _column(rows: Sequence[Any], name: str, kind: pa.DataType) -> pa.Array:
    return pa.array([getattr(r, name) for r in rows], type=kind)


def city_audit_data(city: City, tables: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> AuditData:
    """The city in the audit engine's tables; ``tables`` are the parameter tables (default
    :data:`DEMO_AUDIT_TABLES`). The catalogue is valid from 1 January of the year before the city's year, as the
    loader stores it (``catalog.demo``); the demo has no secondary diagnoses."""
    tables = DEMO_AUDIT_TABLES if tables is None else tables
    money, qty, price, text, day, moment = (pa.decimal128(16, 2), pa.decimal128(16, 4), pa.decimal128(16, 6),
                                             pa.string(), pa.date32(), pa.timestamp("us"))  # fmt: skip
    lines = city.fee_lines
    fee_line = pa.table({
        "feedetl_sn": _column(lines, "feedetl_sn", text),
        "init_feedetl_sn": _column(lines, "init_feedetl_sn", text),
        "setl_id": _column(lines, "setl_id", text),
        "mdtrt_id": _column(lines, "mdtrt_id", text),
        "psn_no": _column(lines, "psn_no", text),
        "fixmedins_code": _column(lines, "fixmedins_code", text),
        "fee_ocur_time": _column(lines, "fee_ocur_time", moment),
        "med_list_codg": _column(lines, "med_list_codg", text),
        "med_chrgitm_type": _column(lines, "med_chrgitm_type", text),
        "cnt": _column(lines, "cnt", qty),
        "pric": _column(lines, "pric", price),
        "det_item_fee_sumamt": _column(lines, "det_item_fee_sumamt", money),
    })  # fmt: skip
    setl = city.settlements
    settlement = pa.table({
        "setl_id": _column(setl, "setl_id", text),
        "init_setl_id": _column(setl, "init_setl_id", text),
        "mdtrt_id": _column(setl, "mdtrt_id", text),
        "psn_no": _column(setl, "psn_no", text),
        "fixmedins_code": _column(setl, "fixmedins_code", text),
        "med_type": _column(setl, "med_type", text),
        "adm_date": _column(setl, "adm_date", day),
        "dscg_date": _column(setl, "dscg_date", day),
        "setl_time": _column(setl, "setl_time", moment),
        "dise_codg": _column(setl, "dise_codg", text),
        "medfee_sumamt": _column(setl, "medfee_sumamt", money),
    })  # fmt: skip
    person = pa.table({"psn_no": _column(city.persons, "psn_no", text), "gend": _column(city.persons, "gend", text),
                       "brdy": _column(city.persons, "brdy", day)})  # fmt: skip
    hospital = pa.table({"fixmedins_code": _column(city.hospitals, "fixmedins_code", text),
                         "hosp_lv": _column(city.hospitals, "hosp_lv", text)})  # fmt: skip
    items = city.catalogue
    begin = date(city.year - 1, 1, 1)
    catalogue = pa.table({
        "med_list_codg": _column(items, "med_list_codg", text),
        "name": _column(items, "med_list_name", text),
        "begin_date": pa.array([begin] * len(items), type=day),
        "end_date": pa.nulls(len(items), type=day),
        "pric_uplmt_amt": _column(items, "pric_uplmt_amt", price),
        "lmt_sex": pa.array([i.lmt_sex or None for i in items], type=text),
        "lmt_age_min": _column(items, "lmt_age_min", pa.int32()),
        "lmt_age_max": _column(items, "lmt_age_max", pa.int32()),
        "max_per_day": _column(items, "max_per_day", qty),
        "max_per_stay": _column(items, "max_per_stay", qty),
        "min_hosp_grade": _column(items, "min_hosp_grade", pa.int32()),
        "inpatient_only": _column(items, "inpatient_only", pa.bool_()),
        "outpatient_only": _column(items, "outpatient_only", pa.bool_()),
    })  # fmt: skip
    prefixes = [(i.med_list_codg, p) for i in items for p in _split(i.dise_prefixes)]
    levels = [(i.med_list_codg, lv) for i in items for lv in _split(i.hosp_lvs)]
    data: dict[str, Any] = {
        "fee_line": fee_line,
        "settlement": settlement,
        "person": person,
        "hospital": hospital,
        "catalogue": catalogue,
        "item_dise_prefix": pa.table({"med_list_codg": pa.array([c for c, _ in prefixes], type=text),
                                      "begin_date": pa.array([begin] * len(prefixes), type=day),
                                      "dise_prefix": pa.array([p for _, p in prefixes], type=text)}),
        "item_hosp_lv": pa.table({"med_list_codg": pa.array([c for c, _ in levels], type=text),
                                  "begin_date": pa.array([begin] * len(levels), type=day),
                                  "hosp_lv": pa.array([lv for _, lv in levels], type=text)}),
    }  # fmt: skip
    data.update(param_tables(tables))
    return AuditData.of(data)


def param_tables(tables: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> dict[str, pa.Table]:
    """Parameter tables (default :data:`DEMO_AUDIT_TABLES`) as pyarrow tables of the engine's schemas, e.g. for
    ``dae.auditing.engine_adapters.data_from_querysets(..., params=param_tables())`` on a loaded demo."""
    tables = DEMO_AUDIT_TABLES if tables is None else tables
    return {name: pa.table({f.name: pa.array([row[f.name] for row in rows], type=f.type) for f in SCHEMAS[name]})
            for name, rows in tables.items()}  # fmt: skip


def _split(values: str) -> list[str]:
    return [v for v in values.split(",") if v]


# --- the ground truth -----------------------------------------------------------------------------------------------

#: A planted case's key within its rule: (settlement, line) for line rules, (settlement, None) for stay rules.
CaseKey = tuple[str, str | None]


def truth(city: City | Sequence[PlantedCase]) -> dict[str, set[CaseKey]]:
    """The planted cases of every rule (all 18 ids, empty sets included) as (setl_id, feedetl_sn) keys; a stay
    rule's key has no line."""
    planted = city.planted if isinstance(city, City) else city
    out: dict[str, set[CaseKey]] = {rule_id: set() for rule_id in RULE_IDS}
    for case in planted:
        out.setdefault(case.rule_id, set()).add((case.setl_id, None if case.rule_id in STAY_RULES else case.feedetl_sn))
    return out


@dataclass(frozen=True)
class Truth:
    """The ground truth as written next to a loaded demo: the planted cases and how the city was generated (so it
    can be generated again, byte for byte, to explain the findings)."""

    seed: int
    year: int
    persons: int
    hospitals: int
    rates: dict[str, float]
    planted: tuple[PlantedCase, ...]

    def city(self) -> City:
        """The same city again (the generator is deterministic)."""
        from dae.demo.generator import generate_city
        from dae.demo.plants import plants

        return generate_city(seed=self.seed, persons=self.persons, hospitals=self.hospitals, year=self.year,
                             plants=plants(rates=self.rates) if self.rates else ())  # fmt: skip


def write_truth(city: City, path: str | Path, rates: Mapping[str, float] | None = None) -> Path:
    """Write the city's planted cases (and what regenerates the city: seed, year, sizes, the plants' ``rates``)
    as UTF-8 JSON; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "format_version": 1,
        "seed": city.seed,
        "year": city.year,
        "persons": len(city.persons),
        "hospitals": len(city.hospitals),
        "rates": dict(sorted((rates or {}).items())),
        "planted": [{"rule_id": p.rule_id, "setl_id": p.setl_id, "feedetl_sn": p.feedetl_sn, "mdtrt_id": p.mdtrt_id,
                     "psn_no": p.psn_no} for p in city.planted],
    }  # fmt: skip
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # replaced whole: a reader never sees half
    staged.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(staged, target)
    return target


def read_truth(path: str | Path) -> Truth:
    """The truth written by :func:`write_truth`."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    if document.get("format_version") != 1:
        raise ValueError(f"无法识别的埋点文件版本: {document.get('format_version')!r} (unknown truth file version)")
    planted = tuple(PlantedCase(p["rule_id"], p["setl_id"], p["feedetl_sn"], p["mdtrt_id"], p["psn_no"])
                    for p in document["planted"])  # fmt: skip
    return Truth(int(document["seed"]), int(document["year"]), int(document["persons"]), int(document["hospitals"]),
                 {k: float(v) for k, v in document["rates"].items()}, planted)  # fmt: skip


# --- scoring ----------------------------------------------------------------------------------------------------

#: Reason classes of findings that match no planted case.
OTHER_PLANT = "a line planted for {rule} also breaks this rule"
PLANTED_STAY = "a stay planted for {rule} fires too: its lines are the generator's (copied or drafted alike)"
OVER_CAP = "the generator's own above-cap price (fees.OVER_CAP_SHARE: 1.2% of lines, 5–30% above the cap)"
LUMPED_BILLING = ("the generator bills each drug, test and treatment as one line on one day "
                  "(fees._elastic_lines): the days between carry only ward fees")  # fmt: skip
NATURAL_READMISSION = "natural readmission in the generated care (the diagnosis kept for the next stay)"
COURSE_READMISSION = "planned cancer or leukaemia treatment cycles readmitted within the window"
NATURAL_USE = "the generator uses the item outside its restriction (it does not know the restriction)"
NATURAL_REPEAT = "the generator charges the item again within the rule's window"
UNEXPLAINED = "unexplained"

_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class FalsePositive:
    """A finding that matches no planted case, with the reason class found by looking at it."""

    finding_key: str
    setl_id: str
    reason: str


@dataclass(frozen=True)
class RuleScore:
    """One rule's findings against its planted cases."""

    rule_id: str
    planted: int
    found: int  # planted cases with a finding of the rule whose violation evidence is the planted line / stay
    findings: int
    false_positives: tuple[FalsePositive, ...] = field(default=())

    @property
    def recall(self) -> Decimal | None:
        return _ratio(self.found, self.planted)

    @property
    def precision(self) -> Decimal | None:
        return _ratio(self.findings - len(self.false_positives), self.findings)

    @property
    def reasons(self) -> dict[str, int]:
        """False positives by reason class, most first."""
        counts: dict[str, int] = defaultdict(int)
        for fp in self.false_positives:
            counts[fp.reason] += 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _ratio(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def score(findings: Findings, city: City, planted: Sequence[PlantedCase] | None = None) -> list[RuleScore]:
    """Each rule's planted cases found and its false positives with their reasons (``planted`` overrides
    ``city.planted``, e.g. the truth read back from a file)."""
    cases = truth(city if planted is None else planted)
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for ev in findings.evidence.to_pylist():
        by_key[(ev["rule_id"], ev["finding_key"])].append(ev)
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in findings.findings.to_pylist():
        rows[row["rule_id"]].append(row)
    context = _Context(city, cases)
    scores = []
    for rule_id in sorted(set(RULE_IDS) | set(cases) | set(rows)):
        wanted = cases.get(rule_id, set())
        stay = rule_id in STAY_RULES
        found: set[CaseKey] = set()
        false: list[FalsePositive] = []
        for row in rows.get(rule_id, []):
            evidence = by_key[(rule_id, row["finding_key"])]
            violations = [(ev["ev_setl_id"], None if stay else ev["ev_feedetl_sn"]) for ev in evidence
                          if ev["ev_role"] == "violation"]  # fmt: skip
            hits = [v for v in violations if v in wanted]
            if hits:
                found.update(hits)
            else:
                false.append(FalsePositive(row["finding_key"], row["setl_id"],
                                           context.reason(rule_id, violations, evidence)))  # fmt: skip
        scores.append(RuleScore(rule_id, len(wanted), len(found), len(rows.get(rule_id, [])), tuple(false)))
    return scores


class _Context:
    """What explaining a false positive looks up in the city: lines, settlements, stays, the catalogue."""

    def __init__(self, city: City, cases: Mapping[str, set[CaseKey]]) -> None:
        self.lines = {(line.setl_id, line.feedetl_sn): line for line in city.fee_lines}
        self.settlements = {s.setl_id: s for s in city.settlements}
        self.catalogue = {item.med_list_codg: item for item in city.catalogue}
        self.planted_lines: dict[CaseKey, str] = {}
        self.planted_stays: dict[str, str] = {}  # mdtrt_id → rule of a planted stay
        for rule_id, keys in cases.items():
            for setl_id, sn in keys:
                if sn is not None:
                    self.planted_lines[(setl_id, sn)] = rule_id
                elif setl_id in self.settlements:
                    self.planted_stays[self.settlements[setl_id].mdtrt_id] = rule_id

    def _stay_rule(self, setl_id: str | None) -> str | None:
        settlement = self.settlements.get(setl_id or "")
        return None if settlement is None else self.planted_stays.get(settlement.mdtrt_id)

    def reason(self, rule_id: str, violations: list[CaseKey], evidence: list[dict[str, Any]]) -> str:
        for setl_id, sn in violations:
            other = self.planted_lines.get((setl_id, sn or ""))
            if other is not None and other != rule_id:
                return OTHER_PLANT.format(rule=other)
        for ev in evidence:
            other = self._stay_rule(ev["ev_setl_id"])
            if other is None or (other == rule_id and ev["ev_role"] == "violation"):
                continue
            # A stay the plants made (R13, R15, R16) has only planted lines; a stretched stay (R14) keeps the
            # generator's, so only a stay rule is answered by its planting.
            if other in NEW_STAY_RULES or rule_id in STAY_RULES:
                return PLANTED_STAY.format(rule=other)
        if rule_id == "R11_PRICE_CAP":
            lines = [self.lines.get((s, n or "")) for s, n in violations]
            if lines and all(line is not None and line.pric > line.pric_uplmt_amt for line in lines):
                return OVER_CAP
            return UNEXPLAINED
        if rule_id == "R14_IDLE_BED":
            return LUMPED_BILLING
        if rule_id in ("R13_SPLIT_STAY", "R16_REPEAT_STAY"):
            codes = {self.settlements[ev["ev_setl_id"]].dise_codg for ev in evidence if ev["ev_setl_id"] in
                     self.settlements}  # fmt: skip
            if codes and all(code.startswith(("C", "Z51")) for code in codes):
                return COURSE_READMISSION
            return NATURAL_READMISSION if codes else UNEXPLAINED
        if rule_id in ("R01_DUP_SAME_DAY", "R03_FREQ_DAY", "R04_FREQ_STAY", "R05_FREQ_PERIOD", "R12_COURSE"):
            return NATURAL_REPEAT
        if rule_id in (
            "R06_SEX",
            "R07_AGE",
            "R08_HOSP_LEVEL",
            "R09_SETTING",
            "R10_DIAGNOSIS",
            "R02_DUP_BUNDLED",
            "R18_SUBSTITUTE",
            "R17_CROSS_PERIOD",
        ):
            return NATURAL_USE
        return UNEXPLAINED


# --- the table for the terminal -------------------------------------------------------------------------------------


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cell(text: str, width: int, right: bool = True) -> str:
    pad = " " * max(0, width - _width(text))
    return pad + text if right else text + pad


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.4f}"


def format_scores(scores: Iterable[RuleScore]) -> str:
    """The scores as a table (Chinese and English headers), then the false positives by reason class."""
    scores = list(scores)
    headers = (("规则", "rule"), ("埋点", "planted"), ("检出", "found"), ("发现", "findings"),
               ("误报", "false pos."), ("召回率", "recall"), ("精确率", "precision"))  # fmt: skip
    body: list[tuple[str, ...]] = [(s.rule_id, str(s.planted), str(s.found), str(s.findings), str(len(s.false_positives)), _fmt(s.recall),
             _fmt(s.precision)) for s in scores]  # fmt: skip
    totals = (sum(s.planted for s in scores), sum(s.found for s in scores), sum(s.findings for s in scores),
              sum(len(s.false_positives) for s in scores))  # fmt: skip
    body.append(("合计 total", *(str(t) for t in totals), _fmt(_ratio(totals[1], totals[0])),
                 _fmt(_ratio(totals[2] - totals[3], totals[2]))))  # fmt: skip
    widths = [max(_width(row[i]) for row in [*(h for h in zip(*headers, strict=True)), *body])
              for i in range(len(headers))]  # fmt: skip
    out = []
    for line in zip(*headers, strict=True):
        out.append("  ".join(_cell(text, widths[i], right=i > 0) for i, text in enumerate(line)))
    out.append("  ".join("-" * w for w in widths))
    for row in body:
        if row[0].startswith("合计"):
            out.append("  ".join("-" * w for w in widths))
        out.append("  ".join(_cell(text, widths[i], right=i > 0) for i, text in enumerate(row)))
    reasons = [(s.rule_id, n, reason) for s in scores for reason, n in s.reasons.items()]
    if reasons:
        out.append("")
        out.append("误报原因 (false positives by reason):")
        for rule_id, n, reason in reasons:
            out.append(f"  {rule_id:<17} {n:>6}  {reason}")
    return "\n".join(out)


# --- command line -------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m dae.demo.audit_data``: generate a planted city, run every rule on it, print the scores."""
    import argparse
    import time

    from dae.audit import run_rules
    from dae.demo.generator import DEFAULT_SEED, generate_city
    from dae.demo.plants import DEFAULT_PLANTS, DEFAULT_RATES

    parser = argparse.ArgumentParser(prog="python -m dae.demo.audit_data", description=main.__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--hospitals", type=int, default=60)
    parser.add_argument("--year", type=int, default=2025, help="the year `dae demo` loads by default")
    parser.add_argument("--truth", type=Path, help="also write the ground truth to this JSON file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    city = generate_city(seed=args.seed, persons=args.persons, hospitals=args.hospitals, year=args.year,
                         plants=DEFAULT_PLANTS)  # fmt: skip
    generated = time.perf_counter()
    data = city_audit_data(city)
    found = run_rules(data, params=DEMO_RULE_PARAMS)
    audited = time.perf_counter()
    print(f"城市 (city): seed {city.seed}, {len(city.persons):,} persons, {len(city.settlements):,} settlements, "
          f"{len(city.fee_lines):,} fee lines, {len(city.planted):,} planted; generated in {generated - started:.1f}s, "
          f"audited in {audited - generated:.1f}s")  # fmt: skip
    print(format_scores(score(found, city)))
    if args.truth:
        print(f"埋点真值 (ground truth): {write_truth(city, args.truth, rates=DEFAULT_RATES)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
