"""Manual reimbursement (手工/零星报销): the window's claims, their invoices and fee lines.

A person who paid a stay themselves applies at the window. The clerk registers the claim (``ManualClaim``) with
its invoices and either the five national totals or the fee lines (entered, or imported from a CSV/Excel fee
list), ticks the materials checklist (``checklist.py``), prints the receipt, computes; a second person checks
and approves or returns it. An approved claim becomes a stored ``claims.Settlement`` (settle way ``manual``,
``setl_id`` = the application number, state payable) so that it counts in the person-year and is paid with the
rest. States are ``dae.claims.states.ClaimState``; every transition is an event ``claim.<state>``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.claims.models import Settlement
from dae.claims.states import ClaimState
from dae.core.fields import EncryptedCharField, MoneyField
from dae.core.scoping import ScopedManager

TOTAL_FIELDS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


class ManualClaim(models.Model):
    class EntryMode(models.TextChoices):
        TOTALS = "totals", _("结算合计")
        LINES = "lines", _("费用明细")

    number = models.CharField(_("申请编号"), max_length=30, unique=True)
    person = models.ForeignKey("enrollment.Person", verbose_name=_("参保人"), on_delete=models.PROTECT)
    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    place_category = models.CharField(_("就医地类别"), max_length=30, choices=Settlement.PlaceCategory.choices)
    med_type = models.CharField(_("医疗类别"), max_length=6)
    adm_date = models.DateField(_("入院日期"))
    dscg_date = models.DateField(_("出院日期"))
    dise_codg = models.CharField(_("主诊断编码"), max_length=20)
    dise_name = models.CharField(_("主诊断名称"), max_length=100)
    injury = models.BooleanField(_("意外伤害"), default=False)
    entry_mode = models.CharField(_("费用录入方式"), max_length=10, choices=EntryMode.choices)
    # The five national totals: entered (totals mode) or computed from the fee lines by the engine (lines mode,
    # filled at the first calculation; until then only medfee_sumamt is known).
    medfee_sumamt = MoneyField(_("医疗费总额"))
    fulamt_ownpay_amt = MoneyField(_("全自费金额"), null=True, blank=True)
    overlmt_selfpay = MoneyField(_("超限价自费"), null=True, blank=True)
    preselfpay_amt = MoneyField(_("先行自付金额"), null=True, blank=True)
    inscp_scp_amt = MoneyField(_("符合政策范围金额"), null=True, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100)
    bank_account = EncryptedCharField(_("银行账号"), max_length=40)
    account_name = models.CharField(_("账户名"), max_length=50)
    phone = EncryptedCharField(_("手机号码"), max_length=20, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    received_on = models.DateField(_("受理日期"))
    materials = models.JSONField(_("已收材料"), default=list, blank=True)  # codes of checklist.MATERIALS
    materials_complete = models.BooleanField(_("材料齐全"), default=False)
    # The clock (see clock.py): 20 working days from the day the materials are complete; paused while not.
    clock_start = models.DateField(_("计时起点"), null=True, blank=True)
    clock_used = models.PositiveIntegerField(_("已用工作日"), default=0)
    due_date = models.DateField(_("预计办结日期"), null=True, blank=True)
    due_warnings = models.JSONField(_("期限提示"), default=list, blank=True)

    state = models.CharField(_("状态"), max_length=10, choices=ClaimState.choices, default=ClaimState.RECEIVED,
                             db_index=True)
    computed_pay = MoneyField(_("核定大额支付"), null=True, blank=True)
    policy_year = models.PositiveIntegerField(_("保单年度"), null=True, blank=True)
    version_id = models.CharField(_("规则集版本"), max_length=100, blank=True)
    explanation = models.JSONField(_("计算结果"), default=dict, blank=True)  # trial_io.settlement_doc with trace
    explanation_text = models.TextField(_("计算依据"), blank=True)  # format_trace_zh
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("计算人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    computer_ids = models.JSONField(_("曾计算人"), default=list, blank=True)  # every user who ever computed it
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("退回人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    close_reason = models.CharField(_("拒付/撤销原因"), max_length=500, blank=True)
    settlement = models.OneToOneField(Settlement, verbose_name=_("结算"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="manual_claim")
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["-received_on", "-id"]
        # the work queue: a region's open claims by due date (the queue page and API read the first page of it)
        indexes = [models.Index(fields=["region", "due_date", "received_on", "id"], name="manualclaim_queue")]
        verbose_name = _("手工报销申请")

    def __str__(self) -> str:
        return self.number

    @property
    def masked_phone(self) -> str:
        from dae.core.masking import mask_phone

        return mask_phone(self.phone) if self.phone else ""

    @property
    def masked_account(self) -> str:
        from dae.core.masking import mask_account

        return mask_account(self.bank_account)

    @property
    def clock_paused(self) -> bool:
        return self.state in OPEN_CLOCK_STATES and not self.materials_complete


#: States in which the completion clock matters (the claim is still being handled at the insurer).
OPEN_CLOCK_STATES = (ClaimState.RECEIVED, ClaimState.COMPUTED, ClaimState.CHECKED, ClaimState.APPROVED,
                     ClaimState.PAYABLE, ClaimState.RETURNED)


class Invoice(models.Model):
    claim = models.ForeignKey(ManualClaim, on_delete=models.CASCADE, related_name="invoices")
    number = models.CharField(_("发票号码"), max_length=50, db_index=True)
    date = models.DateField(_("开票日期"))
    amount = MoneyField(_("发票金额"))

    class Meta:
        ordering = ["claim_id", "date", "number"]
        verbose_name = _("发票")
        constraints = [models.UniqueConstraint(fields=["claim", "number"], name="unique_invoice_per_claim")]


class ManualFeeLine(models.Model):
    """A fee line of a manual claim as entered or imported (2301 vocabulary)."""

    claim = models.ForeignKey(ManualClaim, on_delete=models.CASCADE, related_name="fee_lines")
    feedetl_sn = models.CharField(_("费用明细流水号"), max_length=30)
    init_feedetl_sn = models.CharField(_("原费用流水号"), max_length=30, blank=True)
    med_list_codg = models.CharField(_("医疗目录编码"), max_length=50, blank=True)
    item_name = models.CharField(_("项目名称"), max_length=200, blank=True)
    chrgitm_lv = models.CharField(_("收费项目等级"), max_length=3)
    med_chrgitm_type = models.CharField(_("医疗收费项目类别"), max_length=6)
    cnt = models.DecimalField(_("数量"), max_digits=16, decimal_places=4)
    pric = models.DecimalField(_("单价"), max_digits=16, decimal_places=6, null=True, blank=True)
    det_item_fee_sumamt = MoneyField(_("明细项目费用总额"))
    overlmt_amt = MoneyField(_("超限价金额"), default=0)
    special_drug = models.CharField(_("特殊药品"), max_length=20, blank=True)  # "", in_basic_scope, class_b_managed

    class Meta:
        ordering = ["claim_id", "id"]
        verbose_name = _("手工报销费用明细")
        constraints = [models.UniqueConstraint(fields=["claim", "feedetl_sn"], name="unique_manual_line")]


class NumberCounter(models.Model):
    """The last sequence number given per region and day (申请编号 MR-<admdvs>-<yyyymmdd>-<nnnn>)."""

    region = models.ForeignKey("core.Region", on_delete=models.PROTECT)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="unique_counter_per_day")]
