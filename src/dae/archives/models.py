"""Records of the archives (档案管理), in the vocabulary of GB/T 18894-2016 and DA/T 22-2015.

- ``RetentionRule``: the retention schedule (保管期限表) per item kind, as versions (append-only: the history).
- ``Item``: one archival item (件) of a closed business object, with its archival code (档号
  全宗号-年度-保管期限-类别-件号), title, dates, responsible post, classification, retention, metadata and the
  result of the four checks (四性检测). Only an item that passed every check is archived and numbered; numbers
  run without gaps per fonds, year, retention and category.
- ``ItemFile``: a stored file of an item (the record as PDF, its attached documents, the metadata as JSON), each
  with its SHA-256 digest.
- ``ItemCheck``: each check of each attempt, kept.
- ``Hold``: an item held for an open investigation or dispute (it cannot be destroyed while held).
- ``Loan``: a loan (借阅): request → approved / refused → returned / expired.
- ``DestructionList`` / ``DestructionEntry``: a destruction list (销毁清册) proposed by the archivist and approved by
  the manager and the bureau's supervisor; executed, it removes the files and keeps the catalogue entries.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.models import AppendOnlyModel
from dae.core.scoping import ScopedManager


class Retention(models.TextChoices):
    """保管期限 (国家档案局令第10号: 永久、定期30年、定期10年; codes of DA/T 22-2015)."""

    PERMANENT = "Y", _("永久")
    YEARS_30 = "D30", _("定期30年")
    YEARS_10 = "D10", _("定期10年")


RETENTION_YEARS = {Retention.PERMANENT: None, Retention.YEARS_30: 30, Retention.YEARS_10: 10}


def expiry(year: int, retention: str) -> dt.date | None:
    """The first day an item of ``year`` is past its retention (counted from 1 January of the following year)."""
    years = RETENTION_YEARS[Retention(retention)]
    return None if years is None else dt.date(year + 1 + years, 1, 1)


class RetentionRule(AppendOnlyModel):
    """One version of the retention of an item kind. The version in force is the highest of its kind."""

    kind = models.CharField(_("档案类型"), max_length=40)
    version = models.PositiveIntegerField(_("版本"))
    retention = models.CharField(_("保管期限"), max_length=3, choices=Retention.choices)
    reason = models.CharField(_("调整原因"), max_length=300)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("调整时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("保管期限")
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="archives_retention_version")]


class Item(models.Model):
    class Status(models.TextChoices):
        FAILED = "failed", _("检测未通过")
        ARCHIVED = "archived", _("已归档")
        DESTROYED = "destroyed", _("已销毁")

    kind = models.CharField(_("档案类型"), max_length=40)
    object_type = models.CharField(_("业务对象类型"), max_length=64)
    object_id = models.CharField(_("业务对象编号"), max_length=64)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True,
                               on_delete=models.PROTECT)
    psn_no = models.CharField(_("人员编号"), max_length=30, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    retention = models.CharField(_("保管期限"), max_length=3, choices=Retention.choices)
    category = models.CharField(_("类别"), max_length=4)
    item_no = models.PositiveIntegerField(_("件号"), null=True, blank=True)
    code = models.CharField(_("档号"), max_length=60, null=True, blank=True, unique=True)
    title = models.CharField(_("题名"), max_length=300)
    date_from = models.DateField(_("起始日期"))
    date_to = models.DateField(_("终止日期"))
    responsible_post = models.CharField(_("责任岗位"), max_length=20)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, db_index=True)
    metadata = models.JSONField(_("元数据"), default=dict, blank=True)
    metadata_sha256 = models.CharField(_("元数据摘要"), max_length=64, blank=True)
    search_text = models.TextField(_("检索文本"), blank=True)
    storage_key = models.CharField(_("存储目录"), max_length=200, blank=True)
    expires_on = models.DateField(_("保管期满日期"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("检测次数"), default=0)
    failed_reason = models.TextField(_("未通过原因"), blank=True)
    archived_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("归档人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    destroyed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    destruction = models.ForeignKey("DestructionList", verbose_name=_("销毁清册"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="destroyed_items")

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-year", "category", "item_no", "-id"]
        verbose_name = _("档案")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="archives_item_per_object"),
            models.UniqueConstraint(fields=["year", "retention", "category", "item_no"],
                                    name="archives_item_number"),
            models.CheckConstraint(condition=~models.Q(status="archived") | models.Q(code__isnull=False),
                                   name="archives_archived_has_code"),
        ]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return self.code or self.title

    @property
    def kind_label(self) -> str:
        from .registry import kind_label  # cycle: archives.models ↔ archives.registry (through jobs and queries)

        return kind_label(self.kind)

    @property
    def category_label(self) -> str:
        from .registry import category_label  # cycle: archives.models ↔ archives.registry

        return category_label(self.category)

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on <= (today or timezone.localdate())


class ItemFile(models.Model):
    class Role(models.TextChoices):
        RECORD = "record", _("业务记录")
        DOCUMENT = "document", _("附件")
        METADATA = "metadata", _("元数据")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="files")
    seq = models.PositiveSmallIntegerField(_("序号"))
    role = models.CharField(_("类型"), max_length=10, choices=Role.choices)
    doc_code = models.CharField(_("材料代码"), max_length=40)
    label = models.CharField(_("材料名称"), max_length=100)
    name = models.CharField(_("文件名"), max_length=200)
    media_type = models.CharField(_("格式"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256 摘要"), max_length=64)
    path = models.CharField(_("存储路径"), max_length=400)
    destroyed = models.BooleanField(_("已销毁"), default=False)

    class Meta:
        ordering = ["item_id", "seq"]
        verbose_name = _("档案文件")
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="archives_file_seq")]

    @property
    def is_pdf(self) -> bool:
        return self.media_type == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


class ItemCheck(models.Model):
    class Check(models.TextChoices):
        AUTHENTICITY = "authenticity", _("真实性")
        INTEGRITY = "integrity", _("完整性")
        USABILITY = "usability", _("可用性")
        SAFETY = "safety", _("安全性")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="checks")
    attempt = models.PositiveIntegerField(_("第几次检测"))
    name = models.CharField(_("检测项"), max_length=15, choices=Check.choices)
    passed = models.BooleanField(_("通过"))
    detail = models.TextField(_("说明"))
    at = models.DateTimeField(_("检测时间"), default=timezone.now)

    class Meta:
        ordering = ["item_id", "-attempt", "id"]
        verbose_name = _("四性检测")


class Hold(models.Model):
    """An item held (冻结) for an open investigation or dispute; released with a reason."""

    item = models.ForeignKey(Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(_("冻结原因"), max_length=300)
    reference = models.CharField(_("关联案件"), max_length=100, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("冻结人"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(_("冻结时间"), default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("解除人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    release_reason = models.CharField(_("解除原因"), max_length=300, blank=True)

    objects = ScopedManager(region_field="item__region", include_regionless=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("档案冻结")


class Loan(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("借阅中")
        REFUSED = "refused", _("已拒绝")
        RETURNED = "returned", _("已归还")
        EXPIRED = "expired", _("逾期未还（已到期）")

    number = models.CharField(_("借阅单号"), max_length=30, unique=True)
    item = models.ForeignKey(Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="loans")
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True,
                               on_delete=models.PROTECT)
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("借阅人"), on_delete=models.PROTECT,
                                 related_name="archive_loans")
    purpose = models.CharField(_("借阅目的"), max_length=300)
    days = models.PositiveSmallIntegerField(_("借阅天数"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED,
                              db_index=True)
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    starts_on = models.DateField(_("借阅起始日"), null=True, blank=True)
    due_on = models.DateField(_("到期日"), null=True, blank=True)
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    expired_at = models.DateTimeField(_("到期处理时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("档案借阅")

    def __str__(self) -> str:
        return self.number

    def is_active(self, today: dt.date | None = None) -> bool:
        """Approved and not past its due date: the borrower may read."""
        day = today or timezone.localdate()
        return self.status == self.Status.APPROVED and self.due_on is not None and day <= self.due_on

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Past its due date without being returned (expired, or about to be by the daily job)."""
        if self.status == self.Status.EXPIRED:
            return True
        day = today or timezone.localdate()
        return self.status == self.Status.APPROVED and self.due_on is not None and day > self.due_on


