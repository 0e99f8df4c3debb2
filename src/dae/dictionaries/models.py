"""The data dictionary (数据字典): the national code lists as data, editable by the manager.

Used to validate imports and declarations and to show names instead of codes. Seeded from ``national.yaml``
(missing lists and codes only: a manager's edits are never overwritten).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeList(models.Model):
    key = models.CharField(_("字典代码"), max_length=40, primary_key=True)  # the field name, e.g. med_type
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=300, blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("代码表")

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class Code(models.Model):
    codelist = models.ForeignKey(CodeList, verbose_name=_("代码表"), on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    local = models.BooleanField(_("地方扩展或含义待定"), default=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["codelist_id", "sort", "code"]
        verbose_name = _("代码")
        constraints = [models.UniqueConstraint(fields=["codelist", "code"], name="unique_code_per_list")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
