"""The lists converted to the one list component (screening runs, dictionaries, fund years and requests, the
bank's unmatched lines, the insured person's own lists): each filtered list exported to Excel and CSV and read back
— the row count and the money totals equal the page's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dae.core.models import AccessRecord

pytestmark = pytest.mark.django_db

HEADER_LINES = 4  # title, who, when, filters


def page_figures(client: Client, url: str) -> tuple[int, dict[int, Decimal]]:
    """The page's row count (共 N 条) and its totals row (column index → yuan)."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    count = int(re.search(r'data-testid="list-count">共 (\d+) 条', html).group(1))  # type: ignore[union-attr]
    foot = re.search(r'data-testid="list-totals">(.*?)</tfoot>', html, re.S)
    totals = {int(i): Decimal(v.strip().replace(",", ""))
              for i, v in re.findall(r'data-total-index="(\d+)">([^<]*)<', foot.group(1))} if foot else {}
    return count, totals


def exported(client: Client, url: str, fmt: str) -> tuple[list[str], list[tuple[Any, ...]], tuple[Any, ...] | None]:
    """The export of ``url``: header block lines, body rows, the totals row (or None)."""
    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}export={fmt}")
    assert response.status_code == 200, response.content[:300]
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    else:
        rows = [tuple(r) for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    header = [str(r[0]) for r in rows[:HEADER_LINES]]
    body = rows[HEADER_LINES + 1:]
    footer = None
    if body and str(body[-1][0]).startswith("合计"):
        footer, body = body[-1], body[:-1]
    return header, body, footer


def assert_read_back(client: Client, url: str, expected_count: int) -> list[tuple[Any, ...]]:
    """Page and both exports agree: row count, and each page total equals the export's totals row and the sum of
    the exported cells of that column."""
    count, totals = page_figures(client, url)
    assert count == expected_count
    body: list[tuple[Any, ...]] = []
    for fmt in ("xlsx", "csv"):
        header, body, footer = exported(client, url, fmt)
        assert f"（共 {count} 条）" in header[0]
        assert header[3].startswith("筛选条件：") and "无（全部记录）" not in header[3]
        assert len(body) == count
        if totals:
            assert footer is not None and str(footer[0]).startswith("合计")
            for index, total in totals.items():
                assert Decimal(str(footer[index])) == total
                assert sum(Decimal(str(r[index] or 0)) for r in body) == total
    return body


# -- credit: screening runs ------------------------------------------------------------------------------------

def test_screening_runs_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    from dae.credit.models import ScreeningRun

    ra, rb = world["regions"]
    for i, (region, status) in enumerate([(ra, "done"), (ra, "done"), (ra, "failed"), (rb, "done")]):
        ScreeningRun.objects.create(region=region, period_kind="month", period=f"2026-0{i + 1}",
                                    first_day=dt.date(2026, i + 1, 1), last_day=dt.date(2026, i + 1, 28),
                                    status=status, stays_count=10 * (i + 1), params={"threshold": 3})
    client = client_for("inspector")
    body = assert_read_back(client, "/credit/screenings/?status=done&period_kind=month", 2)
    assert sorted(r[3] for r in body) == ["2026-01", "2026-02"]  # region B's run is outside the scope
    assert {r[4] for r in body} == {"已完成"}


# -- dictionaries ----------------------------------------------------------------------------------------------

def test_dictionary_lists_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    from dae.dictionaries.models import Code

    client = client_for("it")
    body = assert_read_back(client, "/dictionaries/?q=med_type", 1)
    assert body[0][0] == "med_type"
    Code.objects.filter(codelist_id="med_type", code="21").update(active=False)
    active = Code.objects.filter(codelist_id="med_type", active=True).count()
    body = assert_read_back(client, "/dictionaries/med_type/?active=yes", active)
    assert "21" not in {r[0] for r in body}
    body = assert_read_back(client, "/dictionaries/med_type/?active=no", 1)
    assert body[0][:2] == ("21", "普通住院")
    assert AccessRecord.objects.filter(why="export", object_type="list:dictionaries:codelist_detail").count() == 4


def test_the_manager_edits_a_code_in_its_row(client_for: Any, world: dict[str, Any]) -> None:
    from dae.dictionaries.models import Code

    manager = client_for("manager")
    html = manager.get("/dictionaries/med_type/?q=21").content.decode()
    item = Code.objects.get(codelist_id="med_type", code="21")
    assert f'id="code-{item.pk}"' in html and f'form="code-{item.pk}"' in html
    response = manager.post("/dictionaries/med_type/", {"id": item.pk, "name": "普通住院（改）", "name_en": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.active) == ("普通住院（改）", False)
    assert client_for("it").post("/dictionaries/med_type/", {"id": item.pk, "name": "x"}).status_code == 403



# -- fund: years and appropriation requests --------------------------------------------------------------------

def test_fund_years_and_requests_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    from dae.fund.models import AppropriationRequest, FundYear

    ra, rb = world["regions"]
    for year, raised in ((2024, "1000000.01"), (2025, "1200000.10"), (2026, "1300000.20")):
        FundYear.objects.create(region=ra, year=year, funds_raised=Decimal(raised))
    FundYear.objects.create(region=rb, year=2026, funds_raised=Decimal("9"))
    client = client_for("finance")
    count, totals = page_figures(client, "/fund/years/?raised_min=1100000")
    assert (count, totals) == (2, {2: Decimal("2500000.30")})
    assert_read_back(client, "/fund/years/?raised_min=1100000", 2)

    for quarter, status, amount in ((1, "received", "300000.33"), (2, "submitted", "310000.44"),
                                    (3, "draft", "320000.55")):
        AppropriationRequest.objects.create(
            region=ra, year=2026, quarter=quarter, basis="ledger", basis_start=dt.date(2025, 10, 1),
            basis_end=dt.date(2025, 12, 31), computed=Decimal(amount), amount=Decimal(amount), status=status)
    url = "/fund/requests/?status=submitted"
    assert page_figures(client, url) == (1, {5: Decimal("310000.44")})
    body = assert_read_back(client, url, 1)
    assert body[0][0] == f"YK{ra.pk}2026Q2" and body[0][6] == "已提交"
    assert_read_back(client, "/fund/requests/?amount_min=305000", 2)


# -- the insured person's notices, a staff member's own loans ---------------------------------------------------

def test_my_notices_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    from dae.notices.models import Notice

    ra, rb = world["regions"]
    for i, (kind, amount, read) in enumerate((("approved", "100.10", False), ("paid", "100.10", True),
                                             ("approved", "2500.25", True))):
        Notice.objects.create(psn_no="PA0001", region=ra, claim_ref=f"C{i}", kind=kind, amount=Decimal(amount),
                              is_read=read, basis_text="起付线 10,000.00 元", created_at=timezone.make_aware(
                                  dt.datetime(2026, 3, 1 + i, 9, 0)))
    Notice.objects.create(psn_no="PB0001", region=rb, claim_ref="OTHER", kind="approved", amount=Decimal("1"))
    client = client_for("insured")
    page = client.get("/notices/mine/").content.decode()
    assert 'data-testid="mark-read"' in page and 'data-testid="unread-count"' in page and "OTHER" not in page
    url = "/notices/mine/?kind=approved&created_from=2026-03-01&created_to=2026-03-31"
    assert page_figures(client, url) == (2, {3: Decimal("2600.35")})
    body = assert_read_back(client, url, 2)
    assert [r[1] for r in body] == ["C2", "C0"]
    assert body[0][4] == "是" and body[0][5] == "起付线 10,000.00 元"
    assert assert_read_back(client, "/notices/mine/?read=no", 1)[0][1] == "C0"


def test_my_loans_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    from dae.archives.models import Item, Loan

    item = Item.objects.create(kind="manual_claim", object_type="reimbursement.manualclaim", object_id="1",
                               region_id=world["regions"][0].pk, year=2014, retention="D10", category="LP",
                               item_no=1, code="D001-2014-D10-LP-0001", title="手工报销档案",
                               date_from=dt.date(2014, 1, 1), date_to=dt.date(2014, 1, 2),
                               responsible_post="settlement", status="archived")
    reviewer, other = world["users"]["reviewer"], world["users"]["inspector"]
    for i, (who, status) in enumerate(((reviewer, "returned"), (reviewer, "refused"), (other, "returned"))):
        Loan.objects.create(number=f"JY-{i}", item=item, region=world["regions"][0], borrower=who, purpose="查阅",
                            days=3, status=status)
    client = client_for("reviewer")
    body = assert_read_back(client, "/archives/loans/mine/?status=returned", 1)
    assert body[0][:3] == ("JY-0", "D001-2014-D10-LP-0001", "手工报销档案") and body[0][5] == "已归还"
