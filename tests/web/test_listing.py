"""The one list component: filters, sorting, totals over the filtered rows, page sizes, and the export of exactly
the filtered rows (read back: row count and totals equal the page's), masked, logged and refused per the matrix."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dae.core.models import AccessRecord

from ..factories import HospitalFactory, SettlementFactory

pytestmark = pytest.mark.django_db

HEADER_LINES = 4  # title, who, when, filters


def _settlements(world: dict[str, Any]) -> None:
    """Eight more settlements in region A: two hospitals, December and March, amounts with awkward fen."""
    person = world["persons"][0]
    other = HospitalFactory(region=world["regions"][0], code="HA0002", name="桦甸市中医院")
    days = [dt.datetime(2025, 12, d, 9, 0) for d in (1, 5, 9, 30)] + [dt.datetime(2026, 3, 2, 9, 0)] * 2
    pays = ["0.10", "0.20", "1234.56", "99999.99", "7.77", "8.88"]
    for i, (day, pay) in enumerate(zip(days, pays, strict=True)):
        SettlementFactory(person=person, hospital=world["hospitals"][0], setl_id=f"SX{i:04d}",
                          setl_time=timezone.make_aware(day), hifob_pay=Decimal(pay),
                          medfee_sumamt=Decimal("1000.01") + i)
    for i in range(2):
        SettlementFactory(person=person, hospital=other, setl_id=f"SY{i:04d}",
                          setl_time=timezone.make_aware(dt.datetime(2025, 12, 15, 9, 0)), hifob_pay=Decimal("5.55"))


def _page_figures(html: str) -> tuple[int, dict[int, str]]:
    count = int(re.search(r'data-testid="list-count">共 (\d+) 条', html).group(1))  # type: ignore[union-attr]
    foot = re.search(r'data-testid="list-totals">(.*?)</tfoot>', html, re.S)
    totals = {int(i): v.strip() for i, v in re.findall(r'data-total-index="(\d+)">([^<]*)<', foot.group(1))} \
        if foot else {}
    return count, totals


FILTER = "/claims/settlements/?setl_from=2025-12-01&setl_to=2025-12-31&hospital=HA0001&pay_min=0.15"


def test_a_filtered_list_exported_to_excel_has_the_pages_rows_and_totals(client_for: Any,
                                                                         world: dict[str, Any]) -> None:
    _settlements(world)
    client = client_for("settlement")
    count, totals = _page_figures(client.get(FILTER).content.decode())
    # December, hospital A, 大额 pay ≥ 0.15: SX0001 (0.20), SX0002 (1234.56), SX0003 (99999.99)
    assert count == 3
    assert totals == {6: "3,006.03", 7: "2,550.00", 8: "101,234.75"}

    response = client.get(FILTER + "&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="-')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "结算记录（共 3 条）"
    assert rows[1][0] == "导出人：settlement（结算岗）"
    assert rows[3][0] == "筛选条件：结算日期：2025-12-01～2025-12-31；医疗机构：桦甸市人民医院（HA0001）；大额基金支付：0.15～…"
    header, body, footer = rows[HEADER_LINES], rows[HEADER_LINES + 1:-1], rows[-1]
    assert header[:4] == ("结算ID", "人员编号", "医疗机构", "医疗类别")
    assert [r[0] for r in body] == ["SX0003", "SX0002", "SX0001"]  # the model's order: newest first
    assert body[0][3] == "21 普通住院"  # the code with its name
    assert footer[0] == "合计（3 条）"
    assert tuple(Decimal(str(v)) for v in footer[6:9]) == (Decimal("3006.03"), Decimal("2550"), Decimal("101234.75"))
    assert sum(Decimal(str(r[8])) for r in body) == Decimal("101234.75")
    assert sheet.cell(row=HEADER_LINES + 2, column=9).number_format == "#,##0.00"

    record = AccessRecord.objects.get(why="export")
    assert (record.actor.username, record.object_type, record.object_id) == (
        "settlement", "list:claims:settlement_list", "3:xlsx")


def test_the_csv_export_has_the_same_rows_and_totals_as_the_page(client_for: Any, world: dict[str, Any]) -> None:
    _settlements(world)
    client = client_for("settlement")
    count, totals = _page_figures(client.get(FILTER).content.decode())
    text = client.get(FILTER + "&export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    body, footer = rows[HEADER_LINES + 1:-1], rows[-1]
    assert len(body) == count == 3
    assert (footer[6], footer[7], footer[8]) == ("3006.03", "2550.00", "101234.75")
    assert {i: f"{Decimal(footer[i]):,}" for i in totals} == totals


def test_totals_are_over_all_filtered_rows_not_the_page(client_for: Any, world: dict[str, Any]) -> None:
    _settlements(world)
    html = client_for("settlement").get("/claims/settlements/?hospital=HA0001&size=25&sort=-hifob_pay&page=1"
                                        ).content.decode()
    count, totals = _page_figures(html)
    assert count == 7  # SA0001 and the six SX
    assert totals[8] == "101,251.50"
    html = client_for("settlement").get("/claims/settlements/?hospital=HA0001&size=25&sort=hifob_pay").content.decode()
    order = re.findall(r">(S[AX]\d{4})<", html)
    assert order[:3] == ["SX0000", "SX0001", "SX0004"]  # 0.10, 0.20, 7.77 (SA0001 has no payout yet: last)


def test_a_bad_filter_value_is_reported_and_not_applied(client_for: Any, world: dict[str, Any]) -> None:
    _settlements(world)
    html = client_for("settlement").get("/claims/settlements/?setl_from=2025-13-01&pay_min=1e5").content.decode()
    assert "结算日期起格式应为 YYYY-MM-DD：2025-13-01" in html
    assert "大额基金支付下限格式错误：1e5" in html
    assert _page_figures(html)[0] == 9


def test_personal_columns_are_masked_in_exports_unless_the_matrix_says_full(client_for: Any,
                                                                            world: dict[str, Any]) -> None:
    rows = list(load_workbook(io.BytesIO(client_for("settlement").get(
        "/enrollment/persons/?export=xlsx").content)).worksheets[0].iter_rows(values_only=True))
    assert rows[HEADER_LINES + 1][:3] == ("PA0001", "张*", "2202**********1234")
    rows = list(load_workbook(io.BytesIO(client_for("manager").get(
        "/enrollment/persons/?export=xlsx").content)).worksheets[0].iter_rows(values_only=True))
    assert rows[HEADER_LINES + 1][:2] == ("PA0001", "张三")


def test_a_post_the_matrix_does_not_let_export_is_refused(client_for: Any, world: dict[str, Any]) -> None:
    page = client_for("service").get("/enrollment/persons/")
    assert page.status_code == 200 and 'data-testid="export-xlsx"' not in page.content.decode()
    refused = client_for("service").get("/enrollment/persons/?export=xlsx")
    assert refused.status_code == 403
    assert "当前岗位不能导出此列表" in refused.content.decode()
    assert not AccessRecord.objects.filter(why="export").exists()


def test_page_size_and_a_page_past_the_end(client_for: Any, world: dict[str, Any]) -> None:
    _settlements(world)
    html = client_for("settlement").get("/claims/settlements/?size=50&page=99").content.decode()
    assert '<option value="50" selected>' in html
    assert _page_figures(html)[0] == 9
