"""The manager opens the monthly report (病历审核和费用支付月报表), drills from a hospital's figure to its
settlements, exports Excel and PDF; the supervisor approves the annual report. Both files are read back and
hold the page's figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dae.claims.models import Settlement
from dae.reports import tables
from dae.reports.actions import signoff
from dae.reports.periods import Period
from tests.reports.test_reconcile import build_march

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_monthly_report_drill_down_exports_and_annual_sign_off(world: dict[str, Any], live_server: Any, page: Any,
                                                               shot: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    tables.forget()
    build_march(world)
    base = live_server.url
    login(page, base, "manager")
    page.goto(f"{base}/reports/monthly/?period=2026-03")
    page.wait_for_selector("[data-testid=hospital-rows]")
    payout = page.inner_text("[data-testid=key-figures] tr[data-indicator=payout_amount] td:nth-child(2)")
    assert payout == "2,334.21"
    shot("reports-monthly")

    # drill from the hospital's payout to its settlements
    page.click("[data-testid=hospital-payout]")
    page.wait_for_selector("[data-testid=details-of]")
    body = page.inner_text("main")
    assert "R1" in body and "R2" in body and "R3" in body and "2,334.21" in body
    shot("reports-details")

    # exports: the same figures in Excel and in the PDF
    page.goto(f"{base}/reports/monthly/?period=2026-04")
    page.wait_for_selector("[data-testid=paid-total]")
    assert page.inner_text("[data-testid=paid-total]") == "2,023.95"
    with page.expect_download() as info:
        page.click("[data-testid=export-xlsx]")
    xlsx = tmp_path / "report.xlsx"
    info.value.save_as(xlsx)
    book = load_workbook(xlsx)
    total = [r for r in book["费用支付"].iter_rows(values_only=True) if r and r[0] == "合计"][0]
    assert Decimal(str(total[8])) == Decimal("2023.95")
    with page.expect_download() as info:
        page.click("[data-testid=export-pdf]")
    pdf = tmp_path / "report.pdf"
    info.value.save_as(pdf)
    text = _pdf_text(pdf)
    assert "2,023.95" in text and "病历审核和费用支付月报表" in text

    # the annual report: prepared and checked, then approved by the bureau's supervisor in the browser
    report = signoff.do_prepare_report(world["users"]["manager"], region="220282", period=Period.parse("2026"))
    signoff.do_check_report(world["users"]["checker"], report)
    page.context.clear_cookies()
    login(page, base, "supervisor")
    page.goto(f"{base}/reports/analysis/{report.pk}/")
    page.click("[data-testid=report-approve]")
    page.wait_for_selector("[data-testid=report-status]:has-text('已审批')")
    shot("reports-annual-approved")
    report.refresh_from_db()
    assert report.status == "approved" and report.approved_by == world["users"]["supervisor"]
    assert Settlement.objects.filter(setl_id__startswith="R").count() == 5
