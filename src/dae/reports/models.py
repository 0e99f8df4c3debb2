"""Rows the statistics system keeps: saved pivot views (即席查询) and the fund-operation analysis reports
(运行分析报告) with their sign-off chain. Figures are never stored except in a signed report, frozen with the
data version they came from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.scoping import ScopedManager


class SavedView(models.Model):
    """A named pivot: an indicator by one or two dimensions for a period. Personal (its owner's list), capped."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("保存人"), on_delete=models.CASCADE,
                              related_name="+")
    name = models.CharField(_("名称"), max_length=60)
    indicator = models.CharField(_("统计指标"), max_length=40)
    dims = models.CharField(_("分组维度"), max_length=60)  # comma-separated dimension ids
    period = models.CharField(_("统计期"), max_length=12)
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("即席查询视图")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="reports_view_name_per_owner")]

    def __str__(self) -> str:
        return self.name


class AnalysisReport(models.Model):
    """A quarterly or annual fund-operation analysis report (基金运行分析报告) of one region, or a periodic payout
    report (赔付报表) kept for sign-off. prepared → checked → approved → submitted; the figures are frozen at
    preparation with the data version and never change after approval; a correction is a new version that
    says what changed."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("病历审核和费用支付月报表")
        QUARTERLY = "quarterly", _("季度运行分析报告")
        ANNUAL = "annual", _("年度运行分析报告")

    class Status(models.TextChoices):
        PREPARED = "prepared", _("已编制")
        CHECKED = "checked", _("已复核")
        APPROVED = "approved", _("已审批")
        SUBMITTED = "submitted", _("已报送医保局")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    kind = models.CharField(_("报告类型"), max_length=10, choices=Kind.choices)
    period = models.CharField(_("统计期"), max_length=12)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField("self", verbose_name=_("更正的版本"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="superseded_by")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    data_version = models.CharField(_("数据版本"), max_length=32)
    figures = models.JSONField(_("冻结的数据"), default=dict)
    findings = models.TextField(_("主要情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    suggestions = models.TextField(_("意见建议"), blank=True)
    changes = models.TextField(_("更正说明"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编制人"), on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField(_("编制时间"), default=timezone.now)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-period", "kind", "-version"]
        verbose_name = _("运行分析报告")
        constraints = [models.UniqueConstraint(fields=["region", "kind", "period", "version"],
                                               name="reports_one_version")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.period} v{self.version}"

    @property
    def frozen(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.SUBMITTED)


class Evaluation(models.Model):
    """The annual hospital evaluation (定点医疗机构年度考核) of one region and year: computed (草稿, recomputed
    while a draft), reviewed by the manager (已复核), signed off by the supervisor (已签发: frozen), published to
    the hospitals (已公布: each reads its own sheet; the grades feed the credit scores). The sheet it used is
    stored with its digest, and the data version its figures came from."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEWED = "reviewed", _("已复核")
        SIGNED = "signed", _("已签发")
        PUBLISHED = "published", _("已公布")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    sheet = models.JSONField(_("考核表"), default=list)
    sheet_digest = models.CharField(_("考核表摘要"), max_length=64)
    data_version = models.CharField(_("数据版本"), max_length=32)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("计算人"), on_delete=models.PROTECT,
                                    related_name="+")
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("公布人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-year", "region"]
        verbose_name = _("定点医疗机构年度考核")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="reports_one_evaluation")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"

    @property
    def frozen(self) -> bool:
        return self.status in (self.Status.SIGNED, self.Status.PUBLISHED)


class EvaluationScore(models.Model):
    """One hospital's sheet in an evaluation: each criterion's measured value and points (JSON of Decimal
    strings), the computed total, the manager's adjustment with its reason, the final total and its grade."""

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("年度考核"), on_delete=models.CASCADE,
                                   related_name="scores")
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT,
                                 related_name="+")
    values = models.JSONField(_("指标值"), default=dict)
    points = models.JSONField(_("各项得分"), default=dict)
    total = models.DecimalField(_("计算得分"), max_digits=6, decimal_places=2)
    adjustment = models.DecimalField(_("调整分"), max_digits=5, decimal_places=2, default=0)
    reason = models.CharField(_("调整理由"), max_length=500, blank=True)
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    adjusted_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    final_total = models.DecimalField(_("最终得分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("考核等级"), max_length=10)

    objects = ScopedManager(region_field="evaluation__region", hospital_field="hospital")

    class Meta:
        ordering = ["-final_total", "hospital_id"]
        verbose_name = _("医疗机构考核得分")
        constraints = [models.UniqueConstraint(fields=["evaluation", "hospital"], name="reports_one_score")]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.hospital_id}"

    @property
    def grade_name(self) -> str:
        from .evaluation import GRADE_NAMES

        return GRADE_NAMES.get(self.grade, self.grade)
