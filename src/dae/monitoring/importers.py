"""Admissions by file (入院登记文件): the 2401 columns, one row per admission, for the hospitals of the batch's
region. Every row is checked first; a bad row loads nothing. A row already stored with the same values is counted
as unchanged (importing the file twice changes nothing); the same 就诊ID with other values is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dae.catalog.models import Hospital
from dae.imports.framework import Column, Counts, Importer, Problems
from dae.imports.registry import register

from . import actions
from .models import Admission

COLUMNS = (
    Column("fixmedins_code", "定点医药机构编号", required=True, max_length=30, example="H22028200001"),
    Column("mdtrt_id", "就诊ID", required=True, max_length=30, example="MD20261201001"),
    Column("psn_no", "人员编号", required=True, max_length=30, example="22028200000001"),
    Column("adm_dept_codg", "入院科室编码", max_length=30, example="A03"),
    Column("adm_dept_name", "入院科室名称", required=True, max_length=100, example="心血管内科"),
    Column("adm_bed", "入院床位", max_length=30, example="12"),
    Column("begntime", "入院日期", required=True, kind="date", example="2026-12-01"),
    Column("dise_codg", "入院诊断编码", required=True, max_length=30, example="I20.0"),
    Column("dise_name", "入院诊断名称", required=True, max_length=200, example="不稳定型心绞痛"),
)

_KEPT = ("psn_no", "dept_name", "bed_no", "adm_date", "dise_codg", "dise_name")


@register
class AdmissionImporter(Importer):
    kind = "admissions"
    title = "入院登记（2401）"
    columns = COLUMNS
    posts = frozenset({"manager"})
    regional = True
    page_note = "医院报送的入院名单，每行一次入院；登记时按入院日期核对参保，未参保的标出。"

    def __init__(self, batch: Any, user: Any) -> None:
        super().__init__(batch, user)
        self.hospitals = {h.code: h for h in Hospital.objects.filter(region_id=batch.region_id)}
        self.same = 0

    def check(self, row_no: int, v: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
        hospital = self.hospitals.get(v["fixmedins_code"])
        if hospital is None:
            problems.add(row_no, "fixmedins_code", v["fixmedins_code"], "本统筹区无此医疗机构")
            return None
        if v["begntime"] > self.today:
            problems.add(row_no, "begntime", v["begntime"], "入院日期晚于今天")
            return None
        return {"hospital": hospital, "mdtrt_id": v["mdtrt_id"], "psn_no": v["psn_no"],
                "dept_code": v["adm_dept_codg"] or "", "dept_name": v["adm_dept_name"], "bed_no": v["adm_bed"] or "",
                "adm_date": v["begntime"], "dise_codg": v["dise_codg"], "dise_name": v["dise_name"]}

    def check_all(self, records: list[tuple[int, Any]], problems: Problems) -> None:
        seen: dict[tuple[int, str], int] = {}
        for row_no, r in records:
            key = (r["hospital"].pk, r["mdtrt_id"])
            if key in seen:
                problems.add(row_no, "mdtrt_id", r["mdtrt_id"], f"与第 {seen[key]} 行的就诊ID重复")
            seen[key] = row_no
        stored = {(a.hospital_id, a.mdtrt_id): a for a in Admission.objects.filter(
            hospital_id__in={k[0] for k in seen}, mdtrt_id__in={k[1] for k in seen})}
        for row_no, r in records:
            old = stored.get((r["hospital"].pk, r["mdtrt_id"]))
            if old is None:
                continue
            if all(getattr(old, f) == r[f] for f in _KEPT):
                r["same"] = True
            else:
                problems.add(row_no, "mdtrt_id", r["mdtrt_id"], "该就诊ID已登记入院，内容不同（请用撤销后重新登记）")

    def load(self, records: list[tuple[int, Any]], progress: Callable[[int], None]) -> Counts:
        counts = Counts()
        for i, (_row_no, r) in enumerate(records):
            if r.pop("same", False):
                counts.same += 1
            else:
                actions.do_report_admission(**r, actor=self.user, source=Admission.Source.FILE)
                counts.new += 1
            progress(i + 1)
        return counts
