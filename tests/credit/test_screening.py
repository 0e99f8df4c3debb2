"""Anomaly screening: the robust statistics, the readmission rule, and a hand-built month where H6's cost per
stay and readmissions and H5's drug share are planted far above their peers — exact indicator values, peer
medians, z and percent, the explanation, and that a normal hospital is not flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import InvalidInput
from dae.core.jobs import tracked
from dae.core.models import Event
from dae.credit import anomaly, explain, screening
from dae.credit.actions import screening as screening_actions
from dae.credit.models import ScreeningResult, ScreeningRun
from tests.factories import REGION_A

from .conftest import PARAMS

D = Decimal


# -- the arithmetic ------------------------------------------------------------------------------------------


def test_median_and_robust_scale() -> None:
    assert anomaly.median([D(3), D(1), D(2)]) == D(2)
    assert anomaly.median([D(4), D(1), D(2), D(3)]) == D("2.5")
    # MAD = median(|x − 3|) = median(2, 1, 0, 1, 7) = 1 → 1.4826
    assert anomaly.robust_scale([D(1), D(2), D(3), D(4), D(10)], D(3)) == D("1.4826")


def test_mad_zero_falls_back_to_the_mean_absolute_deviation() -> None:
    values = [D(5), D(5), D(5), D(5), D(9)]
    # more than half the values equal the median: MAD = 0, so 1.2533 × mean |x − 5| = 1.2533 × 4 / 5
    assert anomaly.robust_scale(values, D(5)) == D("1.00264")
    assert anomaly.robust_scale([D(7)] * 6, D(7)) == 0


def _units(readmits: list[int], stays: int) -> dict[tuple[str, int, str], anomaly.Unit]:
    units = {}
    for n, k in enumerate(readmits):
        unit = anomaly.Unit("hospital", n, str(n), "grade:2", readmits=k)
        unit.stays = [
            anomaly.Stay(f"{n}-{i}", n, "P", dt.date(2026, 3, 1), dt.date(2026, 3, 6), "I10", D("100"))
            for i in range(stays)
        ]
        units[unit.key] = unit
    return units


def _readmit(results: list[anomaly.Result], code: str) -> anomaly.Indicator:
    return next(i for r in results if r.code == code for i in r.indicators if i.key == "readmit_rate")


def test_mad_zero_on_real_units_still_flags_a_clear_outlier() -> None:
    # rates 0 0 0 0 5 30 (%) of 20 stays each: MAD 0 → 1.2533 × 35/6 = 7.3109; the binomial floor at the pooled
    # 7/120 for 20 stays is 5.2407, smaller; z = 30 / 7.3109 = 4.10
    results = anomaly.score_units(_units([0, 0, 0, 0, 1, 6], 20), anomaly.Params(min_volume=10))
    top = _readmit(results, "5")
    assert (top.value, top.peer_median, top.scale, top.z, top.flagged) == (
        D("30.00"),
        D("0.00"),
        D("7.3109"),
        D("4.10"),
        True,
    )
    assert (_readmit(results, "4").z, _readmit(results, "4").flagged) == (D("0.68"), False)
    assert [r.score for r in results] == [D("0.00")] * 5 + [D("4.10")]


def test_one_readmission_among_few_stays_is_not_an_outlier() -> None:
    # rates 0 0 0 0 10 of 10 stays: 1.2533 × 10/5 = 2.5066 would give z 3.99; the floor √(0.02 × 0.98 / 10) = 4.4272
    assert anomaly.robust_scale([D(0)] * 4 + [D(10)], D(0)) == D("2.5066")
    results = anomaly.score_units(_units([0, 0, 0, 0, 1], 10), anomaly.Params(min_volume=10))
    one = _readmit(results, "4")
    assert (one.scale, one.z, one.flagged) == (D("4.4272"), D("2.26"), False)


def test_every_peer_equal_gives_z_zero_and_no_flag() -> None:
    ind = anomaly._indicator("avg_los", D("5.00"), 30, {}, D(5), D(0), 6, True, anomaly.Params())
    assert (ind.z, ind.flagged, ind.status, ind.pct) == (D(0), False, "ok", D("0.0"))


def test_threshold_is_strictly_above() -> None:
    params = anomaly.Params(threshold=D("3.00"))
    at = anomaly._indicator("drug_share", D("13.00"), 10, {}, D(10), D(1), 5, True, params)
    above = anomaly._indicator("drug_share", D("13.01"), 10, {}, D(10), D(1), 5, True, params)
    assert (at.z, at.flagged) == (D("3.00"), False)
    assert (above.z, above.flagged) == (D("3.01"), True)


def test_only_the_average_stay_is_flagged_below_its_peers() -> None:
    params = anomaly.Params(threshold=D("3.00"))
    low_cost = anomaly._indicator("cost_index", D("0.5000"), 10, {}, D(1), D("0.1"), 5, True, params)
    short_stay = anomaly._indicator("avg_los", D("2.00"), 10, {}, D(7), D(1), 5, True, params)
    assert (low_cost.z, low_cost.flagged) == (D("-5.00"), False)
    assert (short_stay.z, short_stay.flagged) == (D("-5.00"), True)


def test_small_peer_groups_and_small_volumes_are_not_scored() -> None:
    params = anomaly.Params(min_peers=5, min_volume=10)
    few = anomaly._indicator("avg_los", D("9.00"), 20, {}, D(5), None, 4, False, params)
    small = anomaly._indicator("avg_los", D("9.00"), 9, {}, D(5), D(1), 6, True, params)
    assert (few.status, few.z, few.flagged, few.pct) == ("few_peers", None, False, D("80.0"))
    assert (small.status, small.z, small.flagged) == ("low_volume", None, False)


def _stay(key: str, psn: str, adm: dt.date, dscg: dt.date) -> anomaly.Stay:
    return anomaly.Stay(key, 1, psn, adm, dscg, "I10", D("100"))


def test_readmission_within_the_days_counts_the_later_stay() -> None:
    first = _stay("a", "P", dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    day15 = _stay("b", "P", dt.date(2026, 3, 20), dt.date(2026, 3, 22))  # 15 days after leaving: counts
    day16 = _stay("c", "Q", dt.date(2026, 3, 21), dt.date(2026, 3, 22))  # Q left on the 5th too: 16 days
    other = anomaly.Stay("d", 2, "P", dt.date(2026, 3, 6), dt.date(2026, 3, 8), "I10", D("100"))  # another hospital
    earlier = [anomaly.Earlier("e", 1, "Q", dt.date(2026, 3, 5))]
    assert anomaly._readmissions([first, day15, day16, other], earlier, 15) == {"b"}
    # from a stay settled before the period (the look-back)
    assert anomaly._readmissions([_stay("f", "Q", dt.date(2026, 3, 10), dt.date(2026, 3, 12))], earlier, 15) == {"f"}


# -- a run over the hand-built month -------------------------------------------------------------------------


def _run(world: dict[str, Any]) -> ScreeningRun:
    return screening_actions.do_start_screening(
        region=REGION_A, period_kind="month", period="2026-03", actor=world["users"]["inspector"], params=PARAMS
    )


def _ind(result: ScreeningResult, key: str) -> dict[str, Any]:
    return next(i for i in result.indicators if i["key"] == key)


def _hospital(run: ScreeningRun, code: str) -> ScreeningResult:
    return ScreeningResult.objects.get(run=run, unit_kind="hospital", unit_code=code)


@pytest.mark.django_db
def test_a_run_counts_only_valid_inpatient_stays_of_the_region_and_period(screening_world: dict[str, Any]) -> None:
    run = _run(screening_world)
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.DONE and run.job is not None and run.job.status == "succeeded"
    assert run.params == {"threshold": "3.00", "min_peers": 5, "min_volume": 2, "readmit_days": 15}
    # 6 hospitals × 2 stays + H7's 2 + the world's SA0001 (HA0001, one stay: below the minimum volume); not the
    # cancelled, the 2305 pair, the outpatient visit, February, region B
    assert run.stays_count == 15
    small = _hospital(run, "HA0001")
    # no diagnosis (no peer median for its group) and no fee lines: no value; one stay: too few to score
    assert [i["status"] for i in small.indicators] == ["no_value", "no_value", "low_volume", "low_volume"]
    assert not small.flagged
    h1 = _hospital(run, "HS1")
    assert (h1.stays, h1.total_cost) == (2, D("3000.00"))
    assert not ScreeningResult.objects.filter(run=run, hospital=screening_world["hb"]).exists()
    assert Event.objects.filter(action="credit.screening_done", object_id=str(run.pk)).count() == 1


@pytest.mark.django_db
def test_the_planted_cost_is_flagged_with_exact_values(screening_world: dict[str, Any]) -> None:
    run = _run(screening_world)
    h6 = _hospital(run, "HS6")
    cost = _ind(h6, "cost_index")
    # I10 median of (1000…1400, 5000) = 1250, J18 of (2000…2400, 9000) = 2250 → expected 3500 for two stays;
    # H6 costs 14000 → 4.0000; indices 0.8571 0.9143 0.9714 1.0286 1.0857 4.0000 → median 1.0000, MAD 0.0857
    assert cost == {
        "key": "cost_index",
        "value": "4.0000",
        "volume": 2,
        "peer_median": "1.0000",
        "scale": "0.1271",
        "z": "23.61",
        "pct": "300.0",
        "peers": 6,
        "status": "ok",
        "flagged": True,
        "extra": {"actual_per_stay": "7000.00", "expected_per_stay": "1750.00"},
    }
    readmit = _ind(h6, "readmit_rate")
    # (0, 0, 0, 0, 0, 50): MAD 0 → 1.2533 × 50/6 = 10.4442; but one readmission in two stays is noise: the
    # binomial floor at the pooled rate 1/12 for 2 stays is √(1/12 × 11/12 / 2) = 19.5434 points → z = 2.56
    assert (
        readmit["value"],
        readmit["peer_median"],
        readmit["scale"],
        readmit["z"],
        readmit["pct"],
        readmit["flagged"],
    ) == ("50.00", "0.00", "19.5434", "2.56", None, False)
    los = _ind(h6, "avg_los")
    assert (los["value"], los["peer_median"], los["z"], los["flagged"]) == ("5.00", "5.00", "0.00", False)
    assert (h6.flagged, h6.score, h6.rank) == (True, D("23.61"), 1)
    assert explain.flagged_sentences(h6.indicators, run.params) == [
        "病种校正次均费用指数 4.0000，高于同类中位数 1.0000 300.0%（稳健 z = 23.61，同类 6 个）；"
        "次均费用 7000.00 元，按同类同病种中位数应为 1750.00 元",
    ]
    assert (
        explain.sentence(readmit, run.params) == "再入院率（%） 50.00，高于同类中位数 0.00（稳健 z = 2.56，同类 6 个）"
    )


@pytest.mark.django_db
def test_the_planted_drug_share_is_flagged_and_a_normal_hospital_is_not(screening_world: dict[str, Any]) -> None:
    run = _run(screening_world)
    h5 = _hospital(run, "HS5")
    drug = _ind(h5, "drug_share")
    # shares 30 32 34 36 70 38 → median 35.00, MAD 3 → scale 4.4478; z = 35 / 4.4478 = 7.87
    assert (drug["value"], drug["peer_median"], drug["scale"], drug["z"], drug["pct"], drug["flagged"]) == (
        "70.00",
        "35.00",
        "4.4478",
        "7.87",
        "100.0",
        True,
    )
    assert (h5.flagged, h5.score) == (True, D("7.87"))
    assert explain.flagged_sentences(h5.indicators, run.params) == [
        "药品费用占比（%） 70.00，高于同类中位数 35.00 100.0%（稳健 z = 7.87，同类 6 个）"
    ]
    h3 = _hospital(run, "HS3")
    assert (h3.flagged, h3.score, h3.rank) == (False, D("0.00"), None)
    assert [(_ind(h3, k)["value"], _ind(h3, k)["z"]) for k in anomaly.INDICATORS] == [
        ("0.9714", "-0.23"),
        ("34.00", "-0.22"),
        ("0.00", "0.00"),
        ("5.00", "0.00"),
    ]
    assert _ind(h3, "cost_index")["extra"] == {"actual_per_stay": "1700.00", "expected_per_stay": "1750.00"}
    assert (
        explain.sentence(_ind(h3, "drug_share"), run.params)
        == "药品费用占比（%） 34.00，低于同类中位数 35.00 2.9%（稳健 z = -0.22，同类 6 个）"
    )


@pytest.mark.django_db
def test_departments_doctors_and_a_hospital_without_peers(screening_world: dict[str, Any]) -> None:
    run = _run(screening_world)
    h6 = screening_world["hospitals_s"][6]
    dept = ScreeningResult.objects.get(run=run, unit_kind="department", hospital=h6)
    doctor = ScreeningResult.objects.get(run=run, unit_kind="doctor", hospital=h6)
    assert (dept.unit_code, dept.peer_group, dept.unit_name) == ("03", "dept:03", "测试医院6 内科")
    assert (doctor.unit_code, doctor.peer_group, doctor.unit_name) == ("DRHS6", "doctor:03", "医师6（测试医院6）")
    assert dept.flagged and doctor.flagged and _ind(dept, "cost_index")["flagged"]
    h7 = _hospital(run, "HS7")
    assert h7.peer_group == "grade:3"
    assert {i["status"] for i in h7.indicators} == {"few_peers"} and not h7.flagged
    assert [i["peers"] for i in h7.indicators] == [1, 1, 1, 1]
    ranks = list(ScreeningResult.objects.filter(run=run, flagged=True).order_by("rank").values_list("rank", flat=True))
    assert (
        ranks == list(range(1, len(ranks) + 1))
        and run.results.filter(flagged=True).count() == ScreeningRun.objects.get(pk=run.pk).flagged_count
    )


@pytest.mark.django_db
def test_a_stored_run_does_not_change_when_the_data_does(screening_world: dict[str, Any]) -> None:
    run = _run(screening_world)
    before = list(run.results.order_by("pk").values_list("unit_code", "score", "indicators"))
    from tests.credit.conftest import stay

    stay(
        screening_world["hospitals_s"][3],
        screening_world["persons"][0],
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        "I10.x00",
        "99999.00",
        99,
    )
    assert list(run.results.order_by("pk").values_list("unit_code", "score", "indicators")) == before
    again = _run(screening_world)
    assert _hospital(again, "HS3").stays == 3 and _hospital(run, "HS3").stays == 2


@pytest.mark.parametrize(
    ("kind", "period", "first", "last"),
    [
        ("month", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("quarter", "2026q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("year", "2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_period_bounds(kind: str, period: str, first: dt.date, last: dt.date) -> None:
    assert screening.period_bounds(kind, period) == (first, last)


@pytest.mark.parametrize(
    ("kind", "period"), [("month", "2026-13"), ("quarter", "2026Q5"), ("year", "26"), ("week", "2026")]
)
def test_bad_periods_are_refused(kind: str, period: str) -> None:
    with pytest.raises(InvalidInput):
        screening.period_bounds(kind, period)


@pytest.mark.django_db
def test_parameters_are_checked_before_a_run(world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as err:
        screening_actions.do_start_screening(
            region=REGION_A,
            period_kind="month",
            period="2026-03",
            actor=world["users"]["inspector"],
            params={"min_peers": 2},
        )
    assert err.value.details == [{"path": "min_peers", "message": "须为 3–1000 的整数"}]
    assert not ScreeningRun.objects.exists()


@pytest.mark.django_db
def test_a_run_is_marked_running_then_failed_when_its_body_raises(world: dict[str, Any]) -> None:
    # core.jobs.tracked: the one helper the audit runs and the screening runs keep their status with
    run = _run(world)
    seen: list[str] = []

    def body() -> dict[str, Any]:
        seen.append(ScreeningRun.objects.get(pk=run.pk).status)
        raise RuntimeError("计算失败")

    with pytest.raises(RuntimeError, match="计算失败"):
        tracked(run, body)
    run.refresh_from_db()
    assert seen == ["running"]
    assert run.status == ScreeningRun.Status.FAILED and run.finished_at is not None
    assert tracked(run, lambda: {"ok": 1}) == {"ok": 1}
    assert ScreeningRun.objects.get(pk=run.pk).status == ScreeningRun.Status.RUNNING  # the body sets what follows
