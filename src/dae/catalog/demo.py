"""The demo city's catalogue, code mappings and diagnoses, loaded with the rest of the city (``demo.loader``).

The demo's fee lines carry national codes (``med_list_codg``) and each hospital's own codes
(``medins_list_codg``); loading the demo's catalogue items and mappings, valid from 1 January of the year
before the demo year, makes every demo fee line pass the mapping check. ICD-10 is loaded from the package and
the demo's Chinese diagnosis names (and its 医保版 extension codes) are added on top.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .actions import (
    content,
    load_who,
    store_diagnosis_names,
    store_item_plan,
    store_mapping_plan,
    stored_item_versions,
    stored_mapping_versions,
)
from .icd10 import normalise, who_by_code, who_parent
from .models import CatalogueItem, CodeMapping, Hospital
from .versioning import Incoming, plan

#: The demo's special-drug kinds are the catalogue's (``CatalogueItem.SpecialDrug``).
_RATIO_B = Decimal("0.1000")


def load_demo_reference(city: Any) -> dict[str, int]:
    """Load the city's catalogue, mappings and diagnosis names (inside the caller's transaction)."""
    begin = date(city.year - 1, 1, 1)
    items = {}
    for row in city.catalogue:
        values = {
            "name": row.med_list_name, "list_type": row.list_type, "chrgitm_lv": row.chrgitm_lv,
            "med_chrgitm_type": row.med_chrgitm_type, "unit": row.unt, "pric_uplmt_amt": row.pric_uplmt_amt,
            "selfpay_prop": _RATIO_B if row.chrgitm_lv == "02" else None,
            "sp_drug_flag": bool(row.sp_drug_kind), "sp_drug_kind": row.sp_drug_kind,
            # The restrictions the audit rules read (the demo gives a handful of items some).
            "lmt_sex": row.lmt_sex, "lmt_age_min": row.lmt_age_min, "lmt_age_max": row.lmt_age_max,
            "max_per_day": row.max_per_day, "max_per_stay": row.max_per_stay, "min_hosp_grade": row.min_hosp_grade,
            "hosp_lvs": [v for v in row.hosp_lvs.split(",") if v],
            "dise_prefixes": [v for v in row.dise_prefixes.split(",") if v],
            "inpatient_only": row.inpatient_only, "outpatient_only": row.outpatient_only,
        }
        items[row.med_list_codg] = [Incoming(len(items) + 1, begin, None, content(CatalogueItem, values))]
    item_plan = plan(stored_item_versions(items), items)
    store_item_plan(item_plan, actor=None, batch_id=None, note="演示数据")
    hospital_ids = dict(Hospital.objects.filter(code__in={m.fixmedins_code for m in city.code_map})
                        .values_list("code", "id"))
    mappings = {}
    for n, m in enumerate(city.code_map, start=1):
        values = {"med_list_codg": m.med_list_codg, "medins_list_name": m.medins_list_name}
        mappings[(hospital_ids[m.fixmedins_code], m.medins_list_codg)] = [
            Incoming(n, begin, None, content(CodeMapping, values))]
    mapping_plan = plan(stored_mapping_versions(list(mappings)), mappings)  # type: ignore[arg-type]
    store_mapping_plan(mapping_plan, actor=None, batch_id=None, note="演示数据")
    load_who()
    known = who_by_code()
    by_code = {normalise(d.dise_codg): d.dise_name for d in city.diagnoses}
    names = [(code, name, "") for code, name in by_code.items() if code in known or who_parent(code) is not None]
    store_diagnosis_names(names, actor=None, note="演示数据")
    return {"catalogue_items": item_plan.new + item_plan.changed, "code_mappings": mapping_plan.new
            + mapping_plan.changed, "diagnosis_names": len(names)}
