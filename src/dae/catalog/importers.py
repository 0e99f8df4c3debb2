"""Imports of master data (see docs/catalogue.md for every column):

- ``catalogue``: the basic medical catalogue (基本医疗目录), one version of an item per row;
- ``code_mapping``: hospitals' own codes mapped to national codes (对码);
- ``icd10_extension``: 医保版 ICD-10 extension codes and Chinese names of diagnoses.

Every row is validated first (codes against the dictionaries, dates, decimals, duplicates in the file,
conflicts with stored versions); a file with any bad row loads nothing. Catalogue items and mappings follow the
versioning rule of ``versioning.py``: the same file twice changes nothing; a changed row adds exactly one
version and closes the one it replaces.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any

from dae.imports.framework import Column, Counts, Importer, Problems
from dae.imports.registry import register

from . import actions, icd10
from .models import CatalogueItem, CodeMapping, Hospital
from .versioning import Incoming, duplicates, plan

_TRUE = {"1", "y", "yes", "true", "是", "t"}
_FALSE = {"0", "n", "no", "false", "否", "f"}
_SEPARATORS = re.compile(r"[,，;；、\s]+")


def parse_flag(value: Any, label: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text.endswith(".0"):  # an Excel number cell
        text = text[:-2]
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{label}应为 1/0（是/否）")


def parse_list(value: Any) -> list[str]:
    if value is None:
        return []
    return sorted({part for part in _SEPARATORS.split(str(value).strip()) if part})


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _decimal(problems: Problems, row_no: int, column: str, value: Decimal | None, label: str, *, places: int,
             low: Decimal | None = None, high: Decimal | None = None, positive: bool = False) -> bool:
    if value is None:
        return True
    if _places(value) > places:
        problems.add(row_no, column, value, f"{label}最多{places}位小数")
        return False
    if (low is not None and value < low) or (high is not None and value > high) or (positive and value <= 0):
        bounds = "大于 0" if positive else f"在 {low} 到 {high} 之间" if high is not None else f"不小于 {low}"
        problems.add(row_no, column, value, f"{label}应{bounds}")
        return False
    return True


CATALOGUE_COLUMNS = (
    Column("med_list_codg", "医疗目录编码", True, max_length=50, help="国家医保目录编码"),
    Column("name", "目录名称", True, max_length=200),
    Column("list_type", "目录类别", True, "code", "list_type", help="101 西药中成药、102 中药饮片、201 医疗服务项目、301 医用耗材"),
    Column("chrgitm_lv", "收费项目等级", True, "code", "chrgitm_lv", help="01 甲类、02 乙类、03 丙类"),
    Column("med_chrgitm_type", "医疗收费项目类别", True, "code", "med_chrgitm_type", help="01–14"),
    Column("spec", "规格", max_length=200),
    Column("dosform", "剂型", max_length=100),
    Column("unit", "计价单位", max_length=20),
    Column("pric_uplmt_amt", "定价上限金额", kind="decimal", help="元，最多 6 位小数，不小于 0"),
    Column("selfpay_prop", "自付比例", kind="decimal", help="0 到 1，最多 4 位小数（如乙类 0.1）"),
    Column("sp_drug_flag", "特殊药品标志", help="1 是 / 0 否；填写特殊药品类别时可空"),
    Column("sp_drug_kind", "特殊药品类别", help="basic 基本医疗保险范围内特殊药品、b_managed 按乙类管理的特殊药品"),
    Column("lmt_sex", "限定性别", kind="code", codelist="gend", help="1 男、2 女；空白不限"),
    Column("lmt_age_min", "限定最小年龄", kind="int", help="周岁，含"),
    Column("lmt_age_max", "限定最大年龄", kind="int", help="周岁，含"),
    Column("max_per_day", "每日最大数量", kind="decimal", help="按计价单位，最多 4 位小数"),
    Column("max_per_stay", "每次住院最大数量", kind="decimal", help="按计价单位，最多 4 位小数"),
    Column("min_hosp_grade", "限定最低医院级别", kind="int", help="1 一级及以上、2 二级及以上、3 三级"),
    Column("hosp_lvs", "限定医院等级", help="hosp_lv 代码，多个用逗号分隔；空白不限"),
    Column("dise_prefixes", "限定诊断编码前缀", help="ICD-10 编码前缀，多个用逗号分隔，如 C,D0；空白不限"),
    Column("inpatient_only", "限住院使用", help="1 是 / 0 否"),
    Column("outpatient_only", "限门诊使用", help="1 是 / 0 否"),
    Column("begin_date", "开始日期", True, "date"),
    Column("end_date", "结束日期", kind="date", help="第一个不再适用的日期（不含）；空白为长期有效"),
)


class _VersionedImporter(Importer):
    """Shared by the catalogue and mapping importers: plan every row against the stored versions."""

    model: type[CatalogueItem] | type[CodeMapping]

    def __init__(self, batch: Any, user: Any) -> None:
        super().__init__(batch, user)
        self.plan_problems = 0

    def key(self, record: dict[str, Any]) -> Hashable:
        raise NotImplementedError

    def stored(self, keys: list[Hashable], lock: bool = False) -> dict[Hashable, Any]:
        raise NotImplementedError

    def _incoming(self, records: list[tuple[int, Any]]) -> dict[Hashable, list[Incoming]]:
        incoming: dict[Hashable, list[Incoming]] = defaultdict(list)
        for row_no, r in records:
            incoming[self.key(r)].append(Incoming(row_no, r["begin_date"], r["end_date"],
                                                  actions.content(self.model, r)))
        return incoming

    def check_all(self, records: list[tuple[int, Any]], problems: Problems) -> None:
        for row_no, first in duplicates((n, (self.key(r), r["begin_date"])) for n, r in records):
            problems.add(row_no, "begin_date", "", f"与第 {first} 行的编码和开始日期相同（文件内重复）")
        incoming = self._incoming([(n, r) for n, r in records if n not in problems.bad_rows])
        result = plan(self.stored(list(incoming)), incoming)
        for row_no, column, value, reason in result.problems:
            problems.add(row_no, column, value, reason)

    def load(self, records: list[tuple[int, Any]], progress: Callable[[int], None]) -> Counts:
        incoming = self._incoming(records)
        result = plan(self.stored(list(incoming), lock=True), incoming)
        progress(len(records) // 2)
        self.store(result)
        return Counts(new=result.new, changed=result.changed, same=result.same)

    def store(self, result: Any) -> None:
        raise NotImplementedError

    @property
    def note(self) -> str:
        return f"导入批次 #{self.batch.pk}"


@register
class CatalogueImporter(_VersionedImporter):
    kind = "catalogue"
    title = "基本医疗目录"
    columns = CATALOGUE_COLUMNS
    posts = frozenset({"manager"})
    model = CatalogueItem

    def key(self, record: dict[str, Any]) -> Hashable:
        return record["med_list_codg"]

    def stored(self, keys: list[Hashable], lock: bool = False) -> dict[Hashable, Any]:
        return actions.stored_item_versions([str(k) for k in keys], lock=lock)

    def store(self, result: Any) -> None:
        actions.store_item_plan(result, actor=self.user, batch_id=self.batch.pk, note=self.note)

    def parse(self, row_no: int, raw: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
        values = super().parse(row_no, raw, problems)
        if values is None:
            return None
        ok = True
        values["sp_flag_given"] = values["sp_drug_flag"] not in (None, "")
        for name in ("sp_drug_flag", "inpatient_only", "outpatient_only"):
            label = next(c.label for c in self.columns if c.name == name)
            try:
                values[name] = parse_flag(values[name], label)
            except ValueError as exc:
                problems.add(row_no, name, values[name], str(exc))
                ok = False
        return values if ok else None

    def check(self, row_no: int, v: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
        ok = True
        if v["end_date"] is not None and v["end_date"] <= v["begin_date"]:
            problems.add(row_no, "end_date", v["end_date"], "结束日期必须晚于开始日期")
            ok = False
        ok &= _decimal(problems, row_no, "pric_uplmt_amt", v["pric_uplmt_amt"], "定价上限金额", places=6,
                       low=Decimal(0), high=Decimal("9999999999"))
        ok &= _decimal(problems, row_no, "selfpay_prop", v["selfpay_prop"], "自付比例", places=4, low=Decimal(0),
                       high=Decimal(1))
        for name, label in (("max_per_day", "每日最大数量"), ("max_per_stay", "每次住院最大数量")):
            ok &= _decimal(problems, row_no, name, v[name], label, places=4, positive=True,
                           high=Decimal("999999999999"))
        for name, label in (("lmt_age_min", "限定最小年龄"), ("lmt_age_max", "限定最大年龄")):
            if v[name] is not None and not 0 <= v[name] <= 150:
                problems.add(row_no, name, v[name], f"{label}应在 0 到 150 之间")
                ok = False
        if v["lmt_age_min"] is not None and v["lmt_age_max"] is not None and v["lmt_age_min"] > v["lmt_age_max"]:
            problems.add(row_no, "lmt_age_max", v["lmt_age_max"], "限定最大年龄小于最小年龄")
            ok = False
        if v["min_hosp_grade"] is not None and v["min_hosp_grade"] not in (1, 2, 3):
            problems.add(row_no, "min_hosp_grade", v["min_hosp_grade"], "限定最低医院级别应为 1、2 或 3")
            ok = False
        v["hosp_lvs"] = parse_list(v["hosp_lvs"])
        unknown = [code for code in v["hosp_lvs"] if code not in self.valid("hosp_lv")]
        if unknown:
            problems.add(row_no, "hosp_lvs", ",".join(unknown), "代码不在字典 hosp_lv 中")
            ok = False
        v["dise_prefixes"] = [p.upper() for p in parse_list(v["dise_prefixes"])]
        bad = [p for p in v["dise_prefixes"] if not re.fullmatch(r"[A-Z][0-9A-Z.]{0,9}", p)]
        if bad:
            problems.add(row_no, "dise_prefixes", ",".join(bad), "诊断编码前缀应以字母开头，如 C 或 D0")
            ok = False
        if v["inpatient_only"] and v["outpatient_only"]:
            problems.add(row_no, "outpatient_only", "1", "不能同时限住院和限门诊使用")
            ok = False
        kind = v["sp_drug_kind"] or ""
        if kind not in CatalogueItem.SpecialDrug.values:
            problems.add(row_no, "sp_drug_kind", kind, "特殊药品类别应为 basic 或 b_managed（或空白）")
            ok = False
        elif kind and v["sp_flag_given"] and not v["sp_drug_flag"]:
            problems.add(row_no, "sp_drug_flag", "0", "特殊药品标志为否，却填写了特殊药品类别")
            ok = False
        v["sp_drug_kind"] = kind
        v["sp_drug_flag"] = bool(v["sp_drug_flag"] or kind)
        return v if ok else None


MAPPING_COLUMNS = (
    Column("fixmedins_code", "医疗机构编码", True, max_length=30),
    Column("medins_list_codg", "医药机构目录编码", True, max_length=150),
    Column("medins_list_name", "医药机构目录名称", max_length=200),
    Column("med_list_codg", "医疗目录编码", True, max_length=50),
    Column("begin_date", "开始日期", True, "date"),
    Column("end_date", "结束日期", kind="date", help="第一个不再适用的日期（不含）；空白为长期有效"),
)


@register
class CodeMappingImporter(_VersionedImporter):
    kind = "code_mapping"
    title = "对码关系"
    columns = MAPPING_COLUMNS
    posts = frozenset({"manager", "settlement"})
    model = CodeMapping

    def __init__(self, batch: Any, user: Any) -> None:
        super().__init__(batch, user)
        self._hospitals: dict[str, int] | None = None

    def hospitals(self) -> dict[str, int]:
        """Hospitals the importing user may see (their regions): code → id."""
        if self._hospitals is None:
            self._hospitals = dict(Hospital.objects.for_user(self.user).values_list("code", "id"))
        return self._hospitals

    def key(self, record: dict[str, Any]) -> Hashable:
        return (record["hospital_id"], record["medins_list_codg"])

    def stored(self, keys: list[Hashable], lock: bool = False) -> dict[Hashable, Any]:
        return actions.stored_mapping_versions([k for k in keys if isinstance(k, tuple)], lock=lock)

    def store(self, result: Any) -> None:
        actions.store_mapping_plan(result, actor=self.user, batch_id=self.batch.pk, note=self.note)

    def check(self, row_no: int, v: dict[str, Any], problems: Problems) -> dict[str, Any] | None:
        ok = True
        hospital_id = self.hospitals().get(v["fixmedins_code"])
        if hospital_id is None:
            problems.add(row_no, "fixmedins_code", v["fixmedins_code"], "医疗机构不存在或不在您的统筹区")
            ok = False
        if v["end_date"] is not None and v["end_date"] <= v["begin_date"]:
            problems.add(row_no, "end_date", v["end_date"], "结束日期必须晚于开始日期")
            ok = False
        if not ok:
            return None
        v["hospital_id"] = hospital_id
        return v

    def check_all(self, records: list[tuple[int, Any]], problems: Problems) -> None:
        from .queries import item_versions

        catalogue = item_versions({r["med_list_codg"] for _n, r in records})
        for row_no, r in records:
            if not any(item.covers(r["begin_date"]) for item in catalogue.get(r["med_list_codg"], ())):
                problems.add(row_no, "med_list_codg", r["med_list_codg"],
                             f"医疗目录编码在开始日期 {r['begin_date'].isoformat()} 不在基本医疗目录中")
        super().check_all(records, problems)


ICD_COLUMNS = (
    Column("code", "诊断编码", True, max_length=30, help="WHO 编码（只补中文名称）或医保版扩展码"),
    Column("name", "诊断名称", True, max_length=200, help="中文名称"),
    Column("name_en", "英文名称", max_length=300, help="扩展码的英文名称（可空）"),
)


@register
class Icd10ExtensionImporter(Importer):
    kind = "icd10_extension"
    title = "ICD-10 医保版扩展码与中文名称"
    columns = ICD_COLUMNS
    posts = frozenset({"manager"})

    def check(self, row_no: int, v: dict[str, Any], problems: Problems) -> tuple[str, str, str] | None:
        code = icd10.normalise(v["code"])
        if not re.fullmatch(r"[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,12})?", code):
            problems.add(row_no, "code", v["code"], "诊断编码格式不正确（如 I21.0、I21.000、I10.x00x002）")
            return None
        if code not in icd10.who_by_code() and icd10.who_parent(code) is None:
            problems.add(row_no, "code", v["code"], f"找不到扩展码的上级 WHO 编码（{code[:3]} 不是 ICD-10 类目），未猜测")
            return None
        return (code, v["name"], v["name_en"] or "")

    def check_all(self, records: list[tuple[int, Any]], problems: Problems) -> None:
        for row_no, first in duplicates((n, r[0]) for n, r in records):
            problems.add(row_no, "code", "", f"与第 {first} 行的诊断编码重复")

    def load(self, records: list[tuple[int, Any]], progress: Callable[[int], None]) -> Counts:
        counts = actions.store_diagnosis_names([r for _n, r in records], actor=self.user,
                                               note=f"导入批次 #{self.batch.pk}")
        return Counts(new=counts["new"], changed=counts["changed"], same=counts["same"])
