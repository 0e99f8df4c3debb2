"""Sample catalogue rows for tests that walk routes (the permission matrix): one item, one mapping, one diagnosis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dae.catalog.models import CatalogueItem, CodeMapping, Diagnosis

SAMPLE_CODE = "XA01AAA0001"


def catalog_samples(world: dict[str, Any]) -> dict[str, str]:
    """URL arguments for catalog routes (rows created once)."""
    item, _ = CatalogueItem.objects.get_or_create(
        med_list_codg=SAMPLE_CODE, begin_date=dt.date(2025, 1, 1),
        defaults={"name": "阿莫西林胶囊", "list_type": "101", "chrgitm_lv": "01", "med_chrgitm_type": "09",
                  "pric_uplmt_amt": Decimal("12.5")})
    mapping, _ = CodeMapping.objects.get_or_create(
        hospital=world["hospitals"][0], medins_list_codg="YP0001", begin_date=dt.date(2025, 1, 1),
        defaults={"med_list_codg": item.med_list_codg, "medins_list_name": "阿莫西林"})
    Diagnosis.objects.get_or_create(code="I21.0", defaults={
        "kind": "subcategory", "name_en": "Acute transmural myocardial infarction of anterior wall",
        "chapter": "IX", "block": "I20-I25", "group": "I21", "parent": "I21"})
    return {"med_list_codg": item.med_list_codg, "pk": str(mapping.pk), "code": "I21.0"}


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    """The samples a route needs: ``pk`` only for mapping routes, ``code`` only for diagnosis routes."""
    samples = catalog_samples(world)
    result = {"med_list_codg": samples["med_list_codg"]}
    if name in ("catalog:mapping_detail", "api:code-mapping-detail"):
        result["pk"] = samples["pk"]
    if name in ("catalog:diagnosis_detail", "api:diagnosis-detail"):
        result["code"] = samples["code"]
    if name == "api:catalogue-item-detail":
        result["pk"] = str(CatalogueItem.objects.get(med_list_codg=SAMPLE_CODE).pk)
    return result
