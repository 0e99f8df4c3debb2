"""Catalogue imports: good, re-imported (no change), changed (one new version, the old one closed), partly bad
(nothing loaded, every bad row reported), Excel, and who may import."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from dae.catalog.models import CatalogueItem
from dae.catalog.queries import item_on
from dae.core.errors import PermissionDenied
from dae.core.models import Event

from .helpers import ITEM_HEADER, item_row, problems, run, to_csv


@pytest.fixture
def manager(world: dict[str, Any]) -> Any:
    return world["users"]["manager"]


def test_good_file_loads_every_row_with_restrictions(manager: Any) -> None:
    rows = [item_row(i) for i in range(1, 11)]
    rows[0].update(lmt_sex="2", lmt_age_min="0", lmt_age_max="14", max_per_day="2.5", min_hosp_grade="2",
                   hosp_lvs="02, 05", dise_prefixes="c,D0", inpatient_only="是", sp_drug_kind="b_managed")
    batch = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert batch.status == "loaded", (batch.note, problems(batch))
    assert (batch.rows_new, batch.rows_changed, batch.rows_same) == (10, 0, 0)
    item = CatalogueItem.objects.get(med_list_codg=rows[0]["med_list_codg"])
    assert item.pric_uplmt_amt == Decimal("12.50") and item.selfpay_prop == Decimal("0.1")
    assert (item.lmt_sex, item.lmt_age_min, item.lmt_age_max, item.min_hosp_grade) == ("2", 0, 14, 2)
    assert item.max_per_day == Decimal("2.5") and isinstance(item.max_per_day, Decimal)
    assert item.hosp_lvs == ["02", "05"] and item.dise_prefixes == ["C", "D0"]
    assert item.inpatient_only and not item.outpatient_only
    assert item.sp_drug_flag and item.sp_drug_kind == "b_managed"
    assert item.begin_date == dt.date(2026, 1, 1) and item.end_date is None and item.batch_id == batch.pk


def test_reimport_changes_nothing_and_a_changed_row_adds_exactly_one_version(manager: Any) -> None:
    rows = [item_row(i) for i in range(1, 6)]
    first = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert first.status == "loaded"
    events = Event.objects.count()
    again = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert again.status == "loaded" and (again.rows_new, again.rows_changed, again.rows_same) == (0, 0, 5)
    assert CatalogueItem.objects.count() == 5
    assert Event.objects.count() == events + 2  # the batch's upload and load events only

    # A new edition dated 1 April: row 1's price changes, row 2 is unchanged (a later begin date alone is no change).
    rows[0].update(pric_uplmt_amt="13.80", begin_date="2026-04-01")
    rows[1].update(begin_date="2026-04-01")
    changed = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert changed.status == "loaded", problems(changed)
    assert (changed.rows_new, changed.rows_changed, changed.rows_same) == (0, 1, 4)
    assert CatalogueItem.objects.count() == 6
    code = rows[0]["med_list_codg"]
    old, new = CatalogueItem.objects.filter(med_list_codg=code).order_by("begin_date")
    assert (old.begin_date, old.end_date, old.pric_uplmt_amt) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1),
                                                                  Decimal("12.50"))
    assert (new.begin_date, new.end_date, new.pric_uplmt_amt) == (dt.date(2026, 4, 1), None, Decimal("13.80"))
    event = Event.objects.get(action="catalog.item_changed", object_id=code)
    assert Decimal(event.before["pric_uplmt_amt"]) == Decimal("12.5") and event.note == f"导入批次 #{changed.pk}"
    assert event.after["pric_uplmt_amt"] == "13.80" and event.after["begin_date"] == "2026-04-01"
    assert item_on(code, dt.date(2026, 3, 31)).pric_uplmt_amt == Decimal("12.50")  # type: ignore[union-attr]
    assert item_on(code, dt.date(2026, 4, 1)).pric_uplmt_amt == Decimal("13.80")  # type: ignore[union-attr]

    # The same changed file again: nothing more.
    twice = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert (twice.rows_new, twice.rows_changed, twice.rows_same) == (0, 0, 5)
    assert CatalogueItem.objects.count() == 6


def test_an_end_date_closes_an_item(manager: Any) -> None:
    rows = [item_row(1)]
    run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    rows[0]["end_date"] = "2026-10-01"
    batch = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert batch.status == "loaded" and batch.rows_changed == 1
    assert CatalogueItem.objects.get().end_date == dt.date(2026, 10, 1)
    assert item_on(rows[0]["med_list_codg"], dt.date(2026, 10, 1)) is None


def test_partly_bad_file_loads_nothing_and_reports_every_bad_row(manager: Any) -> None:
    rows = [item_row(i) for i in range(1, 12)]
    rows[1]["chrgitm_lv"] = "09"  # not in the dictionary
    rows[2]["pric_uplmt_amt"] = "abc"
    rows[3]["selfpay_prop"] = "1.5"
    rows[4]["begin_date"] = "2026-02-30"
    rows[5]["end_date"] = "2025-12-31"  # before begin
    rows[6]["hosp_lvs"] = "05,99"
    rows[7]["lmt_age_min"], rows[7]["lmt_age_max"] = "18", "6"
    rows[8]["med_list_codg"] = rows[0]["med_list_codg"]  # duplicate code and begin date in the file
    rows[9]["inpatient_only"] = "maybe"
    rows[10]["list_type"] = ""  # required
    batch = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert batch.status == "rejected"
    assert CatalogueItem.objects.count() == 0
    found = problems(batch)
    expected = {(3, "chrgitm_lv"), (4, "pric_uplmt_amt"), (5, "selfpay_prop"), (6, "begin_date"), (7, "end_date"),
                (8, "hosp_lvs"), (9, "lmt_age_max"), (10, "begin_date"), (11, "inpatient_only"), (12, "list_type")}
    assert expected <= set(found), found
    assert batch.rows_bad == 10
    assert "第 2 行" in found[(10, "begin_date")]
    assert found[(5, "selfpay_prop")] == "自付比例应在 0 到 1 之间"


def test_a_change_with_the_same_begin_date_is_rejected_not_edited_in_place(manager: Any) -> None:
    rows = [item_row(1)]
    run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    rows[0]["name"] = "改名"
    batch = run("catalogue", manager, to_csv(rows, ITEM_HEADER))
    assert batch.status == "rejected"
    assert "版本不可原地修改" in problems(batch)[(2, "begin_date")]
    assert CatalogueItem.objects.get().name == "测试药品1"


def test_unknown_column_rejects_the_file(manager: Any) -> None:
    batch = run("catalogue", manager, b"med_list_codg,name,colour\nX,Y,red\n")
    assert batch.status == "rejected"
    assert {c for (_r, c) in problems(batch)} >= {"colour", "list_type"}


def test_excel_file_with_chinese_headers_loads(manager: Any) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["医疗目录编码", "目录名称", "目录类别", "收费项目等级", "医疗收费项目类别", "定价上限金额", "开始日期"])
    ws.append(["001102000010000", "普通病房床位费", 201, "01", "01", 20.5, dt.datetime(2026, 1, 1)])
    out = io.BytesIO()
    wb.save(out)
    batch = run("catalogue", manager, out.getvalue(), name="catalogue.xlsx")
    assert batch.status == "loaded", problems(batch)
    item = CatalogueItem.objects.get(med_list_codg="001102000010000")
    assert item.pric_uplmt_amt == Decimal("20.5") and item.list_type == "201"


def test_only_the_manager_imports_the_catalogue(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        run("catalogue", world["users"]["settlement"], to_csv([item_row(1)], ITEM_HEADER))
    assert CatalogueItem.objects.count() == 0
