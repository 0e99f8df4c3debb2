"""Insured persons (参保人), employer units (单位) and enrolment spans in insutype 330 (大额医疗费用补助)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    certno = models.CharField(_("证件号码"), max_length=50, db_index=True)
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
    """One recorded state of a person's enrolment in insutype 330. A change adds a record; none is edited."""

    class Status(models.TextChoices):
        NORMAL = "1", _("正常参保")
        SUSPENDED = "2", _("暂停参保")
        ENDED = "3", _("终止参保")

    person = models.ForeignKey(Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="enrolments")
    insutype = models.CharField(_("险种类型"), max_length=6, default="330")
    psn_type = models.CharField(_("人员类别"), max_length=6)
    status = models.CharField(_("参保状态"), max_length=1, choices=Status.choices)
    begin_date = models.DateField(_("参保日期"))
    pause_date = models.DateField(_("暂停日期"), null=True, blank=True)
    end_date = models.DateField(_("终止日期"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ScopedManager(region_field="person__region", person_field="person__psn_no")

    class Meta:
        ordering = ["person_id", "recorded_at", "id"]
        verbose_name = _("参保记录")
