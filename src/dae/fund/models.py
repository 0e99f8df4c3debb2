"""Records of fund management (基金管理). The money itself lives in the ledger: every record here that moves
money holds the ledger transaction it posted (``transaction``), written in the same database transaction.

- ``FundYear``: a region's funds raised for a year (筹集资金) and its warning levels; every change is a row of
  ``FundYearChange`` (the history) and an event.
- ``AppropriationRequest``: the quarterly request (用款申请) computed from the previous quarter's expenditure.
- ``FundEntry``: one movement of the fund's own money (拨款到账, 划转, 经办费用, 利息, 临时周转金借入/归还),
  append-only like the ledger; a mistake is corrected by reversing its transaction (冲正) in the ledger.
- ``RepaymentDue``: the revolving fund must be repaid the working day after income funds arrive.
- ``Clearing``: the recorded year-end / contract-end clearing (清算).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField, PercentField
from dae.core.models import AppendOnlyModel, Region
from dae.core.scoping import ScopedManager

#: Default warning levels of the profit rate, in percent of the year's funds raised (benefit-policy §6).
YELLOW_LEVEL = Decimal("3.00")
RED_LEVEL = Decimal("3.85")


class FundYear(models.Model):
    """筹集资金: the contract's premium of a region for a year (the denominator of the profit rate), entered by
    finance. ``version`` counts the changes of ``funds_raised``: each posts the difference under the key
    ``fund:year:<pk>:v<version>``."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    funds_raised = MoneyField(_("筹集资金"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    yellow_level = PercentField(_("黄色预警线（%）"), default=YELLOW_LEVEL)
    red_level = PercentField(_("红色预警线（%）"), default=RED_LEVEL)
    contract_start = models.DateField(_("合同起始日"), null=True, blank=True)
    contract_end = models.DateField(_("合同终止日"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-year", "region"]
        verbose_name = _("基金年度")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="fund_year_region_year")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class FundYearChange(AppendOnlyModel):
    """One version of a fund year as it stood after a change (history table), with the reason and posting."""

    fund_year = models.ForeignKey(FundYear, verbose_name=_("基金年度"), on_delete=models.PROTECT,
                                  related_name="changes")
    version = models.PositiveIntegerField(_("版本"))
    funds_raised = MoneyField(_("筹集资金"))
    yellow_level = PercentField(_("黄色预警线（%）"))
    red_level = PercentField(_("红色预警线（%）"))
    contract_start = models.DateField(_("合同起始日"), null=True, blank=True)
    contract_end = models.DateField(_("合同终止日"), null=True, blank=True)
    reason = models.CharField(_("变更原因"), max_length=300, blank=True)
    transaction = models.ForeignKey("ledger.Transaction", verbose_name=_("记账凭证"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedManager(region_field="fund_year__region")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("基金年度变更记录")


class AppropriationRequest(models.Model):
    """用款申请 of a region for one quarter: the previous quarter's expenditure from the ledger (payouts,
    adjustments and deductions, operating costs), or for Q1 without a previous Q4 in the ledger the year's funds
    raised ÷ 4; plus finance's optional adjustment with a reason. Draft → submitted → received (partly/fully)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        PARTLY_RECEIVED = "partly", _("部分到账")
        RECEIVED = "received", _("已到账")

    class Basis(models.TextChoices):
        LEDGER = "ledger", _("上季度实际支出")
        FALLBACK = "fallback", _("年度筹集资金÷4")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    basis = models.CharField(_("测算依据"), max_length=10, choices=Basis.choices)
    basis_start = models.DateField(_("依据期间起"))
    basis_end = models.DateField(_("依据期间止"))
    payouts = MoneyField(_("补助支出（结算）"), default=0)
    adjustments = MoneyField(_("补付追回及扣款"), default=0)
    operating_costs = MoneyField(_("经办费用"), default=0)
    computed = MoneyField(_("测算金额"))
    adjustment = MoneyField(_("财务调整"), default=0)
    adjustment_reason = models.CharField(_("调整原因"), max_length=300, blank=True)
    amount = MoneyField(_("申请金额"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编制人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("编制时间"), default=timezone.now)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-year", "-quarter", "region"]
        verbose_name = _("用款申请")
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "quarter"], name="fund_request_region_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="fund_request_quarter"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}Q{self.quarter}"

    @property
    def number(self) -> str:
        """The document number printed on the request (用款申请编号)."""
        return f"YK{self.region_id}{self.year}Q{self.quarter}"


class FundEntry(AppendOnlyModel):
    """One movement of the fund's own money and the ledger transaction it posted. ``key`` makes a double
    submit (the same form, the same API call) return this row instead of posting again."""

    class Kind(models.TextChoices):
        APPROPRIATION = "appropriation", _("拨款到账")
        TRANSFER = "transfer", _("划转支出户")
        OPERATING_COST = "operating_cost", _("经办费用")
        INTEREST = "interest", _("利息收入")
        REVOLVING_DRAW = "revolving_draw", _("临时周转金借入")
        REVOLVING_REPAY = "revolving_repay", _("临时周转金归还")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    on = models.DateField(_("业务日期"))
    amount = MoneyField(_("金额"))
    reference_no = models.CharField(_("单据号"), max_length=64, blank=True,
                                    help_text=_("银行回单号、发票号等"))
    description = models.CharField(_("摘要"), max_length=300)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    approval_no = models.CharField(_("审批文号"), max_length=64, blank=True)
    request = models.ForeignKey(AppropriationRequest, verbose_name=_("用款申请"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="appropriations")
    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    transaction = models.OneToOneField("ledger.Transaction", verbose_name=_("记账凭证"), on_delete=models.PROTECT,
                                       related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("基金收支记录")
        indexes = [models.Index(fields=["region", "kind", "on"], name="fund_entry_region_kind_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on} {self.amount}"


class RepaymentDue(models.Model):
    """临时周转金应还: income funds arrived while the revolving fund was outstanding, so (up to) that much is
    due the next working day. ``repaid`` grows as repayments are recorded (oldest due first)."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    source = models.OneToOneField(FundEntry, verbose_name=_("到账记录"), on_delete=models.PROTECT,
                                  related_name="repayment_due")
    amount = MoneyField(_("应还金额"))
    due_on = models.DateField(_("应还日期"))
    repaid = MoneyField(_("已还金额"), default=0)
    repaid_on = models.DateField(_("还清日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("周转金应还记录")

    @property
    def open_amount(self) -> Decimal:
        return Decimal(self.amount) - Decimal(self.repaid)


class Clearing(models.Model):
    """清算 recorded by finance: the figures of the report as they stood, and the amount to return posted
    ``Dr 4001 / Cr 2401`` (once: one clearing per fund year and kind)."""

    class Kind(models.TextChoices):
        YEAR_END = "year_end", _("年终清算")
        CONTRACT_END = "contract_end", _("合同期满清算")

    fund_year = models.ForeignKey(FundYear, verbose_name=_("基金年度"), on_delete=models.PROTECT,
                                  related_name="clearings")
    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    kind = models.CharField(_("清算类型"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("清算日期"))
    period_start = models.DateField(_("清算期间起"))
    period_end = models.DateField(_("清算期间止"))
    figures = models.JSONField(_("清算数据"), default=dict)
    amount = MoneyField(_("退还金额"))
    reason = models.CharField(_("说明"), max_length=300)
    transaction = models.ForeignKey("ledger.Transaction", verbose_name=_("记账凭证"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    reserve = MoneyField(_("提取风险调节基金"), default=0)
    reserve_transaction = models.ForeignKey("ledger.Transaction", verbose_name=_("提取凭证"), null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-period_end", "region"]
        verbose_name = _("清算记录")
        constraints = [models.UniqueConstraint(fields=["fund_year", "kind"], name="fund_clearing_year_kind")]


# -- risk-adjustment fund (风险调节基金) ------------------------------------------------------------------------

class RiskReserveRule(AppendOnlyModel):
    """提取规则 of the risk-adjustment fund: ``share`` percent of the year's surplus (the profit left after the
    amount returned at clearing) is set aside at year-end clearing. Dated: the rule in force on the clearing's
    period end is the latest ``effective_from`` on or before it — a region's own row before the row for every
    region (``region`` empty). The manager sets it; a change adds a row and an event."""

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), null=True, blank=True, on_delete=models.PROTECT)
    share = PercentField(_("提取比例（%）"))
    effective_from = models.DateField(_("生效日期"))
    reason = models.CharField(_("说明"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", include_regionless=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("风险调节基金提取规则")


class RiskFundUse(models.Model):
    """动用风险调节基金: requested by finance, approved by the manager and then the bureau's supervisor (never the
    requester, never the same person twice); posted on the supervisor's approval, ``Dr 3101`` and ``Cr 4001`` (to
    cover a year's deficit) or ``Cr 2401`` (returned at contract-end clearing)."""

    class Purpose(models.TextChoices):
        DEFICIT = "deficit", _("弥补基金缺口")
        CONTRACT_END = "contract_end", _("合同期满清算")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待管理岗审批")
        MANAGER_APPROVED = "manager_approved", _("待医保局监督审批")
        POSTED = "posted", _("已记账")
        REFUSED = "refused", _("已拒绝")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    on = models.DateField(_("业务日期"))
    amount = MoneyField(_("金额"))
    reason = models.CharField(_("申请理由"), max_length=300)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    manager_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("管理岗审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    manager_at = models.DateTimeField(_("管理岗审批时间"), null=True, blank=True)
    supervisor_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("监督审批人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    supervisor_at = models.DateTimeField(_("监督审批时间"), null=True, blank=True)
    refusal = models.CharField(_("拒绝原因"), max_length=300, blank=True)
    transaction = models.OneToOneField("ledger.Transaction", verbose_name=_("记账凭证"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("风险调节基金动用")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount}"
