"""Rule sets (补偿规则) and their versions, kept as documents the payout engine reads.

A version is a draft until published; a published version never changes again (refused in Python and, on
PostgreSQL, by a trigger) and stays readable forever. The version in force on a date is the published version
with the latest effective date on or before it; its end is derived from the next version, never written back.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.errors import Conflict
from dae.core.scoping import ScopedManager

from .codes import Code


class RuleSet(models.Model):
    code = models.CharField(_("规则集编号"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["region_id", "code"]
        verbose_name = _("补偿规则集")

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    ruleset = models.ForeignKey(RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("版本号"), max_length=30)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source_text = models.TextField(_("规则文本 (YAML)"))
    document = models.JSONField(_("规则文档"))
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    based_on = models.ForeignKey("self", verbose_name=_("基于版本"), null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    objects = ScopedManager(region_field="ruleset__region")

    class Meta:
        ordering = ["ruleset_id", "-valid_from", "-id"]
        verbose_name = _("规则版本")
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "version"], name="unique_version_per_ruleset"),
            models.UniqueConstraint(fields=["ruleset", "valid_from"], condition=models.Q(status="published"),
                                    name="one_published_version_per_effective_date"),
        ]

    def __str__(self) -> str:
        return self.version_id

    @property
    def version_id(self) -> str:
        return f"{self.ruleset.code}@{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = RuleSetVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.PUBLISHED:
                raise Conflict("已发布的规则版本不可修改，请新建版本", code=Code.VERSION_PUBLISHED)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status == self.Status.PUBLISHED:
            raise Conflict("已发布的规则版本不可删除", code=Code.VERSION_PUBLISHED)
        return super().delete(*args, **kwargs)
