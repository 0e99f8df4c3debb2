"""The fund ledger (基金账): accounts of the scheme's chart, transactions (记账凭证) and their legs (分录).

Double entry: every transaction has at least two legs, each leg a positive amount on exactly one side, and the
debits equal the credits. Transactions and legs are append-only — a mistake is corrected by a reversing
transaction (冲正) that points to the original, never by an edit. Python refuses ``save`` of an existing row
and ``delete``; on PostgreSQL triggers refuse UPDATE and DELETE, and a deferred constraint trigger refuses at
commit a transaction whose legs do not balance (``migrations/0003_pg_integrity.py``). Writes go only through
``dae.ledger.actions``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.errors import AppendOnlyViolation
from dae.core.fields import MoneyField
from dae.core.models import AppendOnlyModel, Region
from dae.core.scoping import ScopedManager, ScopedQuerySet


class AppendOnlyQuerySet(ScopedQuerySet[Any]):
    """Bulk ``update()`` and ``delete()`` bypass the model's ``save``/``delete``; refuse them too."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyViolation()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyViolation()


class AppendOnlyManager(ScopedManager[Any]):
    def get_queryset(self) -> AppendOnlyQuerySet:
        return AppendOnlyQuerySet(self.model, using=self._db)


class Account(models.Model):
    """A ledger account (会计科目) of the chart. Seeded from ``chart.yaml``; a group account (汇总科目) only
    sums its children and takes no postings."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("资产")
        LIABILITY = "liability", _("负债")
        EQUITY = "equity", _("净资产")
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    class Side(models.TextChoices):
        DEBIT = "debit", _("借")
        CREDIT = "credit", _("贷")

    code = models.CharField(_("科目编码"), max_length=20, unique=True)
    name = models.CharField(_("科目名称"), max_length=100)
    kind = models.CharField(_("科目类别"), max_length=10, choices=Kind.choices)
    normal_side = models.CharField(_("余额方向"), max_length=6, choices=Side.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级科目"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), null=True, blank=True, on_delete=models.PROTECT,
                               help_text=_("为空表示各统筹区通用"))
    postable = models.BooleanField(_("可记账"), default=True)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("会计科目")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.normal_side == self.Side.DEBIT

    @property
    def depth(self) -> int:
        return max(0, (len(self.code) - 4) // 2)


class Transaction(AppendOnlyModel):
    """A posted journal entry (记账凭证). ``idempotency_key`` makes a retry return the same row;
    ``fingerprint`` is the hash of its content, to tell a retry from a different entry under the same key."""

    date = models.DateField(_("记账日期"), db_index=True)
    description = models.CharField(_("摘要"), max_length=300)
    reference_type = models.CharField(_("业务类型"), max_length=64)
    reference_id = models.CharField(_("业务编号"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=128, unique=True)
    fingerprint = models.CharField(_("内容指纹"), max_length=64)
    reverses = models.OneToOneField("self", verbose_name=_("冲正的原凭证"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversal")
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记账人"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("记账时间"), default=timezone.now)
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)

    objects = AppendOnlyManager(region_field="region")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("记账凭证")
        indexes = [models.Index(fields=["reference_type", "reference_id"], name="ledger_txn_reference")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.date} {self.description}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def reversal_or_none(self) -> Transaction | None:
        try:
            return self.reversal  # type: ignore[no-any-return]
        except Transaction.DoesNotExist:
            return None


class Leg(AppendOnlyModel):
    """One line of a transaction (分录): a positive amount on exactly one side of one account."""

    transaction = models.ForeignKey(Transaction, verbose_name=_("记账凭证"), on_delete=models.PROTECT,
                                    related_name="legs")
    # indexed by ``ledger_leg_account_txn`` below (account first), so no separate index on account alone
    account = models.ForeignKey(Account, verbose_name=_("会计科目"), on_delete=models.PROTECT, related_name="legs",
                                db_index=False)
    debit = MoneyField(_("借方金额"), default=0)
    credit = MoneyField(_("贷方金额"), default=0)

    objects = AppendOnlyManager(region_field="transaction__region")

    class Meta:
        ordering = ["id"]
        verbose_name = _("分录")
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="ledger_leg_one_positive_side",
            ),
        ]
        indexes = [models.Index(fields=["account", "transaction"], name="ledger_leg_account_txn")]

    def __str__(self) -> str:
        side = _("借") if self.debit else _("贷")
        return f"{self.account_id} {side} {self.debit or self.credit}"

    @property
    def amount(self) -> Any:
        return self.debit or self.credit


class DayClose(AppendOnlyModel):
    """A day closed (日清日结) in a region after bank reconciliation: from then on the ledger refuses any posting
    or reversal of that region dated on or before the latest closed day (``actions._refuse_closed``), so what
    finance reconciled cannot change underneath. A close is never undone (append-only here and, on PostgreSQL,
    by a trigger); a correction is posted on a later date. Written only by ``dae.bank.actions.do_close_days``."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    day = models.DateField(_("日结日期"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("日结人"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("日结时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    unmatched_count = models.PositiveIntegerField(_("未达账项数"), default=0,
                                                  help_text=_("日结时该日仍未匹配的银行流水和账面收付笔数"))

    objects = AppendOnlyManager(region_field="region")

    class Meta:
        ordering = ["-day"]
        verbose_name = _("日结")
        # the unique index (region, day) also serves the ledger's "latest closed day" lookup on every post
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="ledger_dayclose_region_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day}"
