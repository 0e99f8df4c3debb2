"""Master data: designated hospitals (定点医药机构). Catalogue, diagnoses and code mapping join here later."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dae.core.scoping import ScopedManager


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
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = ScopedManager(region_field="region", hospital_field="pk")

    class Meta:
        ordering = ["code"]
        verbose_name = _("定点医疗机构")

    def __str__(self) -> str:
        return self.name