class DestructionList(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("已否决")
        EXECUTED = "executed", _("已销毁")

    number = models.CharField(_("清册编号"), max_length=30, unique=True)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True,
                               on_delete=models.PROTECT)
    reason = models.CharField(_("鉴定意见"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    manager_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("管理岗审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    manager_at = models.DateTimeField(_("管理岗审批时间"), null=True, blank=True)
    manager_note = models.CharField(_("管理岗意见"), max_length=300, blank=True)
    supervisor_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("医保局审批人"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    supervisor_at = models.DateTimeField(_("医保局审批时间"), null=True, blank=True)
    supervisor_note = models.CharField(_("医保局意见"), max_length=300, blank=True)
    refused_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("否决人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    refused_at = models.DateTimeField(_("否决时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("否决原因"), max_length=300, blank=True)
    executed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("执行人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    executed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("销毁清册")

    def __str__(self) -> str:
        return self.number


class DestructionEntry(models.Model):
    """An item on a destruction list, with its code and title as they were when listed."""

    destruction = models.ForeignKey(DestructionList, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, verbose_name=_("档案"), on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("档号"), max_length=60)
    title = models.CharField(_("题名"), max_length=300)
    retention = models.CharField(_("保管期限"), max_length=3, choices=Retention.choices)
    expires_on = models.DateField(_("保管期满日期"))
    files = models.JSONField(_("文件及摘要"), default=list, blank=True)

    class Meta:
        ordering = ["destruction_id", "code"]
        verbose_name = _("销毁清册条目")
        constraints = [models.UniqueConstraint(fields=["destruction", "item"], name="archives_destruction_item")]


class Counter(models.Model):
    """The last item number given per year, retention and category (件号, without gaps)."""

    year = models.PositiveSmallIntegerField()
    retention = models.CharField(max_length=3)
    category = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "retention", "category"], name="archives_counter_unique")]
