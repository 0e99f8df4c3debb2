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
