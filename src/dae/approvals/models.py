"""Approval settings (人工审批): dated amount thresholds per kind of action, and the actions waiting for a second
person's approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.accounts.posts import Post
from dae.core.fields import MoneyField
from dae.core.models import AppendOnlyModel
from dae.core.scoping import ScopedManager


class Threshold(AppendOnlyModel):
    """Above ``amount`` an action of ``kind`` needs an approval by ``approver_post`` before it takes effect. Dated:
    the row in force on a day is the latest ``effective_from`` on or before it — a region's own row before the
    row for every region (``region`` empty). A change adds a row."""

    kind = models.CharField(_("审批事项"), max_length=40)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True, on_delete=models.PROTECT)
    amount = MoneyField(_("金额阈值（元）"))
    approver_post = models.CharField(_("审批岗位"), max_length=20, choices=Post.choices)
    effective_from = models.DateField(_("生效日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["kind", "-effective_from", "-id"]
        verbose_name = _("审批阈值")


class PendingAction(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("已拒绝")

    kind = models.CharField(_("审批事项"), max_length=40, db_index=True)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True, on_delete=models.PROTECT)
    amount = MoneyField(_("金额"), null=True, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    summary = models.CharField(_("摘要"), max_length=300)
    payload = models.JSONField(_("参数"), default=dict)
    approver_post = models.CharField(_("审批岗位"), max_length=20, choices=Post.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("审批意见"), max_length=300, blank=True)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("待审批事项")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_type", "object_id"], condition=models.Q(status="pending"),
                                    name="one_pending_approval_per_object"),
        ]

    def __str__(self) -> str:
        return self.summary
