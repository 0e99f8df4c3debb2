"""Plants: a known violation of every audit rule in the demo city, found by the rules, scored against the truth.

A city of 3,000 persons and 12 hospitals with every plant at a rate high enough for at least three cases of each
rule: the rules find all of them (recall 1), each planted case is a textbook case of its rule, every finding that
matches no plant has a reason, and the same seed and plants give the same city. The clean city (no plants) is the
one generated before the plants existed: its tables are byte for byte the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from dae.audit import RULES, Findings, run_rules
from dae.audit.rules.restriction import HOSPITAL_GRADE as ENGINE_GRADE
from dae.audit.schemas import conform
from dae.core.money import round_fen
from dae.demo import plant_kit
from dae.demo.audit_data import (
    COURSE_READMISSION,
    DEMO_AUDIT_TABLES,
    DEMO_RULE_PARAMS,
    LUMPED_BILLING,
    NATURAL_READMISSION,
    NATURAL_USE,
    OVER_CAP,
    PLANTED_STAY,
    RULE_IDS,
    RuleScore,
    city_audit_data,
    format_scores,
    param_tables,
    read_truth,
    score,
    truth,
    write_truth,
)
from dae.demo.city import City, FeeLine, Settlement
from dae.demo.generator import city_digest, generate_city
from dae.demo.medical_data import RESTRICTIONS
from dae.demo.plants import DEFAULT_PLANTS, DEFAULT_RATES, PLANTS, count, plants

# Rates high enough for three or more cases of every rule in a city of 3,000 persons (the default rates are for
# 100,000).
RATE = 0.02
RATES = {"R02_DUP_BUNDLED": 0.3, "R03_FREQ_DAY": 0.15, "R04_FREQ_STAY": 0.15, "R05_FREQ_PERIOD": 0.2,
         "R07_AGE": 0.03, "R09_SETTING": 0.2, "R12_COURSE": 0.1}  # fmt: skip
PLANTED = {
    "R01_DUP_SAME_DAY": 7, "R02_DUP_BUNDLED": 3, "R03_FREQ_DAY": 3, "R04_FREQ_STAY": 3, "R05_FREQ_PERIOD": 4,
    "R06_SEX": 7, "R07_AGE": 5, "R08_HOSP_LEVEL": 7, "R09_SETTING": 3, "R10_DIAGNOSIS": 7, "R11_PRICE_CAP": 7,
    "R12_COURSE": 4, "R13_SPLIT_STAY": 5, "R14_IDLE_BED": 5, "R15_OVERLAP": 5, "R16_REPEAT_STAY": 5,
    "R17_CROSS_PERIOD": 6, "R18_SUBSTITUTE": 6,
}  # fmt: skip
# Findings of the clean city of the same size: the generator's own above-cap prices (R11), its one-line-per-drug
# billing (R14), one readmission at another hospital (R16) and one hemiarthroplasty under 60 (R07).
CLEAN_FINDINGS = {"R07_AGE": 1, "R11_PRICE_CAP": 141, "R14_IDLE_BED": 157, "R16_REPEAT_STAY": 2}
# The clean city of 300 persons before the plants existed: SHA-256 over every table but the catalogue (which has
# gained the restriction columns).
CLEAN_300 = "e9c9562f8e9c3cb3fbbe234d516547126f8fee61fd5735287eb6d643997b211d"
ACTIVE_TYPES = ("03", "04", "05", "06", "09", "10", "11")


@pytest.fixture(scope="module")
def city() -> City:
    return generate_city(persons=3000, hospitals=12, plants=plants(RATE, RATES))


@pytest.fixture(scope="module")
def found(city: City) -> Findings:
    return run_rules(city_audit_data(city))


@pytest.fixture(scope="module")
def scores(city: City, found: Findings) -> dict[str, RuleScore]:
    return {s.rule_id: s for s in score(found, city)}


class Index:
    """Lookups over a city for the textbook checks."""

    def __init__(self, city: City) -> None:
        self.city = city
        self.items = {i.med_list_codg: i for i in city.catalogue}
        self.names = {i.med_list_codg: i.med_list_name for i in city.catalogue}
        self.persons = {p.psn_no: p for p in city.persons}
        self.hospitals = {h.fixmedins_code: h for h in city.hospitals}
        self.settlements = {s.setl_id: s for s in city.settlements}
        self.lines = {(f.setl_id, f.feedetl_sn): f for f in city.fee_lines}
        self.by_visit: dict[str, list[FeeLine]] = defaultdict(list)
        for f in city.fee_lines:
            self.by_visit[f.mdtrt_id].append(f)
        self.stays: dict[str, list[Settlement]] = defaultdict(list)
        for s in city.settlements:
            if s.init_setl_id is None and s.med_type in ("21", "24"):
                self.stays[s.psn_no].append(s)

    def name(self, line: FeeLine) -> str:
        return self.names[line.med_list_codg]

    def others(self, s: Settlement) -> list[Settlement]:
        return [o for o in self.stays[s.psn_no] if o.mdtrt_id != s.mdtrt_id]


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- the catalogue and the parameter tables ------------------------------------------------------------------------


def test_a_handful_of_items_carry_restrictions_and_the_grades_agree() -> None:
    from dae.catalog.models import HOSPITAL_GRADE

    items = {i.med_list_name: i for i in generate_city(persons=100, hospitals=12).catalogue}
    restricted = {n for n, i in items.items() if i.lmt_sex or i.lmt_age_min is not None or i.lmt_age_max is not None
                  or i.max_per_day is not None or i.max_per_stay is not None or i.min_hosp_grade is not None
                  or i.hosp_lvs or i.dise_prefixes or i.inpatient_only or i.outpatient_only}  # fmt: skip
    assert len(restricted) == len(RESTRICTIONS) == 33
    assert (items["经尿道前列腺电切术"].lmt_sex, items["子宫肌瘤剔除术"].lmt_sex) == ("1", "2")
    assert items["人工股骨头置换术"].lmt_age_min == 60 and items["人工股骨头置换术"].lmt_age_max is None
    assert items["经皮冠状动脉内支架置入术"].min_hosp_grade == 2
    assert items["特需医疗服务费"].hosp_lvs == "01,02"
    assert items["住院诊查费"].inpatient_only and not items["住院诊查费"].outpatient_only
    assert items["重组人促红素注射液(CHO细胞)(10000IU)"].dise_prefixes == "N18,D63"
    assert items["血液透析"].max_per_day == Decimal("1.0000")
    assert items["药物洗脱冠状动脉支架"].max_per_stay == Decimal("3.0000")
    assert items["药物洗脱冠状动脉支架"].pric_uplmt_amt == Decimal("760.00")
    assert plant_kit.GRADE == ENGINE_GRADE == HOSPITAL_GRADE


def test_demo_parameter_tables_use_the_demo_codes() -> None:
    codes = {i.med_list_codg: i.med_list_name for i in generate_city(persons=100, hospitals=12).catalogue}
    assert {name: len(rows) for name, rows in DEMO_AUDIT_TABLES.items()} == {
        "once_daily_item": 8, "bundle_pair": 3, "period_limit": 2, "course_limit": 3, "material_procedure": 11,
    }  # fmt: skip
    named = [codes[row["main_codg"]] + ">" + codes[row["acc_codg"]] for row in DEMO_AUDIT_TABLES["bundle_pair"]]
    assert named == ["经皮冠状动脉内支架置入术>经皮冠状动脉腔内成形术", "腹腔镜下子宫切除术>子宫肌瘤剔除术",
                     "血液透析滤过>血液透析"]  # fmt: skip
    assert [(codes[r["med_list_codg"]], r["window_days"], r["max_cnt"]) for r in DEMO_AUDIT_TABLES["period_limit"]] == [
        ("重组人促红素注射液(CHO细胞)(10000IU)", 7, Decimal("2")), ("左卡尼汀注射液", 7, Decimal("2")),
    ]  # fmt: skip
    assert {codes[r["med_list_codg"]]: r["max_days"] for r in DEMO_AUDIT_TABLES["course_limit"]} == {
        "丹红注射液": 14, "疏血通注射液": 14, "注射用血塞通(冻干)": 14,
    }  # fmt: skip
    for rows in DEMO_AUDIT_TABLES.values():
        for row in rows:
            assert all(value in codes for key, value in row.items() if key.endswith("codg"))
    assert {name: conform(name, t).num_rows for name, t in param_tables().items()} == {
        "once_daily_item": 8, "bundle_pair": 3, "period_limit": 2, "course_limit": 3, "material_procedure": 11,
    }  # fmt: skip
    assert DEMO_RULE_PARAMS == {}
    assert RULE_IDS == tuple(RULES) == PLANTS


def test_the_normal_generator_keeps_to_the_restrictions() -> None:
    """Of the restriction and parameter-table rules only R07 fires on the clean city (one hemiarthroplasty at 40)."""
    clean = generate_city(persons=3000, hospitals=12)
    assert clean.planted == ()
    assert run_rules(city_audit_data(clean)).count_by_rule() == CLEAN_FINDINGS


def test_the_clean_city_is_the_one_from_before_the_plants() -> None:
    clean = generate_city(persons=300)
    digest = hashlib.sha256()
    for name in ("regions", "units", "persons", "hospitals", "code_map", "diagnoses", "settlements", "fee_lines"):
        digest.update(name.encode())
        for row in clean.tables()[name]:
            digest.update(repr(row).encode())
    assert digest.hexdigest() == CLEAN_300
    assert generate_city(persons=300, plants=plants(rate=0.0)) == clean  # a plant at rate 0 changes nothing


# --- the plants ---------------------------------------------------------------------------------------------------


def test_every_rule_has_its_planted_cases(city: City) -> None:
    assert dict(Counter(p.rule_id for p in city.planted)) == PLANTED
    assert [p.rule_id for p in DEFAULT_PLANTS] == list(RULE_IDS)
    assert {p.rule_id: p.rate for p in DEFAULT_PLANTS} == DEFAULT_RATES
    stay_rules = {"R13_SPLIT_STAY", "R14_IDLE_BED", "R15_OVERLAP", "R16_REPEAT_STAY"}
    assert all((p.feedetl_sn is None) == (p.rule_id in stay_rules) for p in city.planted)
    assert len({(p.rule_id, p.setl_id, p.feedetl_sn) for p in city.planted}) == len(city.planted)
    visits = Counter(p.mdtrt_id for p in city.planted)
    assert max(visits.values()) == 1  # one plant per visit: the cases do not mix
    assert (count(0.005, 199), count(0.005, 300), count(0.03, 23), count(0.0, 50), count(0.5, 0)) == (1, 2, 1, 0, 0)


def test_every_planted_case_is_found_and_every_other_finding_has_a_reason(
    scores: dict[str, RuleScore], found: Findings
) -> None:
    assert list(scores) == list(RULE_IDS)
    table = {r: (s.planted, s.found, s.findings, len(s.false_positives)) for r, s in scores.items()}
    assert table == {
        "R01_DUP_SAME_DAY": (7, 7, 7, 0), "R02_DUP_BUNDLED": (3, 3, 3, 0), "R03_FREQ_DAY": (3, 3, 3, 0),
        "R04_FREQ_STAY": (3, 3, 3, 0), "R05_FREQ_PERIOD": (4, 4, 4, 0), "R06_SEX": (7, 7, 7, 0),
        "R07_AGE": (5, 5, 6, 1), "R08_HOSP_LEVEL": (7, 7, 7, 0), "R09_SETTING": (3, 3, 3, 0),
        "R10_DIAGNOSIS": (7, 7, 7, 0), "R11_PRICE_CAP": (7, 7, 148, 141), "R12_COURSE": (4, 4, 4, 0),
        "R13_SPLIT_STAY": (5, 5, 5, 0), "R14_IDLE_BED": (5, 5, 168, 163), "R15_OVERLAP": (5, 5, 5, 0),
        "R16_REPEAT_STAY": (5, 5, 7, 2), "R17_CROSS_PERIOD": (6, 6, 6, 0), "R18_SUBSTITUTE": (6, 6, 6, 0),
    }  # fmt: skip
    assert all(s.recall == Decimal("1.0000") for s in scores.values())
    assert scores["R07_AGE"].precision == Decimal("0.8333")
    assert scores["R11_PRICE_CAP"].precision == Decimal("0.0473")
    assert scores["R14_IDLE_BED"].precision == Decimal("0.0298")
    assert scores["R01_DUP_SAME_DAY"].precision == Decimal("1.0000")
    assert {r: s.reasons for r, s in scores.items() if s.reasons} == {
        "R07_AGE": {NATURAL_USE: 1},
        "R11_PRICE_CAP": {OVER_CAP: 141},
        "R14_IDLE_BED": {LUMPED_BILLING: 155, PLANTED_STAY.format(rule="R13_SPLIT_STAY"): 4,
                         PLANTED_STAY.format(rule="R16_REPEAT_STAY"): 4},
        "R16_REPEAT_STAY": {NATURAL_READMISSION: 2},
    }  # fmt: skip
    assert sum(s.findings for s in scores.values()) == found.findings.num_rows


def test_planted_line_cases_are_textbook_cases(city: City) -> None:
    x = Index(city)
    tables = {name: [tuple(r.values()) for r in rows] for name, rows in DEMO_AUDIT_TABLES.items()}
    checked = Counter()
    for p in city.planted:
        if p.feedetl_sn is None:
            continue
        line = x.lines[(p.setl_id, p.feedetl_sn)]
        s = x.settlements[p.setl_id]
        item = x.items[line.med_list_codg]
        visit = x.by_visit[p.mdtrt_id]
        same_day = [f for f in visit if f.med_list_codg == line.med_list_codg
                    and f.fee_ocur_time.date() == line.fee_ocur_time.date()]  # fmt: skip
        person = x.persons[p.psn_no]
        assert (line.mdtrt_id, line.psn_no) == (p.mdtrt_id, p.psn_no)
        assert line.pric <= line.pric_uplmt_amt or p.rule_id == "R11_PRICE_CAP"  # no planted line is over the cap
        match p.rule_id:
            case "R01_DUP_SAME_DAY":
                assert (line.med_list_codg,) in tables["once_daily_item"]
                assert len(same_day) == 2 and min(f.fee_ocur_time for f in same_day) <= line.fee_ocur_time
            case "R02_DUP_BUNDLED":
                mains = {m for m, a in tables["bundle_pair"] if a == line.med_list_codg}
                assert any(f.med_list_codg in mains and f.fee_ocur_time.date() == line.fee_ocur_time.date()
                           for f in visit)  # fmt: skip
            case "R03_FREQ_DAY":
                assert x.name(line) in ("血液透析", "血液透析滤过") and s.med_type == "14"
                assert (line.cnt, item.max_per_day, len(same_day)) == (Decimal("2.0000"), Decimal("1.0000"), 1)
            case "R04_FREQ_STAY":
                total = sum(f.cnt for f in visit if f.med_list_codg == line.med_list_codg)
                assert item.max_per_stay is not None and total > item.max_per_stay
                assert line.fee_ocur_time == max(
                    f.fee_ocur_time for f in visit if f.med_list_codg == line.med_list_codg
                )
            case "R05_FREQ_PERIOD":
                day = line.fee_ocur_time.date()
                week = sum(f.cnt for f in city.fee_lines if f.psn_no == p.psn_no and f.med_list_codg == line.med_list_codg
                           and day - timedelta(days=7) < f.fee_ocur_time.date() <= day)  # fmt: skip
                assert (line.cnt, week) == (Decimal("2.0000"), Decimal("3.0000"))
            case "R06_SEX":
                assert item.lmt_sex and item.lmt_sex != person.gend
            case "R07_AGE":
                assert x.name(line) == "人工股骨头置换术" and _age(person.brdy, line.fee_ocur_time.date()) < 60
            case "R08_HOSP_LEVEL":
                lv = x.hospitals[line.fixmedins_code].hosp_lv
                assert (item.min_hosp_grade is not None and ENGINE_GRADE[lv] < item.min_hosp_grade) or (
                    item.hosp_lvs and lv not in item.hosp_lvs.split(",")
                )
            case "R09_SETTING":
                assert item.inpatient_only and s.med_type == "14" and line.dialysis_session_id is not None
            case "R10_DIAGNOSIS":
                assert item.dise_prefixes and not s.dise_codg.startswith(tuple(item.dise_prefixes.split(",")))
            case "R11_PRICE_CAP":
                assert line.pric > line.pric_uplmt_amt
                assert line.overlmt_amt == line.det_item_fee_sumamt - round_fen(line.cnt * line.pric_uplmt_amt) > 0
            case "R12_COURSE":
                days = {code: n for code, n in tables["course_limit"]}
                first = min(f.fee_ocur_time.date() for f in visit if f.med_list_codg == line.med_list_codg)
                assert (line.fee_ocur_time.date() - first).days >= days[line.med_list_codg] == 14
            case "R17_CROSS_PERIOD":
                assert line.fee_ocur_time.date() <= s.adm_date - timedelta(days=3)
                assert line.fee_ocur_time < s.setl_time
            case "R18_SUBSTITUTE":
                procedures = {proc for mat, proc in tables["material_procedure"] if mat == line.med_list_codg}
                assert procedures and not any(f.med_list_codg in procedures for f in visit)
        checked[p.rule_id] += 1
    assert sum(checked.values()) == sum(n for r, n in PLANTED.items() if not r.startswith(("R13", "R14", "R15", "R16")))


def test_planted_stays_are_textbook_cases(city: City) -> None:
    x = Index(city)
    for p in city.planted:
        if p.feedetl_sn is not None:
            continue
        s = x.settlements[p.setl_id]
        near = [o for o in x.others(s) if (o.adm_date - s.dscg_date).days <= 30 and (s.adm_date - o.dscg_date).days
                <= 30]  # fmt: skip
        match p.rule_id:
            case "R13_SPLIT_STAY":
                (before,) = near  # the stay it was copied from, and no other stay within 30 days
                assert before.fixmedins_code == s.fixmedins_code and before.dise_codg == s.dise_codg
                assert 1 <= (s.adm_date - before.dscg_date).days <= 10
                assert (s.dscg_date - s.adm_date) == (before.dscg_date - before.adm_date)
            case "R15_OVERLAP":
                (during,) = near
                assert during.fixmedins_code != s.fixmedins_code and during.dise_codg[:3] != s.dise_codg[:3]
                assert during.adm_date < s.adm_date < during.dscg_date
            case "R16_REPEAT_STAY":
                (before,) = near
                assert before.fixmedins_code != s.fixmedins_code and before.dise_codg == s.dise_codg
                assert 1 <= (s.adm_date - before.dscg_date).days <= 10
            case "R14_IDLE_BED":
                assert near == []
                active = {f.fee_ocur_time.date() for f in x.by_visit[p.mdtrt_id] if f.med_chrgitm_type in ACTIVE_TYPES}
                idle = [s.adm_date + timedelta(days=k) for k in range((s.dscg_date - s.adm_date).days)
                        if s.adm_date + timedelta(days=k) not in active]  # fmt: skip
                assert len(idle) >= 3
                last = sorted(idle)[-3:]
                assert last == [s.dscg_date - timedelta(days=k) for k in (3, 2, 1)]  # the stretched days
                ward = {x.name(f) for f in x.by_visit[p.mdtrt_id] if f.fee_ocur_time.date() == last[-1]}
                assert ward <= {"住院诊查费", "普通病房床位费(三人间)", "普通病房床位费(二人间)", "单人间病房床位费", "Ⅰ级护理",
                                "Ⅱ级护理", "Ⅲ级护理"} and "住院诊查费" in ward  # fmt: skip
        assert s.settle_way == "direct" and s.setl_time.date() == s.dscg_date


def test_the_planted_city_does_not_depend_on_string_hashing() -> None:
    code = ("from dae.demo.generator import city_digest, generate_city; from dae.demo.plants import plants; "
            "print(city_digest(generate_city(persons=300, plants=plants(0.05))))")  # fmt: skip
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONHASHSEED": "4321", "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == city_digest(generate_city(persons=300, plants=plants(0.05)))


def test_the_same_seed_and_plants_give_the_same_city(city: City) -> None:
    again = generate_city(persons=3000, hospitals=12, plants=plants(RATE, RATES))
    assert again == city and city_digest(again) == city_digest(city)
    fewer = generate_city(persons=3000, hospitals=12, plants=plants(0.01, RATES))
    assert city_digest(fewer) != city_digest(city)
    assert city_digest(generate_city(persons=3000, hospitals=12)) != city_digest(city)


# --- the truth, the scores as text ---------------------------------------------------------------------------------


def test_the_truth_survives_a_json_round_trip_and_regenerates_the_city(city: City, tmp_path: Path) -> None:
    path = write_truth(city, tmp_path / "demo" / "planted.json", rates={**{r: RATE for r in PLANTS}, **RATES})
    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["seed"], document["year"], document["persons"], document["hospitals"]) == (20260101, 2026, 3000,
                                                                                                12)  # fmt: skip
    assert document["planted"][0] == {
        "rule_id": city.planted[0].rule_id, "setl_id": city.planted[0].setl_id,
        "feedetl_sn": city.planted[0].feedetl_sn, "mdtrt_id": city.planted[0].mdtrt_id,
        "psn_no": city.planted[0].psn_no,
    }  # fmt: skip
    back = read_truth(path)
    assert back.planted == city.planted
    assert truth(back.planted) == truth(city)
    assert sum(len(keys) for keys in truth(city).values()) == len(city.planted)
    assert city_digest(back.city()) == city_digest(city)


def test_the_truth_file_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "planted.json"
    path.write_text(json.dumps({"format_version": 9}), encoding="utf-8")
    with pytest.raises(ValueError, match="无法识别的埋点文件版本"):
        read_truth(path)


def test_scores_print_as_a_table(scores: dict[str, RuleScore]) -> None:
    text = format_scores(scores.values()).splitlines()
    assert text[0].split() == ["规则", "埋点", "检出", "发现", "误报", "召回率", "精确率"]
    assert text[1].split() == ["rule", "planted", "found", "findings", "false", "pos.", "recall", "precision"]
    assert text[3].split() == ["R01_DUP_SAME_DAY", "7", "7", "7", "0", "1.0000", "1.0000"]
    assert text[13].split() == ["R11_PRICE_CAP", "7", "7", "148", "141", "1.0000", "0.0473"]
    assert text[22].split() == ["合计", "total", "92", "92", "399", "307", "1.0000", "0.2306"]
    assert "误报原因 (false positives by reason):" in text
    assert f"  R11_PRICE_CAP        141  {OVER_CAP}" in text
    empty = format_scores([RuleScore("R01_DUP_SAME_DAY", 0, 0, 0)]).splitlines()
    assert empty[3].split() == ["R01_DUP_SAME_DAY", "0", "0", "0", "0", "—", "—"]


def test_a_readmission_reason_tells_treatment_cycles_from_others() -> None:
    """R13/R16 findings between two stays of a cancer course are planned cycles, not a natural readmission."""
    clean = generate_city(persons=20000)
    found = run_rules(city_audit_data(clean), ["R13_SPLIT_STAY", "R16_REPEAT_STAY"])
    reasons = {r: s.reasons for r, s in ((s.rule_id, s) for s in score(found, clean)) if s.findings}
    assert reasons == {
        "R13_SPLIT_STAY": {NATURAL_READMISSION: 5, COURSE_READMISSION: 1},
        "R16_REPEAT_STAY": {NATURAL_READMISSION: 13},
    }


# --- the database: the loader carries the restrictions, ``dae demo`` keeps the truth -------------------------------


@pytest.mark.django_db
def test_an_audit_of_the_loaded_city_finds_the_same_and_scores_the_same(city: City, found: Findings) -> None:
    from dae.auditing.engine_adapters import data_from_querysets
    from dae.catalog.models import CatalogueItem, Hospital
    from dae.claims.models import Settlement as StoredSettlement
    from dae.demo.loader import load_city
    from dae.enrollment.models import Person

    load_city(city)
    hd = CatalogueItem.objects.get(name="血液透析")
    assert (hd.max_per_day, hd.inpatient_only) == (Decimal("1.0000"), False)
    assert CatalogueItem.objects.get(name="特需医疗服务费").hosp_lvs == ["01", "02"]
    assert CatalogueItem.objects.get(name="蔗糖铁注射液").dise_prefixes == ["D50", "D63", "N18"]  # stored sorted
    assert CatalogueItem.objects.get(name="子宫肌瘤剔除术").lmt_sex == "2"
    assert CatalogueItem.objects.get(name="人工股骨头置换术").lmt_age_min == 60
    data = data_from_querysets(StoredSettlement.objects.all(), persons=Person.objects.all(),
                               hospitals=Hospital.objects.all(), catalogue=CatalogueItem.objects.all(),
                               params=param_tables())  # fmt: skip
    from_db = run_rules(data)
    assert from_db.same_as(found)
    assert score(from_db, city) == score(found, city)


@pytest.mark.django_db
def test_dae_demo_plants_by_default_and_keeps_the_truth(settings: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    from dae.core.models import Event
    from dae.demo.loader import truth_path

    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", persons=400, hospitals=20, stdout=out)
    assert truth_path() == tmp_path / "demo" / "planted.json"
    kept = read_truth(truth_path())
    assert (kept.seed, kept.year, kept.persons, kept.hospitals, kept.rates) == (20260101, 2025, 400, 20, DEFAULT_RATES)
    # The one haemodialysis patient of 400 takes neither weekly drug: R05 has no eligible visit.
    assert {p.rule_id for p in kept.planted} == set(RULE_IDS) - {"R05_FREQ_PERIOD"}
    assert Event.objects.get(action="demo.loaded").after["planted"] == len(kept.planted)
    assert kept.city().planted == kept.planted
    assert f"埋点真值 (planted ground truth): {truth_path()}" in out.getvalue()


@pytest.mark.django_db
def test_dae_demo_no_plants_loads_the_clean_city(settings: Any, tmp_path: Path) -> None:
    from django.core.management import call_command

    from dae.claims.models import Settlement as StoredSettlement
    from dae.demo.loader import truth_path

    settings.VAR_DIR = tmp_path
    call_command("demo", persons=400, hospitals=20, no_plants=True, stdout=StringIO())
    kept = read_truth(truth_path())
    assert (kept.planted, kept.rates) == ((), {})
    clean = generate_city(persons=400, hospitals=20, year=2025)
    # the generator's settlements (numbered ids), not the earlier years' history ("H…") nor the window's claims
    demo_year = StoredSettlement.objects.filter(setl_id__regex=r"^[0-9]+$")
    assert demo_year.count() == len(clean.settlements)
    assert sorted(demo_year.values_list("setl_id", flat=True)) == [s.setl_id for s in clean.settlements]
