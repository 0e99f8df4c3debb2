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
