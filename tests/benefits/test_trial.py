"""Trial calculation through the API and the page, with the region's published versions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from dae.benefits import actions

pytestmark = pytest.mark.django_db


def settlement(setl_id: str, when: str, inscp: str = "110000.00") -> dict[str, Any]:
    return {"setl_id": setl_id, "psn_no": "P1", "setl_time": f"{when} 10:00:00", "adm_date": when,
            "dscg_date": when, "med_type": "21", "place_category": "local", "settle_way": "direct",
            "medfee_sumamt": inscp, "fulamt_ownpay_amt": "0.00", "overlmt_selfpay": "0.00",
            "preselfpay_amt": "0.00", "inscp_scp_amt": inscp}


def doc(*settlements: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1", "persons": [{"psn_no": "P1"}], "settlements": list(settlements)}


@pytest.fixture
def two_versions(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    installed = actions.do_install_default(world["regions"][0])
    draft = actions.do_create_draft(manager, installed.ruleset)
    text = draft.source_text.replace('"0.85"', '"0.88"').replace("'0.85'", "'0.88'")
    actions.do_update_draft(manager, draft, text)
    actions.do_publish(manager, draft, dt.date(2026, 12, 1), today=dt.date(2026, 11, 22))


def test_api_computes_with_the_version_in_force_on_each_date(client_for: Any, two_versions: None) -> None:
    client = client_for("settlement")
    before = client.post("/api/v1/trial-calculations", doc(settlement("S1", "2026-11-30")),
                         content_type="application/json").json()
    after = client.post("/api/v1/trial-calculations", doc(settlement("S2", "2026-12-01")),
                        content_type="application/json").json()
    assert (before["settlements"][0]["version_id"], before["settlements"][0]["hifob_pay"]) == (
        "huadian-dae@2025.1", "42500.00")  # (110000 - 60000) × 85%
    assert (after["settlements"][0]["version_id"], after["settlements"][0]["hifob_pay"]) == (
        "huadian-dae@2025.2", "44000.00")  # (110000 - 60000) × 88%


def test_api_rejects_bad_input_with_paths_and_no_partial_result(client_for: Any, two_versions: None) -> None:
    bad = settlement("S2", "2026-05-01")
    bad["inscp_scp_amt"] = 12.5
    response = client_for("settlement").post("/api/v1/trial-calculations", doc(settlement("S1", "2026-04-01"), bad),
                                             content_type="application/json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "trial_input_invalid" and "settlements" not in body
    assert any(d["path"] == "settlements[1].inscp_scp_amt" for d in body["details"])


def test_api_refuses_a_region_that_is_not_the_users(client_for: Any, two_versions: None) -> None:
    response = client_for("settlement").post("/api/v1/trial-calculations?region=220281",
                                             doc(settlement("S1", "2026-04-01")), content_type="application/json")
    assert response.status_code == 404


def test_page_shows_the_explained_payout_and_exports_pdf(client_for: Any, two_versions: None) -> None:
    client = client_for("settlement")
    form = {"region": "220282", "psn_no": "P1", "s-TOTAL_FORMS": "1", "s-INITIAL_FORMS": "0",
            "s-MIN_NUM_FORMS": "1", "s-MAX_NUM_FORMS": "200", "s-0-setl_id": "S1",
            "s-0-setl_time": "2026-03-10T10:00", "s-0-adm_date": "2026-03-01", "s-0-dscg_date": "2026-03-10",
            "s-0-place_category": "local", "s-0-settle_way": "direct", "s-0-medfee_sumamt": "120000.00",
            "s-0-fulamt_ownpay_amt": "5000.00", "s-0-overlmt_selfpay": "0.00", "s-0-preselfpay_amt": "5000.00",
            "s-0-inscp_scp_amt": "110000.00"}
    html = client.post("/benefits/trial/", form).content.decode()
    assert 'data-testid="payout">42500.00<' in html
    assert "huadian-dae@2025.1" in html and "计算过程" in html
    input_json = json.dumps(doc(settlement("S1", "2026-03-10")))
    pdf = client.post("/benefits/trial/pdf/", {"input_json": input_json, "region": "220282"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_page_reports_an_uploaded_file_that_is_not_json(client_for: Any, two_versions: None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"region": "220282", "psn_no": "P1", "s-TOTAL_FORMS": "0", "s-INITIAL_FORMS": "0",
            "s-MIN_NUM_FORMS": "1", "s-MAX_NUM_FORMS": "200",
            "upload": SimpleUploadedFile("x.json", b"{not json", content_type="application/json")}
    html = client_for("settlement").post("/benefits/trial/", form).content.decode()
    assert "文件不是有效的 UTF-8 JSON" in html
