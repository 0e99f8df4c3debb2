"""Code mapping (对码): imports, the mapping check (unknown codes listed, never guessed), scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.catalog.models import CatalogueItem, CodeMapping
from dae.catalog.queries import MISMATCH, MISSING_CODE, NOT_IN_CATALOGUE, UNMAPPED, check_mapping, mapping_on
from tests.factories import FeeLineFactory

from .helpers import problems, run, to_csv

JAN, APR, JUL = dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1)


def _item(code: str, begin: dt.date = JAN, end: dt.date | None = None) -> CatalogueItem:
    return CatalogueItem.objects.create(med_list_codg=code, name=f"项目{code}", list_type="201", chrgitm_lv="01",
                                        med_chrgitm_type="05", begin_date=begin, end_date=end)


@pytest.fixture
def catalogue(world: dict[str, Any]) -> None:
    _item("N-001")
    _item("N-002")
    _item("N-003", JAN, APR)  # leaves the catalogue on 1 April


def mapping_row(own: str, national: str, hospital: str = "HA0001", begin: str = "2026-01-01",
                end: str = "") -> dict[str, str]:
    return {"fixmedins_code": hospital, "medins_list_codg": own, "medins_list_name": f"院内{own}",
            "med_list_codg": national, "begin_date": begin, "end_date": end}


def test_mapping_import_by_the_clerk_versioned_and_idempotent(world: dict[str, Any], catalogue: None) -> None:
    clerk = world["users"]["settlement"]
    rows = [mapping_row("H1", "N-001"), mapping_row("H2", "N-002")]
    batch = run("code_mapping", clerk, to_csv(rows))
    assert batch.status == "loaded", problems(batch)
    assert (batch.rows_new, batch.rows_changed, batch.rows_same) == (2, 0, 0)
    again = run("code_mapping", clerk, to_csv(rows))
    assert (again.rows_new, again.rows_changed, again.rows_same) == (0, 0, 2)
    rows[1] = mapping_row("H2", "N-001", begin="2026-04-01")  # the hospital re-mapped H2 from 1 April
    changed = run("code_mapping", clerk, to_csv(rows))
    assert changed.status == "loaded", problems(changed)
    assert (changed.rows_new, changed.rows_changed, changed.rows_same) == (0, 1, 1)
    hospital = world["hospitals"][0]
    assert mapping_on(hospital, "H2", dt.date(2026, 3, 31)).med_list_codg == "N-002"  # type: ignore[union-attr]
    assert mapping_on(hospital, "H2", APR).med_list_codg == "N-001"  # type: ignore[union-attr]
    assert CodeMapping.objects.count() == 3


def test_mapping_import_rejects_unknown_hospitals_codes_and_other_regions(world: dict[str, Any],
                                                                          catalogue: None) -> None:
    rows = [mapping_row("H1", "N-001"), mapping_row("H2", "N-404"), mapping_row("H3", "N-001", hospital="HX9999"),
            mapping_row("H4", "N-001", hospital="HB0001"),  # region B: not the clerk's
            mapping_row("H5", "N-003", begin="2026-05-01"),  # no longer in the catalogue then
            mapping_row("H1", "N-002")]  # duplicate of row 2
    batch = run("code_mapping", world["users"]["settlement"], to_csv(rows))
    assert batch.status == "rejected"
    found = problems(batch)
    assert {(3, "med_list_codg"), (4, "fixmedins_code"), (5, "fixmedins_code"), (6, "med_list_codg"),
            (7, "begin_date")} <= set(found), found
    assert found[(5, "fixmedins_code")] == "医疗机构不存在或不在您的统筹区"
    assert CodeMapping.objects.count() == 0


def test_check_lists_unknown_and_differently_mapped_codes_never_guessing(world: dict[str, Any],
                                                                        catalogue: None) -> None:
    hospital = world["hospitals"][0]
    CodeMapping.objects.create(hospital=hospital, medins_list_codg="H1", med_list_codg="N-001", begin_date=JAN)
    CodeMapping.objects.create(hospital=hospital, medins_list_codg="H3", med_list_codg="N-003", begin_date=JAN)
    CodeMapping.objects.create(hospital=hospital, medins_list_codg="H4", med_list_codg="N-002", begin_date=APR)
    # Another hospital maps H9 — that must not be used for this one.
    CodeMapping.objects.create(hospital=world["hospitals"][1], medins_list_codg="H9", med_list_codg="N-001",
                               begin_date=JAN)
    lines = [
        ("H1", "N-001", dt.date(2026, 2, 1)),  # fine
        ("H1", None, dt.date(2026, 2, 1)),  # fine: no national code given, the mapping's is in the catalogue
        ("H1", "N-002", dt.date(2026, 2, 1)),  # mapped otherwise
        ("H9", "N-001", dt.date(2026, 2, 1)),  # unknown here
        ("H3", None, dt.date(2026, 3, 31)),  # fine on the last day
        ("H3", None, APR),  # N-003 left the catalogue
        ("H4", None, dt.date(2026, 3, 31)),  # mapping starts on 1 April
        ("H4", "N-002", APR),  # fine
        ("", "N-001", APR),
    ]
    found = check_mapping(hospital, lines)
    assert [(p.index, p.kind) for p in found] == [(2, MISMATCH), (3, UNMAPPED), (5, NOT_IN_CATALOGUE),
                                                   (6, UNMAPPED), (8, MISSING_CODE)]
    unmapped = found[1]
    assert unmapped.medins_list_codg == "H9" and unmapped.mapped_to == ""  # listed, not guessed
    assert found[0].mapped_to == "N-001" and "N-002" in found[0].message
    assert found[2].as_dict()["kind"] == "not_in_catalogue" and found[2].as_dict()["date"] == "2026-04-01"


def test_check_page_and_api_list_unmapped_codes(world: dict[str, Any], catalogue: None, client_for: Any) -> None:
    hospital = world["hospitals"][0]
    CodeMapping.objects.create(hospital=hospital, medins_list_codg="H1", med_list_codg="N-001", begin_date=JAN)
    page = client_for("settlement").post("/catalog/mapping-check/", {
        "hospital": "HA0001", "day": "2026-05-01", "codes": "H1\nH-NEW\nH1,N-002\nH2,,2026-01-05\n"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="check-problems"' in html and "H-NEW" in html and "未对码" in html and "对码不一致" in html
    api = client_for("hospital").post("/api/v1/mapping-checks", {
        "lines": [{"medins_list_codg": "H1", "date": "2026-05-01"}, {"medins_list_codg": "ZZ"}]},
        content_type="application/json")
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["hospital"] == "HA0001" and body["checked"] == 2
    assert [(p["medins_list_codg"], p["kind"]) for p in body["problems"]] == [("ZZ", "unmapped")]
    other = client_for("hospital").post("/api/v1/mapping-checks", {"hospital": "HB0001", "lines": ["H1"]},
                                        content_type="application/json")
    assert other.status_code == 404  # a hospital checks only its own codes
    bad = client_for("settlement").post("/api/v1/mapping-checks", {"hospital": "HA0001", "lines": [{}]},
                                        content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_lines"


def test_check_a_settlements_fee_lines(world: dict[str, Any], catalogue: None, client_for: Any) -> None:
    settlement = world["settlements"][0]
    CodeMapping.objects.create(hospital=settlement.hospital, medins_list_codg="H-001", med_list_codg="N-001",
                               begin_date=JAN)
    FeeLineFactory(settlement=settlement, medins_list_codg="H-001", med_list_codg="N-001")
    FeeLineFactory(settlement=settlement, medins_list_codg="H-777", med_list_codg="N-002")
    response = client_for("checker").post("/api/v1/mapping-checks", {"setl_id": settlement.setl_id},
                                          content_type="application/json")
    assert response.status_code == 200
    assert [(p["medins_list_codg"], p["kind"]) for p in response.json()["problems"]] == [("H-777", "unmapped")]
    page = client_for("settlement").post("/catalog/mapping-check/", {"setl_id": settlement.setl_id,
                                                                    "day": "2026-05-01"})
    assert "H-777" in page.content.decode()


def test_a_hospital_user_sees_only_its_own_mappings(world: dict[str, Any], catalogue: None,
                                                    client_for: Any) -> None:
    mine = CodeMapping.objects.create(hospital=world["hospitals"][0], medins_list_codg="MINE-1",
                                      med_list_codg="N-001", begin_date=JAN)
    theirs = CodeMapping.objects.create(hospital=world["hospitals"][1], medins_list_codg="THEIRS-1",
                                        med_list_codg="N-001", begin_date=JAN)
    client = client_for("hospital")
    listing = client.get("/catalog/mappings/").content.decode()
    assert "MINE-1" in listing and "THEIRS-1" not in listing
    assert client.get(f"/catalog/mappings/{mine.pk}/").status_code == 200
    assert client.get(f"/catalog/mappings/{theirs.pk}/").status_code == 404
    api = client.get("/api/v1/code-mappings/").json()
    assert [m["medins_list_codg"] for m in api["results"]] == ["MINE-1"]
    assert client.get(f"/api/v1/code-mappings/{theirs.pk}/").status_code == 404
    # Region-A staff see A's, not B's.
    staff = client_for("settlement").get("/catalog/mappings/?valid=current").content.decode()
    assert "MINE-1" in staff and "THEIRS-1" not in staff
    # The catalogue is national: a hospital user reads it.
    assert client.get("/catalog/items/N-001/").status_code == 200
    assert client.get("/api/v1/catalogue-items/?code=N-001").json()["results"][0]["med_list_codg"] == "N-001"
