"""Records of credit management (诚信管理) and anomaly screening (异常数据挖掘).

- ``CreditSettings``: a region's scoring and screening parameters, one append-only row per version (the history:
  who changed what, when and why). Without a row the defaults below apply (version 0).
- ``CreditParty``: a hospital, doctor or insured person of a region with its current score and list level
  (正常 / 关注名单 / 黑名单), kept up to date by ``actions`` in the same transaction as each change.
- ``CreditEvent``: one confirmed violation of a party (append-only), idempotent on (kind, code, source).
- ``CreditListChange``: one change of a party's level — from, to, why, when, who (append-only).
- ``ScreeningRun`` / ``ScreeningResult``: one anomaly screening of a region and period with its parameters, and
  each unit's indicators against its peers, stored so the ranked list stays as it was computed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.models import AppendOnlyModel, Region
from dae.core.scoping import ScopedManager


class PartyKind(models.TextChoices):
    HOSPITAL = "hospital", _("医疗机构")
    DOCTOR = "doctor", _("医师")
    PERSON = "person", _("参保人")


class Level(models.TextChoices):
    NORMAL = "normal", _("正常")
    WATCH = "watch", _("关注名单")
    BLACK = "black", _("黑名单")


#: Severity of a level, to compare levels (a manual listing never lowers what the score says).
SEVERITY = {Level.NORMAL: 0, Level.WATCH: 1, Level.BLACK: 2}

#: The parameters when a region has no settings row yet (version 0).
DEFAULTS: dict[str, Any] = {
    "window_months": 24,
    "base_points": 5,
    "points_per_thousand": 1,
    "max_points": 20,
    "watch_below": 80,
    "black_below": 60,
    "anomaly_threshold": Decimal("3.00"),
    "min_peers": 5,
    "min_volume": 10,
    "readmit_days": 15,
}
PARAMETER_FIELDS = tuple(DEFAULTS)


class CreditSettings(AppendOnlyModel):
    """One version of a region's parameters. The latest version is in force; a change adds a version."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    version = models.PositiveIntegerField(_("版本"))
    window_months = models.PositiveSmallIntegerField(_("计分周期（月）"), default=DEFAULTS["window_months"])
    base_points = models.PositiveSmallIntegerField(_("每次违规基础扣分"), default=DEFAULTS["base_points"])
    points_per_thousand = models.PositiveSmallIntegerField(_("每千元加扣分"), default=DEFAULTS["points_per_thousand"])
    max_points = models.PositiveSmallIntegerField(_("单次违规扣分上限"), default=DEFAULTS["max_points"])
    watch_below = models.PositiveSmallIntegerField(_("关注名单线（低于）"), default=DEFAULTS["watch_below"])
    black_below = models.PositiveSmallIntegerField(_("黑名单线（低于）"), default=DEFAULTS["black_below"])
    anomaly_threshold = models.DecimalField(
        _("异常阈值（稳健 z）"), max_digits=5, decimal_places=2, default=DEFAULTS["anomaly_threshold"]
    )
    min_peers = models.PositiveSmallIntegerField(_("最少同类单位数"), default=DEFAULTS["min_peers"])
    min_volume = models.PositiveSmallIntegerField(_("最少住院人次"), default=DEFAULTS["min_volume"])
    readmit_days = models.PositiveSmallIntegerField(_("再入院间隔（天）"), default=DEFAULTS["readmit_days"])
    reason = models.CharField(_("变更原因"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["region", "-version"]
        verbose_name = _("诚信参数")
        constraints = [models.UniqueConstraint(fields=["region", "version"], name="credit_settings_version")]

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARAMETER_FIELDS}


class CreditParty(models.Model):
    """A party of a region on the credit lists, with its current score and level.

    ``score_level`` is what the score says; ``manual_level`` a manager's listing (kept until delisted);
    ``level`` the one in force (the more severe of the two). ``repaired_at`` is the last delisting (信用修复):
    events recorded before it no longer count. ``expires_on`` is the first day on which an event leaves the
    scoring window (the score must be computed again on that day)."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    kind = models.CharField(_("对象类型"), max_length=10, choices=PartyKind.choices)
    code = models.CharField(_("编码"), max_length=30)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    hospital = models.ForeignKey(
        "catalog.Hospital",
        verbose_name=_("所属医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.SmallIntegerField(_("信用分"), default=100)
    points = models.PositiveIntegerField(_("周期内扣分"), default=0)
    events_count = models.PositiveIntegerField(_("周期内违规次数"), default=0)
    score_level = models.CharField(_("评分等级"), max_length=10, choices=Level.choices, default=Level.NORMAL)
    manual_level = models.CharField(_("人工列入"), max_length=10, choices=Level.choices, blank=True)
    manual_reason = models.CharField(_("列入原因"), max_length=300, blank=True)
    level = models.CharField(_("名单"), max_length=10, choices=Level.choices, default=Level.NORMAL, db_index=True)
    listed_on = models.DateField(_("列入日期"), null=True, blank=True)
    expires_on = models.DateField(_("下次到期日"), null=True, blank=True, db_index=True)
    repaired_at = models.DateTimeField(_("信用修复时间"), null=True, blank=True)
    repair_floor = models.PositiveBigIntegerField(
        _("修复前最后违规记录"), default=0
    )  # events with id ≤ it no longer count
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["score", "kind", "code"]
        verbose_name = _("信用对象")
        constraints = [models.UniqueConstraint(fields=["region", "kind", "code"], name="credit_party_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name or self.code}"

    @property
    def psn_no(self) -> str:
        """The person's number for the access log (empty for hospitals and doctors)."""
        return self.code if self.kind == PartyKind.PERSON else ""


class CreditEvent(AppendOnlyModel):
    """One confirmed violation of a party: its amount, the points it costs and where it came from."""

    party = models.ForeignKey(CreditParty, verbose_name=_("信用对象"), on_delete=models.PROTECT, related_name="events")
    party_kind = models.CharField(_("对象类型"), max_length=10, choices=PartyKind.choices)
    party_code = models.CharField(_("编码"), max_length=30)
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey(
        "catalog.Hospital",
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = MoneyField(_("违规金额"))
    points = models.PositiveSmallIntegerField(_("扣分"))
    score_after = models.SmallIntegerField(_("登记后信用分"))
    source_type = models.CharField(_("来源类型"), max_length=40)
    source_id = models.CharField(_("来源编号"), max_length=64)
    on = models.DateField(_("认定日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("违规记录")
        constraints = [
            models.UniqueConstraint(
                fields=["party_kind", "party_code", "source_type", "source_id"], name="credit_event_source"
            )
        ]


class CreditListChange(AppendOnlyModel):
    """One change of a party's list level: from, to, the score then, why, when and who."""

    class Cause(models.TextChoices):
        VIOLATION = "violation", _("违规扣分")
        EXPIRY = "expiry", _("扣分到期")
        SETTINGS = "settings", _("参数变更")
        MANUAL_LIST = "manual_list", _("人工列入")
        MANUAL_DELIST = "manual_delist", _("人工移出")

    party = models.ForeignKey(CreditParty, verbose_name=_("信用对象"), on_delete=models.PROTECT, related_name="changes")
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey(
        "catalog.Hospital",
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_level = models.CharField(_("原名单"), max_length=10, choices=Level.choices)
    to_level = models.CharField(_("新名单"), max_length=10, choices=Level.choices)
    score = models.SmallIntegerField(_("信用分"))
    cause = models.CharField(_("变更类型"), max_length=15, choices=Cause.choices)
    reason = models.CharField(_("原因"), max_length=300)
    event = models.ForeignKey(
        CreditEvent, verbose_name=_("违规记录"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField(_("生效日期"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("名单变更记录")


class UnitKind(models.TextChoices):
    HOSPITAL = "hospital", _("医疗机构")
    DEPARTMENT = "department", _("科室")
    DOCTOR = "doctor", _("医师")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class ScreeningRun(models.Model):
    """One anomaly screening of a region over a period, with the parameters it used."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    period_kind = models.CharField(_("期间类型"), max_length=10, choices=PeriodKind.choices)
    period = models.CharField(_("期间"), max_length=10)  # 2026-03, 2026Q1, 2026
    first_day = models.DateField(_("起始日"))
    last_day = models.DateField(_("截止日"))
    params = models.JSONField(_("参数"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    stays_count = models.PositiveIntegerField(_("住院人次"), default=0)
    units_count = models.PositiveIntegerField(_("评估单位数"), default=0)
    flagged_count = models.PositiveIntegerField(_("异常单位数"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    # a hospital user sees the runs of its hospital's region (and in them only its own results)
    objects = ScopedManager(region_field="region", hospital_field="region__hospital")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("异常筛查")

    def __str__(self) -> str:
        return f"{self.region_id} {self.period} #{self.pk}"


class ScreeningResult(models.Model):
    """A unit's indicators in a run against its peers, its overall score and rank among the flagged ones.

    ``indicators`` is a list of ``{"key", "value", "peer_median", "scale", "z", "pct", "peers", "status",
    "flagged", …}`` with the numbers as decimal strings (as computed, never recomputed on display)."""

    run = models.ForeignKey(ScreeningRun, verbose_name=_("异常筛查"), on_delete=models.CASCADE, related_name="results")
    unit_kind = models.CharField(_("单位类型"), max_length=12, choices=UnitKind.choices)
    unit_code = models.CharField(_("单位编码"), max_length=30)
    unit_name = models.CharField(_("单位名称"), max_length=150, blank=True)
    hospital = models.ForeignKey(
        "catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT, related_name="+"
    )
    dept_code = models.CharField(_("科室编码"), max_length=30, blank=True)
    peer_group = models.CharField(_("同类组"), max_length=60)
    stays = models.PositiveIntegerField(_("住院人次"), default=0)
    total_cost = MoneyField(_("医疗费总额"), default=0)
    indicators = models.JSONField(_("指标"), default=list)
    score = models.DecimalField(_("异常得分"), max_digits=10, decimal_places=2, default=0)
    flagged = models.BooleanField(_("异常"), default=False, db_index=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)

    objects = ScopedManager(region_field="run__region", hospital_field="hospital")

    class Meta:
        ordering = ["run", "rank", "-score", "unit_kind", "unit_code"]
        verbose_name = _("异常筛查结果")
        constraints = [
            models.UniqueConstraint(fields=["run", "unit_kind", "hospital", "unit_code"], name="credit_screening_unit")
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_kind_display()} {self.unit_name or self.unit_code}"
