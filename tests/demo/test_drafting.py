"""Drafting stages: mid-stay settlements of a long stay, the plants hook, and the per-line split."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from dae.demo import care
from dae.demo.care import Planner
from dae.demo.casemix import PROFILES
from dae.demo.city import SETTLE_DIRECT, City
from dae.demo.draft import Draft, DraftEpisode
from dae.demo.generator import generate_city
from dae.demo.names import NameMaker
from dae.demo.population import Population
from dae.demo.reference import Reference, build_reference
from dae.demo.settle import freeze, line_amounts


@pytest.fixture(scope="module")
def reference() -> Reference:
    return build_reference(random.Random(1), NameMaker(), 60)


def _long_stay(reference: Reference, city: City, adm: date, dscg: date) -> tuple[Planner, DraftEpisode]:
    planner = Planner(random.Random(5), reference, city.persons, 2026)
    hospital = next(h for h in reference.hospitals if h.row.fixmedins_name == "桦甸市人民医院")
    diagnosis = next(d for d in reference.diagnoses if d.row.dise_codg == "F20.9")
    person = city.persons[0]
    episode = DraftEpisode(person, hospital, diagnosis, "21", "local", SETTLE_DIRECT, adm, dscg)
    return planner, episode


def test_a_long_stay_is_settled_every_thirty_days(
    reference: Reference, small_city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(care, "MID_SETTLEMENT_SHARE", 1.0)
    planner, episode = _long_stay(reference, small_city, date(2026, 3, 1), date(2026, 5, 10))
    lines = planner.fees.stay_lines(random.Random(9), episode, PROFILES["psych"], 2_500_000, None, 0)
    assert planner.attach_settlements(episode, lines, date(2026, 5, 10))
    periods = [(s.begndate, s.enddate, s.mid_setl_flag) for s in episode.settlements]
    assert periods == [
        (date(2026, 3, 1), date(2026, 3, 30), "1"),
        (date(2026, 3, 31), date(2026, 4, 29), "1"),
        (date(2026, 4, 30), date(2026, 5, 10), "0"),
    ]
    assert sum(len(s.lines) for s in episode.settlements) == len(lines)
    for settlement in episode.settlements:
        assert settlement.lines
        assert all(settlement.begndate <= line.when.date() <= settlement.enddate for line in settlement.lines)
        assert all(line.when < settlement.setl_time for line in settlement.lines)

    frozen = freeze(Draft(1, 2026, reference, Population(small_city.units, small_city.persons), [episode]))
    assert [s.mid_setl_flag for s in frozen.settlements] == ["1", "1", "0"]
    assert len({s.mdtrt_id for s in frozen.settlements}) == 1
    assert len({line.feedetl_sn for line in frozen.fee_lines}) == len(lines)


def test_a_stay_admitted_last_year_keeps_only_this_years_settlements(
    reference: Reference, small_city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(care, "MID_SETTLEMENT_SHARE", 1.0)
    planner, episode = _long_stay(reference, small_city, date(2025, 11, 20), date(2026, 1, 25))
    lines = planner.fees.stay_lines(random.Random(3), episode, PROFILES["psych"], 2_500_000, None, 0)
    assert planner.attach_settlements(episode, lines, date(2026, 1, 25))
    assert [s.setl_time.year for s in episode.settlements] == [2026, 2026]
    assert episode.settlements[0].begndate == date(2025, 12, 20)
    assert episode.adm_date == date(2025, 11, 20)


@dataclass
class DoubleFirstLine:
    """A toy plant: doubles the quantity of the first line of the first visit and marks it."""

    name: str = "double_first_line"

    def apply(self, draft: Draft, rng: random.Random) -> None:
        line = draft.episodes[0].settlements[0].lines[0]
        line.cnt = line.cnt * 2
        line.tags = ("planted",)
        draft.episodes[0].tags.append(self.name)


def test_plants_change_the_draft_before_amounts_are_computed() -> None:
    plain = generate_city(persons=300)
    planted = generate_city(persons=300, plants=[DoubleFirstLine()])
    changed = [(a, b) for a, b in zip(plain.fee_lines, planted.fee_lines, strict=True) if a != b]
    assert len(changed) == 1
    before, after = changed[0]
    assert after.cnt == 2 * before.cnt
    assert after.det_item_fee_sumamt == (after.cnt * after.pric).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    settlement = next(s for s in planted.settlements if s.setl_id == after.setl_id)
    old = next(s for s in plain.settlements if s.setl_id == before.setl_id)
    assert settlement.medfee_sumamt - old.medfee_sumamt == after.det_item_fee_sumamt - before.det_item_fee_sumamt
    assert planted.persons == plain.persons


@pytest.mark.parametrize(
    ("cnt", "pric", "cap", "lv", "ratio", "expected"),
    [
        # 乙类 at the cap: 10% first self-pay, rounded half up (4.52 × 0.10 = 0.452 → 0.45).
        ("1.0000", "4.52", "4.52", "02", "0.10", ("4.52", "0.00", "0.00", "0.45", "4.07")),
        # 乙类 whose 10% ends in a half fen: 0.25 → rounds up to 0.03.
        ("1.0000", "0.25", "0.25", "02", "0.10", ("0.25", "0.00", "0.00", "0.03", "0.22")),
        # Charged above the cap: the excess is 超限价, the ratio applies to the capped part.
        ("2.0000", "12.00", "10.00", "02", "0.10", ("24.00", "0.00", "4.00", "2.00", "18.00")),
        # 丙类: all self-paid.
        ("3.0000", "90.00", "90.00", "03", "1", ("270.00", "270.00", "0.00", "0.00", "0.00")),
        # Special drug in the basic scope: 20%.
        ("1.0000", "1640.00", "1640.00", "02", "0.20", ("1640.00", "0.00", "0.00", "328.00", "1312.00")),
        # 甲类 per-tablet price with 6 places.
        ("30.0000", "0.061300", "0.061300", "01", "0", ("1.84", "0.00", "0.00", "0.00", "1.84")),
        # A refund line mirrors its original.
        ("-1.0000", "0.25", "0.25", "02", "0.10", ("-0.25", "0.00", "0.00", "-0.03", "-0.22")),
    ],
)
def test_line_split(cnt: str, pric: str, cap: str, lv: str, ratio: str, expected: tuple[str, ...]) -> None:
    got = line_amounts(Decimal(cnt), Decimal(pric), Decimal(cap), lv, Decimal(ratio))
    assert got == tuple(Decimal(x) for x in expected)
