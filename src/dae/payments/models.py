"""Settlement and payment (结算支付): monthly hospital statements (月结单), confirmed deductions (扣款) carried into
them, payment batches (支付批次) with their orders (支付指令), and the bank's result files (银行回盘).

The money owed is in the ledger (``dae.ledger.entries``); these rows say what was decided and what the bank did.
A statement is paid through exactly one *live* payment order at a time (pending, sent or paid: a database
constraint); a failed order releases the statement for a new batch, an order whose outcome is unknown holds it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.bank.rules import order_memo
from dae.core.fields import EncryptedCharField, MoneyField
from dae.core.scoping import ScopedManager


class Statement(models.Model):
    """A hospital's monthly statement (月结单) for one pooling region: what the settlements of that region's insured
    persons of the month (and earlier ones not yet on a statement) are owed, plus 补付, less 追回 and confirmed
    deductions, plus anything carried in. Each region's fund pays its own, so a hospital that treats persons of
    two regions gets a statement from each."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审批")
        APPROVED = "approved", _("已审批待支付")
        PAYING = "paying", _("支付中")
        PAID = "paid", _("已支付")
        CARRIED = "carried", _("无需支付")

    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    month = models.CharField(_("结算月份"), max_length=7)  # YYYY-MM
    settlements_count = models.PositiveIntegerField(_("结算笔数"), default=0)
    lines_count = models.PositiveIntegerField(_("明细条数"), default=0)
    medfee_total = MoneyField(_("医疗费总额"), default=0)
    lines_total = MoneyField(_("明细费用合计"), default=0)
    declared_total = MoneyField(_("申报大额支付"), default=0)
    computed_total = MoneyField(_("核定大额支付"), default=0)
    accepted_total = MoneyField(_("确认应付"), default=0)
    supplements_total = MoneyField(_("补付"), default=0)
    recoveries_total = MoneyField(_("追回"), default=0)
    deductions_total = MoneyField(_("扣款"), default=0)
    carried_in = MoneyField(_("上期结转待扣"), default=0)
    net_payable = MoneyField(_("本期应付"), default=0)
    carried_out = MoneyField(_("结转下期待扣"), default=0)
    due_date = models.DateField(_("支付期限"))
    deadline_warnings = models.JSONField(_("期限提示"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编制人"), null=True,
                                 on_delete=models.PROTECT, related_name="+")
    built_on = models.DateField(_("编制日期"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("审批日期"), null=True, blank=True)
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-month", "hospital_id"]
        verbose_name = _("月结单")
        constraints = [models.UniqueConstraint(fields=["region", "hospital", "month"], name="unique_statement_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.hospital_id}"

    @property
    def recoverable_total(self):  # type: ignore[no-untyped-def]
        """Everything netted against this statement: 追回 + deductions + carried in (positive yuan)."""
        return self.recoveries_total + self.deductions_total + self.carried_in

    @property
    def gross_total(self):  # type: ignore[no-untyped-def]
        return self.accepted_total + self.supplements_total


class Deduction(models.Model):
    """A confirmed amount to take from a hospital's next statement (审核扣款, 巡查扣款), or the excess of a
    statement whose recoveries were larger than what it owed (结转, kind ``carried``)."""

    class Kind(models.TextChoices):
        AUDIT = "audit", _("审核扣款")
        INSPECTION = "inspection", _("巡查扣款")
        OTHER = "other", _("其他扣款")
        CARRIED = "carried", _("上期结转")

    class Status(models.TextChoices):
        OPEN = "open", _("待扣")
        DEDUCTED = "deducted", _("已扣")

    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    amount = MoneyField(_("金额"))
    reason = models.CharField(_("原因"), max_length=300)
    source_type = models.CharField(_("来源类型"), max_length=64)
    source_id = models.CharField(_("来源编号"), max_length=64)
    confirmed_on = models.DateField(_("确认日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    statement = models.ForeignKey(Statement, verbose_name=_("扣减月结单"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="deductions")
    from_statement = models.ForeignKey(Statement, verbose_name=_("结转自"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="carried_deductions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-confirmed_on", "-id"]
        verbose_name = _("扣款")
        constraints = [models.UniqueConstraint(fields=["source_type", "source_id"], name="unique_deduction_source")]


class PaymentBatch(models.Model):
    """A batch of payment orders sent to the bank as one file (支付批次)."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("医疗机构")
        PERSON = "person", _("参保人")

    class Status(models.TextChoices):
        DRAFT = "draft", _("待导出")
        EXPORTED = "exported", _("已导出待回盘")
        DONE = "done", _("已完成")

    number = models.CharField(_("批次号"), max_length=20, unique=True)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    kind = models.CharField(_("付款对象"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    orders_count = models.PositiveIntegerField(_("指令笔数"), default=0)
    total = MoneyField(_("金额合计"), default=0)
    file_sha256 = models.CharField(_("付款文件摘要"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制单人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_on = models.DateField(_("制单日期"))
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("支付批次")

    def __str__(self) -> str:
        return self.number


class PaymentOrder(models.Model):
    """One payment of a batch (支付指令): a hospital's statement or an insured person's claim."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送待结果")
        PAID = "paid", _("支付成功")
        FAILED = "failed", _("支付失败")

    LIVE = (Status.PENDING, Status.SENT, Status.PAID)

    batch = models.ForeignKey(PaymentBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT,
                              related_name="orders")
    seq = models.PositiveIntegerField(_("序号"))
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    statement = models.ForeignKey(Statement, verbose_name=_("月结单"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="orders")
    settlement = models.ForeignKey("claims.Settlement", verbose_name=_("手工报销结算"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="payment_orders")
    adjustment = models.ForeignKey("claims.Adjustment", verbose_name=_("补付"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="payment_orders")
    payee_name = models.CharField(_("收款人"), max_length=100)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    bank_account = EncryptedCharField(_("收款账号"), max_length=40)
    amount = MoneyField(_("金额"))
    purpose = models.CharField(_("用途"), max_length=100)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    bank_serial = models.CharField(_("银行流水号"), max_length=40, blank=True)
    result_on = models.DateField(_("处理日期"), null=True, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    result_source = models.CharField(_("结果来源"), max_length=100, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="statement__hospital",
                            person_field="settlement__psn_no")

    class Meta:
        ordering = ["batch_id", "seq"]
        verbose_name = _("支付指令")
        constraints = [
            models.UniqueConstraint(fields=["statement"], condition=Q(status__in=["pending", "sent", "paid"]),
                                    name="one_live_order_per_statement"),
            models.UniqueConstraint(fields=["settlement"], condition=Q(status__in=["pending", "sent", "paid"]),
                                    name="one_live_order_per_settlement"),
            models.UniqueConstraint(fields=["adjustment"], condition=Q(status__in=["pending", "sent", "paid"]),
                                    name="one_live_order_per_adjustment"),
            models.UniqueConstraint(fields=["batch", "seq"], name="unique_order_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="order_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}-{self.seq}"

    @property
    def memo(self) -> str:
        """The 附言 the bank carries back on its statement line: how reconciliation finds this order."""
        return order_memo(self.pk)


class ResultFile(models.Model):
    """A bank result file (回盘文件) as received, kept whole; applied once (same content = no-op)."""

    batch = models.ForeignKey(PaymentBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT,
                              related_name="result_files")
    sha256 = models.CharField(_("内容摘要"), max_length=64)
    path = models.CharField(_("存储路径"), max_length=500)
    file_name = models.CharField(_("文件名"), max_length=200)
    paid = models.PositiveIntegerField(_("成功"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    pending = models.PositiveIntegerField(_("处理中"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)

    objects = ScopedManager(region_field="batch__region")

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("银行回盘")
        constraints = [models.UniqueConstraint(fields=["batch", "sha256"], name="unique_result_file")]
