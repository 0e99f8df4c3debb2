"""A clerk imports a roster with one bad row and reads the error report; suspends a person with a reason; a
region-A clerk cannot find a region-B person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dae.enrollment.models import Enrolment, Person

from ..enrollment.roster import roster_row, to_csv
from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_clerk_imports_a_roster_with_one_bad_row_and_sees_the_report(world: dict[str, Any], live_server: Any,
                                                                     page: Any, shot: Any, tmp_path: Path) -> None:
    rows = [roster_row(i) for i in range(1, 6)]
    rows[3]["brdy"] = "1980-13-01"
    upload = tmp_path / "roster.csv"
    upload.write_bytes(to_csv(rows))
    base = live_server.url
    login(page, base, "settlement")
    page.goto(f"{base}/imports/new/")
    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(upload))
    shot("import-form")
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=rejected]")
    problems = page.locator("[data-testid=problems] tbody tr")
    assert problems.count() == 1
    assert "5" in problems.first.inner_text() and "brdy" in problems.first.inner_text()
    shot("import-rejected")
    with page.expect_download() as download:
        page.click("[data-testid=download-report]")
    report = tmp_path / "errors.xlsx"
    download.value.save_as(report)
    from openpyxl import load_workbook

    sheet = load_workbook(report).active
    rows_read = [list(r)[:2] for r in sheet.iter_rows(values_only=True)]  # a header block, then the problems
    assert [5, "brdy"] in rows_read and sum(1 for r in rows_read if isinstance(r[0], int)) == 1
    assert not Person.objects.filter(psn_no__startswith="R").exists()
    rows[3]["brdy"] = rows[3]["certno"][6:10] + "-" + rows[3]["certno"][10:12] + "-" + rows[3]["certno"][12:14]
    upload.write_bytes(to_csv(rows))
    page.goto(f"{base}/imports/new/")
    page.select_option("#id_kind", "roster")
    page.set_input_files("#id_file", str(upload))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=loaded]")
    assert page.locator("[data-testid=rows-new]").inner_text() == "5"
    shot("import-loaded")


def test_clerk_suspends_a_person_with_a_reason(world: dict[str, Any], live_server: Any, page: Any,
                                               shot: Any) -> None:
    base = live_server.url
    login(page, base, "settlement")
    page.goto(f"{base}/enrollment/persons/PA0001/")
    page.click("[data-testid=change-panel] summary")
    page.select_option("#id_action", "suspend")
    page.fill("#id_day", "2026-03-01")
    page.click("[data-testid=change-submit]")
    page.wait_for_selector("[data-testid=field-error]")
    assert "原因" in page.locator("[data-testid=change-form]").inner_text()
    page.fill("#id_reason", "单位停缴，暂停参保")
    page.click("[data-testid=change-submit]")
    page.wait_for_selector("[data-testid=enrolment-records]")
    records = page.locator("[data-testid=enrolment-records] tbody tr")
    assert records.count() == 2 and "单位停缴" in records.nth(1).inner_text()
    assert "暂停参保" in page.locator("[data-testid=timeline]").inner_text() or \
        "不在保" in page.locator("[data-testid=timeline]").inner_text()
    shot("person-suspended")
    latest = Enrolment.objects.filter(person__psn_no="PA0001").order_by("-id").first()
    assert latest is not None and latest.status == "2" and str(latest.pause_date) == "2026-03-01"


def test_region_a_clerk_cannot_find_a_region_b_person(world: dict[str, Any], live_server: Any, page: Any,
                                                      shot: Any) -> None:
    base = live_server.url
    login(page, base, "settlement")
    page.goto(f"{base}/enrollment/persons/")
    page.fill("[data-testid=search]", "PB0001")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "PB0001" not in page.locator("#list-table").inner_text()
    response = page.goto(f"{base}/enrollment/persons/PB0001/")
    assert response is not None and response.status == 404
    shot("region-b-person-not-found")
