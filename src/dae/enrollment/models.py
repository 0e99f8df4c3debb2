"""Insured persons (参保人), employer units (单位) and enrolment spans in insutype 330 (大额医疗费用补助)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import BlindIndexField, EncryptedCharField
from dae.core.scoping import ScopedManager


class Unit(models.Model):
    emp_no = models.CharField(_("单位编号"), max_length=30, unique=True)
    emp_name = models.CharField(_("单位名称"), max_length=200)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["emp_no"]
        verbose_name = _("参保单位")

    def __str__(self) -> str:
        return self.emp_name


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "1", _("男")
        FEMALE = "2", _("女")

    psn_no = models.CharField(_("人员编号"), max_length=30, unique=True)
    psn_cert_type = models.CharField(_("证件类型"), max_length=6, default="01")
    certno = EncryptedCharField(_("证件号码"), max_length=50)
    certno_hash = BlindIndexField(source="certno")
    psn_name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gend = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    brdy = models.DateField(_("出生日期"))
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["psn_no"]
        verbose_name = _("参保人")

    def __str__(self) -> str:
        return f"{self.psn_name} ({self.psn_no})"

    @property
    def masked_certno(self) -> str:
        from dae.core.masking import mask_certno

        return mask_certno(self.certno)


class Enrolment(models.Model):
    """One recorded state (snapshot) of a person's enrolment in insutype 330. A change adds a record; none is
    edited or deleted, so the enrolment history is the list of records.

    A snapshot describes coverage by itself: status 正常 covers from ``begin_date``; 暂停 covers ``begin_date``
    up to the day before ``pause_date``; 终止 up to the day before ``end_date`` (and before ``pause_date`` if
    one is set). Pause and end dates are the first day *not* covered. ``valid_from`` says from which date on
    this snapshot is the one to ask (a resumption starts a new snapshot on the resume date, so the suspended
    gap before it stays uncovered). For dates with several snapshots the latest ``valid_from`` wins, then the
    latest recorded; a record named by another record's ``supersedes`` (a correction) no longer counts.
    """

    class Status(models.TextChoices):
        NORMAL = "1", _("正常参保")
        SUSPENDED = "2", _("暂停参保")
        ENDED = "4", _("终止参保")

    class Source(models.TextChoices):
        IMPORT = "import", _("批量导入")
        MANUAL = "manual", _("手工变更")
        API = "api", _("接口")
        DEMO = "demo", _("演示数据")

    person = models.ForeignKey(Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="enrolments")
    insutype = models.CharField(_("险种类型"), max_length=6, default="330")
    psn_type = models.CharField(_("人员类别"), max_length=6)
    status = models.CharField(_("参保状态"), max_length=1, choices=Status.choices)
    valid_from = models.DateField(_("生效日期"))
    begin_date = models.DateField(_("参保日期"))
    pause_date = models.DateField(_("暂停日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    region = models.ForeignKey("core.Region", verbose_name=_("参保地统筹区"), on_delete=models.PROTECT)
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.IMPORT)
    batch = models.ForeignKey("imports.ImportBatch", verbose_name=_("导入批次"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    supersedes = models.ForeignKey("self", verbose_name=_("更正的记录"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="superseded_by")
    reason = models.CharField(_("变更原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ScopedManager(region_field="person__region", person_field="person__psn_no")

    class Meta:
        ordering = ["person_id", "recorded_at", "id"]
        verbose_name = _("参保记录")

    def covers(self, day: date) -> bool:
        """Whether this snapshot says the person is covered on ``day``."""
        if day < self.begin_date:
            return False
        if self.status == self.Status.NORMAL:
            return True
        if self.pause_date is not None and day >= self.pause_date:
            return False
        if self.status == self.Status.ENDED:
            return self.end_date is None or day < self.end_date
        return self.pause_date is not None


class ContributionYear(models.Model):
    """Contribution status (缴费状态) of a person for one year; a change is an event."""

    person = models.ForeignKey(Person, verbose_name=_("参保人"), on_delete=models.PROTECT,
                               related_name="contributions")
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("缴费状态"), max_length=2)  # dictionary contrib_stas
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ScopedManager(region_field="person__region", person_field="person__psn_no")

    class Meta:
        ordering = ["person_id", "year"]
        verbose_name = _("年度缴费")
        constraints = [models.UniqueConstraint(fields=["person", "year"], name="unique_contribution_year")]


class RosterRow(models.Model):
    """The roster row last loaded for a person, as a digest of its cells (with the region and the dictionaries
    it was checked against). The same row in a later file is then known without reading it again — unless a
    newer enrolment record of the person (a manual change) came after ``enrolment_seen``, which voids it."""

    person = models.OneToOneField(Person, verbose_name=_("参保人"), primary_key=True, on_delete=models.CASCADE,
                                  related_name="+")
    digest = models.CharField(_("行摘要"), max_length=32)
    enrolment_seen = models.BigIntegerField(_("已知的最新参保记录"), default=0)

    class Meta:
        verbose_name = _("名单行摘要")
