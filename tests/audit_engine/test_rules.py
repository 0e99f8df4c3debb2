"""Each rule on a small hand-built world: the exact findings (settlement, key, amount), evidence lines and roles,
and the cases that must not fire (boundaries: exactly N days, the limit itself, same day but another item …).

Day n is 2026-03-01 + n (``builders.day``); a line's amount is cnt × pric.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .builders import basic, details, evidence, summary

V, INV = "violation", "involved"


# --- 重复收费 ---------------------------------------------------------------------------------------------------


def test_dup_same_day_second_line_of_the_day_is_the_violation() -> None:
    w = basic()
    w.add("once_daily_item", med_list_codg="A")
    w.stay("S1")
    w.line("S1", "1", "A", 1, pric="10", at=9)
    w.line("S1", "2", "A", 1, pric="10", at=15)
    w.line("S1", "3", "A", 2)  # another day
    w.line("S1", "4", "B", 1)  # another item, same day
    w.line("S1", "5", "B", 1)  # B is not a once-a-day item
    found = w.run("R01_DUP_SAME_DAY")
    assert summary(found) == [("R01_DUP_SAME_DAY", "S1", "MS1|A|2026-03-02", "10.00")]
    assert evidence(found) == [("S1", "1", INV), ("S1", "2", V)]
    assert details(found) == ["「A」每日限收一次，2026-03-02同一就诊收取2次，重复收费10.00元"]


def test_dup_same_day_refunded_duplicate_does_not_fire() -> None:
    w = basic()
    w.add("once_daily_item", med_list_codg="A")
    w.stay("S1")
    w.line("S1", "1", "A", 1)
    w.line("S1", "2", "A", 1, at=15)
    w.line("S1", "R2", "A", 1, cnt="-1", at=16, refund_of="2")
    assert summary(w.run("R01_DUP_SAME_DAY")) == []


def test_dup_bundled_accompanying_item_with_its_main_item() -> None:
    w = basic()
    w.add("bundle_pair", main_codg="M", acc_codg="C")
    w.stay("S1")
    w.line("S1", "1", "M", 1, pric="80")
    w.line("S1", "2", "C", 1, pric="5")
    w.line("S1", "3", "C", 2, pric="5")  # no main item that day
    w.stay("S2", adm=30, dscg=35)
    w.line("S2", "1", "M", 31)  # main alone
    found = w.run("R02_DUP_BUNDLED")
    assert summary(found) == [("R02_DUP_BUNDLED", "S1", "MS1|C|2026-03-02", "5.00")]
    assert evidence(found) == [("S1", "1", INV), ("S1", "2", V)]
    assert details(found) == ["「C」已含于主项目「M」，2026-03-02同时收取，重复收费1条，金额5.00元"]


def test_dup_bundled_needs_the_same_visit() -> None:
    w = basic()
    w.hospital("H2")
    w.add("bundle_pair", main_codg="M", acc_codg="C")
    w.stay("S1", adm=0, dscg=5)
    w.stay("S2", hospital="H2", med_type="14", adm=1, dscg=1)
    w.line("S1", "1", "M", 1)
    w.line("S2", "1", "C", 1)
    assert summary(w.run("R02_DUP_BUNDLED")) == []


# --- 超限定频次 ------------------------------------------------------------------------------------------------


def test_freq_day_quantity_beyond_the_limit_is_at_issue() -> None:
    w = basic()
    w.item("A", max_per_day=2)
    w.stay("S1")
    w.line("S1", "1", "A", 1, cnt="1", pric="10", at=9)
    w.line("S1", "2", "A", 1, cnt="2", pric="12", at=10)
    w.line("S1", "3", "A", 2, cnt="2")  # exactly the limit
    found = w.run("R03_FREQ_DAY")
    assert summary(found) == [("R03_FREQ_DAY", "S1", "MS1|A|2026-03-02", "12.00")]
    assert evidence(found) == [("S1", "1", INV), ("S1", "2", V)]
    assert details(found) == ["「A」每日限2，2026-03-02共3，超出1，金额12.00元"]


def test_freq_day_partial_refund_brings_the_day_back_within_the_limit() -> None:
    w = basic()
    w.item("A", max_per_day=2)
    w.stay("S1")
    w.line("S1", "1", "A", 1, cnt="3")
    w.line("S1", "R1", "A", 1, cnt="-1", refund_of="1", at=12)
    assert summary(w.run("R03_FREQ_DAY")) == []


def test_freq_stay_inpatient_only_and_limit_itself_allowed() -> None:
    w = basic()
    w.item("B", max_per_stay=5)
    w.stay("S1", adm=0, dscg=9)
    w.line("S1", "1", "B", 1, cnt="3", pric="7.5")
    w.line("S1", "2", "B", 2, cnt="3", pric="7.5")
    w.stay("S2", adm=20, dscg=20, med_type="14")  # outpatient: no per-stay limit
    w.line("S2", "1", "B", 20, cnt="10")
    w.stay("S3", adm=40, dscg=45)
    w.line("S3", "1", "B", 41, cnt="5")  # exactly the limit
    found = w.run("R04_FREQ_STAY")
    assert summary(found) == [("R04_FREQ_STAY", "S1", "MS1|B", "7.50")]
    assert evidence(found) == [("S1", "1", INV), ("S1", "2", V)]
    assert details(found) == ["「B」每次住院限5，本次住院共6，超出1，金额7.50元"]


def test_freq_period_rolling_window_across_stays() -> None:
    w = basic()
    w.hospital("H2")
    w.add("period_limit", med_list_codg="A", window_days=7, max_cnt=Decimal("3"))
    w.stay("S1", adm=0, dscg=4)
    w.line("S1", "1", "A", 1, cnt="2")
    w.line("S1", "2", "A", 3, cnt="1")
    w.stay("S2", hospital="H2", adm=6, dscg=12)
    w.line("S2", "1", "A", 7, cnt="1", pric="11")  # days 1–7 hold 4: one over
    w.line("S2", "2", "A", 8, cnt="1")  # days 2–8 hold 3: exactly the limit
    found = w.run("R05_FREQ_PERIOD")
    assert summary(found) == [("R05_FREQ_PERIOD", "S2", "P1|A|2026-03-08", "11.00")]
    assert evidence(found) == [("S2", "1", V)]
    assert details(found) == ["「A」每7日限3，截至2026-03-08的7日内共4，超出1，金额11.00元"]


# --- 限性别 / 限年龄 / 限医院等级 / 限门诊住院 / 限定支付范围 ------------------------------------------------------------


def test_sex_restricted_item_for_a_man() -> None:
    w = basic()
    w.person("P2", gend="2")
    w.item("F", lmt_sex="2")
    w.stay("S1")
    w.line("S1", "1", "F", 1, pric="10")
    w.line("S1", "2", "F", 2, pric="20")
    w.stay("S2", psn_no="P2")
    w.line("S2", "1", "F", 1)  # a woman: allowed
    found = w.run("R06_SEX")
    assert summary(found) == [("R06_SEX", "S1", "S1|F", "30.00")]
    assert evidence(found) == [("S1", "1", V), ("S1", "2", V)]
    assert details(found) == ["「F」限女性使用，参保人性别为男，共2条，金额30.00元"]


def test_age_limits_with_the_birthday_as_boundary() -> None:
    w = basic()  # P1 born 1970-06-15: 55
    w.person("P2", brdy=date(2008, 3, 3))  # 17 on day 1, 18 from day 2
    w.item("K", lmt_age_max=17)
    w.item("O", lmt_age_min=60)
    w.stay("S1")
    w.line("S1", "1", "K", 1, pric="4")
    w.line("S1", "2", "O", 1, pric="6")
    w.stay("S2", psn_no="P2")
    w.line("S2", "1", "K", 1)  # 17: allowed
    w.line("S2", "2", "K", 2, pric="3")  # 18: not
    found = w.run("R07_AGE")
    assert summary(found) == [
        ("R07_AGE", "S1", "S1|K", "4.00"),
        ("R07_AGE", "S1", "S1|O", "6.00"),
        ("R07_AGE", "S2", "S2|K", "3.00"),
    ]
    assert evidence(found) == [("S1", "1", V), ("S1", "2", V), ("S2", "2", V)]
    assert details(found) == [
        "「K」限17岁及以下使用（限儿童），患者55岁，共1条，金额4.00元",
        "「O」限60岁及以上使用，患者55岁，共1条，金额6.00元",
        "「K」限17岁及以下使用（限儿童），患者18岁，共1条，金额3.00元",
    ]


def test_hospital_level_minimum_grade_and_listed_levels() -> None:
    w = basic()  # H1: 02 三级甲等
    w.hospital("H2", hosp_lv="05")  # 二级甲等
    w.item("G", min_hosp_grade=3)
    w.item("V")
    w.item("W")
    w.add("item_hosp_lv", med_list_codg="V", begin_date=date(2020, 1, 1), hosp_lv="01")
    w.add("item_hosp_lv", med_list_codg="W", begin_date=date(2020, 1, 1), hosp_lv="02")
    w.stay("S1")
    w.line("S1", "1", "G", 1)  # grade 3: allowed
    w.line("S1", "2", "V", 1, pric="7")  # only 01
    w.line("S1", "3", "W", 1)  # 02 listed: allowed
    w.stay("S2", hospital="H2", adm=10, dscg=12)
    w.line("S2", "1", "G", 11, pric="9")
    found = w.run("R08_HOSP_LEVEL")
    assert summary(found) == [("R08_HOSP_LEVEL", "S1", "S1|V", "7.00"), ("R08_HOSP_LEVEL", "S2", "S2|G", "9.00")]
    assert evidence(found) == [("S1", "2", V), ("S2", "1", V)]
    assert details(found) == ["「V」限指定等级医院使用，本机构等级代码02，共1条，金额7.00元",
                              "「G」限3级及以上医院使用，本机构等级代码05，共1条，金额9.00元"]  # fmt: skip


def test_setting_inpatient_only_and_outpatient_only() -> None:
    w = basic()
    w.item("N", inpatient_only=True)
    w.item("Q", outpatient_only=True)
    w.stay("S1")  # inpatient (21)
    w.line("S1", "1", "N", 1)  # allowed
    w.line("S1", "2", "Q", 1, pric="2")
    w.stay("S2", med_type="14", adm=20, dscg=20)
    w.line("S2", "1", "N", 20, pric="3")
    w.line("S2", "2", "Q", 20)  # allowed
    found = w.run("R09_SETTING")
    assert summary(found) == [("R09_SETTING", "S1", "S1|Q", "2.00"), ("R09_SETTING", "S2", "S2|N", "3.00")]
    assert evidence(found) == [("S1", "2", V), ("S2", "1", V)]
    assert details(found) == ["「Q」限门诊使用，本次为住院（医疗类别21），共1条，金额2.00元",
                              "「N」限住院使用，本次为门诊（医疗类别14），共1条，金额3.00元"]  # fmt: skip


def test_diagnosis_scope_by_prefix_main_and_secondary() -> None:
    w = basic()
    w.item("X")
    w.add("item_dise_prefix", med_list_codg="X", begin_date=date(2020, 1, 1), dise_prefix="E11")
    w.stay("S1", dise="I21.000")
    w.line("S1", "1", "X", 1, pric="15")
    w.stay("S2", dise="I21.000", adm=10, dscg=12)
    w.add("diagnosis", mdtrt_id="MS2", dise_codg="E11.900")  # a secondary diagnosis fits
    w.line("S2", "1", "X", 11)
    w.stay("S3", dise="e11.200", adm=20, dscg=22)  # lower case still fits
    w.line("S3", "1", "X", 21)
    found = w.run("R10_DIAGNOSIS")
    assert summary(found) == [("R10_DIAGNOSIS", "S1", "S1|X", "15.00")]
    assert evidence(found) == [("S1", "1", V)]
    assert details(found) == [
        "「X」限定诊断范围使用，本次就诊诊断（主诊断I21.000）不在其支付范围内，共1条，金额15.00元"
    ]
    main_only = w.run("R10_DIAGNOSIS", use_secondary=False)
    assert [s[:3] for s in summary(main_only)] == [("R10_DIAGNOSIS", "S1", "S1|X"), ("R10_DIAGNOSIS", "S2", "S2|X")]


def test_catalogue_version_in_force_on_the_fee_day() -> None:
    w = basic()
    w.item("F", lmt_sex="2", end_date=date(2026, 3, 3))  # restricted until day 1
    w.item("F", begin_date=date(2026, 3, 3))  # from day 2 open to all
    w.stay("S1")
    w.line("S1", "1", "F", 1, pric="5")
    w.line("S1", "2", "F", 2)
    assert summary(w.run("R06_SEX")) == [("R06_SEX", "S1", "S1|F", "5.00")]


# --- 超限价 / 超疗程 / 收费跨期 / 串换 --------------------------------------------------------------------------------


def test_price_cap_amount_per_line_rounded_half_up() -> None:
    w = basic()
    w.item("A", pric_uplmt_amt="10")
    w.stay("S1")
    w.line("S1", "1", "A", 1, cnt="3", pric="12.345")  # 2.345 × 3 = 7.035 → 7.04
    w.line("S1", "2", "A", 1, pric="10")  # the cap itself
    w.line("S1", "3", "A", 2, pric="10.005")  # 0.005 → 0.01
    found = w.run("R11_PRICE_CAP")
    assert summary(found) == [("R11_PRICE_CAP", "S1", "S1|A", "7.05")]
    assert evidence(found) == [("S1", "1", V), ("S1", "3", V)]
    assert details(found) == ["「A」单价12.345元超过限价10.00元，共2条，超出金额7.05元"]
    assert summary(w.run("R11_PRICE_CAP", tolerance="0.01")) == [("R11_PRICE_CAP", "S1", "S1|A", "7.04")]


def test_course_beyond_n_days_from_first_use() -> None:
    w = basic()
    w.add("course_limit", med_list_codg="H", max_days=5)
    w.stay("S1", adm=0, dscg=10)
    for n in range(1, 8):  # days 1–7: days 6 and 7 are beyond the course
        w.line("S1", str(n), "H", n)
    w.stay("S2", adm=20, dscg=30)
    for n in range(21, 26):  # exactly 5 days
        w.line("S2", str(n), "H", n)
    found = w.run("R12_COURSE")
    assert summary(found) == [("R12_COURSE", "S1", "MS1|H", "20.00")]
    assert evidence(found) == [("S1", "1", INV), ("S1", "2", INV), ("S1", "3", INV), ("S1", "4", INV), ("S1", "5", INV),
                               ("S1", "6", V), ("S1", "7", V)]  # fmt: skip
    assert details(found) == ["「H」限用5天（自2026-03-02首次使用起），超出疗程仍收费2条，金额20.00元"]


def test_cross_period_beyond_the_allowance() -> None:
    w = basic()
    w.stay("S1", adm=10, dscg=15)
    w.line("S1", "1", "A", 8, pric="3")  # 2 days before admission
    w.line("S1", "2", "A", 9)  # 1 day before: allowed
    w.line("S1", "3", "A", 16)  # 1 day after: allowed
    w.line("S1", "4", "A", 17, pric="4")  # 2 days after
    found = w.run("R17_CROSS_PERIOD")
    assert summary(found) == [("R17_CROSS_PERIOD", "S1", "S1", "7.00")]
    assert evidence(found) == [("S1", "1", V), ("S1", "4", V)]
    assert details(found) == [
        "2条费用发生于2026-03-09至2026-03-18，超出就诊期间（2026-03-11至2026-03-16）1天以上，金额7.00元"
    ]
    assert [s[2:] for s in summary(w.run("R17_CROSS_PERIOD", days=0))] == [("S1", "27.00")]
    assert summary(w.run("R17_CROSS_PERIOD", days=2)) == []


def test_substitution_material_without_its_procedure_the_same_day() -> None:
    w = basic()
    w.add("material_procedure", material_codg="T", procedure_codg="U")
    w.stay("S1")
    w.line("S1", "1", "T", 1, kind="08")
    w.line("S1", "2", "U", 1, kind="06")  # day 1: with its procedure
    w.line("S1", "3", "T", 2, kind="08", pric="30")
    w.stay("S2", med_type="14", adm=2, dscg=2)
    w.line("S2", "1", "U", 2, kind="06")  # the procedure in another visit does not count
    found = w.run("R18_SUBSTITUTE")
    assert summary(found) == [("R18_SUBSTITUTE", "S1", "MS1|T|2026-03-03", "30.00")]
    assert evidence(found) == [("S1", "3", V)]
    assert details(found) == [
        "耗材「T」于2026-03-03收费1条，同日未见对应的手术或操作项目（如「U」），疑似串换，金额30.00元"
    ]


# --- stays ------------------------------------------------------------------------------------------------------


def test_split_stay_within_n_days_inclusive() -> None:
    w = basic()
    w.stay("S1", adm=0, dscg=5, dise="I21.000")
    w.stay("S2", adm=20, dscg=25, dise="I21.900", medfee="2300.50")  # 15 days after: fires
    w.stay("S3", adm=41, dscg=45, dise="I21.000")  # 16 days after S2: no
    w.stay("S4", adm=46, dscg=50, dise="J18.900")  # another diagnosis: no
    found = w.run("R13_SPLIT_STAY")
    assert summary(found) == [("R13_SPLIT_STAY", "S2", "MS2|MS1", "2300.50")]
    assert evidence(found) == [("S1", None, INV), ("S2", None, V)]
    assert details(found) == ["前次住院2026-03-01至2026-03-06，出院后15天再次入院（2026-03-21），同一机构，主诊断类目同为I21，"
                              "疑似分解住院，本次医疗费2300.50元"]  # fmt: skip
    assert summary(w.run("R13_SPLIT_STAY", days=14)) == []


def test_split_stay_ignores_cancelled_settlements() -> None:
    w = basic()
    w.stay("S1", adm=0, dscg=5)
    w.stay("S2", adm=10, dscg=12)
    w.stay("C2", adm=10, dscg=12, mdtrt_id="MS2", init_setl_id="S2", medfee="-1000.00")
    assert summary(w.run("R13_SPLIT_STAY")) == []


def test_repeat_stay_at_another_hospital() -> None:
    w = basic()
    w.hospital("H2")
    w.stay("S1", adm=0, dscg=5, dise="I21.000")
    w.stay("S2", hospital="H2", adm=10, dscg=14, dise="I21.100", medfee="800.00")
    w.stay("S3", adm=20, dscg=22, dise="I21.000")  # after S2 but at H1 again: compared with S2 (another hospital)
    found = w.run("R16_REPEAT_STAY")
    assert summary(found) == [("R16_REPEAT_STAY", "S2", "MS2|MS1", "800.00"),
                              ("R16_REPEAT_STAY", "S3", "MS3|MS2", "1000.00")]  # fmt: skip
    assert evidence(found) == [("S1", None, INV), ("S2", None, V), ("S2", None, INV), ("S3", None, V)]
    # S3 is also 15 days after S1 at the same hospital: that pair is 分解住院, the other rule's finding.
    assert summary(w.run("R13_SPLIT_STAY")) == [("R13_SPLIT_STAY", "S3", "MS3|MS1", "1000.00")]


def test_overlap_at_two_hospitals_and_the_transfer_day_allowed() -> None:
    w = basic()
    w.hospital("H2")
    w.stay("S1", adm=0, dscg=10)
    w.stay("S2", hospital="H2", adm=5, dscg=8, medfee="500.00")  # 3 days inside S1
    w.stay("S3", hospital="H2", adm=10, dscg=12, dise="J18.900")  # admitted the day S1 ends: no overlap
    found = w.run("R15_OVERLAP")
    assert summary(found) == [("R15_OVERLAP", "S2", "MS2|MS1", "500.00")]
    assert evidence(found) == [("S1", None, INV), ("S2", None, V)]
    assert details(found) == ["同一参保人住院时间重叠3天：本次H2（2026-03-06至2026-03-09），另在H1（2026-03-01至2026-03-11），"
                              "疑似冒名顶替，本次医疗费500.00元"]  # fmt: skip


def test_idle_bed_days_without_treatment() -> None:
    w = basic()
    w.stay("S1", adm=0, dscg=6)
    w.line("S1", "B", "BED", 0, cnt="6", pric="50", kind="01")
    for n in range(3):  # treatment on days 0–2; days 3–5 idle (the discharge day does not count)
        w.line("S1", str(n), "D", n, kind="09")
    w.line("S1", "N", "NURSE", 4, kind="07")  # nursing is not treatment
    w.stay("S2", adm=20, dscg=24)
    w.line("S2", "1", "D", 20, kind="09")
    w.line("S2", "2", "D", 21, kind="05")  # 2 idle days: below 3
    found = w.run("R14_IDLE_BED")
    assert summary(found) == [("R14_IDLE_BED", "S1", "MS1", "150.00")]
    assert evidence(found) == [("S1", None, V)]
    assert details(found) == ["住院6天（2026-03-01至2026-03-07），其中3天无治疗、检查或用药收费，疑似挂床住院，按床位费单价50.00元计"
                              "150.00元"]  # fmt: skip
