"""The credit pages: the lists with their filters, a party's page with its chart data, the manager's forms
(列入 / 移出 / 登记违规 / 参数), the screening pages with their charts, region isolation and the hospital user's
own entries."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.core.models import AccessRecord
from dae.credit.actions import screening as screening_actions
from dae.credit.actions import violations, watchlists
from dae.credit.models import CreditEvent, CreditParty, CreditSettings, ScreeningResult, ScreeningRun
from tests.factories import REGION_A, REGION_B, HospitalFactory, make_user

from .conftest import PARAMS, login

pytestmark = pytest.mark.django_db
D = Decimal


def embedded(html: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None, f"no json_script {element_id}"
    return json.loads(match.group(1))


def violate(code: str, amount: str, n: int, kind: str = "hospital", region: str = REGION_A, **extra: Any) -> None:
    for i in range(n):
        violations.do_record_violation(
            party_kind=kind,
            party_code=code,
            region_id=region,
            amount=D(amount),
            source=("test", f"{code}-{i}"),
            on=timezone.localdate(),
            actor=None,
            **extra,
        )


@pytest.fixture
def lists(world: dict[str, Any]) -> dict[str, Any]:
    """HA0001 on the watch list (60), its doctor D1 black (manual), another hospital of A normal, a person of A
    on the watch list, HB0001 of region B black."""
    other = HospitalFactory(region=world["regions"][0], code="HA0002", name="桦甸市中医院")
    violate("HA0001", "15000.00", 2)
    violate("D1", "0.00", 1, kind="doctor", hospital_code="HA0001", party_name="王医生")
    watchlists.do_list(
        world["users"]["manager"], kind="doctor", code="D1", region=REGION_A, level="black", reason="多次违规"
    )
    violate("HA0002", "0.00", 1)
    watchlists.do_list(
        world["users"]["manager"], kind="person", code="PA0001", region=REGION_A, level="watch", reason="冒名嫌疑"
    )
    violate("HB0001", "15000.00", 3, region=REGION_B)
    return {**world, "other": other}


def test_the_lists_with_filters_for_staff_of_a_region(lists: dict[str, Any]) -> None:
    client = login(lists["users"]["reviewer"])
    html = client.get("/credit/").content.decode()
    for code in ("HA0001", "HA0002", "D1", "PA0001"):
        assert f">{code}</a>" in html
    assert "HB0001" not in html  # another region
    assert 'data-testid="watch-count">关注名单 2' in html and 'data-testid="black-count">黑名单 1' in html
    assert 'data-testid="listing-new"' not in html  # not the manager
    watch = client.get("/credit/?level=watch").content.decode()
    assert ">HA0001</a>" in watch and ">PA0001</a>" in watch and ">D1</a>" not in watch
    doctors = client.get("/credit/?kind=doctor").content.decode()
    assert ">D1</a>" in doctors and ">HA0001</a>" not in doctors
    normal = client.get("/credit/?listed=no").content.decode()
    assert ">HA0002</a>" in normal and ">HA0001</a>" not in normal
    person = CreditParty.objects.get(kind="person")
    assert AccessRecord.objects.filter(actor=lists["users"]["reviewer"], object_id=str(person.pk)).count() == 2
    assert 'data-testid="listing-new"' in login(lists["users"]["manager"]).get("/credit/").content.decode()


def test_a_hospital_user_sees_its_hospital_and_its_doctors_only(lists: dict[str, Any]) -> None:
    client = login(lists["users"]["hospital"])
    html = client.get("/credit/").content.decode()
    assert ">HA0001</a>" in html and ">D1</a>" in html
    assert ">HA0002</a>" not in html and ">PA0001</a>" not in html and "HB0001" not in html
    other = CreditParty.objects.get(code="HA0002")
    assert client.get(f"/credit/parties/{other.pk}/").status_code == 404
    assert AccessRecord.objects.filter(why="denied", object_id=str(other.pk)).count() == 1
    own = CreditParty.objects.get(code="HA0001")
    assert client.get(f"/credit/parties/{own.pk}/").status_code == 200


def test_staff_of_another_region_cannot_open_a_party(lists: dict[str, Any]) -> None:
    manager_b = make_user("manager", username="manager_b", regions=(REGION_B,))
    own = CreditParty.objects.get(code="HA0001")
    assert login(manager_b).get(f"/credit/parties/{own.pk}/").status_code == 404
    html = login(manager_b).get("/credit/").content.decode()
    assert ">HB0001</a>" in html and "HA0001" not in html
    response = login(manager_b).post(f"/credit/parties/{own.pk}/delist/", {"reason": "越权"})
    assert response.status_code == 404 and CreditParty.objects.get(code="HA0001").level == "watch"


def test_the_party_page_with_events_history_and_chart(lists: dict[str, Any]) -> None:
    party = CreditParty.objects.get(code="HA0001")
    html = login(lists["users"]["supervisor"]).get(f"/credit/parties/{party.pk}/").content.decode()
    assert 'data-testid="party-score">60<' in html and 'data-testid="party-level">关注名单<' in html
    today = timezone.localdate().isoformat()
    chart = embedded(html, "score-chart-data")
    assert chart["dates"] == [today] and chart["scores"] == [60]
    assert (chart["watch"], chart["black"]) == (80, 60)
    assert chart["names"] == {"score": "信用分", "watch": "关注名单线", "black": "黑名单线"}
    assert html.count("15,000.00") == 3  # two violations and the reason of the level change
    assert "违规金额 15,000.00 元扣 20 分（test HA0001-1）：信用分 60 低于关注名单线 80" in html
    assert 'data-testid="list-form"' not in html  # the supervisor only reads
    person = CreditParty.objects.get(kind="person")
    login(lists["users"]["reviewer"]).get(f"/credit/parties/{person.pk}/")
    assert AccessRecord.objects.filter(actor=lists["users"]["reviewer"], psn_no="PA0001").count() == 1


def test_the_manager_lists_and_delists_on_the_party_page(lists: dict[str, Any]) -> None:
    client = login(lists["users"]["manager"])
    party = CreditParty.objects.get(code="HA0002")
    page = client.get(f"/credit/parties/{party.pk}/").content.decode()
    assert 'data-testid="list-form"' in page and 'data-testid="delist-form"' not in page
    response = client.post(f"/credit/parties/{party.pk}/list/", {"level": "black", "reason": ""}, follow=True)
    assert "请检查填写的内容" in response.content.decode()
    assert CreditParty.objects.get(pk=party.pk).level == "normal"
    client.post(f"/credit/parties/{party.pk}/list/", {"level": "black", "reason": "拒不配合检查"})
    party.refresh_from_db()
    assert (party.level, party.manual_reason) == ("black", "拒不配合检查")
    response = client.post(f"/credit/parties/{party.pk}/delist/", {"reason": "  "}, follow=True)
    assert CreditParty.objects.get(pk=party.pk).level == "black"
    client.post(f"/credit/parties/{party.pk}/delist/", {"reason": "整改到位"})
    party.refresh_from_db()
    assert (party.level, party.score) == ("normal", 100)
    assert list(party.changes.order_by("pk").values_list("cause", "to_level", "actor__username")) == [
        ("manual_list", "black", "manager"),
        ("manual_delist", "normal", "manager"),
    ]
    assert client.get(f"/credit/parties/{party.pk}/list/").status_code == 302


def test_listing_a_party_by_code(lists: dict[str, Any]) -> None:
    client = login(lists["users"]["manager"])
    response = client.post(
        "/credit/listings/new/",
        {"region": REGION_A, "kind": "hospital", "code": "NOPE", "level": "watch", "reason": "测试"},
    )
    assert response.status_code == 200 and "在统筹区 220282 找不到医疗机构 NOPE" in response.content.decode()
    response = client.post(
        "/credit/listings/new/",
        {"region": REGION_B, "kind": "hospital", "code": "HB0001", "level": "watch", "reason": "测试"},
    )
    assert "选择一个有效的选项" in response.content.decode()  # not one of the manager's regions
    response = client.post(
        "/credit/listings/new/",
        {"region": REGION_A, "kind": "person", "code": "PA0001", "level": "black", "reason": "骗保"},
    )
    party = CreditParty.objects.get(kind="person", code="PA0001")
    assert response.status_code == 302 and response["Location"] == f"/credit/parties/{party.pk}/"
    assert (party.level, party.manual_level, party.name) == ("black", "black", "张三")


def test_recording_a_violation_on_the_form_once(lists: dict[str, Any]) -> None:
    client = login(lists["users"]["manager"])
    page = client.get("/credit/violations/new/").content.decode()
    key = re.search(r'name="key" value="([0-9a-f]+)"', page)
    assert key is not None
    form = {
        "region": REGION_A,
        "kind": "hospital",
        "code": "HA0002",
        "amount": "2500.00",
        "on": timezone.localdate().isoformat(),
        "document": "桦医保稽〔2026〕3号",
        "note": "挂床住院",
        "key": key.group(1),
    }
    first = client.post("/credit/violations/new/", form)
    again = client.post("/credit/violations/new/", form)
    party = CreditParty.objects.get(code="HA0002")
    assert first["Location"] == again["Location"] == f"/credit/parties/{party.pk}/"
    event = CreditEvent.objects.get(source_type="credit.manual")
    assert (event.amount, event.points, event.note, event.actor) == (
        D("2500.00"),
        7,
        "桦医保稽〔2026〕3号 挂床住院",
        lists["users"]["manager"],
    )
    assert party.score == 88
    response = client.post("/credit/violations/new/", {**form, "amount": "12.345", "key": "other"})
    assert "违规金额须为不小于零、精确到分的金额" in response.content.decode()


def test_the_settings_page_and_its_history(world: dict[str, Any]) -> None:
    html = login(world["users"]["inspector"]).get("/credit/settings/").content.decode()
    assert "现行参数（第 0 版）" in html and "默认值" in html and 'data-testid="settings-form"' not in html
    client = login(world["users"]["manager"])
    values = {
        "region": REGION_A,
        "window_months": 36,
        "base_points": 5,
        "points_per_thousand": 1,
        "max_points": 20,
        "watch_below": 80,
        "black_below": 60,
        "anomaly_threshold": "3.50",
        "min_peers": 5,
        "min_volume": 10,
        "readmit_days": 15,
        "reason": "延长计分周期",
    }
    response = client.post("/credit/settings/", values)
    assert response.status_code == 302
    row = CreditSettings.objects.get()
    assert (row.version, row.window_months, row.anomaly_threshold, row.actor) == (
        1,
        36,
        D("3.50"),
        world["users"]["manager"],
    )
    html = client.get("/credit/settings/").content.decode()
    assert "现行参数（第 1 版）" in html and "延长计分周期" in html
    response = client.post("/credit/settings/", {**values, "black_below": 90, "reason": "错误"})
    assert "黑名单线不能高于关注名单线" in response.content.decode() and CreditSettings.objects.count() == 1

    # the history is the list component: filtered, exported and read back
    from tests.web.test_converted_lists import assert_read_back

    client.post("/credit/settings/", {**values, "window_months": 24, "reason": "缩短计分周期"})
    body = assert_read_back(client, f"/credit/settings/?region={REGION_A}&q=计分周期", 2)
    assert [(r[0], r[3], r[7]) for r in body] == [("2", "24", "缩短计分周期"), ("1", "36", "延长计分周期")]
    assert body[0][5] == "80 / 60" and body[0][6].startswith("z > 3.50")
    body = assert_read_back(client, f"/credit/settings/?region={REGION_A}&q=缩短", 1)
    assert AccessRecord.objects.filter(why="export", object_type="list:credit:settings").count() == 4


def test_a_screening_from_the_page_to_a_unit(screening_world: dict[str, Any]) -> None:
    client = login(screening_world["users"]["inspector"])
    page = client.get("/credit/screenings/").content.decode()
    assert 'data-testid="screening-form"' in page
    response = client.post(
        "/credit/screenings/",
        {
            "region": REGION_A,
            "period_kind": "month",
            "period": "2026-03",
            "threshold": "3.00",
            "min_peers": "5",
            "min_volume": "2",
            "readmit_days": "15",
        },
    )
    run = ScreeningRun.objects.get()
    assert response["Location"] == f"/credit/screenings/{run.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="screening-status">已完成<' in html
    chart = embedded(html, "top-chart-data")
    assert chart["labels"][0] == "测试医院6" and chart["scores"][0] == "23.61" and chart["name"] == "异常得分"
    assert "病种校正次均费用指数 4.0000，高于同类中位数 1.0000 300.0%" in html
    doctors = client.get(f"/credit/screenings/{run.pk}/?kind=doctor").content.decode()
    assert "医师6（测试医院6）" in doctors and "测试医院6 内科" not in doctors
    everything = client.get(f"/credit/screenings/{run.pk}/?all=1").content.decode()
    assert "测试医院3" in everything and "测试医院3" not in html
    unit = ScreeningResult.objects.get(run=run, unit_kind="hospital", unit_code="HS6")
    detail = client.get(f"/credit/screenings/results/{unit.pk}/").content.decode()
    bars = embedded(detail, "indicator-chart-data")
    assert bars["labels"] == ["病种校正次均费用指数", "药品费用占比（%）", "平均住院日（天）"]  # readmission: median 0
    assert bars["unit"] == ["400.0", "108.6", "100.0"] and bars["peers"] == ["100.0", "100.0", "100.0"]
    assert bars["values"] == ["4.0000", "38.00", "5.00"] and bars["medians"] == ["1.0000", "35.00", "5.00"]
    assert 'data-indicator="cost_index"' in detail and "同级" not in detail and "二级医院" in detail
    partial = client.get(f"/credit/screenings/{run.pk}/", headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true"


def test_screening_results_in_the_users_scope(screening_world: dict[str, Any]) -> None:
    run = services_run(screening_world)
    hospital_user = make_user("hospital", username="hs6", hospital=screening_world["hospitals_s"][6])
    html = login(hospital_user).get(f"/credit/screenings/{run.pk}/?all=1").content.decode()
    assert "测试医院6" in html and "测试医院5" not in html and "测试医院3" not in html
    other = ScreeningResult.objects.get(run=run, unit_kind="hospital", unit_code="HS5")
    assert login(hospital_user).get(f"/credit/screenings/results/{other.pk}/").status_code == 404
    assert ">#" + str(run.pk) + "<" in login(hospital_user).get("/credit/screenings/").content.decode()
    manager_b = make_user("manager", username="manager_b", regions=(REGION_B,))
    assert login(manager_b).get(f"/credit/screenings/{run.pk}/").status_code == 404
    assert login(manager_b).get(f"/credit/screenings/results/{other.pk}/").status_code == 404
    assert (
        'data-testid="screening-form"'
        not in login(screening_world["users"]["supervisor"]).get("/credit/screenings/").content.decode()
    )


def services_run(world: dict[str, Any]) -> ScreeningRun:
    return screening_actions.do_start_screening(
        region=REGION_A, period_kind="month", period="2026-03", actor=world["users"]["manager"], params=PARAMS
    )


def test_a_screenings_units_are_a_list_filtered_and_exported(screening_world: dict[str, Any]) -> None:
    """The units of a run are the list component: the flagged units by default, every unit with ``all=1``;
    filters; the total cost summed over the filtered units; each export read back with the page's row count and
    totals, the explanation as text and the scope named in the header."""
    from django.db.models import Sum

    from tests.web.test_converted_lists import assert_read_back, exported, page_figures

    run = services_run(screening_world)
    client = login(screening_world["users"]["inspector"])
    url = f"/credit/screenings/{run.pk}/"
    units = ScreeningResult.objects.filter(run=run)
    flagged_hospitals = units.filter(flagged=True, unit_kind="hospital")
    assert flagged_hospitals.exists() and units.filter(flagged=False, unit_kind="hospital").exists()
    count, totals = page_figures(client, f"{url}?kind=hospital")
    cost = flagged_hospitals.aggregate(s=Sum("total_cost"))["s"]
    assert (count, totals) == (flagged_hospitals.count(), {6: cost})  # 医疗费总额 is the seventh column
    body = assert_read_back(client, f"{url}?kind=hospital", flagged_hospitals.count())
    assert {r[3] for r in body} == set(flagged_hospitals.values_list("unit_code", flat=True))
    assert all(r[1] == "医疗机构" for r in body) and all(r[8] for r in body)  # the explanation, as text
    every = units.filter(unit_kind="hospital")
    body = assert_read_back(client, f"{url}?all=1&kind=hospital", every.count())
    assert {r[3] for r in body} == set(every.values_list("unit_code", flat=True))
    header, _body, _footer = exported(client, f"{url}?all=1&kind=hospital", "csv")
    assert "单位类型：医疗机构" in header[3] and "范围：全部单位" in header[3]
    assert AccessRecord.objects.filter(why="export", object_type="list:credit:screening_detail").count() == 5
