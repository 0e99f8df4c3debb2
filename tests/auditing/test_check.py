"""The single-claim check: a stored settlement, a window manual claim, and the 3101/3102 request of a hospital —
the same rules, the same findings as a run, nothing stored."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from dae.auditing import check
from dae.auditing.models import Finding

pytestmark = pytest.mark.django_db

REQUEST: dict[str, Any] = {
    "data": {
        "syscode": "HIS",
        "trig_scen": "2",
        "task_id": "T1",
        "patient_dtos": [
            {
                "patn_id": "PA0001",
                "patn_name": "张三",
                "gend": "1",
                "brdy": "1980-01-01",
                "poolarea": "220282",
                "curr_mdtrt_id": "NEW1",
                "fsi_encounter_dtos": [
                    {
                        "mdtrt_id": "NEW1",
                        "medins_id": "HA0001",
                        "medins_name": "桦甸市人民医院",
                        "adm_date": "2026-05-01",
                        "dscg_date": "2026-05-06",
                        "med_type": "21",
                        "dscg_main_dise_codg": "I63.9",
                        "medfee_sumamt": "500.00",
                    }
                ],
                "fsi_diagnose_dtos": [{"dise_codg": "I63.9", "maindise_flag": "1"}],
                "fsi_order_dtos": [
                    {
                        "rx_id": "RX1",
                        "hilist_code": "001102000010000",
                        "chrg_type": "05",
                        "cnt": "1",
                        "pric": "300",
                        "sumamt": "300.00",
                        "drord_begn_date": "2026-05-02T09:00:00",
                    },
                    {
                        "rx_id": "RX2",
                        "hilist_code": "001102000010000",
                        "chrg_type": "05",
                        "cnt": "2",
                        "pric": "100",
                        "sumamt": "200.00",
                        "drord_begn_date": "2026-04-20T09:00:00",
                    },
                ],
            }
        ],
    }
}


def test_check_of_a_stored_settlement_matches_the_run(audit_world: dict[str, Any]) -> None:
    found = check.check_settlement(audit_world["first"])
    assert {(r["rule_id"], r["setl_id"], str(r["amount_at_issue"])) for r in found.records()} >= {
        ("R17_CROSS_PERIOD", "SA0001", "100.00")
    }
    # the overlap (on ST0002) names SA0001 as 涉及项, so the check on SA0001 shows it too
    assert "R15_OVERLAP" in {r["rule_id"] for r in found.records()}
    assert not Finding.objects.exists()


def test_3101_answers_in_the_national_vocabulary(audit_world: dict[str, Any], client_for: Any) -> None:
    response = client_for("hospital").post("/api/v1/audit/3101", REQUEST, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["task_id"] == "T1" and body["scene"] == "3101"
    cross = [r for r in body["result"] if r["rule_id"] == "R17_CROSS_PERIOD"]
    assert len(cross) == 1
    assert cross[0]["vola_amt"] == "200.00" and cross[0]["mdtrt_id"] == "NEW1" and cross[0]["patn_id"] == "PA0001"
    assert cross[0]["rule_name"] == "收费跨期" and cross[0]["sev_deg"] == "1"
    assert cross[0]["judge_result_detail_dtos"] == [
        {
            "jrd_id": cross[0]["jr_id"].split("-", 1)[1] + "-1",
            "patn_id": "PA0001",
            "mdtrt_id": "NEW1",
            "setl_id": "",
            "rx_id": "RX2",
            "vola_item_type": "1",
        }
    ]
    assert not Finding.objects.exists()
    assert (
        client_for("hospital").post("/api/v1/audit/3102", REQUEST, content_type="application/json").json()["scene"]
        == "3102"
    )


def test_3101_clean_visit_and_rule_choice(audit_world: dict[str, Any], client_for: Any) -> None:
    clean = copy.deepcopy(REQUEST)
    clean["data"]["patient_dtos"][0]["fsi_order_dtos"].pop()
    clean["data"]["patient_dtos"][0]["fsi_encounter_dtos"][0]["dscg_date"] = "2026-05-03"
    body = client_for("reviewer").post("/api/v1/audit/3101", clean, content_type="application/json").json()
    assert body["result"] == []
    only = copy.deepcopy(REQUEST)
    only["data"]["rule_ids"] = ["R06_SEX"]
    body = client_for("reviewer").post("/api/v1/audit/3101", only, content_type="application/json").json()
    assert body["result"] == []


def test_3101_refuses_bad_input_and_other_hospitals(audit_world: dict[str, Any], client_for: Any) -> None:
    hospital = client_for("hospital")
    other = copy.deepcopy(REQUEST)
    other["data"]["patient_dtos"][0]["fsi_encounter_dtos"][0]["medins_id"] = "HA0002"
    response = hospital.post("/api/v1/audit/3101", other, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "not_own_hospital"
    bad = copy.deepcopy(REQUEST)
    bad["data"]["patient_dtos"][0]["fsi_order_dtos"][0]["cnt"] = "abc"
    response = hospital.post("/api/v1/audit/3101", bad, content_type="application/json")
    assert response.status_code == 400 and "3101/3102 入参格式错误" in response.json()["message"]
    missing = copy.deepcopy(REQUEST)
    missing["data"]["patient_dtos"][0]["curr_mdtrt_id"] = "NOPE"
    response = hospital.post("/api/v1/audit/3101", missing, content_type="application/json")
    assert response.status_code == 400 and "curr_mdtrt_id" in response.json()["message"]
    unknown = copy.deepcopy(REQUEST)
    unknown["data"]["rule_ids"] = ["R99"]
    assert (
        hospital.post("/api/v1/audit/3101", unknown, content_type="application/json").json()["code"] == "unknown_rule"
    )


def test_a_manual_claim_is_checked_with_the_rules_that_need_no_fee_day(audit_world: dict[str, Any]) -> None:
    import datetime as dt

    from dae.reimbursement.models import ManualClaim, ManualFeeLine

    person = audit_world["persons"][0]
    claim = ManualClaim.objects.create(
        number="SG202605001",
        person=person,
        psn_no=person.psn_no,
        region_id="220282",
        hospital=audit_world["hospital_c"],
        place_category="local",
        med_type="21",
        adm_date=dt.date(2026, 3, 3),
        dscg_date=dt.date(2026, 3, 8),
        dise_codg="I63.9",
        dise_name="脑梗死",
        entry_mode="lines",
        medfee_sumamt=Decimal("600.00"),
        bank_name="银行",
        bank_account="6222000011112222",
        account_name="张三",
        received_on=dt.date(2026, 3, 20),
    )
    ManualFeeLine.objects.create(
        claim=claim,
        feedetl_sn="1",
        med_list_codg="001102000010000",
        chrgitm_lv="01",
        med_chrgitm_type="05",
        cnt=Decimal("3"),
        det_item_fee_sumamt=Decimal("600.00"),
    )
    found = check.check_manual_claim(claim)
    # in HA0001 from 03-01 to 03-10 while this claim says HA0002 from 03-03: an overlap, its total at issue
    assert [
        (r["rule_id"], r["setl_id"], str(r["amount_at_issue"]))
        for r in found.records()
        if r["setl_id"].startswith("MANUAL")
    ] == [("R15_OVERLAP", "MANUAL-SG202605001", "600.00")]
    assert not set(found.count_by_rule()) & set(check.DAY_RULES)


def test_3101_hides_other_hospitals_stays_from_a_hospital(audit_world: dict[str, Any]) -> None:
    from django.test import Client

    from dae.accounts.models import User

    overlap = copy.deepcopy(REQUEST)
    encounter = overlap["data"]["patient_dtos"][0]["fsi_encounter_dtos"][0]
    encounter.update(medins_id="HA0002", adm_date="2026-03-03", dscg_date="2026-03-08")
    overlap["data"]["patient_dtos"][0]["fsi_order_dtos"] = []
    client = Client()
    client.force_login(User.objects.get(username="hospital_c"))
    body = client.post("/api/v1/audit/3101", overlap, content_type="application/json").json()
    found = [r for r in body["result"] if r["rule_id"] == "R15_OVERLAP"]
    assert found, body
    details = {(d["setl_id"], d["mdtrt_id"], d["vola_item_type"]) for r in found for d in r["judge_result_detail_dtos"]}
    assert ("SA0001", "", "2") not in details and ("", "", "2") in details and ("", "NEW1", "1") in details
