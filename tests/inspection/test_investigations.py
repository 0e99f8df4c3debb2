"""Remote investigations: the deadlines in working days across National Day 2025, the result and the feedback,
the overdue flags (one rule for the model, the filter and the statistics), exact statistics by region and by
outcome, assignment to a branch and region isolation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.inspection import queries
from dae.inspection.actions import investigations
from dae.inspection.models import Investigation
from tests.factories import REGION_A, REGION_B

from .conftest import login

pytestmark = pytest.mark.django_db
D = Decimal


def task(users: Any, created: dt.date, **fields: Any) -> Investigation:
    fields.setdefault("region", REGION_A)
    fields.setdefault("setl_id", "SA0001")
    fields.setdefault("subject", "核实住院真实性")
    return investigations.do_create_investigation(users["settlement"], created_on=created, **fields)


def test_deadlines_in_working_days_across_national_day(world: Any, users: Any) -> None:
    inv = task(users, dt.date(2025, 9, 30), assignee=users["inspector"])
    # Tue 30 Sep 2025 (not counted); 1–8 Oct holidays; Thu 9, Fri 10, Sat 11 (working), Mon 13, Tue 14 → 14 Oct.
    assert inv.due_on == dt.date(2025, 10, 14) and inv.deadline_warnings == []
    assert (inv.psn_no, inv.psn_name, inv.hospital_name) == ("PA0001", "张三", "桦甸市人民医院")
    assert inv.status == "open" and inv.assignee == users["inspector"]
    assert not inv.result_overdue(dt.date(2025, 10, 14)) and inv.result_overdue(dt.date(2025, 10, 15))
    answered = investigations.do_record_result(
        users["inspector"],
        inv,
        outcome="partly",
        result_text="部分住院天数不实",
        amount="1250.40",
        result_on=dt.date(2025, 10, 14),
    )
    # 3 working days after Tue 14 Oct: 15, 16, 17 → Fri 17 Oct.
    assert (answered.status, answered.feedback_due, answered.amount) == (
        "answered",
        dt.date(2025, 10, 17),
        D("1250.40"),
    )
    assert not answered.is_overdue(dt.date(2025, 10, 17)) and answered.feedback_overdue(dt.date(2025, 10, 20))
    closed = investigations.do_feed_back(
        users["inspector"], answered, feedback_text="已书面反馈", feedback_on=dt.date(2025, 10, 17)
    )
    assert closed.status == "closed" and not closed.is_overdue(dt.date(2030, 1, 1))
    assert [e.action for e in Event.objects.filter(action__startswith="inspection.").order_by("id")] == [
        "inspection.investigation_created",
        "inspection.investigation_answered",
        "inspection.investigation_fed_back",
    ]


def test_late_result_and_late_feedback_stay_overdue(world: Any, users: Any) -> None:
    inv = task(users, dt.date(2025, 9, 30))
    late = investigations.do_record_result(
        users["inspector"],
        inv,
        outcome="confirmed",
        result_text="冒名住院属实",
        amount="3000",
        result_on=dt.date(2025, 10, 15),
    )
    assert late.result_overdue() and late.feedback_due == dt.date(2025, 10, 20)  # Wed 15 → Thu, Fri, Mon 20
    closed = investigations.do_feed_back(users["inspector"], late, feedback_text="已反馈", feedback_on=dt.date(2025, 10, 21))
    assert closed.result_overdue() and closed.feedback_overdue() and closed.is_overdue()


def test_refusals(world: Any, users: Any, person_b: Any) -> None:
    clerk = users["settlement"]
    cases = [
        ({"setl_id": "", "psn_no": ""}, "no_subject", "请填写协查对象：结算ID或人员编号"),
        ({"setl_id": "SB0001"}, "unknown_settlement", "结算 SB0001 不存在或不属于统筹区 220282"),
        ({"setl_id": "", "psn_no": "PB0002"}, "unknown_person", "人员编号 PB0002 不是统筹区 220282 的参保人"),
        ({"psn_no": "PA9999"}, "subject_mismatch", "人员编号 PA9999 与结算 SA0001 的参保人不一致"),
        ({"subject": "x"}, "required", "请填写协查事项"),
        ({"region": REGION_B}, "invalid_region", "统筹区 220281 不在本人负责的统筹区内"),
        ({"assignee": users["finance"].pk}, "invalid_assignee", "承办人须为委托统筹区或承办机构在岗的稽核或管理人员"),
        (
            {"assignee": users["inspector_b"].pk},
            "invalid_assignee",
            "承办人须为委托统筹区或承办机构在岗的稽核或管理人员",
        ),
        ({"assigned_region": "999999"}, "invalid_region", "承办机构（统筹区）999999 不存在"),
    ]
    for change, code, message in cases:
        fields = {"region": REGION_A, "setl_id": "SA0001", "subject": "核实住院真实性", **change}
        with pytest.raises(InvalidInput) as error:
            investigations.do_create_investigation(clerk, created_on=dt.date(2025, 9, 30), **fields)
        assert (error.value.code, error.value.message) == (code, message), change
    assert Investigation.objects.count() == 0 and not Event.objects.filter(action__startswith="inspection.").exists()
    inv = task(users, dt.date(2025, 9, 30))
    with pytest.raises(Conflict) as conflict:
        investigations.do_feed_back(users["inspector"], inv, feedback_text="已反馈")
    assert conflict.value.message == "须先登记协查结果，且尚未反馈"
    for change, message in [
        ({"outcome": "true"}, "请选择协查结论（属实、部分属实、不属实或无法核实）"),
        ({"amount": "1.001"}, "涉及金额须为不小于 0 的金额，精确到分"),
        ({"result_on": dt.date(2025, 9, 29)}, "结果日期不能早于委托日期"),
    ]:
        with pytest.raises(InvalidInput) as error:
            investigations.do_record_result(
                users["inspector"], inv, **{"outcome": "confirmed", "result_text": "属实情况", "amount": "0", **change}
            )
        assert error.value.message == message
    assert Investigation.objects.get(pk=inv.pk).status == "open"
    with pytest.raises(InvalidInput) as error:
        investigations.do_assign_investigation(users["manager"], inv)
    assert error.value.message == "请选择承办人或承办机构"


def test_a_branch_of_another_region_sees_and_answers_its_tasks(world: Any, users: Any) -> None:
    mine = task(users, dt.date(2025, 9, 30))
    theirs = task(users, dt.date(2025, 9, 30), assigned_region=REGION_B, assignee=users["inspector_b"])
    assert theirs.assigned_region_id == REGION_B and theirs.assignee == users["inspector_b"]
    branch = users["inspector_b"]
    assert list(Investigation.objects.for_user(branch)) == [theirs]
    assert list(Investigation.objects.for_user(users["clerk_b"])) == [theirs]
    client = login(branch)
    assert client.get(f"/inspection/investigations/{mine.pk}/").status_code == 404
    assert client.get(f"/api/v1/inspection/investigations/{mine.pk}").status_code == 404
    response = client.post(
        f"/api/v1/inspection/investigations/{theirs.pk}/result",
        {"outcome": "unfounded", "result_text": "经核实不属实", "amount": "0", "result_on": "2025-10-10"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["feedback_due"] == "2025-10-14"  # Sat 11 Oct works
    assert login(users["hospital"]).get("/inspection/investigations/").status_code == 403
    assert list(Investigation.objects.for_user(users["hospital"])) == []
    assert list(Investigation.objects.for_user(users["insured"])) == []


def make_stats_world(users: Any) -> dict[str, Investigation]:
    """Seven tasks on known dates; "today" for the statistics is 2025-11-03."""
    made: dict[str, Investigation] = {}
    inspector = users["inspector"]
    # 1. confirmed, on time (result 10-14 ≤ due 10-14, feedback 10-16 ≤ 10-17), 2860.00
    made["ok"] = investigations.do_record_result(
        inspector,
        task(users, dt.date(2025, 9, 30)),
        outcome="confirmed",
        result_text="属实",
        amount="2860.00",
        result_on=dt.date(2025, 10, 14),
    )
    made["ok"] = investigations.do_feed_back(inspector, made["ok"], feedback_text="已反馈", feedback_on=dt.date(2025, 10, 16))
    # 2. partly, result late (10-15 > 10-14), fed back in time, 1250.40
    made["late_result"] = investigations.do_record_result(
        inspector,
        task(users, dt.date(2025, 9, 30)),
        outcome="partly",
        result_text="部分属实",
        amount="1250.40",
        result_on=dt.date(2025, 10, 15),
    )
    made["late_result"] = investigations.do_feed_back(
        inspector, made["late_result"], feedback_text="已反馈", feedback_on=dt.date(2025, 10, 16)
    )
    # 3. confirmed, result on time (created 10-09 → due 10-15), feedback late (due 10-20, given 10-21), 100.00
    made["late_feedback"] = investigations.do_record_result(
        inspector,
        task(users, dt.date(2025, 10, 9)),
        outcome="confirmed",
        result_text="属实",
        amount="100.00",
        result_on=dt.date(2025, 10, 15),
    )
    made["late_feedback"] = investigations.do_feed_back(
        inspector, made["late_feedback"], feedback_text="已反馈", feedback_on=dt.date(2025, 10, 21)
    )
    # 4. unfounded, answered 10-20 (created 10-16 → due 10-23), feedback due 10-23, none yet → overdue on 11-03
    made["no_feedback"] = investigations.do_record_result(
        inspector,
        task(users, dt.date(2025, 10, 16)),
        outcome="unfounded",
        result_text="不属实",
        amount="0",
        result_on=dt.date(2025, 10, 20),
    )
    # 5. open, created 10-20 → due 10-27: overdue on 11-03
    made["open_late"] = task(users, dt.date(2025, 10, 20))
    # 6. open, created 10-31 → due 11-07: not overdue
    made["open"] = task(users, dt.date(2025, 10, 31))
    # 7. region B (visible to the manager of both regions only): unverifiable, on time, 0
    made["b"] = investigations.do_create_investigation(
        users["manager_ab"], region=REGION_B, setl_id="SB0001", subject="核实异地住院", created_on=dt.date(2025, 10, 9)
    )
    made["b"] = investigations.do_record_result(
        users["manager_ab"],
        made["b"],
        outcome="unverifiable",
        result_text="医院已撤销",
        amount="0",
        result_on=dt.date(2025, 10, 10),
    )
    made["b"] = investigations.do_feed_back(
        users["manager_ab"], made["b"], feedback_text="已反馈", feedback_on=dt.date(2025, 10, 13)
    )
    return made


@pytest.fixture
def manager_ab(users: Any) -> Any:
    from tests.factories import make_user

    users["manager_ab"] = make_user("manager", username="manager_ab", regions=(REGION_A, REGION_B))
    return users["manager_ab"]


def test_statistics_by_region_and_outcome_are_exact(world: Any, users: Any, manager_ab: Any) -> None:
    made = make_stats_world(users)
    today = dt.date(2025, 11, 3)
    overdue = {key for key, inv in made.items() if inv.is_overdue(today)}
    assert overdue == {"late_result", "late_feedback", "no_feedback", "open_late"}
    assert set(Investigation.objects.filter(queries.overdue_q(today)).values_list("pk", flat=True)) == {
        made[k].pk for k in overdue
    }
    stats = queries.investigation_stats(manager_ab, today=today)
    rows = {r.key: r.as_dict() for r in stats.by_region}
    assert rows == {
        REGION_A: {
            "key": REGION_A,
            "label": "桦甸市",
            "total": 6,
            "open": 2,
            "answered": 1,
            "closed": 3,
            "overdue": 4,
            "on_time": 1,
            "on_time_rate": "33.33",
            "amount": "4210.40",
        },
        REGION_B: {
            "key": REGION_B,
            "label": "蛟河市",
            "total": 1,
            "open": 0,
            "answered": 0,
            "closed": 1,
            "overdue": 0,
            "on_time": 1,
            "on_time_rate": "100.00",
            "amount": "0.00",
        },
    }
    outcomes = {r.key: (r.total, r.closed, r.overdue, r.on_time, r.on_time_rate, r.amount) for r in stats.by_outcome}
    assert outcomes == {
        "confirmed": (2, 2, 1, 1, D("50.00"), D("2960.00")),
        "partly": (1, 1, 1, 0, D("0.00"), D("1250.40")),
        "unfounded": (1, 0, 1, 0, None, D("0.00")),
        "unverifiable": (1, 1, 0, 1, D("100.00"), D("0.00")),
        "none": (2, 0, 1, 0, None, D("0.00")),
    }
    assert [r.key for r in stats.by_outcome] == ["confirmed", "partly", "unfounded", "unverifiable", "none"]
    total = stats.total.as_dict()
    assert (
        total["total"],
        total["overdue"],
        total["closed"],
        total["on_time"],
        total["on_time_rate"],
        total["amount"],
    ) == (7, 4, 4, 2, "50.00", "4210.40")
    window = queries.investigation_stats(manager_ab, start=dt.date(2025, 10, 9), end=dt.date(2025, 10, 20), today=today)
    assert window.total.total == 4
    assert {r.key: r.total for r in window.by_region} == {REGION_A: 3, REGION_B: 1}
    region_a_only = queries.investigation_stats(users["manager"], today=today)
    assert [r.key for r in region_a_only.by_region] == [REGION_A] and region_a_only.total.total == 6
    chart = stats.chart()
    assert [r.key for r in stats.by_region] == [REGION_B, REGION_A]  # by region code
    assert chart["regions"] == ["蛟河市", "桦甸市"] and chart["totals"] == [1, 6] and chart["overdue"] == [0, 4]
    assert {o["name"]: o["value"] for o in chart["outcomes"]} == {
        "属实": 2,
        "部分属实": 1,
        "不属实": 1,
        "无法核实": 1,
        "未出结果": 2,
    }


def test_statistics_page_and_api(world: Any, users: Any, manager_ab: Any) -> None:
    make_stats_world(users)
    client = login(manager_ab)
    html = client.get("/inspection/investigations/stats/").content.decode()
    assert 'id="stats-chart-data"' in html and "inspection/investigation-stats.js" in html
    assert 'data-testid="stats-by-region"' in html and 'data-testid="stats-by-outcome"' in html
    data = client.get("/api/v1/inspection/investigations/stats?start=2025-10-01").json()
    assert data["start"] == "2025-10-01" and data["total"]["total"] == 5 and data["total"]["amount"] == "100.00"
    assert client.get("/api/v1/inspection/investigations/stats?start=10/1").json()["code"] == "invalid_date"


def test_the_list_flags_and_filters_overdue_tasks(world: Any, users: Any, manager_ab: Any) -> None:
    made = make_stats_world(users)
    client = login(users["inspector"])
    html = client.get("/inspection/investigations/?overdue=yes").content.decode()
    for key in ("late_result", "late_feedback", "no_feedback", "open_late", "open"):
        assert made[key].number in html  # the real today (after 2025) makes "open" overdue too
    assert made["ok"].number not in html and "结果逾期" in html and "反馈逾期" in html
    api = client.get("/api/v1/inspection/investigations?overdue=1").json()
    assert {row["number"] for row in api} == {
        made[k].number for k in ("late_result", "late_feedback", "no_feedback", "open_late", "open")
    }
