"""Forecast runs (预测), warning thresholds as dated settings (预警阈值) and the warnings raised (预警)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.models import Region
from dae.core.scoping import ScopedManager


class ForecastRun(models.Model):
    """One forecast of a region's monthly series, stored with what it was made from so it can be made again:
    the data version (a digest of the monthly history it read), the model chosen per series and its
    parameters, the figures and the back-test. ``digest`` is the SHA-256 of the figures."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    first_month = models.DateField(_("历史起始月"))
    last_month = models.DateField(_("历史截止月"))
    data_version = models.CharField(_("数据版本"), max_length=64)
    engine = models.CharField(_("预测库"), max_length=60)
    results = models.JSONField(_("预测结果"), default=dict)
    digest = models.CharField(_("结果摘要"), max_length=64)
    seconds = models.DecimalField(_("用时（秒）"), max_digits=8, decimal_places=2, default=0)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("预测人"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(_("预测时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-made_at", "-id"]
        verbose_name = _("基金预测")

    def __str__(self) -> str:
        return f"{self.region_id} {self.last_month:%Y-%m} #{self.pk}"


class Indicator(models.TextChoices):
    MONTHS_PAYABLE = "months_payable", _("可支付月数")
    BALANCE_RATE = "balance_rate", _("预计年末结余率")
    OVERDRAFT = "overdraft", _("预计年末支出占年度资金")
    PAYOUT_YOY = "payout_yoy", _("月赔付同比增长")
    PAYOUT_MOM = "payout_mom", _("月赔付环比增长")
    HOSPITAL_COST = "hospital_cost", _("医院次均费用增长高于同级")
    BUDGET_DEVIATION = "budget_deviation", _("预计年度赔付预算偏差")


class Threshold(models.Model):
    """The yellow and red levels of one indicator from ``effective_from`` on (dated: a change is a new row;
    the one in force on a day is the latest on or before it). ``higher_is_worse`` says which way a figure
    crosses; it is the indicator's, not the manager's."""

    indicator = models.CharField(_("预警指标"), max_length=30, choices=Indicator.choices)
    yellow = models.DecimalField(_("黄色预警线"), max_digits=12, decimal_places=2)
    red = models.DecimalField(_("红色预警线"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        ordering = ["indicator", "-effective_from", "-id"]
        verbose_name = _("预警阈值")
        constraints = [models.UniqueConstraint(fields=["indicator", "effective_from"],
                                               name="forecast_threshold_once_a_day")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.effective_from}"


class Alert(models.Model):
    """A warning raised once per indicator, region, period and subject (a hospital, or none), with the
    figure, the threshold that was crossed and the data behind it; acknowledged and closed with a note."""

    class Level(models.TextChoices):
        YELLOW = "yellow", _("黄色")
        RED = "red", _("红色")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已知悉")
        CLOSED = "closed", _("已关闭")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    indicator = models.CharField(_("预警指标"), max_length=30, choices=Indicator.choices)
    period = models.CharField(_("期间"), max_length=7)  # YYYY-MM
    subject = models.CharField(_("对象"), max_length=40, blank=True)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), null=True, blank=True,
                                 on_delete=models.PROTECT)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    figure = models.DecimalField(_("指标值"), max_digits=16, decimal_places=2)
    threshold = models.DecimalField(_("预警线"), max_digits=12, decimal_places=2)
    threshold_from = models.DateField(_("阈值生效日期"), null=True, blank=True)
    message = models.CharField(_("说明"), max_length=500)
    evidence = models.JSONField(_("依据数据"), default=dict)
    href = models.CharField(_("明细链接"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=15, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(_("预警时间"), default=timezone.now)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("知悉人"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(_("知悉时间"), null=True, blank=True)
    ack_note = models.CharField(_("知悉说明"), max_length=500, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("关闭人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_note = models.CharField(_("关闭说明"), max_length=500, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-period", "-raised_at", "-id"]
        verbose_name = _("基金预警")
        constraints = [models.UniqueConstraint(fields=["region", "indicator", "period", "subject"],
                                               name="forecast_alert_once_per_period")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.indicator} {self.period}"


class Budget(models.Model):
    """年度赔付预算: one version of a region's payout budget for a year, by month. Drafted from the forecast,
    edited while a draft, frozen once approved; a change after approval is a new version with its reason, and
    approving it supersedes the one before."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已批准")
        SUPERSEDED = "superseded", _("已被新版本取代")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    reason = models.CharField(_("编制或修订原因"), max_length=300, blank=True)
    source_run = models.ForeignKey(ForecastRun, verbose_name=_("依据的预测"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编制人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("编制时间"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-year", "region", "-version"]
        verbose_name = _("年度赔付预算")
        constraints = [models.UniqueConstraint(fields=["region", "year", "version"], name="forecast_budget_version")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} v{self.version}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(Budget, verbose_name=_("预算"), on_delete=models.CASCADE, related_name="lines")
    month = models.PositiveSmallIntegerField(_("月份"))
    amount = MoneyField(_("预算金额"))

    class Meta:
        ordering = ["budget", "month"]
        verbose_name = _("预算月度金额")
        constraints = [models.UniqueConstraint(fields=["budget", "month"], name="forecast_budget_line_month")]


class Scenario(models.Model):
    """政策测算方案: a period re-run under the current rules and a draft, saved with both rule-set versions
    (the draft's document as it was run), the data version, the figures and their digest; a re-run compares
    its digest with this one."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("测算年度"))
    name = models.CharField(_("方案名称"), max_length=100)
    draft_version = models.ForeignKey("benefits.RuleSetVersion", verbose_name=_("草案规则版本"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(_("参数调整"), default=dict, blank=True)
    draft_document = models.JSONField(_("草案规则文档"))
    current_versions = models.JSONField(_("现行规则版本"), default=list)
    data_version = models.CharField(_("数据版本"), max_length=64)
    digest = models.CharField(_("结果摘要"), max_length=64)
    results = models.JSONField(_("测算结果"), default=dict)
    seconds = models.DecimalField(_("用时（秒）"), max_digits=8, decimal_places=2, default=0)
    last_rerun_at = models.DateTimeField(_("最近复算时间"), null=True, blank=True)
    last_rerun_same = models.BooleanField(_("复算结果一致"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("测算人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("政策测算方案")

    def __str__(self) -> str:
        return f"{self.name} ({self.region_id} {self.year})"
