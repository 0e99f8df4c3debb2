"""Core records every app shares: regions (统筹区), the event log, the access log and background jobs.

The event log and access log are append-only: no code path updates or deletes them (``save`` refuses an
update, ``delete`` refuses), and on PostgreSQL a trigger refuses UPDATE and DELETE in the database itself. Both are
hash chains (``core.logchain``): every row stores its place ``seq``, the previous row's hash and its own, so a row
changed or removed behind the application's back is named by ``dae verify_logs``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import AppendOnlyViolation
from .scoping import M, ScopedManager


class Region(models.Model):
    """A pooling region (统筹区), identified by its administrative division code (admdvs)."""

    admdvs = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["admdvs"]
        verbose_name = _("统筹区")

    def __str__(self) -> str:
        return f"{self.name} ({self.admdvs})"


class AppendOnlyModel(models.Model):
    """A row that can be inserted once and never changed or removed."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyViolation()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyViolation()


class ChainedManager(ScopedManager[M]):
    """A scoped manager whose ``bulk_create`` links the new rows into the chain (same transaction)."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[M]:
        from .logchain import stamp_objects

        rows = list(objs)
        with transaction.atomic(using=self.db):
            stamp_objects(rows, self.db)
            return super().bulk_create(rows, *args, **kwargs)


class ChainedModel(AppendOnlyModel):
    """An append-only row linked into its table's hash chain when it is inserted (``core.logchain``)."""

    seq = models.BigIntegerField(_("链序号"), unique=True, editable=False)
    prev_hash = models.CharField(_("前一行摘要"), max_length=64, editable=False)
    row_hash = models.CharField(_("本行摘要"), max_length=64, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .logchain import stamp_objects

        if self.pk is not None and not self._state.adding:
            raise AppendOnlyViolation()
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            stamp_objects([self], using)
            super().save(*args, **kwargs)


class Event(ChainedModel):
    """One change of state: who did what to which object, with the changed fields before and after."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("操作代码"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), null=True, on_delete=models.PROTECT)
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    objects = ChainedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("事件")


class AccessRecord(ChainedModel):
    """One read of a person's data by staff: who read whose data, when and why."""

    class Why(models.TextChoices):
        BUSINESS = "business", _("业务办理")
        REVIEW = "review", _("审核复核")
        SERVICE = "service", _("咨询服务")
        AUDIT = "audit", _("稽核检查")
        SUPERVISION = "supervision", _("监督检查")
        FULL_CERTNO = "full_certno", _("查看完整证件号")
        FULL_PHONE = "full_phone", _("查看完整手机号")
        FULL_ACCOUNT = "full_account", _("查看完整银行账号")
        DENIED = "denied", _("越权访问尝试")
        EXPORT = "export", _("导出")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("访问人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64)
    why = models.CharField(_("原因"), max_length=20, choices=Why.choices)
    path = models.CharField(_("访问路径"), max_length=300, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), null=True, on_delete=models.PROTECT)

    objects = ChainedManager(region_field="region")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("访问记录")


class Job(models.Model):
    """A long piece of work (import, declaration, batch) with visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("消息"), max_length=500, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("后台任务")

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(self.done * 100 // self.total) if self.total else 0
