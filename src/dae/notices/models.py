"""Notices to insured persons (通知) and the SMS outbox (短信发件箱).

A ``Notice`` is what the insured person reads in self-service: which claim, approved or paid, the amount and
the calculation basis (计算依据). Each notice also queues one ``SmsMessage``; the configured gateway
(``settings.SMS_BACKEND``, see ``sms.py``) delivers it, or — with the local ``OutboxBackend`` — it stays in the
outbox where the service desk and the manager read it. ``Contact`` keeps the mobile number a person last gave
(at the window), so a notice written by any app finds the number by ``psn_no``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import EncryptedCharField, MoneyField
from dae.core.scoping import ScopedManager


class Contact(models.Model):
    psn_no = models.CharField(_("人员编号"), max_length=30, unique=True)
    phone = EncryptedCharField(_("手机号码"), max_length=20)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["psn_no"]
        verbose_name = _("联系方式")

    def __str__(self) -> str:
        return self.psn_no


class Notice(models.Model):
    class Kind(models.TextChoices):
        APPROVED = "approved", _("审批通过")
        PAID = "paid", _("已支付")

    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    claim_ref = models.CharField(_("业务编号"), max_length=40)
    kind = models.CharField(_("通知类型"), max_length=10, choices=Kind.choices)
    amount = MoneyField(_("金额"))
    basis_text = models.TextField(_("计算依据"), blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    is_read = models.BooleanField(_("已读"), default=False)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        constraints = [models.UniqueConstraint(fields=["psn_no", "claim_ref", "kind"], name="one_notice_per_claim_kind")]

    def __str__(self) -> str:
        return f"{self.claim_ref} {self.kind}"


class SmsMessage(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    phone = EncryptedCharField(_("手机号码"), max_length=20, blank=True)
    text = models.CharField(_("短信内容"), max_length=500)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    backend = models.CharField(_("短信通道"), max_length=200, blank=True)
    provider_ref = models.CharField(_("通道回执号"), max_length=100, blank=True)
    error = models.CharField(_("失败原因"), max_length=300, blank=True)
    notice = models.ForeignKey(Notice, verbose_name=_("通知"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="sms")
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # retries (sms_dispatch): how many times it was handed to the gateway, and when it may be tried again
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True, db_index=True)
    # what queued it (a campaign's key per person, …): the same key is never queued twice
    key = models.CharField(_("发送批次键"), max_length=80, null=True, blank=True, unique=True)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信")

    def __str__(self) -> str:
        return f"{self.psn_no} {self.status}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678`` (the outbox never shows a whole number)."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
