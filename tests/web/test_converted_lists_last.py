"""The last two hand-made lists on the list component (issue 15): 测算方案 and 今日工作 — each filtered view
exported to Excel and CSV and read back (row count, header block, names not codes, one access record per
download)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.core.models import AccessRecord
from tests.web.test_converted_lists import assert_read_back, exported, page_figures

pytestmark = pytest.mark.django_db


def _scenario(region: Any, name: str, change: int, day: int, **extra: Any) -> Any:
    from dae.forecast.models import Scenario

    return Scenario.objects.create(
        region=region, year=2026, name=name, changes={"entry_threshold": "50000.00"}, draft_document={},
        data_version="0" * 64, digest="0" * 64,
        results={"totals": {"current": 10_000_000, "draft": 10_000_000 + change, "change": change, "stored": 0},
                 "gainers": 3, "losers": 1},
        created_at=timezone.make_aware(dt.datetime(2026, 3, day, 9, 0)), **extra)


def test_scenarios_filtered_compared_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    ra, rb = world["regions"]
    first = _scenario(ra, "起付线降至5万元", 1_750_012, 1)
    second = _scenario(ra, "起付线降至6万元", 900_000, 5, last_rerun_at=timezone.now(), last_rerun_same=True)
    _scenario(ra, "封顶线提高", 50, 20)
    _scenario(rb, "起付线降至5万元（乙区）", 1, 2)
    client = client_for("manager")
    page = client.get("/forecast/scenarios/").content.decode()
    assert 'form="compare-form"' in page and 'data-testid="scenario-compare"' in page and "乙区" not in page
    assert "17,500.12" in page and ra.name in page
    url = "/forecast/scenarios/?name=起付线&created_from=2026-03-01&created_to=2026-03-31"
    assert page_figures(client, url) == (2, {})  # no totals row: impacts of scenarios are not added up
    before = AccessRecord.objects.filter(object_type="list:forecast:scenario_list").count()
    body = assert_read_back(client, url, 2)
    assert AccessRecord.objects.filter(object_type="list:forecast:scenario_list").count() == before + 2
    header, _body, footer = exported(client, url, "xlsx")
    assert footer is None and "方案名称：起付线" in header[3] and "保存时间：2026-03-01～2026-03-31" in header[3]
    assert [r[0] for r in body] == ["起付线降至6万元", "起付线降至5万元"]
    assert body[1][1] == ra.name  # the region by name, not its code
    assert Decimal(str(body[1][6])) == Decimal("17500.12") and Decimal(str(body[1][4])) == Decimal("100000.00")
    assert body[0][9] == "一致" and body[1][9] == "—"
    xlsx_header, xlsx_body, _f = exported(client, url, "xlsx")
    assert Decimal(str(xlsx_body[1][6])) == Decimal("17500.12")
    # ticking two scenarios and comparing narrows the list, the filters keep the ticks, the export names them
    compare = f"/forecast/scenarios/?compare={first.pk}&compare={second.pk}"
    compared = client.get(compare).content.decode()
    assert "封顶线提高" not in compared and f'name="compare" value="{first.pk}"' in compared
    assert page_figures(client, compare)[0] == 2
    header, rows, _f = exported(client, compare, "csv")
    assert len(rows) == 2 and "只比较勾选的方案：" in header[3] and "起付线降至5万元" in header[3]


def test_scenarios_of_another_region_cannot_be_compared(client_for: Any, world: dict[str, Any]) -> None:
    ra, rb = world["regions"]
    other = _scenario(rb, "乙区方案", 1, 2)
    client = client_for("manager")
    assert page_figures(client, f"/forecast/scenarios/?compare={other.pk}")[0] == 0
    assert page_figures(client, "/forecast/scenarios/?compare=abc")[0] == 0  # nothing to show: no scenario in A
    _scenario(ra, "甲区方案", 1, 3)
    assert page_figures(client, "/forecast/scenarios/?compare=abc")[0] == 1  # not an id: no narrowing


def test_worklist_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    from dae.monitoring import actions
    from dae.monitoring.models import Admission

    today = timezone.localdate()
    hospital, users = world["hospitals"][0], world["users"]
    rep = users["inspector"]
    actions.do_create_assignment(kind="resident", user=rep, region_id=hospital.region_id, hospitals=[hospital],
                                 start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=30),
                                 actor=users["manager"])
    admitted = [actions.do_report_admission(
        hospital=hospital, mdtrt_id=f"WL{i}", psn_no=psn, dept_name="心内科", bed_no=str(10 + i),
        adm_date=today - dt.timedelta(days=3 + i), dise_codg="I20.0", dise_name="不稳定型心绞痛", actor=users["hospital"])
        for i, psn in enumerate(("PA0001", "PX0009", "PX0010"))]
    Admission.objects.filter(pk=admitted[0].pk).update(next_visit_due=today - dt.timedelta(days=1))
    Admission.objects.filter(pk=admitted[1].pk).update(next_visit_due=today - dt.timedelta(days=2))
    Admission.objects.filter(pk=admitted[2].pk).update(next_visit_due=today + dt.timedelta(days=2))
    client = client_for("inspector")
    page = client.get("/monitoring/").content.decode()
    assert page.count('data-testid="work-item"') == 3 and 'data-testid="export-xlsx"' in page
    assert 'data-testid="list-table"' not in page and 'data-testid="pager"' in page  # cards, not the table
    url = f"/monitoring/?visit=overdue&hospital={hospital.code}"
    assert page_figures(client, url) == (2, {})
    assert client.get(url).content.decode().count('data-testid="work-item"') == 2
    before = AccessRecord.objects.filter(object_type="list:monitoring:worklist").count()
    body = assert_read_back(client, url, 2)
    assert AccessRecord.objects.filter(object_type="list:monitoring:worklist").count() == before + 2
    header, _rows, footer = exported(client, url, "xlsx")
    assert footer is None and "查床：逾期" in header[3] and hospital.name in header[3]
    assert [r[1] for r in body] == ["PX0009", "PA0001"]  # the longest overdue first
    assert body[1][0] == "张*"  # the representative's download masks names (export_full: manager)
    assert body[1][2] == hospital.name and body[1][8] == "逾期"
    assert client.get("/monitoring/?visit=due&size=25").content.decode().count('data-testid="work-item"') == 2
