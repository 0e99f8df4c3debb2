"""The demo city's catalogue and mappings (``catalog.demo``, called by ``demo.loader.load_city``): every demo fee
line passes the mapping check, and the demo's diagnosis names resolve."""

from __future__ import annotations

from collections import defaultdict

import pytest

from dae.catalog.demo import load_demo_reference
from dae.catalog.models import CatalogueItem, CodeMapping, Diagnosis, Hospital
from dae.catalog.queries import check_mapping, resolve_diagnosis
from dae.core.models import Region

pytestmark = pytest.mark.django_db


def test_demo_fee_lines_are_all_mapped_and_in_the_catalogue() -> None:
    from dae.demo.generator import generate_city

    city = generate_city(persons=300, hospitals=12)
    for code in {h.admdvs for h in city.hospitals}:
        Region.objects.get_or_create(admdvs=code, defaults={"name": code})
    for h in city.hospitals:
        Hospital.objects.create(code=h.fixmedins_code, name=h.fixmedins_name, level=h.hosp_lv, region_id=h.admdvs)
    counts = load_demo_reference(city)
    assert CatalogueItem.objects.count() == len(city.catalogue) == counts["catalogue_items"]
    assert CodeMapping.objects.count() == len(city.code_map)
    assert load_demo_reference(city)["catalogue_items"] == 0  # a second load changes nothing
    lines = defaultdict(list)
    for f in city.fee_lines:
        lines[f.fixmedins_code].append((f.medins_list_codg, f.med_list_codg, f.fee_ocur_time.date()))
    ids = dict(Hospital.objects.values_list("code", "id"))
    assert sum(len(v) for v in lines.values()) > 100
    for code, hospital_lines in lines.items():
        assert check_mapping(ids[code], hospital_lines) == [], code
    ext = resolve_diagnosis("I21.000")
    assert ext is not None and ext.name == "急性前壁心肌梗死" and ext.who_code == "I21.0"
    assert Diagnosis.objects.get(code="I63.9").name == "脑梗死"
