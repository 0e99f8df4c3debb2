"""Admissions by file (2401 columns): all rows checked first, a bad row loads nothing, a second import of the same
file changes nothing."""

from __future__ import annotations

from typing import Any

from dae.imports.actions import do_start_import
from dae.monitoring.models import Admission

HEADER = "fixmedins_code,mdtrt_id,psn_no,adm_dept_codg,adm_dept_name,adm_bed,begntime,dise_codg,dise_name\n"


def run(user: Any, text: str) -> Any:
    batch = do_start_import("admissions", user=user, file_name="adm.csv", chunks=iter([text.encode()]),
                         region_id="220282")
    batch.refresh_from_db()
    return batch


def test_admissions_by_file(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    good = HEADER + "HA0001,F001,PA0001,A03,心内科,12,2026-12-01,I20.0,不稳定型心绞痛\n" \
                    "HA0001,F002,NOBODY,,骨科,,2026-12-02,S72.0,股骨颈骨折\n"
    bad = good + "HB0001,F003,PB0001,,外科,,2026-12-02,K35.8,阑尾炎\nHA0001,F001,PA0001,,心内科,,2099-01-01,I20,x\n"
    refused = run(manager, bad)
    reasons = sorted(refused.problems.values_list("row_no", "reason"))
    assert reasons == [(4, "本统筹区无此医疗机构"), (5, "入院日期晚于今天")]
    assert Admission.objects.count() == 0
    loaded = run(manager, good)
    assert loaded.problems.count() == 0
    assert sorted(Admission.objects.values_list("mdtrt_id", "covered", "source")) == [
        ("F001", True, "file"), ("F002", False, "file")]
    again = run(manager, good)
    assert again.problems.count() == 0 and Admission.objects.count() == 2
