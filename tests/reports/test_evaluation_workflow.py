"""The annual evaluation as a workflow: computed and stored per hospital, adjusted by the manager with a reason
(bounded), signed off by someone else and frozen, published to each hospital (its own sheet only); the
timeliness of answers to findings scored exactly on a hand-built case; a published poor grade lowers the
hospital's credit score and a good one does not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.auditing.models import Finding, FindingStep
from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.credit.models import CreditEvent, CreditParty
from dae.reports import actions
from dae.reports.evaluation import Profile, score
from dae.reports.models import Evaluation, EvaluationScore

from ..factories import HospitalFactory, SettlementFactory

A = "220282"
STEP = FindingStep.Kind


def finding(hospital: Any, key: str, due: dt.date, answer: str | None, *, late: bool = False) -> Finding:
    """A confirmed finding whose answer fell due on ``due``; answered (``accepted`` / ``appealed``) on time or
    late, or not at all."""
    f = Finding.objects.create(rule_id="R1", finding_key=key, rule_name="规则", result_type="violation",
                               region_id=hospital.region_id, hospital=hospital, psn_no="PA0001",
                               amount_at_issue=Decimal("10.00"), detail="疑点", status=answer or "confirmed")
    FindingStep.objects.create(finding=f, kind=STEP.CONFIRMED, due_on=due)
    if answer:
        FindingStep.objects.create(finding=f, kind=answer, late=late)
    return f


@pytest.fixture
def answers(world: dict[str, Any]) -> Any:
    """桦甸市人民医院: five answers due in 2026 — four on time (three accepted, one appealed), one late — plus
    one due in 2025 answered late (another year) and none of another hospital counted."""
    h = world["hospitals"][0]
    for i in range(3):
        finding(h, f"a{i}", dt.date(2026, 4, 1 + i), STEP.ACCEPTED)
    finding(h, "b", dt.date(2026, 5, 6), STEP.APPEALED)
    finding(h, "c", dt.date(2026, 6, 1), STEP.ACCEPTED, late=True)
    finding(h, "old", dt.date(2025, 12, 30), STEP.ACCEPTED, late=True)
    finding(world["hospitals"][1], "other", dt.date(2026, 6, 1), None)
    return h


def test_timeliness_scores_exactly_on_a_hand_built_sheet() -> None:
    from dae.reports.evaluation import DEFAULT_SHEET

    p = [Profile("H1", "3", 10, 10_000_000, 250, 1000, 0, 0, 500_000, 8, 8),  # all on time: 100 %
         Profile("H2", "3", 10, 10_000_000, 250, 1000, 0, 0, 500_000, 10, 9),  # 90 %
         Profile("H3", "3", 10, 10_000_000, 250, 1000, 0, 0, 500_000, 4, 3),  # 75 %
         Profile("H4", "3", 10, 10_000_000, 250, 1000, 0, 0, 500_000, 3, 2),  # 66.67 %
         Profile("H5", "3", 10, 10_000_000, 250, 1000, 0, 0, 500_000, 0, 0)]  # none due: nothing late
    s = {x.hospital: x for x in score(p, DEFAULT_SHEET)}
    assert s["H4"].values["answer_timeliness"] == Decimal("66.67")
    assert [s[h].points["answer_timeliness"] for h in ("H1", "H2", "H3", "H4", "H5")] == [
        Decimal("15.00"), Decimal("12.00"), Decimal("7.50"), Decimal("0.00"), Decimal("15.00")]
    assert s["H1"].total == Decimal("100.00") and s["H4"].total == Decimal("85.00")


def test_the_stored_sheet_counts_answers_to_findings(answers: Any, world: dict[str, Any]) -> None:
    evaluation = actions.do_compute_evaluation(world["users"]["manager"], region=A, year=2026)
    row = evaluation.scores.get(hospital=answers)
    # 4 of 5 on time = 80 % → the 75 % band: half of 15; cost index 1.00 → 30, no fee lines → drugs 0,
    # no readmissions → 20, no deductions → 15
    assert row.values["answer_timeliness"] == "80.00"
    assert row.points == {"cost_index": "30.00", "drug_share": "0.00", "readmit_rate": "20.00",
                          "deduction_rate": "15.00", "answer_timeliness": "7.50"}
    assert row.total == row.final_total == Decimal("72.50") and row.grade == "basic"
    assert evaluation.status == "draft" and len(evaluation.sheet_digest) == 64 and evaluation.data_version
    assert Event.objects.filter(action="reports.evaluation_computed", object_id=str(evaluation.pk)).exists()


def test_adjust_sign_off_and_publish(world: dict[str, Any], client_for: Any) -> None:
    users = world["users"]
    evaluation = actions.do_compute_evaluation(users["manager"], region=A, year=2026)
    row = evaluation.scores.get()
    with pytest.raises(InvalidInput):
        actions.do_adjust_score(users["manager"], row, adjustment="3", reason="")  # a reason is required
    with pytest.raises(InvalidInput):
        actions.do_adjust_score(users["manager"], row, adjustment="10.01", reason="超出范围")
    row = actions.do_adjust_score(users["manager"], row, adjustment="-2.5", reason="病案首页填写不规范")
    assert row.final_total == Decimal("77.50") and row.grade == "pass"
    event = Event.objects.get(action="reports.evaluation_adjusted")
    assert event.before["final_total"] == "80.00" and event.after["final_total"] == "77.50"
    # recomputing a draft keeps the adjustment and its reason
    actions.do_compute_evaluation(users["manager"], region=A, year=2026)
    row.refresh_from_db()
    assert row.adjustment == Decimal("-2.50") and row.final_total == Decimal("77.50")
    with pytest.raises(Conflict):  # not reviewed yet
        actions.do_sign_off_evaluation(users["supervisor"], evaluation)
    actions.do_review_evaluation(users["manager"], evaluation)
    with pytest.raises(Conflict):  # the one who adjusted does not sign off
        actions.do_sign_off_evaluation(users["manager"], evaluation)
    actions.do_sign_off_evaluation(users["supervisor"], evaluation)
    with pytest.raises(Conflict):  # frozen
        actions.do_adjust_score(users["manager"], row, adjustment="1", reason="签发后再调")
    with pytest.raises(Conflict):
        actions.do_compute_evaluation(users["manager"], region=A, year=2026)
    # before publication the hospital sees no sheet
    assert "77.50" not in client_for("hospital").get("/reports/evaluation/?year=2026").content.decode()
    actions.do_publish_evaluation(users["manager"], evaluation)
    assert Evaluation.objects.get().status == "published"
    page = client_for("hospital").get("/reports/evaluation/?year=2026").content.decode()
    assert "77.50" in page and "合格" in page and "病案首页填写不规范" in page
    assert "77.50" not in client_for("hospital_b").get("/reports/evaluation/?year=2026").content.decode()
    # another region's or hospital's sheet: 404
    assert client_for("clerk_b").get(f"/reports/evaluation/{evaluation.pk}/").status_code in (403, 404)
    assert client_for("hospital_b").get(f"/api/v1/reports/evaluations/{evaluation.pk}").status_code in (403, 404)


def test_a_published_poor_grade_lowers_the_credit_score(answers: Any, world: dict[str, Any]) -> None:
    users = world["users"]
    good = HospitalFactory(region=world["regions"][0], code="HA0002", name="桦甸市中医院",
                           level=answers.level)
    SettlementFactory(person=world["persons"][0], hospital=good, setl_id="SA0002")
    evaluation = actions.do_compute_evaluation(users["manager"], region=A, year=2026)
    grades = dict(evaluation.scores.values_list("hospital__code", "grade"))
    assert grades == {"HA0001": "basic", "HA0002": "pass"}
    actions.do_review_evaluation(users["manager"], evaluation)
    actions.do_sign_off_evaluation(users["supervisor"], evaluation)
    assert not CreditEvent.objects.exists()  # nothing before publication
    actions.do_publish_evaluation(users["manager"], evaluation)
    poor = CreditParty.objects.get(kind="hospital", code="HA0001")
    assert poor.score == 90 and poor.events.get().source_type == "reports.evaluation"
    assert not CreditParty.objects.filter(code="HA0002").exists() or \
        CreditParty.objects.get(code="HA0002").score == 100
    assert EvaluationScore.objects.count() == 2


def test_pages_and_api_drive_the_workflow(world: dict[str, Any], client_for: Any) -> None:
    import io

    from openpyxl import load_workbook

    manager, supervisor = client_for("manager"), client_for("supervisor")
    assert "evaluation-compute" in manager.get("/reports/evaluation/?year=2026").content.decode()
    answer = manager.post("/reports/evaluation/compute/", {"region": A, "year": "2026"})
    evaluation = Evaluation.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/reports/evaluation/{evaluation.pk}/"
    row = evaluation.scores.get()
    url = f"/reports/evaluation/scores/{row.pk}/adjust/"
    too_much = manager.post(url, {"adjustment": "20", "reason": "多扣"})
    assert too_much.status_code == 400
    page = too_much.content.decode()  # the message beside the adjustment field, nothing saved
    assert 'id="adj-' in page and "is-invalid" in page and "不能大于 10" in page
    no_reason = manager.post(url, {"adjustment": "2", "reason": " "}).content.decode()
    assert "请填写调整理由" in no_reason
    assert EvaluationScore.objects.get().adjustment == 0
    assert manager.post(url, {"adjustment": "2", "reason": "=当年新开重症病区"}).status_code == 302
    book = load_workbook(io.BytesIO(manager.get(f"/reports/evaluation/{evaluation.pk}/?export=xlsx").content))
    sheet = book["考核得分"]
    cells = {c.value: c for r in sheet.iter_rows() for c in r if c.value is not None}
    assert cells["HA0001"].data_type == "s" and cells["=当年新开重症病区"].data_type == "s"  # text as text
    assert Decimal(str(cells["合格"].offset(column=-1).value)) == Decimal("82.00")
    assert "考核表" in book.sheetnames
    # the API: review (manager), sign-off (supervisor), publish (manager)
    assert manager.post(f"/api/v1/reports/evaluations/{evaluation.pk}/review").json()["status"] == "reviewed"
    assert supervisor.post(f"/api/v1/reports/evaluations/{evaluation.pk}/sign").json()["status"] == "signed"
    assert supervisor.post(f"/api/v1/reports/evaluations/{evaluation.pk}/publish").status_code == 403
    assert manager.post(f"/reports/evaluation/{evaluation.pk}/publish/").status_code == 302
    own = client_for("hospital").get("/api/v1/reports/evaluations").json()
    assert [(e["year"], [s["final_total"] for s in e["scores"]]) for e in own] == [(2026, ["82.00"])]
    assert client_for("hospital_b").get("/api/v1/reports/evaluations").json() == []
    assert client_for("hospital").get(f"/api/v1/reports/evaluations/{evaluation.pk}").status_code == 403
