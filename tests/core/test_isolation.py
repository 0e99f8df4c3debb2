"""Region and hospital isolation: one queryset layer, pages and API alike; attempts are logged."""

from __future__ import annotations

from typing import Any

import pytest

from dae.claims.models import Settlement
from dae.core.models import AccessRecord
from dae.enrollment.models import Person

pytestmark = pytest.mark.django_db


def test_region_a_clerk_gets_404_for_region_b_person_page_and_the_attempt_is_logged(client_for: Any) -> None:
    client = client_for("settlement")
    response = client.get("/enrollment/persons/PB0001/")
    assert response.status_code == 404
    assert "记录不存在或无权访问" in response.content.decode()
    denied = AccessRecord.objects.get(why="denied")
    assert (denied.psn_no, denied.actor.username, denied.region_id) == ("PB0001", "settlement", "220281")


def test_region_a_clerk_gets_404_json_for_region_b_settlement_api(client_for: Any) -> None:
    response = client_for("settlement").get("/api/v1/settlements/SB0001/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "记录不存在或无权访问", "details": None}
    assert AccessRecord.objects.filter(why="denied", object_id=str(Settlement.objects.get(setl_id="SB0001").pk)).count() == 1


def test_lists_show_only_own_region(client_for: Any) -> None:
    a = client_for("settlement").get("/api/v1/persons/").json()
    b = client_for("clerk_b").get("/api/v1/persons/").json()
    assert [p["psn_no"] for p in a["results"]] == ["PA0001"]
    assert [p["psn_no"] for p in b["results"]] == ["PB0001"]
    page = client_for("settlement").get("/enrollment/persons/").content.decode()
    assert "PA0001" in page and "PB0001" not in page


def test_hospital_user_sees_only_its_hospitals_settlements(client_for: Any, world: dict[str, Any]) -> None:
    client = client_for("hospital")
    assert [s["setl_id"] for s in client.get("/api/v1/settlements/").json()["results"]] == ["SA0001"]
    assert client.get("/api/v1/settlements/SB0001/").status_code == 404
    assert [h["code"] for h in client.get("/api/v1/hospitals/").json()["results"]] == ["HA0001"]


def test_insured_sees_only_own_settlements(client_for: Any) -> None:
    client = client_for("insured")
    assert [s["setl_id"] for s in client.get("/api/v1/settlements/").json()["results"]] == ["SA0001"]
    assert client.get("/claims/settlements/SB0001/").status_code == 404


def test_it_post_sees_no_business_rows(world: dict[str, Any]) -> None:
    it = world["users"]["it"]
    assert Person.objects.for_user(it).count() == 0
    assert Settlement.objects.for_user(it).count() == 0


def test_staff_read_of_a_person_is_logged_with_masked_certno_by_default(client_for: Any) -> None:
    page = client_for("reviewer").get("/enrollment/persons/PA0001/").content.decode()
    assert "2202**********1234" in page and "220282198001011234" not in page
    record = AccessRecord.objects.get(why="business")
    assert (record.psn_no, record.actor.username) == ("PA0001", "reviewer")


def test_full_certno_view_is_only_for_some_posts_and_is_logged(client_for: Any) -> None:
    page = client_for("service").get("/enrollment/persons/PA0001/?full=1").content.decode()
    assert "220282198001011234" in page
    assert AccessRecord.objects.filter(why="full_certno", actor__username="service").count() == 1
    page = client_for("reviewer").get("/enrollment/persons/PA0001/?full=1").content.decode()
    assert "220282198001011234" not in page


def test_list_reads_by_staff_are_logged_row_by_row(client_for: Any) -> None:
    client_for("service").get("/enrollment/persons/")
    client_for("service").get("/api/v1/settlements/")
    rows = list(AccessRecord.objects.filter(actor__username="service").values_list("object_type", "psn_no"))
    assert sorted(rows) == [("claims.settlement", "PA0001"), ("enrollment.person", "PA0001")]


def test_insured_reading_own_data_is_not_staff_access(client_for: Any) -> None:
    client_for("insured").get("/api/v1/settlements/")
    assert AccessRecord.objects.count() == 0


def test_a_missing_object_answers_404_and_the_attempt_is_logged_once(client_for: Any) -> None:
    client = client_for("settlement")
    assert client.get("/enrollment/persons/PZ9999/").status_code == 404
    assert client.get("/api/v1/settlements/SZ9999/").status_code == 404
    denied = list(AccessRecord.objects.filter(why="denied").order_by("id"))
    assert [(d.object_type, d.actor.username) for d in denied] == [("route", "settlement"), ("route", "settlement")]
    assert denied[0].path == "GET /enrollment/persons/PZ9999/"


def test_a_404_outside_any_object_route_is_not_logged(client_for: Any) -> None:
    assert client_for("settlement").get("/no/such/page/").status_code == 404
    assert not AccessRecord.objects.filter(why="denied").exists()
