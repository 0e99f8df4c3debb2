"""Satisfaction surveys: the seeded stratified sample is reproducible, and the analysis of a hand-built answer set
is exact (score per question, satisfaction rate, by region and hospital, response rate)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, PermissionDenied
from dae.service import actions, analysis, queries
from dae.service.models import Respondent
from dae.service.sampling import Claimant, allocate, draw
from tests.factories import HospitalFactory, PersonFactory, SettlementFactory

A = "220282"


def test_allocation_is_proportional_by_largest_remainder() -> None:
    assert allocate({"a": 50, "b": 30, "c": 20}, 10) == {"a": 5, "b": 3, "c": 2}
    assert allocate({"a": 2, "b": 1}, 2) == {"a": 1, "b": 1}  # 4/3 and 2/3: the larger remainder wins
    assert sum(allocate({"a": 7, "b": 7, "c": 7}, 10).values()) == 10
    assert allocate({"a": 3}, 10) == {"a": 3}  # never more than the stratum holds


def test_same_seed_same_sample_other_seed_other_sample() -> None:
    people = [Claimant(A, h, f"P{h}{i:03d}") for h in (1, 2, 3) for i in range(40 * h)]
    first, again = draw(people, 24, "seed-2026"), draw(list(reversed(people)), 24, "seed-2026")
    assert first == again and len(first) == 24
    assert [sum(1 for c in first if c.hospital == h) for h in (1, 2, 3)] == [4, 8, 12]  # 40:80:120
    assert draw(people, 24, "another") != first


@pytest.fixture
def claimants(world: dict[str, Any]) -> dict[str, Any]:
    ra = world["regions"][0]
    small, large = HospitalFactory(region=ra, name="桦甸市中医院"), HospitalFactory(region=ra, name="桦甸市妇幼保健院")
    for i in range(30):
        hospital = small if i < 10 else large
        SettlementFactory(person=PersonFactory(region=ra, psn_no=f"PS{i:04d}"), hospital=hospital)
    return {"small": small, "large": large}


def test_a_survey_with_a_fixed_seed_draws_the_same_sample(users: dict[str, Any], claimants: dict[str, Any]) -> None:
    make = lambda: actions.do_create_survey(users["service"], region_code=A, title="2026 年一季度满意度调查",  # noqa: E731
                                            period_from="2026-01-01", period_to="2026-03-31", sample_size=9,
                                            seed="fixed-seed")
    one, two = make(), make()
    picked = lambda s: list(s.respondents.order_by("psn_no").values_list("psn_no", "hospital_id"))  # noqa: E731
    assert picked(one) == picked(two) and len(picked(one)) == 9
    # the world's own claimant (PA0001 at 桦甸市人民医院) makes 31: 1 + 10 + 20 → 0 + 3 + 6 by largest remainder
    hospitals = [h for _, h in picked(one)]
    assert (hospitals.count(claimants["small"].pk), hospitals.count(claimants["large"].pk)) == (3, 6)
    assert [q.code for q in one.questionnaires.order_by("code")] == ["basic", "hospital", "policy", "service"]


def test_analysis_of_a_hand_built_answer_set_is_exact() -> None:
    questions = [analysis.Question("service", "s1", "流程", "scale", "service"),
                 analysis.Question("service", "s2", "时效", "scale", "service"),
                 analysis.Question("hospital", "h1", "便利", "scale", "hospital"),
                 analysis.Question("service", "s8", "意见", "text", "service")]
    c = analysis.ScoreCount
    counts = [c("R1", "H1", "service", "s1", 5, 3), c("R1", "H1", "service", "s1", 3, 1),
              c("R2", "H2", "service", "s1", 2, 1), c("R1", "H1", "service", "s2", 4, 2),
              c("R2", "H2", "service", "s2", 1, 1), c("R2", "H2", "hospital", "h1", 4, 2),
              c("R2", "H2", "service", "s8", 5, 9)]  # a count on a text question is ignored
    texts = [analysis.TextAnswer("R1", "H1", "service", "s8", "希望缩短报销时间"), analysis.TextAnswer(
        "R2", "H2", "service", "s8", "  ")]
    result = analysis.analyse(questions, counts, texts, sampled=8, answered=6, target=Decimal("90"),
                              region_names={"R1": "桦甸市", "R2": "蛟河市"})
    assert result.response_rate == Decimal("75.00")
    rows = {r.key: r.tally for r in result.questions}
    assert (rows["service.s1"].answers, rows["service.s1"].mean, rows["service.s1"].rate) == (
        5, Decimal("4.00"), Decimal("60.00"))  # (15+3+2)/5; 3 of 5 satisfied
    assert rows["service.s1"].distribution == [("非常满意", 3), ("满意", 0), ("一般", 1), ("不太满意", 1),
                                               ("非常不满意", 0)]
    assert (rows["service.s2"].mean, rows["service.s2"].rate) == (Decimal("3.00"), Decimal("66.67"))
    assert (rows["hospital.h1"].mean, rows["hospital.h1"].rate) == (Decimal("4.00"), Decimal("100.00"))
    dims = {r.key: r.tally for r in result.dimensions}
    assert (dims["service"].answers, dims["service"].rate) == (8, Decimal("62.50"))
    regions = {r.label: r.tally for r in result.regions}
    assert (regions["桦甸市"].answers, regions["桦甸市"].mean, regions["桦甸市"].rate) == (6, Decimal("4.33"),
                                                                                      Decimal("83.33"))
    assert (regions["蛟河市"].answers, regions["蛟河市"].mean, regions["蛟河市"].rate) == (4, Decimal("2.75"),
                                                                                      Decimal("50.00"))
    assert (result.overall.answers, result.satisfaction_rate, result.meets_target) == (10, Decimal("70.00"), False)
    assert [t.text for t in result.texts] == ["希望缩短报销时间"]


def test_answers_on_a_call_and_online_then_the_analysis(users: dict[str, Any], world: dict[str, Any],
                                                        claimants: dict[str, Any]) -> None:
    survey = actions.do_create_survey(users["service"], region_code=A, title="调查", period_from="2026-01-01",
                                      period_to="2026-03-31", sample_size=31, seed="s")
    by_psn = {r.psn_no: r for r in survey.respondents.all()}
    actions.do_record_answers(users["service"], by_psn["PS0000"], answers={
        "service.s1": "5", "service.s2": "4", "hospital.h1": "3", "service.s8": "窗口人少", "basic.b1": "女"})
    with pytest.raises(PermissionDenied):
        actions.do_record_answers(world["users"]["insured"], by_psn["PS0001"], answers={"service.s1": "5"})
    online = actions.do_record_answers(world["users"]["insured"], by_psn["PA0001"],
                                       answers={"service.s1": "2", "service.s7": "5"})
    assert online.via == "online" and online.entered_by is None
    with pytest.raises(Conflict):
        actions.do_record_answers(users["service"], by_psn["PA0001"], answers={"service.s1": "5"})
    actions.do_mark_unreachable(users["service"], by_psn["PS0002"])
    result = queries.survey_analysis(survey)
    assert (result.sampled, result.answered, result.response_rate) == (31, 2, Decimal("6.45"))
    assert (result.overall.answers, result.overall.satisfied, result.satisfaction_rate) == (5, 3, Decimal("60.00"))
    rows = {r.key: r.tally for r in result.questions}
    assert rows["service.s1"].mean == Decimal("3.50")
    hospitals = {r.label: r.tally.answers for r in result.hospitals}
    assert hospitals == {"桦甸市中医院": 3, "桦甸市人民医院": 2}
    assert [t.text for t in result.texts] == ["窗口人少"]
    assert Respondent.objects.get(pk=by_psn["PS0002"].pk).status == "unreachable"
