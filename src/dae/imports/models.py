"""Import batches (导入批次) and the problems found in a rejected file.

A batch is one uploaded file of one kind. Every row is validated before anything is written; a file with a
bad row loads nothing and its batch keeps one ``ImportProblem`` per bad cell (row, column, value, reason).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.scoping import ScopedManager


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("等待处理")
        RUNNING = "running", _("处理中")
        REJECTED = "rejected", _("已拒绝（有错误行）")
        LOADED = "loaded", _("已导入")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导入类型"), max_length=40, db_index=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    fmt = models.CharField(_("格式"), max_length=10)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("文件大小"), default=0)
    path = models.CharField(_("存储路径"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True,
                               on_delete=models.PROTECT)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_bad = models.PositiveIntegerField(_("错误行数"), default=0)
    rows_new = models.PositiveIntegerField(_("新增"), default=0)
    rows_changed = models.PositiveIntegerField(_("变更"), default=0)
    rows_same = models.PositiveIntegerField(_("无变化"), default=0)
    rows_ignored = models.PositiveIntegerField(_("忽略"), default=0)
    problems_total = models.PositiveIntegerField(_("问题总数"), default=0)
    problem_counts = models.JSONField(_("各类问题数目"), default=dict, blank=True)
    same_as = models.ForeignKey("self", verbose_name=_("与此前批次文件相同"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入批次")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


class ImportProblem(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="problems")
    row_no = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=60, blank=True)
    value = models.CharField(_("值"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        ordering = ["batch_id", "row_no", "id"]
        verbose_name = _("导入错误")
