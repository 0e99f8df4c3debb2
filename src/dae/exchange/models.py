"""The exchange with the medical insurance platform (医保信息平台): the message log, the circuit, the outbox,
and reconciliation (对账, 3201 totals / 3202 details) with its differences.

A message is identified by its ``msgid`` (the national envelope's 报文ID): a retry of the same request and a
delivery repeated after a crash reuse it, so the platform can de-duplicate. Bodies are kept with personal data
masked (``exchange.masking``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.scoping import ScopedManager


class MsgidCounter(models.Model):
    """The sequence behind msgids (one row per sender code); incremented with ``F()`` under a row lock."""

    sender = models.CharField(max_length=12, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)


class Call(models.Model):
    """One request to the platform with every try of it (same msgid), its answer and outcome (接口调用记录)."""

    class Outcome(models.TextChoices):
        OK = "ok", _("成功应答")
        REFUSED = "refused", _("平台拒绝")
        TIMEOUT = "timeout", _("超时")
        UNREACHABLE = "unreachable", _("无法连接")
        CIRCUIT_OPEN = "circuit_open", _("熔断暂停")
        BAD_ANSWER = "bad_answer", _("应答格式错误")

    msgid = models.CharField(_("报文ID"), max_length=30, db_index=True)
    infno = models.CharField(_("交易编号"), max_length=6)
    purpose = models.CharField(_("用途"), max_length=30)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), null=True, blank=True,
                               on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), null=True, blank=True,
                                 on_delete=models.PROTECT)
    request = models.JSONField(_("请求报文（已脱敏）"), default=dict)
    response = models.JSONField(_("应答报文（已脱敏）"), default=dict, blank=True)
    outcome = models.CharField(_("结果"), max_length=15, choices=Outcome.choices)
    infcode = models.IntegerField(_("交易状态码"), null=True, blank=True)
    err_msg = models.CharField(_("错误信息"), max_length=500, blank=True)
    tries = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    trace = models.JSONField(_("各次尝试"), default=list, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("调用时间"), default=timezone.now, db_index=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("接口调用记录")


class Circuit(models.Model):
    """The circuit in front of the platform: after ``CIRCUIT_FAILURES`` failed calls in a row it opens and every
    call is refused at once until ``open_until``; then one call is let through (half-open)."""

    name = models.CharField(max_length=30, primary_key=True)
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    opened_times = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)


class Outbound(models.Model):
    """A message waiting to go to the platform (发送队列): a paid statement's payment results or a finding's audit
    feedback. Its ``msgid`` is fixed when it is queued, so every try and a repeat after a crash carry the same."""

    class Kind(models.TextChoices):
        PAYMENT_RESULT = "payment_result", _("支付结果反馈")
        AUDIT_FEEDBACK = "audit_feedback", _("审核结果反馈")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已送达")
        REFUSED = "refused", _("平台拒收")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    source_id = models.PositiveBigIntegerField(_("来源记录"))
    msgid = models.CharField(_("报文ID"), max_length=30, unique=True)
    infno = models.CharField(_("交易编号"), max_length=6)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    payload = models.JSONField(_("报文内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送"), default=timezone.now)
    answer = models.JSONField(_("平台应答"), default=dict, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("平台发送队列")
        constraints = [models.UniqueConstraint(fields=["kind", "source_id"], name="exchange_one_outbound_per_source")]


class Reconciliation(models.Model):
    """One reconciliation run (对账) of a hospital's month with the platform: our totals, the platform's, and —
    when they differ — the detail comparison's differences."""

    class Status(models.TextChoices):
        CLEAN = "clean", _("对平")
        DIFFERENT = "different", _("有差异")
        FAILED = "failed", _("未完成")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    month = models.CharField(_("对账月份"), max_length=7)
    status = models.CharField(_("对账结果"), max_length=10, choices=Status.choices)
    our_count = models.PositiveIntegerField(_("本系统笔数"), default=0)
    our_medfee = MoneyField(_("本系统医疗费总额"), default=0)
    our_fund = MoneyField(_("本系统大额基金支付"), default=0)
    our_cancelled = models.PositiveIntegerField(_("本系统撤销笔数"), default=0)
    platform_count = models.PositiveIntegerField(_("平台笔数"), default=0)
    platform_medfee = MoneyField(_("平台医疗费总额"), default=0)
    platform_fund = MoneyField(_("平台大额基金支付"), default=0)
    platform_cancelled = models.PositiveIntegerField(_("平台撤销笔数"), default=0)
    differences_count = models.PositiveIntegerField(_("差异笔数"), default=0)
    open_count = models.PositiveIntegerField(_("未处理差异"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    totals_msgid = models.CharField(_("对总账报文ID"), max_length=30, blank=True)
    details_msgid = models.CharField(_("对明细账报文ID"), max_length=30, blank=True)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("对账人"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    run_at = models.DateTimeField(_("对账时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-run_at", "-id"]
        verbose_name = _("平台对账")
        indexes = [models.Index(fields=["region", "month"])]

    def __str__(self) -> str:
        return f"{self.month} {self.hospital_id}"


class Difference(models.Model):
    """One settlement that differs between us and the platform (对账差异), with the fields that differ; resolved
    with a note by finance."""

    class Kind(models.TextChoices):
        MISSING_HERE = "missing_here", _("平台有、本系统无")
        MISSING_PLATFORM = "missing_platform", _("本系统有、平台无")
        AMOUNT = "amount", _("金额或状态不一致")

    reconciliation = models.ForeignKey(Reconciliation, verbose_name=_("平台对账"), on_delete=models.PROTECT,
                                       related_name="differences")
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    setl_id = models.CharField(_("结算ID"), max_length=30)
    kind = models.CharField(_("差异类型"), max_length=20, choices=Kind.choices)
    fields = models.JSONField(_("差异字段"), default=list)  # [{"field", "ours", "platform"}]
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("处理说明"), max_length=500, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["reconciliation_id", "setl_id", "id"]
        verbose_name = _("对账差异")
