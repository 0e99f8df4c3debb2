"""Bank reconciliation (银行对账): imported bank statements (银行对账单) and their lines, the pairs matched with
the ledger's cash legs, and the notes finance writes on items that stay unmatched.

A statement is the bank's own record of one fund bank account of one region (100201 收入户 or 100202 支出户);
its lines are never edited, only their ``state`` follows matching. A ``Match`` pairs one bank line with one
ledger leg; the database refuses a second match of the same line or the same leg (one-to-one fields). Writes go
through ``dae.bank.actions``; the day close (日清日结) is ``ledger.DayClose`` written by ``dae.bank.actions.do_close_days``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.models import Region
from dae.core.scoping import ScopedManager
from dae.ledger.models import Account, Leg


class Direction(models.TextChoices):
    """Seen from the fund's bank account: money in (收; a debit leg) or out (付; a credit leg)."""

    IN = "in", _("收")
    OUT = "out", _("付")


class BankStatement(models.Model):
    """One imported statement file of one bank account (region + ledger account 100201/100202). The same file
    (by SHA-256) is imported once. The period is the span of its line dates unless the import names a wider
    one (a monthly statement covers the whole month, also days without bank lines)."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    account = models.ForeignKey(Account, verbose_name=_("银行存款科目"), on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("起始日期"))
    period_to = models.DateField(_("截止日期"))
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64, unique=True)
    path = models.CharField(_("存储路径"), max_length=500, blank=True)
    encoding = models.CharField(_("文件编码"), max_length=20, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    line_count = models.PositiveIntegerField(_("流水笔数"), default=0)
    opening_balance = MoneyField(_("期初余额"), null=True, blank=True)
    closing_balance = MoneyField(_("期末余额"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-period_to", "-id"]
        verbose_name = _("银行对账单")
        indexes = [models.Index(fields=["region", "account", "period_from"], name="bank_statement_period")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


class BankLine(models.Model):
    """One line of a statement. ``state``: unmatched (未达) until paired with a ledger leg (matched), or
    duplicate when its bank serial (银行流水号) was already seen on the same account — never matched."""

    class State(models.TextChoices):
        UNMATCHED = "unmatched", _("未匹配")
        MATCHED = "matched", _("已匹配")
        DUPLICATE = "duplicate", _("重复流水")

    statement = models.ForeignKey(BankStatement, verbose_name=_("银行对账单"), on_delete=models.PROTECT,
                                  related_name="lines")
    # region and account repeat the statement's: matching and duplicate checks read lines by account directly
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    account = models.ForeignKey(Account, verbose_name=_("银行存款科目"), on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField(_("行号"))
    date = models.DateField(_("交易日期"))
    serial = models.CharField(_("银行流水号"), max_length=64)
    direction = models.CharField(_("收支方向"), max_length=3, choices=Direction.choices)
    amount = MoneyField(_("金额"))
    counterparty = models.CharField(_("对方户名"), max_length=200, blank=True)
    counterparty_account = models.CharField(_("对方账号"), max_length=64, blank=True)
    memo = models.CharField(_("摘要"), max_length=300, blank=True)
    balance = MoneyField(_("余额"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.UNMATCHED)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["date", "statement_id", "seq"]
        verbose_name = _("银行流水")
        constraints = [
            models.UniqueConstraint(fields=["statement", "seq"], name="bank_line_statement_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_line_positive_amount"),
        ]
        indexes = [
            models.Index(fields=["account", "region", "date"], name="bank_line_account_date"),
            models.Index(fields=["account", "region", "serial"], name="bank_line_account_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.serial} {self.get_direction_display()} {self.amount}"


class Match(models.Model):
    """A bank line paired with the ledger leg it stands for. One-to-one on both sides, in the database."""

    class Rule(models.TextChoices):
        MEMO = "memo", _("附言匹配")
        AMOUNT_DATE = "amount_date", _("金额日期匹配")
        MANUAL = "manual", _("手工匹配")

    line = models.OneToOneField(BankLine, verbose_name=_("银行流水"), on_delete=models.PROTECT, related_name="match")
    leg = models.OneToOneField(Leg, verbose_name=_("账面分录"), on_delete=models.PROTECT, related_name="bank_match")
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    rule = models.CharField(_("匹配规则"), max_length=12, choices=Rule.choices)
    matched_at = models.DateTimeField(_("匹配时间"), default=timezone.now)
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("匹配人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("手工匹配原因"), max_length=300, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-matched_at", "-id"]
        verbose_name = _("对账匹配")

    def __str__(self) -> str:
        return f"{self.line_id} ↔ {self.leg_id} ({self.rule})"


class Note(models.Model):
    """Finance's note on an unmatched item (a bank line or a ledger leg), e.g. why it is still open. Notes are
    kept as a history; the latest is shown with the item."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    line = models.ForeignKey(BankLine, verbose_name=_("银行流水"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="notes")
    leg = models.ForeignKey(Leg, verbose_name=_("账面分录"), null=True, blank=True, on_delete=models.PROTECT,
                            related_name="bank_notes")
    text = models.CharField(_("备注"), max_length=300)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("备注人"), null=True,
                                 on_delete=models.PROTECT, related_name="+")
    noted_at = models.DateTimeField(_("备注时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-noted_at", "-id"]
        verbose_name = _("未达账项备注")
        constraints = [models.CheckConstraint(
            condition=(Q(line__isnull=False) & Q(leg__isnull=True)) | (Q(line__isnull=True) & Q(leg__isnull=False)),
            name="bank_note_one_item")]

    def __str__(self) -> str:
        return self.text
