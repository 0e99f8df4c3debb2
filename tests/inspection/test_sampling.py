"""The monthly re-review sample: the population, exact sizes (ceil), strata, seeds and their reproducibility,
the settings with their history, the deadline in working days, and the refusals."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.inspection import population, queries, sampling
from dae.inspection.actions import samples
from dae.inspection.models import Sample, SampleItem, SamplingSettings
from dae.inspection.queries import settings_in_force
from tests.factories import REGION_A, REGION_B

pytestmark = pytest.mark.django_db
D = Decimal
ON = dt.date(2025, 4, 7)


def test_the_population_is_the_valid_inpatient_settlements_of_the_month(march: dict[str, Any]) -> None:
    found = population.candidates(REGION_A, "2025-03")
    expected = sorted(s.setl_id for s in march["cross"] + march["province"] + march["local"])
    assert [c.setl_id for c in found] == expected and len(found) == 41
    assert sorted(c.setl_id for c in found if c.cross_province) == sorted(s.setl_id for s in march["cross"])
    assert not {s.setl_id for s in march["out"]} & {c.setl_id for c in found}


def test_cross_province_needs_an_off_site_stay_in_another_province() -> None:
    assert sampling.is_cross_province("referred", "220282", "110105")
    assert not sampling.is_cross_province("referred", "220282", "220202")  # same province (吉林)
    assert not sampling.is_cross_province("local", "220282", "110105")


@pytest.mark.parametrize(
    ("count", "ratio", "expected"),
    [
        (41, D("5"), 3),
        (40, D("5"), 2),
        (1, D("5"), 1),
        (0, D("5"), 0),
        (10, D("20"), 2),
        (11, D("20"), 3),
        (3, D("33.33"), 1),
        (100, D("0.01"), 1),
        (7, D("100"), 7),
    ],
)
def test_required_sizes_round_up(count: int, ratio: Decimal, expected: int) -> None:
    assert sampling.required(count, ratio) == expected


def test_the_draw_takes_exactly_the_required_counts_by_stratum(world: Any, users: Any, march: dict[str, Any]) -> None:
    sample = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-03", seed=20250301, on=ON)
    assert (sample.population, sample.cross_population) == (41, 10)
    assert (sample.required_total, sample.required_cross) == (3, 2)  # ⌈41 × 5 %⌉ = 3, ⌈10 × 20 %⌉ = 2
    items = list(sample.items.select_related("settlement").order_by("seq"))
    assert len(items) == 3 and [i.seq for i in items] == [1, 2, 3]
    cross = {s.setl_id for s in march["cross"]}
    assert [i.stratum for i in items] == ["cross_province", "cross_province", "inpatient"]
    assert all(i.settlement.setl_id in cross for i in items[:2])
    assert all(i.status == SampleItem.Status.PENDING for i in items)
    assert (sample.seed, sample.seed_source, sample.inpatient_ratio, sample.cross_province_ratio) == (
        20250301,
        "given",
        D("5.00"),
        D("20.00"),
    )
    event = Event.objects.get(action="inspection.sample_drawn")
    assert event.after["setl_ids"] == [i.settlement.setl_id for i in items] and event.after["seed"] == "20250301"


def test_when_the_cross_province_stratum_needs_more_than_the_inpatient_ratio(far: Any, stay: Any) -> None:
    for n in range(9):
        stay(f"SC{n:02d}", dt.date(2025, 5, 6), hospital=far["beijing"], place_category="emergency_away")
    for n in range(11):
        stay(f"SD{n:02d}", dt.date(2025, 5, 6))
    result = sampling.draw(population.candidates(REGION_A, "2025-05"), 7, D("5"), D("20"))
    assert (result.population, result.cross_population, result.required_total, result.required_cross) == (20, 9, 1, 2)
    assert [s for _c, s in result.picks] == ["cross_province", "cross_province"]  # the 2 also cover the 5 % (1)


def test_a_larger_ratio_draws_more_from_the_rest(world: Any, users: Any, march: dict[str, Any]) -> None:
    sample = samples.do_draw_sample(
        users["inspector"], REGION_A, "2025-03", seed=1, on=ON, inpatient_ratio="25", cross_province_ratio="50"
    )
    strata = list(sample.items.order_by("seq").values_list("stratum", flat=True))
    assert (sample.required_total, sample.required_cross) == (11, 5)  # ⌈10.25⌉, ⌈5⌉
    assert strata == ["cross_province"] * 5 + ["inpatient"] * 6
    assert len(set(sample.items.values_list("settlement", flat=True))) == 11


def test_same_seed_same_sample_and_another_seed_another(march: dict[str, Any]) -> None:
    pool = population.candidates(REGION_A, "2025-03")
    first = sampling.draw(pool, 424242, D("25"), D("20"))
    shuffled = list(pool)
    random.Random(3).shuffle(shuffled)  # the rows in another order: the same sample
    assert sampling.draw(shuffled, 424242, D("25"), D("20")).picks == first.picks
    assert sampling.draw(list(reversed(pool)), 424242, D("25"), D("20")).setl_ids == first.setl_ids
    assert sampling.draw(pool, 424243, D("25"), D("20")).setl_ids != first.setl_ids
    assert len(first.setl_ids) == 11


def test_the_stored_sample_replays_and_notices_changed_data(
    world: Any, users: Any, march: dict[str, Any], stay: Any
) -> None:
    sample = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-03", on=ON)
    assert sample.seed_source == "system" and 0 <= sample.seed <= sampling.MAX_SEED
    assert queries.replay_matches(sample)
    assert queries.replay(sample).setl_ids == list(
        sample.items.order_by("seq").values_list("settlement__setl_id", flat=True)
    )
    for n in range(30):  # late settlements of the month change the population
        stay(f"SZ{n:03d}", dt.date(2025, 3, 20))
    assert not queries.replay_matches(sample)


def test_two_system_seeds_differ(world: Any, users: Any, march: dict[str, Any], stay: Any) -> None:
    stay("SM001", dt.date(2025, 6, 3))
    one = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-03", on=ON)
    two = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-06", on=dt.date(2025, 7, 1))
    assert one.seed != two.seed


def test_refusals_write_nothing(world: Any, users: Any, march: dict[str, Any]) -> None:
    reviewer = users["reviewer"]
    with pytest.raises(InvalidInput) as error:
        samples.do_draw_sample(reviewer, REGION_A, "2025-03", on=dt.date(2025, 3, 31))
    assert error.value.code == "month_not_over" and "尚未结束" in error.value.message
    with pytest.raises(InvalidInput) as error:
        samples.do_draw_sample(reviewer, REGION_A, "2025-03", on=ON, inpatient_ratio="0")
    assert error.value.message == "住院结算抽样比例须大于 0 且不超过 100（最多两位小数）"
    with pytest.raises(InvalidInput) as error:
        samples.do_draw_sample(reviewer, REGION_A, "2025-03", on=ON, cross_province_ratio="abc")
    assert error.value.code == "invalid_ratio"
    with pytest.raises(InvalidInput) as error:
        samples.do_draw_sample(reviewer, REGION_A, "2025-03", on=ON, seed="-5")
    assert error.value.message.startswith("随机种子须为 0 到")
    with pytest.raises(InvalidInput) as error:
        samples.do_draw_sample(reviewer, REGION_B, "2025-03", on=ON)
    assert error.value.code == "invalid_region" and "不在本人负责的统筹区内" in error.value.message
    with pytest.raises(InvalidInput) as error:
        samples.do_draw_sample(reviewer, REGION_A, "2025-13", on=ON)
    assert error.value.code == "invalid_month"
    with pytest.raises(Conflict) as conflict:
        samples.do_draw_sample(reviewer, REGION_A, "2025-01", on=ON)
    assert conflict.value.code == "empty_population"
    assert Sample.objects.count() == 0 and SampleItem.objects.count() == 0
    assert not Event.objects.filter(action__startswith="inspection.").exists()
    samples.do_draw_sample(reviewer, REGION_A, "2025-03", on=ON)
    with pytest.raises(Conflict) as conflict:
        samples.do_draw_sample(reviewer, REGION_A, "2025-03", on=ON, seed=5)
    assert conflict.value.code == "sample_exists" and "每月只抽一次" in conflict.value.message
    assert Sample.objects.count() == 1


def test_settings_are_versioned_and_used_as_defaults(world: Any, users: Any, march: dict[str, Any]) -> None:
    assert settings_in_force().version == 0
    assert (settings_in_force().inpatient_ratio, settings_in_force().cross_province_ratio) == (D("5.00"), D("20.00"))
    manager = users["manager"]
    samples.do_change_settings(
        manager, inpatient_ratio="10", cross_province_ratio="30", deadline_days="15", reason="医保局要求提高抽查比例"
    )
    second = samples.do_change_settings(
        manager, inpatient_ratio="12.5", cross_province_ratio="30", deadline_days="10", reason="年中调整"
    )
    assert second.version == 2 and list(SamplingSettings.objects.values_list("version", flat=True)) == [2, 1]
    in_force = settings_in_force()
    assert (in_force.version, in_force.inpatient_ratio, in_force.cross_province_ratio, in_force.deadline_days) == (
        2,
        D("12.50"),
        D("30.00"),
        10,
    )
    event = Event.objects.filter(action="inspection.settings_changed").latest("id")
    assert event.before["inpatient_ratio"] == "10.00" and event.after["inpatient_ratio"] == "12.50"
    sample = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-03", seed=9, on=ON)
    assert (sample.inpatient_ratio, sample.cross_province_ratio, sample.settings_version) == (D("12.50"), D("30.00"), 2)
    assert (sample.required_total, sample.required_cross) == (6, 3)  # ⌈5.125⌉, ⌈3⌉
    assert sample.deadline_days == 10
    with pytest.raises(InvalidInput) as error:
        samples.do_change_settings(
            manager, inpatient_ratio="5", cross_province_ratio="20", deadline_days="0", reason="测试"
        )
    assert error.value.code == "invalid_days"
    with pytest.raises(InvalidInput) as error:
        samples.do_change_settings(
            manager, inpatient_ratio="5", cross_province_ratio="20", deadline_days="5", reason=""
        )
    assert error.value.message == "请填写变更原因"
    assert SamplingSettings.objects.count() == 2


def test_the_deadline_counts_working_days_across_national_day(world: Any, users: Any, stay: Any) -> None:
    stay("SN001", dt.date(2025, 8, 12))
    sample = samples.do_draw_sample(users["reviewer"], REGION_A, "2025-08", on=dt.date(2025, 9, 30), seed=1)
    # 20 working days from Tue 30 Sep 2025: 1–8 Oct are holidays, Sat 11 Oct is a working day →
    # 9,10,11,13,14,15,16,17,20,21,22,23,24,27,28,29,30,31 Oct (18), 3 Nov (19), 4 Nov (20).
    assert sample.due_on == dt.date(2025, 11, 4) and sample.deadline_warnings == []
    assert sample.is_overdue(dt.date(2025, 11, 5)) and not sample.is_overdue(dt.date(2025, 11, 4))
