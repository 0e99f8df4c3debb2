"""The engine around the rules: parameters, input checks, the output's shape and order, the single-claim check,
the Django loader, and the promise that importing the engine does not import Django."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from dae.audit import RULES, AuditData, AuditInputError, ParamError, check_one, load_duckdb, rule_catalogue, run_rules
from dae.audit.params import ParamSpec, resolve
from dae.audit.schemas import EVIDENCE_COLUMNS, FINDING_COLUMNS, SCHEMAS

from .builders import World, basic, evidence, summary


def overlap_world() -> World:
    w = basic()
    w.hospital("H2")
    w.item("A", pric_uplmt_amt="10")
    w.stay("S1", adm=0, dscg=10)
    w.line("S1", "1", "A", 1, pric="11")
    w.stay("S2", hospital="H2", adm=5, dscg=8, medfee="500.00")
    w.line("S2", "1", "A", 6, pric="12")
    w.stay("S3", adm=100, dscg=102, dise="J18.900")
    w.line("S3", "1", "A", 101, pric="13")
    w.person("P2")
    w.stay("T1", psn_no="P2", adm=0, dscg=3)
    w.line("T1", "1", "A", 1, pric="14")
    return w


# --- rules and parameters ----------------------------------------------------------------------------------------


def test_library_has_every_rule_with_labels_and_the_min_amount_parameter() -> None:
    assert list(RULES) == [
        "R01_DUP_SAME_DAY", "R02_DUP_BUNDLED", "R03_FREQ_DAY", "R04_FREQ_STAY", "R05_FREQ_PERIOD", "R06_SEX",
        "R07_AGE", "R08_HOSP_LEVEL", "R09_SETTING", "R10_DIAGNOSIS", "R11_PRICE_CAP", "R12_COURSE", "R13_SPLIT_STAY",
        "R14_IDLE_BED", "R15_OVERLAP", "R16_REPEAT_STAY", "R17_CROSS_PERIOD", "R18_SUBSTITUTE",
    ]  # fmt: skip
    for rule in RULES.values():
        assert rule.name_zh and rule.name_en and rule.window_zh and rule.amount_zh
        assert rule.category in ("policy", "management", "medical")
        assert rule.result in ("violation", "suspicious")
        assert rule.params[0].name == "min_amount"
    listed = {r["id"]: r for r in rule_catalogue()}
    assert listed["R13_SPLIT_STAY"]["params"][1] == {"name": "days", "kind": "int", "default": 15,
                                                    "label_zh": "间隔天数",
                                                    "label_en": "days between discharge and readmission",
                                                    "unit": "天"}  # fmt: skip


def test_params_are_checked_and_defaulted() -> None:
    specs = RULES["R13_SPLIT_STAY"].params
    assert resolve("R13_SPLIT_STAY", specs, {"days": 10}) == {"min_amount": Decimal("0"), "days": 10, "dise_chars": 3}
    with pytest.raises(ParamError, match="R13_SPLIT_STAY.days 应为整数"):
        resolve("R13_SPLIT_STAY", specs, {"days": "10"})
    with pytest.raises(ParamError, match="不能大于 365"):
        resolve("R13_SPLIT_STAY", specs, {"days": 400})
    with pytest.raises(ParamError, match="没有参数 dayz"):
        resolve("R13_SPLIT_STAY", specs, {"dayz": 10})
    money = ParamSpec("m", "decimal", "0", "金额", "amount")
    with pytest.raises(ParamError, match="不能是浮点数"):
        money.check("R", 0.5)
    assert money.check("R", "1.20") == Decimal("1.20")
    listing = ParamSpec("l", "text_list", (), "列表", "list")
    assert listing.check("R", ["01", "02"]) == ("01", "02")
    with pytest.raises(ParamError, match="文本列表"):
        listing.check("R", "01")


def test_unknown_rule_and_params_for_rules_not_run_are_refused() -> None:
    data = basic().data()
    with pytest.raises(ParamError, match="未知的规则: R99"):
        run_rules(data, ["R99"])
    with pytest.raises(ParamError, match="参数指向未运行的规则: R13_SPLIT_STAY"):
        run_rules(data, ["R06_SEX"], {"R13_SPLIT_STAY": {"days": 3}})


def test_min_amount_drops_small_findings() -> None:
    w = overlap_world()
    assert [s[2:] for s in summary(w.run("R11_PRICE_CAP"))] == [("S1|A", "1.00"), ("S2|A", "2.00"),
                                                                  ("S3|A", "3.00"), ("T1|A", "4.00")]  # fmt: skip
    assert [s[2:] for s in summary(w.run("R11_PRICE_CAP", min_amount="3"))] == [("S3|A", "3.00"), ("T1|A", "4.00")]


# --- input ------------------------------------------------------------------------------------------------------


def test_input_tables_are_conformed_or_refused_with_the_column_named() -> None:
    w = basic()
    w.stay("S1")
    w.line("S1", "1", "A", 1)
    good = w.data()
    lines = good["fee_line"]
    with pytest.raises(AuditInputError, match="fee_line 的列 det_item_fee_sumamt 不能是浮点数"):
        AuditData.of(
            {
                **good.tables,
                "fee_line": lines.set_column(
                    lines.schema.get_field_index("det_item_fee_sumamt"), "det_item_fee_sumamt", pa.array([10.0])
                ),
            }
        )
    with pytest.raises(AuditInputError, match="表 fee_line 缺少列 pric"):
        AuditData.of({**good.tables, "fee_line": lines.drop_columns(["pric"])})
    with pytest.raises(AuditInputError, match="缺少审核数据表 person"):
        AuditData.of({k: v for k, v in good.tables.items() if k != "person"})
    with pytest.raises(AuditInputError, match="fee_line 的列 psn_no 不能为空"):
        AuditData.of(
            {
                **good.tables,
                "fee_line": lines.set_column(
                    lines.schema.get_field_index("psn_no"), "psn_no", pa.array([None], pa.string())
                ),
            }
        )
    frame = good["settlement"].to_pandas()
    assert AuditData.of({**good.tables, "settlement": frame})["settlement"].equals(good["settlement"])
    with pytest.raises(AuditInputError, match="未知的审核数据表: fee_lines"):
        AuditData.of({**good.tables, "fee_lines": lines})


def test_parquet_round_trip(tmp_path: Any) -> None:
    data = overlap_world().data()
    data.write_parquet(tmp_path)
    again = AuditData.from_parquet_dir(tmp_path)
    assert run_rules(again).same_as(run_rules(data))


# --- output -----------------------------------------------------------------------------------------------------


def test_findings_have_the_fixed_columns_exact_amounts_and_a_fixed_order() -> None:
    found = run_rules(overlap_world().data())
    assert tuple(found.findings.column_names) == FINDING_COLUMNS
    assert tuple(found.evidence.column_names) == EVIDENCE_COLUMNS
    assert found.findings.schema.field("amount_at_issue").type == pa.decimal128(16, 2)
    assert summary(found) == [
        ("R11_PRICE_CAP", "S1", "S1|A", "1.00"),
        ("R11_PRICE_CAP", "S2", "S2|A", "2.00"),
        ("R11_PRICE_CAP", "S3", "S3|A", "3.00"),
        ("R11_PRICE_CAP", "T1", "T1|A", "4.00"),
        ("R14_IDLE_BED", "S1", "MS1", "0.00"),  # 9 idle days, no bed line: nothing to price them at
        ("R15_OVERLAP", "S2", "MS2|MS1", "500.00"),
    ]
    assert found.records()[0]["psn_no"] == "P1" and found.records()[1]["fixmedins_code"] == "H2"
    assert set(found.seconds) == set(RULES)
    assert found.count_by_rule() == {"R11_PRICE_CAP": 4, "R14_IDLE_BED": 1, "R15_OVERLAP": 1}


# --- the single-claim check -----------------------------------------------------------------------------------


def test_check_one_keeps_the_findings_on_the_settlement_and_those_naming_it() -> None:
    data = overlap_world().data()
    one = check_one(data, "S1")
    assert summary(one) == [
        ("R11_PRICE_CAP", "S1", "S1|A", "1.00"),
        ("R14_IDLE_BED", "S1", "MS1", "0.00"),
        ("R15_OVERLAP", "S2", "MS2|MS1", "500.00"),  # the later stay's finding names S1 as 涉及项
    ]
    assert evidence(one) == [("S1", "1", "violation"), ("S1", None, "violation"), ("S1", None, "involved"),
                             ("S2", None, "violation")]  # fmt: skip
    whole = run_rules(data)
    assert set(map(tuple, (r.values() for r in one.records()))) <= set(
        map(tuple, (r.values() for r in whole.records()))
    )
    assert summary(check_one(data, "T1", ["R11_PRICE_CAP"])) == [("R11_PRICE_CAP", "T1", "T1|A", "4.00")]


def test_check_one_on_tables_already_in_duckdb() -> None:
    data = overlap_world().data()
    bound = load_duckdb(data)
    assert check_one(bound, "S2").same_as(check_one(data, "S2"))
    with pytest.raises(AuditInputError, match="结算 NOPE 不存在"):
        check_one(bound, "NOPE")
    with pytest.raises(AuditInputError, match="结算 NOPE 不存在"):
        check_one(data, "NOPE")


# --- boundaries of the package ----------------------------------------------------------------------------------


def test_importing_the_engine_does_not_import_django() -> None:
    code = "import sys, dae.audit, dae.audit.synthetic; assert 'django' not in sys.modules, 'django imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_hospital_grades_match_the_catalogue() -> None:
    from dae.audit.rules.restriction import HOSPITAL_GRADE
    from dae.catalog.models import HOSPITAL_GRADE as CATALOGUE_GRADE

    assert HOSPITAL_GRADE == CATALOGUE_GRADE


def test_schemas_cover_the_catalogue_restrictions() -> None:
    columns = set(SCHEMAS["catalogue"].names)
    assert {"lmt_sex", "lmt_age_min", "lmt_age_max", "max_per_day", "max_per_stay", "min_hosp_grade",
            "inpatient_only", "outpatient_only", "pric_uplmt_amt"} <= columns  # fmt: skip


@pytest.mark.django_db
def test_data_from_querysets_reads_the_stored_claims(world: dict[str, Any]) -> None:
    from django.utils import timezone

    from dae.auditing.engine_adapters import data_from_querysets
    from dae.catalog.models import CatalogueItem, Hospital
    from dae.claims.models import Settlement
    from dae.enrollment.models import Person

    from ..factories import FeeLineFactory

    setl = world["settlements"][0]  # SA0001: 张三, a man, at HA0001
    CatalogueItem.objects.create(med_list_codg="X001", name="妇科检查", list_type="201", chrgitm_lv="01",
                                 med_chrgitm_type="03", lmt_sex="2", dise_prefixes=["N"], hosp_lvs=["01"],
                                 begin_date=date(2020, 1, 1))  # fmt: skip
    FeeLineFactory(settlement=setl, feedetl_sn="F1", med_list_codg="X001", cnt=Decimal("2"), pric=Decimal("30"),
                   det_item_fee_sumamt=Decimal("60.00"),
                   fee_ocur_time=timezone.make_aware(datetime(2026, 3, 2, 9, 0)))  # fmt: skip
    data = data_from_querysets(
        Settlement.objects.filter(pk=setl.pk),
        persons=Person.objects.all(),
        hospitals=Hospital.objects.all(),
        catalogue=CatalogueItem.objects.all(),
    )
    assert data["fee_line"].num_rows == 1
    assert data["fee_line"]["fee_ocur_time"][0].as_py() == datetime(2026, 3, 2, 9, 0)
    assert data["item_dise_prefix"].to_pylist() == [{"med_list_codg": "X001", "begin_date": date(2020, 1, 1),
                                                     "dise_prefix": "N"}]  # fmt: skip
    found = run_rules(data, ["R06_SEX", "R10_DIAGNOSIS"])
    assert summary(found) == [("R06_SEX", "SA0001", "SA0001|X001", "60.00"),
                              ("R10_DIAGNOSIS", "SA0001", "SA0001|X001", "60.00")]  # fmt: skip
