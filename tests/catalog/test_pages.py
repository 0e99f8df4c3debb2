"""Pages: hospitals (detail, manager's edit with a reason), catalogue list / detail / revision, who may edit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.catalog.models import CatalogueItem, CodeMapping, Hospital
from dae.core.models import Event
from tests.factories import make_user


@pytest.fixture
def item(world: dict[str, Any]) -> CatalogueItem:
    return CatalogueItem.objects.create(med_list_codg="XA000000001", name="阿莫西林胶囊", list_type="101",
                                        chrgitm_lv="02", med_chrgitm_type="09", begin_date=dt.date(2026, 1, 1),
                                        pric_uplmt_amt=Decimal("12.500000"), selfpay_prop=Decimal("0.1000"))


def test_hospital_detail_shows_level_name_users_and_counts(world: dict[str, Any], client_for: Any) -> None:
    hospital = world["hospitals"][0]
    make_user("hospital", username="his2", hospital=hospital)
    CodeMapping.objects.create(hospital=hospital, medins_list_codg="Y1", med_list_codg="X",
                               begin_date=dt.date(2020, 1, 1))
    html = client_for("manager").get(f"/catalog/hospitals/{hospital.code}/").content.decode()
    assert "05 二级甲等" in html  # the dictionary's name, not only the code
    assert "his2" in html and 'data-testid="edit-hospital"' in html
    assert 'data-testid="hospital-counts"' in html
    listing = client_for("settlement").get("/catalog/hospitals/?level=05").content.decode()
    assert hospital.code in listing and "二级甲等" in listing
    # A hospital user sees its own hospital only.
    own = client_for("hospital")
    assert own.get(f"/catalog/hospitals/{hospital.code}/").status_code == 200
    assert own.get(f"/catalog/hospitals/{world['hospitals'][1].code}/").status_code == 404


def test_manager_edits_a_hospital_with_a_reason_and_an_event(world: dict[str, Any], client_for: Any) -> None:
    hospital = world["hospitals"][0]
    client = client_for("manager")
    data = {"name": hospital.name, "level": "02", "kind": "综合医院", "bank_name": "中国工商银行桦甸支行",
            "bank_account": "6222000011112222", "status": "active", "reason": ""}
    missing_reason = client.post(f"/catalog/hospitals/{hospital.code}/edit/", data)
    assert missing_reason.status_code == 200 and Hospital.objects.get(pk=hospital.pk).level == "05"
    data["reason"] = "卫健委等级评审结果"
    response = client.post(f"/catalog/hospitals/{hospital.code}/edit/", data)
    assert response.status_code == 302
    hospital.refresh_from_db()
    assert (hospital.level, hospital.bank_account) == ("02", "6222000011112222")
    event = Event.objects.get(action="catalog.hospital_changed")
    assert event.before["level"] == "05" and event.after["level"] == "02" and event.note == "卫健委等级评审结果"
    data["level"] = "99"
    bad = client.post(f"/catalog/hospitals/{hospital.code}/edit/", data)
    assert bad.status_code == 200 and Hospital.objects.get(pk=hospital.pk).level == "02"
    # Region-A manager cannot edit a region-B hospital; a clerk cannot edit at all.
    assert client.get(f"/catalog/hospitals/{world['hospitals'][1].code}/edit/").status_code == 404
    assert client_for("settlement").post(f"/catalog/hospitals/{hospital.code}/edit/", data).status_code == 403


def test_catalogue_list_and_detail(item: CatalogueItem, client_for: Any) -> None:
    client = client_for("reviewer")
    listing = client.get("/catalog/items/?q=阿莫西林").content.decode()
    assert "XA000000001" in listing and "02 乙类" in listing
    assert "XA000000001" in client.get("/catalog/items/?valid=current&list_type=101").content.decode()
    assert "XA000000001" not in client.get("/catalog/items/?valid=ended").content.decode()
    detail = client.get("/catalog/items/XA000000001/").content.decode()
    assert 'data-testid="versions"' in detail and "阿莫西林胶囊" in detail
    assert 'data-testid="revise-item"' not in detail  # only the manager revises
    assert client.get("/catalog/items/NOPE/").status_code == 404


def test_a_clerk_cannot_edit_the_catalogue(item: CatalogueItem, client_for: Any) -> None:
    data = {"name": "改名", "list_type": "101", "chrgitm_lv": "02", "med_chrgitm_type": "09",
            "begin_date": "2026-06-01", "reason": "试图修改"}
    for post in ("settlement", "checker", "hospital", "supervisor"):
        assert client_for(post).post("/catalog/items/XA000000001/revise/", data).status_code == 403, post
    assert CatalogueItem.objects.count() == 1


def test_manager_revises_an_item_as_a_new_version(item: CatalogueItem, client_for: Any) -> None:
    client = client_for("manager")
    form = client.get("/catalog/items/XA000000001/revise/")
    assert form.status_code == 200 and "阿莫西林胶囊" in form.content.decode()
    data = {"name": "阿莫西林胶囊", "list_type": "101", "chrgitm_lv": "02", "med_chrgitm_type": "09",
            "pric_uplmt_amt": "11.80", "selfpay_prop": "0.1", "lmt_sex": "", "min_hosp_grade": "2",
            "hosp_lvs": [], "dise_prefixes": "j, K", "begin_date": "2026-06-01", "reason": "国家谈判降价"}
    response = client.post("/catalog/items/XA000000001/revise/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    old, new = CatalogueItem.objects.order_by("begin_date")
    assert old.end_date == dt.date(2026, 6, 1) and old.pric_uplmt_amt == Decimal("12.5")
    assert new.pric_uplmt_amt == Decimal("11.80") and new.min_hosp_grade == 2 and new.dise_prefixes == ["J", "K"]
    assert new.note == "手工修订：国家谈判降价"
    assert Event.objects.filter(action="catalog.item_revised", note="国家谈判降价").exists()
    # The same again: nothing to change (refused with a message, no new version).
    again = client.post("/catalog/items/XA000000001/revise/", data)
    assert again.status_code == 200 and "未做修改" in again.content.decode()
    assert CatalogueItem.objects.count() == 2


def test_nav_shows_catalogue_links_per_post(world: dict[str, Any], client_for: Any) -> None:
    html = client_for("hospital").get("/").content.decode()
    assert "/catalog/items/" in html and "/catalog/mappings/" in html and "/catalog/mapping-check/" in html
    assert "/catalog/items/" not in client_for("insured").get("/").content.decode()
