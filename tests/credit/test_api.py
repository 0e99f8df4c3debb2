"""The credit API under /api/v1/credit/…: lists with filters and scope, a party's detail, the manager's listing,
delisting (a reason required), violations (one per key) and parameters, and screenings with their results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.credit.actions import violations, watchlists
from dae.credit.models import CreditEvent, CreditParty, ScreeningResult, ScreeningRun
from tests.factories import REGION_A, REGION_B, HospitalFactory, make_user

from .conftest import login

pytestmark = pytest.mark.django_db
D = Decimal
API = "/api/v1/credit"


@pytest.fixture
def listed(world: dict[str, Any]) -> dict[str, Any]:
    HospitalFactory(region=world["regions"][0], code="HA0002", name="桦甸市中医院")
    today = timezone.localdate()
    for i in range(2):
        violations.do_record_violation(
            party_kind="hospital",
            party_code="HA0001",
            region_id=REGION_A,
            amount=D("15000"),
            source=("audit.finding", i + 1),
            on=today,
            actor=world["users"]["supervisor"],
            note="规则 R01 重复收费",
        )
    violations.do_record_violation(
        party_kind="doctor",
        party_code="D1",
        region_id=REGION_A,
        amount=D("100"),
        source=("audit.finding", 1),
        on=today,
        actor=None,
        hospital_code="HA0001",
    )
    violations.do_record_violation(
        party_kind="hospital",
        party_code="HA0002",
        region_id=REGION_A,
        amount=D("0"),
        source=("audit.finding", 3),
        on=today,
        actor=None,
    )
    violations.do_record_violation(
        party_kind="hospital",
        party_code="HB0001",
        region_id=REGION_B,
        amount=D("99999"),
        source=("audit.finding", 4),
        on=today,
        actor=None,
    )
    return world


def test_the_list_with_filters_worst_first(listed: dict[str, Any]) -> None:
    client = login(listed["users"]["inspector"])
    body = client.get(f"{API}/parties").json()
    assert body["count"] == 3
    assert [(p["kind"], p["code"], p["score"], p["level"]) for p in body["results"]] == [
        ("hospital", "HA0001", 60, "watch"),
        ("doctor", "D1", 95, "normal"),
        ("hospital", "HA0002", 95, "normal"),
    ]
    assert body["results"][1]["hospital"] == "HA0001" and body["results"][0]["region"] == REGION_A
    assert [p["code"] for p in client.get(f"{API}/parties?listed=true").json()["results"]] == ["HA0001"]
    assert [p["code"] for p in client.get(f"{API}/parties?kind=doctor").json()["results"]] == ["D1"]
    assert client.get(f"{API}/parties?level=black").json()["count"] == 0
    watchlists.do_list(listed["users"]["manager"], kind="doctor", code="D1", region=REGION_A, level="black", reason="x1")
    assert [p["code"] for p in client.get(f"{API}/parties").json()["results"]] == ["D1", "HA0001", "HA0002"]


def test_the_hospital_sees_its_own_and_region_b_its_own(listed: dict[str, Any]) -> None:
    own = login(listed["users"]["hospital"]).get(f"{API}/parties").json()
    assert sorted(p["code"] for p in own["results"]) == ["D1", "HA0001"]
    manager_b = make_user("manager", username="manager_b", regions=(REGION_B,))
    assert [p["code"] for p in login(manager_b).get(f"{API}/parties").json()["results"]] == ["HB0001"]
    party = CreditParty.objects.get(code="HA0002")
    assert login(listed["users"]["hospital"]).get(f"{API}/parties/{party.pk}").json()["code"] == "not_found"
    assert (
        login(manager_b)
        .post(f"{API}/parties/{party.pk}/list", {"level": "black", "reason": "越权"}, content_type="application/json")
        .status_code
        == 404
    )


def test_the_detail_with_events_and_changes(listed: dict[str, Any]) -> None:
    party = CreditParty.objects.get(code="HA0001")
    body = login(listed["users"]["reviewer"]).get(f"{API}/parties/{party.pk}").json()
    assert (body["score"], body["points"], body["events_count"], body["level"]) == (60, 40, 2, "watch")
    assert [
        (e["amount"], e["points"], e["score_after"], e["source_type"], e["source_id"], e["actor"])
        for e in body["events"]
    ] == [
        ("15000.00", 20, 60, "audit.finding", "2", "supervisor"),
        ("15000.00", 20, 80, "audit.finding", "1", "supervisor"),
    ]
    assert [(c["from_level"], c["to_level"], c["cause"], c["score"]) for c in body["changes"]] == [
        ("normal", "watch", "violation", 60)
    ]


def test_listing_and_delisting_by_the_manager(listed: dict[str, Any]) -> None:
    client = login(listed["users"]["manager"])
    party = CreditParty.objects.get(code="HA0002")
    refused = client.post(
        f"{API}/parties/{party.pk}/list", {"level": "black", "reason": ""}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_input"
    blank = client.post(
        f"{API}/parties/{party.pk}/list", {"level": "black", "reason": " x"}, content_type="application/json"
    )
    assert blank.status_code == 400 and blank.json()["code"] == "reason_required"
    done = client.post(
        f"{API}/parties/{party.pk}/list", {"level": "black", "reason": "伪造病历"}, content_type="application/json"
    )
    assert done.status_code == 200 and (done.json()["level"], done.json()["manual_level"]) == ("black", "black")
    no_reason = client.post(f"{API}/parties/{party.pk}/delist", {"reason": "  "}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["message"] == "请填写移出原因"
    off = client.post(
        f"{API}/parties/{party.pk}/delist", {"reason": "法院判决撤销处罚"}, content_type="application/json"
    )
    assert off.status_code == 200 and (off.json()["level"], off.json()["score"]) == ("normal", 100)
    again = client.post(f"{API}/parties/{party.pk}/delist", {"reason": "再次"}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "not_listed"
    assert (
        login(listed["users"]["reviewer"])
        .post(f"{API}/parties/{party.pk}/delist", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )


def test_listing_by_code_and_recording_violations_once(listed: dict[str, Any]) -> None:
    client = login(listed["users"]["manager"])
    created = client.post(
        f"{API}/listings",
        {"kind": "person", "code": "PA0001", "level": "watch", "reason": "频繁住院"},
        content_type="application/json",
    )
    assert created.status_code == 201 and (created.json()["name"], created.json()["level"]) == ("张三", "watch")
    unknown = client.post(
        f"{API}/listings",
        {"kind": "person", "code": "PB0001", "level": "watch", "reason": "x1"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_party"  # a person of region B
    other = client.post(
        f"{API}/listings",
        {"region": REGION_B, "kind": "hospital", "code": "HB0001", "level": "watch", "reason": "x1"},
        content_type="application/json",
    )
    assert other.status_code == 400 and other.json()["code"] == "invalid_region"
    body = {
        "kind": "doctor",
        "code": "D1",
        "amount": "3200.00",
        "on": timezone.localdate().isoformat(),
        "key": "inspection-2026-07",
        "note": "现场巡查：超量开药",
    }
    first = client.post(f"{API}/violations", body, content_type="application/json")
    again = client.post(f"{API}/violations", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and first.json()["points"] == 8
    assert first.json()["party"]["score"] == 87 and first.json()["party"]["hospital"] == "HA0001"
    assert CreditEvent.objects.filter(source_type="credit.manual").count() == 1
    floaty = client.post(f"{API}/violations", {**body, "amount": 12.5, "key": "k2"}, content_type="application/json")
    assert floaty.status_code == 400 and floaty.json()["code"] == "invalid_input"


def test_the_parameters(world: dict[str, Any]) -> None:
    client = login(world["users"]["manager"])
    current = client.get(f"{API}/settings").json()
    assert current == {
        "region": REGION_A,
        "version": 0,
        "window_months": 24,
        "base_points": 5,
        "points_per_thousand": 1,
        "max_points": 20,
        "watch_below": 80,
        "black_below": 60,
        "anomaly_threshold": "3.00",
        "min_peers": 5,
        "min_volume": 10,
        "readmit_days": 15,
        "history": [],
    }
    values = {k: v for k, v in current.items() if k not in ("region", "version", "history")}
    saved = client.post(
        f"{API}/settings", {**values, "max_points": 30, "reason": "提高上限"}, content_type="application/json"
    )
    assert saved.status_code == 201 and (saved.json()["version"], saved.json()["max_points"]) == (1, 30)
    after = client.get(f"{API}/settings").json()
    assert after["version"] == 1 and [h["reason"] for h in after["history"]] == ["提高上限"]
    bad = client.post(f"{API}/settings", {**values, "watch_below": 50, "reason": "x1"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["details"] == [
        {"path": "black_below", "message": "黑名单线不能高于关注名单线"}
    ]
    assert login(world["users"]["hospital"]).get(f"{API}/settings").status_code == 403


def test_screenings(screening_world: dict[str, Any]) -> None:
    client = login(screening_world["users"]["reviewer"])
    started = client.post(
        f"{API}/screenings",
        {"period_kind": "month", "period": "2026-03", "min_volume": 2},
        content_type="application/json",
    )
    assert started.status_code == 201
    run = ScreeningRun.objects.get()
    assert started.json()["params"] == {"threshold": "3.00", "min_peers": 5, "min_volume": 2, "readmit_days": 15}
    body = client.get(f"{API}/screenings/{run.pk}?kind=hospital").json()
    assert body["run"]["status"] == "done" and body["run"]["stays_count"] == 15
    # ranks 2–5: H6's department and doctor (17.53), H7's department and doctor (13.33: short stays, dearer mix)
    assert [(r["rank"], r["unit_code"], r["score"]) for r in body["results"]] == [
        (1, "HS6", "23.61"),
        (6, "HS5", "7.87"),
    ]
    assert body["results"][1]["explanation"] == [
        "药品费用占比（%） 70.00，高于同类中位数 35.00 100.0%（稳健 z = 7.87，同类 6 个）"
    ]
    every = client.get(f"{API}/screenings/{run.pk}?all=true&kind=hospital").json()
    assert every["count"] == 8  # HS1…HS7 and HA0001
    unit = ScreeningResult.objects.get(run=run, unit_kind="hospital", unit_code="HS3")
    detail = client.get(f"{API}/screening-results/{unit.pk}").json()
    assert (detail["flagged"], detail["explanation"], detail["hospital"]) == (False, [], "HS3")
    assert [r["id"] for r in client.get(f"{API}/screenings").json()["results"]] == [run.pk]
    bad = client.post(
        f"{API}/screenings", {"period_kind": "month", "period": "2026/03"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
    assert (
        login(screening_world["users"]["supervisor"])
        .post(f"{API}/screenings", {"period_kind": "year", "period": "2026"}, content_type="application/json")
        .status_code
        == 403
    )
    hospital = make_user("hospital", username="hs5", hospital=screening_world["hospitals_s"][5])
    own = login(hospital).get(f"{API}/screenings/{run.pk}?all=true").json()
    assert {r["hospital"] for r in own["results"]} == {"HS5"} and own["count"] == 3
