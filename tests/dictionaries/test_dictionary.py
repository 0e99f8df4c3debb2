"""The data dictionary: seeded from the national lists, edited by the manager only, used for validation and names."""

from __future__ import annotations

from typing import Any

from dae.core.models import Event
from dae.dictionaries import codes
from dae.dictionaries.models import Code, CodeList
from dae.dictionaries.seed import seed, shipped


def test_every_shipped_list_is_seeded_and_seeding_again_adds_nothing(world: dict[str, Any]) -> None:
    for key, spec in shipped().items():
        assert set(Code.objects.filter(codelist_id=key).values_list("code", flat=True)) == set(spec["codes"])
    assert seed(CodeList, Code) == 0
    assert codes.label("med_type", "21") == "21 普通住院"
    assert codes.name("hosp_lv", "05") == "二级甲等"
    assert codes.label("med_type", "zz") == "zz"
    assert "330" in codes.valid_codes("insutype")


def test_manager_adds_and_deactivates_a_code_and_validation_follows(world: dict[str, Any], client_for: Any) -> None:
    manager = client_for("manager")
    response = manager.post("/dictionaries/psn_type/", {"op": "add", "code": "1199", "name": "地方扩展在职"})
    assert response.status_code == 302
    assert codes.is_valid("psn_type", "1199")
    item = Code.objects.get(codelist_id="psn_type", code="1199")
    assert item.local and Event.objects.filter(action="dictionary.code_added").exists()
    manager.post("/dictionaries/psn_type/", {"id": item.pk, "name": "地方扩展在职", "name_en": "", })
    assert not codes.is_valid("psn_type", "1199")  # unticked "active"
    assert Event.objects.get(action="dictionary.code_changed").after == {"active": False}
    page = manager.get("/dictionaries/psn_type/")
    assert "1199" in page.content.decode()


def test_clerk_cannot_edit_the_dictionary(world: dict[str, Any], client_for: Any) -> None:
    clerk = client_for("settlement")
    assert clerk.get("/dictionaries/med_type/").status_code == 200
    response = clerk.post("/dictionaries/med_type/", {"op": "add", "code": "99", "name": "x"})
    assert response.status_code == 403
    assert not Code.objects.filter(codelist_id="med_type", code="99").exists()
