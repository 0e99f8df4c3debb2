"""The calendar page, the manager's forms and the API, with the permission checks (a clerk cannot edit)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dae.workdays import actions
from dae.workdays.models import CalendarOverride, CalendarYear

from .schedules import ILLUSTRATIVE_2027, d

pytestmark = pytest.mark.django_db


def cell(html: str, day: str) -> str:
    match = re.search(rf'<td class="([^"]*)" data-date="{day}" data-kind="([^"]*)"', html)
    assert match, day
    return f"{match.group(2)} {match.group(1)}"


def test_calendar_page_shows_holidays_make_up_days_and_overrides(client_for: Any, world: dict[str, Any]) -> None:
    actions.do_set_override(world["users"]["manager"], d("2026-10-09"), False, "测试：临时放假")
    html = client_for("settlement").get("/workdays/?year=2026").content.decode()
    assert cell(html, "2026-02-14").startswith("makeup")
    assert cell(html, "2026-02-23").startswith("holiday")
    assert cell(html, "2026-10-07").startswith("holiday")
    assert cell(html, "2026-10-10").startswith("makeup")
    assert cell(html, "2026-03-07").startswith("weekend")
    assert cell(html, "2026-03-09").startswith("workday")
    assert "wd-override" in cell(html, "2026-10-09")
    assert 'data-testid="year-package"' in html and 'data-testid="year-unknown"' not in html
    assert "测试：临时放假" in html
    assert 'data-testid="override-form"' not in html  # a clerk sees no form


def test_unknown_year_has_a_warning_banner_and_the_manager_forms(client_for: Any) -> None:
    html = client_for("manager").get("/workdays/?year=2027").content.decode()
    assert 'data-testid="year-unknown"' in html and "2027 年的节假日安排尚未录入并确认" in html
    assert 'data-testid="override-form"' in html and 'data-testid="confirm-form"' in html
    assert "05-01" in html  # the fixed holidays still to enter


def test_bad_year_falls_back_with_a_message(client_for: Any) -> None:
    response = client_for("manager").get("/workdays/?year=abc")
    assert response.status_code == 200 and "年度须在" in response.content.decode()


def test_page_deadline_calculator(client_for: Any) -> None:
    client = client_for("settlement")
    html = client.get("/workdays/", {"start": "2026-09-25", "days": "20"}).content.decode()
    assert "2026-10-29" in html and 'data-testid="deadline-warning"' not in html
    html = client.get("/workdays/", {"start": "2026-12-20", "days": "15"}).content.decode()
    assert "2027-01-08" in html and 'data-testid="deadline-warning"' in html and "2027 年的节假日安排" in html
    html = client.get("/workdays/", {"start": "2026-12-20", "days": "-3"}).content.decode()
    assert 'data-testid="deadline-result"' not in html and "invalid-feedback" in html


def test_manager_enters_a_holiday_period_removes_a_day_and_confirms_the_year(client_for: Any,
                                                                              world: dict[str, Any]) -> None:
    client = client_for("manager")
    response = client.post("/workdays/overrides/set/", {"date": "2027-10-01", "end": "2027-10-07", "kind": "off",
                                                        "note": "国庆节"})
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    assert CalendarOverride.objects.filter(date__range=(d("2027-10-01"), d("2027-10-07")),
                                           is_working_day=False).count() == 7
    client.post("/workdays/overrides/set/", {"date": "2027-10-09", "kind": "work", "note": "调休上班"})
    assert CalendarOverride.objects.get(date=d("2027-10-09")).is_working_day
    client.post("/workdays/overrides/remove/", {"date": "2027-10-09"})
    assert not CalendarOverride.objects.filter(date=d("2027-10-09")).exists()

    refused = client.post("/workdays/years/confirm/", {"year": "2027"}, follow=True).content.decode()
    assert "尚未全部录入为休息日" in refused and not CalendarYear.objects.exists()
    for item in ILLUSTRATIVE_2027:
        actions.do_set_override(world["users"]["manager"], item.date, item.is_working_day, item.note)
    done = client.post("/workdays/years/confirm/", {"year": "2027", "note": "测试"}, follow=True).content.decode()
    assert "2027 年度已确认" in done and 'data-testid="year-confirmed"' in done
    assert CalendarYear.objects.filter(year=2027).exists()


def test_manager_get_on_a_form_route_goes_back_to_the_calendar(client_for: Any) -> None:
    response = client_for("manager").get("/workdays/overrides/set/")
    assert response.status_code == 302 and "/workdays/" in response["Location"]
    invalid = client_for("manager").post("/workdays/overrides/set/", {"date": "nope"}, follow=True)
    assert "请填写有效的日期和安排" in invalid.content.decode()


@pytest.mark.parametrize("post", ["settlement", "checker", "finance", "supervisor"])
def test_others_cannot_edit_the_calendar_by_page_or_api(client_for: Any, post: str) -> None:
    client = client_for(post)
    assert client.post("/workdays/overrides/set/", {"date": "2027-01-01", "kind": "off"}).status_code == 403
    assert client.post("/workdays/overrides/remove/", {"date": "2027-01-01"}).status_code == 403
    assert client.post("/workdays/years/confirm/", {"year": "2027"}).status_code == 403
    api = client.post("/api/v1/workdays/overrides", {"date": "2027-01-01", "is_working_day": False},
                      content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "permission_denied"
    assert client.delete("/api/v1/workdays/overrides/2027-01-01").status_code == 403
    assert client.post("/api/v1/workdays/years", {"year": 2027}, content_type="application/json").status_code == 403
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()
    # … but they read the calendar and compute deadlines.
    assert client.get("/workdays/").status_code == 200
    assert client.get("/api/v1/workdays/deadline", {"start": "2026-09-25", "days": 20}).status_code == 200


@pytest.mark.parametrize("post", ["hospital", "insured", "it"])
def test_outside_posts_do_not_read_the_calendar(client_for: Any, post: str) -> None:
    assert client_for(post).get("/workdays/").status_code == 403
    assert client_for(post).get("/api/v1/workdays/deadline?start=2026-09-25&days=20").status_code == 403


def test_api_deadline(client_for: Any) -> None:
    client = client_for("settlement")
    body = client.get("/api/v1/workdays/deadline?start=2026-09-25&days=20").json()
    assert body == {"start": "2026-09-25", "days": 20, "due": "2026-10-29", "exact": True, "warnings": []}
    body = client.get("/api/v1/workdays/deadline?start=2026-12-20&days=15").json()
    assert (body["due"], body["exact"]) == ("2027-01-08", False)
    [warning] = body["warnings"]
    assert (warning["code"], warning["year"]) == ("calendar_year_unknown", 2027)
    assert "2027" in warning["message"] and "2027" in warning["message_en"]


def test_api_deadline_bad_input_in_chinese(client_for: Any) -> None:
    client = client_for("settlement")
    response = client.get("/api/v1/workdays/deadline?start=2026-13-01&days=x")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid_input" and body["message"] == "期限计算参数有误"
    paths = {item["path"]: item["message"] for item in body["details"]}
    assert paths == {"start": "起算日格式应为 YYYY-MM-DD：2026-13-01", "days": "工作日天数应为整数"}
    missing = client.get("/api/v1/workdays/deadline").json()
    assert {item["path"] for item in missing["details"]} == {"start", "days"}
    assert client.get("/api/v1/workdays/deadline?start=2026-01-01&days=-1").status_code == 400


def test_api_overrides_and_years_for_the_manager(client_for: Any) -> None:
    manager = client_for("manager")
    created = manager.post("/api/v1/workdays/overrides", {"date": "2027-01-01", "is_working_day": False,
                                                          "note": "元旦"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["created_by"] == "manager"
    again = manager.post("/api/v1/workdays/overrides", {"date": "2027-01-01", "is_working_day": True},
                         content_type="application/json")
    assert again.status_code == 201 and again.json()["is_working_day"] is True
    bad = manager.post("/api/v1/workdays/overrides", {"date": "01/01/2027"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["message"] == "工作日调整有误"

    clerk = client_for("settlement")
    listed = clerk.get("/api/v1/workdays/overrides?year=2027").json()
    assert [row["date"] for row in listed["results"]] == ["2027-01-01"]
    assert clerk.get("/api/v1/workdays/overrides/2027-01-01").json()["note"] == ""
    assert clerk.get("/api/v1/workdays/overrides/2027-01-02").status_code == 404
    assert clerk.get("/api/v1/workdays/overrides/nope").status_code == 400

    assert manager.delete("/api/v1/workdays/overrides/2027-01-01").status_code == 204
    assert manager.delete("/api/v1/workdays/overrides/2027-01-01").status_code == 404

    refused = manager.post("/api/v1/workdays/years", {"year": 2027}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "year_incomplete"
    for item in ILLUSTRATIVE_2027:
        manager.post("/api/v1/workdays/overrides", {"date": item.date.isoformat(),
                                                    "is_working_day": item.is_working_day, "note": item.note},
                     content_type="application/json")
    confirmed = manager.post("/api/v1/workdays/years", {"year": 2027}, content_type="application/json")
    assert confirmed.status_code == 201 and confirmed.json()["year"] == 2027
    years = clerk.get("/api/v1/workdays/years").json()
    assert 2026 in years["package_years"] and [y["year"] for y in years["confirmed"]] == [2027]
    body = clerk.get("/api/v1/workdays/deadline?start=2026-12-20&days=15").json()
    assert (body["due"], body["warnings"]) == ("2027-01-11", [])


def test_override_list_page(client_for: Any, world: dict[str, Any]) -> None:
    actions.do_set_override(world["users"]["manager"], d("2027-01-01"), False, "元旦")
    actions.do_set_override(world["users"]["manager"], d("2026-10-09"), False, "测试")
    html = client_for("supervisor").get("/workdays/overrides/?year=2027").content.decode()
    assert "2027" in html and "元旦" in html and "测试" not in html
