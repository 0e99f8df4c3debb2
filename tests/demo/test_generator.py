"""The demo city: reproducible, in range, and every amount consistent with the policy's per-line rules."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from dae.core.idcard import validate_certno
from dae.demo.city import City, FeeLine, Settlement
from dae.demo.generator import city_digest, generate_city

from .conftest import SMALL

YEAR = 2026
ZERO = Decimal("0.00")
FEN = Decimal("0.01")

# The first self-pay ratio by charge level and special-drug kind, written out from benefit-policy.md §2 / §5.
POLICY_RATIO = {
    ("01", ""): Decimal("0"),
    ("02", ""): Decimal("0.10"),
    ("01", "basic"): Decimal("0.20"),
    ("02", "basic"): Decimal("0.20"),
    ("01", "b_managed"): Decimal("0.10"),
    ("02", "b_managed"): Decimal("0.10"),
}


def half_up(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def originals(city: City) -> list[Settlement]:
    return [s for s in city.settlements if s.init_setl_id is None]


def lines_by_settlement(city: City) -> dict[str, list[FeeLine]]:
    grouped: dict[str, list[FeeLine]] = defaultdict(list)
    for line in city.fee_lines:
        grouped[line.setl_id].append(line)
    return grouped


# --- reproducibility -------------------------------------------------------------------------------------------


def test_same_seed_gives_the_same_city_and_another_seed_a_different_one(small_city: City) -> None:
    again = generate_city(persons=SMALL)
    assert city_digest(again) == city_digest(small_city)
    assert again == small_city
    other = generate_city(seed=7, persons=SMALL)
    assert city_digest(other) != city_digest(small_city)
    assert [p.certno for p in other.persons[:50]] != [p.certno for p in small_city.persons[:50]]


def test_the_city_does_not_depend_on_string_hashing() -> None:
    """Run in a fresh interpreter with another hash seed: set and dict orders must not leak into the city."""
    code = "from dae.demo.generator import city_digest, generate_city; print(city_digest(generate_city(persons=300)))"
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == city_digest(generate_city(persons=300))


# --- sizes -----------------------------------------------------------------------------------------------------


def test_table_sizes_of_a_small_city(any_city: City) -> None:
    assert [(r.admdvs, r.name) for r in any_city.regions] == [("220282", "桦甸市"), ("220281", "蛟河市")]
    assert len(any_city.persons) == SMALL
    assert len(any_city.units) == 40
    assert len(any_city.hospitals) == 60
    assert len(any_city.code_map) == 60 * len(any_city.catalogue)
    assert 280 <= len(any_city.catalogue) <= 420
    assert 80 <= len(any_city.diagnoses) <= 100
    # 12,000–15,000 settlements and ~400,000 lines per 100,000 persons, scaled to 2,000.
    assert 200 <= len(any_city.settlements) <= 330
    assert 6_000 <= len(any_city.fee_lines) <= 11_000


def test_visits_scale_with_the_number_of_persons(small_city: City) -> None:
    double = generate_city(persons=2 * SMALL)
    assert len(double.units) == 2 * len(small_city.units)
    ratio = len(double.settlements) / len(small_city.settlements)
    assert 1.6 <= ratio <= 2.4
    line_ratio = len(double.fee_lines) / len(small_city.fee_lines)
    assert 1.6 <= line_ratio <= 2.4


def test_hospitals_span_levels_types_and_places(any_city: City) -> None:
    levels = Counter(h.hosp_lv for h in any_city.hospitals)
    assert {"02", "05", "08", "11"} <= set(levels)
    assert set(levels) <= {f"{n:02d}" for n in range(1, 15)}
    assert {h.fixmedins_type for h in any_city.hospitals} >= {"综合医院", "中医医院", "乡镇卫生院"}
    by_region = Counter(h.admdvs for h in any_city.hospitals)
    assert by_region["220282"] >= 15
    assert by_region["220281"] >= 15
    names = {h.fixmedins_name for h in any_city.hospitals}
    assert {"桦甸市人民医院", "桦甸市中医院", "蛟河市人民医院", "吉林市中心医院"} <= names
    assert len({h.fixmedins_code for h in any_city.hospitals}) == 60
    assert all(h.status == "active" and len(h.bank_acct) == 19 and h.bank_name for h in any_city.hospitals)


# --- persons ---------------------------------------------------------------------------------------------------


def test_every_certno_is_valid_and_agrees_with_sex_and_birth_date(small_city: City) -> None:
    for person in small_city.persons:
        check = validate_certno(person.certno)
        assert check.facts is not None, (person.psn_no, check.problem)
        assert check.facts.gend == person.gend
        assert check.facts.birth_date == person.brdy
        assert int(person.certno[16]) % 2 == (1 if person.gend == "1" else 0)
    assert len({p.certno for p in small_city.persons}) == SMALL
    assert len({p.psn_no for p in small_city.persons}) == SMALL
    assert all(len(p.psn_no) <= 30 and p.psn_no[:6] == p.admdvs for p in small_city.persons)


def test_ages_and_person_types_follow_the_retirement_rules(small_city: City) -> None:
    jan1 = date(YEAR, 1, 1)
    for person in small_city.persons:
        age = age_on(person.brdy, jan1)
        assert 18 <= age <= 95
        if person.gend == "1":
            expected = "1201" if age >= 60 else "1101"
            assert person.psn_type == expected
        elif age < 50:
            assert person.psn_type == "1101"
        elif age >= 55:
            assert person.psn_type == "1201"
    types = Counter(p.psn_type for p in small_city.persons)
    assert 0.25 <= types["1201"] / SMALL <= 0.45


def test_enrolment_states(small_city: City) -> None:
    units = {u.emp_no: u for u in small_city.units}
    stas = Counter(p.psn_insu_stas for p in small_city.persons)
    assert set(stas) <= {"1", "2", "4"}
    assert stas["1"] >= 0.97 * SMALL
    assert stas["2"] >= 1
    assert stas["4"] >= 1
    for person in small_city.persons:
        assert person.insutype == "330"
        assert person.psn_cert_type == "01"
        assert units[person.emp_no].admdvs == person.admdvs
        assert (person.paus_insu_date is not None) == (person.psn_insu_stas == "2")
        assert (person.insu_end_date is not None) == (person.psn_insu_stas == "4")
        stop = person.paus_insu_date or person.insu_end_date
        if stop is not None:
            assert person.psn_insu_date < stop <= date(YEAR, 12, 31)


def test_names_repeat_like_a_real_register(small_city: City) -> None:
    names = Counter(p.psn_name for p in small_city.persons)
    assert 0.75 * SMALL <= len(names) < SMALL
    assert all(2 <= len(name) <= 3 for name in names)
    surnames = Counter(name[0] for name in names.elements())
    assert {s for s, _ in surnames.most_common(4)} <= {"王", "李", "张", "刘", "赵"}
    units = [u.emp_name for u in small_city.units]
    assert len(set(units)) == len(units)


# --- settlements and fee lines ---------------------------------------------------------------------------------


def test_settlement_totals_are_the_sums_of_their_lines(any_city: City) -> None:
    grouped = lines_by_settlement(any_city)
    assert set(grouped) == {s.setl_id for s in any_city.settlements}
    for s in any_city.settlements:
        lines = grouped[s.setl_id]
        assert s.medfee_sumamt == sum((line.det_item_fee_sumamt for line in lines), ZERO)
        assert s.fulamt_ownpay_amt == sum((line.fulamt_ownpay_amt for line in lines), ZERO)
        assert s.overlmt_selfpay == sum((line.overlmt_amt for line in lines), ZERO)
        assert s.preselfpay_amt == sum((line.preselfpay_amt for line in lines), ZERO)
        assert s.inscp_scp_amt == sum((line.inscp_scp_amt for line in lines), ZERO)
        assert s.medfee_sumamt == s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt
        assert all(line.mdtrt_id == s.mdtrt_id and line.psn_no == s.psn_no for line in lines)
        assert all(line.fixmedins_code == s.fixmedins_code and line.med_type == s.med_type for line in lines)


def test_every_line_splits_by_the_policy(any_city: City) -> None:
    catalogue = {item.med_list_codg: item for item in any_city.catalogue}
    over_cap = 0
    for line in any_city.fee_lines:
        item = catalogue[line.med_list_codg]
        assert (line.chrgitm_lv, line.sp_drug_kind, line.pric_uplmt_amt) == (
            item.chrgitm_lv, item.sp_drug_kind, item.pric_uplmt_amt,
        )
        assert line.cnt == line.cnt.quantize(Decimal("0.0001"))
        assert line.det_item_fee_sumamt == half_up(line.cnt * line.pric)
        assert line.det_item_fee_sumamt == (
            line.fulamt_ownpay_amt + line.overlmt_amt + line.preselfpay_amt + line.inscp_scp_amt
        )
        if line.chrgitm_lv == "03":
            assert line.fulamt_ownpay_amt == line.det_item_fee_sumamt
            assert line.overlmt_amt == line.preselfpay_amt == line.inscp_scp_amt == ZERO
            continue
        assert line.fulamt_ownpay_amt == ZERO
        if line.pric > line.pric_uplmt_amt:
            over_cap += 1
            assert line.overlmt_amt == line.det_item_fee_sumamt - half_up(line.cnt * line.pric_uplmt_amt)
            assert line.overlmt_amt * line.cnt > 0
        else:
            assert line.overlmt_amt == ZERO
        base = line.det_item_fee_sumamt - line.overlmt_amt
        ratio = POLICY_RATIO[(line.chrgitm_lv, line.sp_drug_kind)]
        assert line.preselfpay_amt == half_up(base * ratio)
        assert line.selfpay_prop == ratio
    assert over_cap >= 20
    levels = Counter((line.chrgitm_lv, line.sp_drug_kind) for line in any_city.fee_lines)
    assert {("01", ""), ("02", ""), ("03", ""), ("02", "basic"), ("02", "b_managed")} <= set(levels)


def test_feedetl_sn_is_unique_within_a_visit_and_refunds_point_to_their_line(any_city: City) -> None:
    by_visit: dict[tuple[str, str], FeeLine] = {}
    for line in any_city.fee_lines:
        key = (line.mdtrt_id, line.feedetl_sn)
        assert key not in by_visit
        by_visit[key] = line
    refunds = [line for line in any_city.fee_lines if line.init_feedetl_sn is not None]
    assert refunds
    for refund in refunds:
        original = by_visit[(refund.mdtrt_id, refund.init_feedetl_sn)]  # type: ignore[index]
        assert refund.med_list_codg == original.med_list_codg
        assert refund.pric == original.pric
        assert refund.cnt < 0 < original.cnt
        assert -refund.cnt <= original.cnt
        assert refund.fee_ocur_time >= original.fee_ocur_time


def test_codes_map_through_the_hospitals_own_list(any_city: City) -> None:
    mapping = {(m.fixmedins_code, m.medins_list_codg): m.med_list_codg for m in any_city.code_map}
    assert len(mapping) == len(any_city.code_map)
    for line in any_city.fee_lines:
        assert mapping[(line.fixmedins_code, line.medins_list_codg)] == line.med_list_codg


def test_cancellations_negate_an_existing_original_exactly(any_city: City) -> None:
    by_id = {s.setl_id: s for s in any_city.settlements}
    grouped = lines_by_settlement(any_city)
    cancels = [s for s in any_city.settlements if s.init_setl_id is not None]
    assert 1 <= len(cancels) <= max(3, round(0.01 * len(any_city.settlements)))
    assert len({c.init_setl_id for c in cancels}) == len(cancels)
    for cancel in cancels:
        original = by_id[cancel.init_setl_id]  # type: ignore[index]
        assert original.init_setl_id is None
        assert cancel.refd_setl_flag == "1" and original.refd_setl_flag == "0"
        assert (cancel.mdtrt_id, cancel.psn_no, cancel.fixmedins_code) == (
            original.mdtrt_id, original.psn_no, original.fixmedins_code,
        )
        for amount in ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"):
            assert getattr(cancel, amount) == -getattr(original, amount)
        assert original.medfee_sumamt > 0
        assert cancel.setl_time > original.setl_time
        negated = {line.init_feedetl_sn: line for line in grouped[cancel.setl_id]}
        assert len(negated) == len(grouped[original.setl_id])
        for line in grouped[original.setl_id]:
            assert negated[line.feedetl_sn].cnt == -line.cnt
            assert negated[line.feedetl_sn].inscp_scp_amt == -line.inscp_scp_amt


def test_times_fall_in_the_year_and_in_order(any_city: City) -> None:
    grouped = lines_by_settlement(any_city)
    persons = {p.psn_no: p for p in any_city.persons}
    # A line planted for R17 (收费跨期) is dated before admission on purpose: it is checked for that instead.
    cross = {(p.setl_id, p.feedetl_sn) for p in any_city.planted if p.rule_id == "R17_CROSS_PERIOD"}
    for s in any_city.settlements:
        assert s.setl_time.year == YEAR
        assert s.setl_time.date() >= s.adm_date
        assert s.adm_date <= s.begndate <= s.enddate <= s.dscg_date
        for line in grouped[s.setl_id]:
            if (line.setl_id, line.feedetl_sn) in cross:
                assert line.fee_ocur_time.date() < s.adm_date and line.fee_ocur_time < s.setl_time
                continue
            assert datetime.combine(s.adm_date, datetime.min.time()) <= line.fee_ocur_time
            assert line.fee_ocur_time.date() <= s.dscg_date
            if s.init_setl_id is None:
                assert s.begndate <= line.fee_ocur_time.date() <= s.enddate
                assert line.fee_ocur_time < s.setl_time
        if s.init_setl_id is None:
            person = persons[s.psn_no]
            assert s.adm_date >= person.psn_insu_date
            stop = person.paus_insu_date or person.insu_end_date
            assert stop is None or s.dscg_date < stop
    ids = [s.setl_id for s in any_city.settlements]
    assert ids == sorted(ids)
    times = [s.setl_time for s in any_city.settlements]
    assert times == sorted(times)


def test_settlement_fields_use_the_national_codes(any_city: City) -> None:
    hospitals = {h.fixmedins_code for h in any_city.hospitals}
    diagnoses = {d.dise_codg: d.dise_name for d in any_city.diagnoses}
    persons = {p.psn_no: p for p in any_city.persons}
    for s in any_city.settlements:
        assert s.fixmedins_code in hospitals
        assert diagnoses[s.dise_codg] == s.dise_name
        assert s.admdvs == persons[s.psn_no].admdvs
        assert s.med_type in {"21", "24", "14"}
        assert s.settle_way in {"direct", "manual"}
        assert s.mid_setl_flag in {"0", "1"}
        assert s.place_category in {
            "local", "long_term_offsite", "long_term_offsite_not_direct", "referred", "self_referred",
            "emergency_away",
        }
        if s.place_category == "long_term_offsite_not_direct":
            assert s.settle_way == "manual"
    med_types = Counter(s.med_type for s in any_city.settlements)
    assert med_types["21"] > med_types["24"] > 0
    assert med_types["14"] > 0


def test_place_and_settle_way_mix(any_city: City) -> None:
    settled = originals(any_city)
    away = sum(s.place_category != "local" for s in settled) / len(settled)
    manual = sum(s.settle_way == "manual" for s in settled) / len(settled)
    assert 0.03 <= away <= 0.15
    assert 0.01 <= manual <= 0.10


def test_haemodialysis_is_monthly_with_two_or_three_sessions_a_week(any_city: City) -> None:
    dialysis = [s for s in originals(any_city) if s.med_type == "14"]
    assert dialysis
    grouped = lines_by_settlement(any_city)
    months = Counter((s.psn_no, s.setl_time.month) for s in dialysis)
    assert max(months.values()) == 1
    for s in dialysis:
        assert s.dise_codg == "N18.5"
        lines = grouped[s.setl_id]
        sessions = {line.dialysis_session_id for line in lines}
        assert None not in sessions
        days = {line.fee_ocur_time.date() for line in lines}
        assert len(days) == len(sessions)
        assert all(day.month == s.setl_time.month for day in days)
        weeks = (s.dscg_date - s.adm_date).days / 7 + 1
        assert len(sessions) <= 3 * weeks + 1
        if s.adm_date.day <= 4 and s.dscg_date.day >= 26:  # a whole month: 2 or 3 sessions a week
            assert 8 <= len(sessions) <= 14
    inpatient_lines = [line for s in originals(any_city) if s.med_type != "14" for line in grouped[s.setl_id]]
    assert all(line.dialysis_session_id is None for line in inpatient_lines)


def test_cost_distribution_has_many_small_stays_and_a_long_tail(any_city: City) -> None:
    stays: dict[str, Decimal] = defaultdict(Decimal)
    for s in originals(any_city):
        if s.med_type != "14":
            stays[s.mdtrt_id] += s.medfee_sumamt
    amounts = sorted(stays.values())
    under_10k = sum(a < 10_000 for a in amounts) / len(amounts)
    assert 0.55 <= under_10k <= 0.85
    assert amounts[len(amounts) // 2] < 10_000
    assert amounts[-1] > 5 * amounts[len(amounts) // 2]
    in_scope: dict[str, Decimal] = defaultdict(Decimal)
    for s in any_city.settlements:  # cancellations are negative and net out
        in_scope[s.psn_no] += s.inscp_scp_amt
    treated = [v for v in in_scope.values() if v > 0]
    over_threshold = sum(v > 60_000 for v in treated)
    assert over_threshold >= 3
    assert over_threshold / len(treated) <= 0.10


@pytest.mark.parametrize("persons", [99])
def test_too_small_a_city_is_refused(persons: int) -> None:
    with pytest.raises(ValueError, match="至少为100"):
        generate_city(persons=persons)
