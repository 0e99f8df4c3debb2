"""Helpers for catalogue tests: CSV files and running an import through the framework (tasks run at once)."""

from __future__ import annotations

import csv
import io
from typing import Any

from dae.imports.actions import do_start_import
from dae.imports.models import ImportBatch

ITEM_HEADER = ("med_list_codg", "name", "list_type", "chrgitm_lv", "med_chrgitm_type", "spec", "unit",
               "pric_uplmt_amt", "selfpay_prop", "sp_drug_kind", "lmt_sex", "lmt_age_min", "lmt_age_max",
               "max_per_day", "min_hosp_grade", "hosp_lvs", "dise_prefixes", "inpatient_only", "begin_date",
               "end_date")


def item_row(n: int, **changes: Any) -> dict[str, Any]:
    row = {"med_list_codg": f"XA{n:09d}", "name": f"测试药品{n}", "list_type": "101", "chrgitm_lv": "02",
           "med_chrgitm_type": "09", "spec": "0.25g*24粒", "unit": "盒", "pric_uplmt_amt": "12.50",
           "selfpay_prop": "0.1", "sp_drug_kind": "", "lmt_sex": "", "lmt_age_min": "", "lmt_age_max": "",
           "max_per_day": "", "min_hosp_grade": "", "hosp_lvs": "", "dise_prefixes": "", "inpatient_only": "0",
           "begin_date": "2026-01-01", "end_date": ""}
    row.update(changes)
    return row


def to_csv(rows: list[dict[str, Any]], header: tuple[str, ...] | None = None) -> bytes:
    out = io.StringIO()
    names = header or tuple(rows[0])
    writer = csv.writer(out)
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(name, "") for name in names])
    return out.getvalue().encode("utf-8")


def run(kind: str, user: Any, content: bytes, name: str = "file.csv") -> ImportBatch:
    batch = do_start_import(kind, user=user, file_name=name, chunks=iter([content]), region_id=None)
    batch.refresh_from_db()
    return batch


def problems(batch: ImportBatch) -> dict[tuple[int, str], str]:
    return {(r, c): why for r, c, why in batch.problems.values_list("row_no", "column", "reason")}
