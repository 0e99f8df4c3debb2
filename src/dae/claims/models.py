"""Settlements (结算) and their fee lines (费用明细), in the national interface's vocabulary (2304 / 2301)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.scoping import ScopedManager

from .states import ClaimState


class Declaration(models.Model):
    """A hospital's monthly declaration (月结申报) of its instant settlements, in the national format.

    Checked as one job; each settlement in it is accepted, differing or rejected on its own (``DeclarationItem``).
    ``idempotency_key`` (per hospital) makes a replay a no-op. The payment deadline counts 15 working days
    from the day the declaration was successfully checked.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("已接收")
        CHECKING = "checking", _("校验中")
        CHECKED = "checked", _("已校验")
        FAILED = "failed", _("失败")

    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    month = models.CharField(_("申报月份"), max_length=7)  # YYYY-MM
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    sha256 = models.CharField(_("内容摘要"), max_length=64)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    path = models.CharField(_("存储路径"), max_length=500)
    settlements_count = models.PositiveIntegerField(_("结算笔数"), default=0)
    lines_count = models.PositiveIntegerField(_("明细条数"), default=0)
    accepted = models.PositiveIntegerField(_("通过"), default=0)
    differing = models.PositiveIntegerField(_("金额有差异"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    replayed = models.PositiveIntegerField(_("重复申报"), default=0)
    declared_total = MoneyField(_("申报大额支付合计"), default=0)
    computed_total = MoneyField(_("核定大额支付合计"), default=0)
    checked_on = models.DateField(_("申报成功日期"), null=True, blank=True)
    pay_deadline = models.DateField(_("支付期限"), null=True, blank=True)
    deadline_warnings = models.JSONField(_("期限提示"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("接收时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("月结申报")
        constraints = [models.UniqueConstraint(fields=["hospital", "idempotency_key"],
                                               name="unique_declaration_key")]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.month} #{self.pk}"


class Settlement(models.Model):
    class PlaceCategory(models.TextChoices):
        LOCAL = "local", _("本地就医")
        LONG_TERM_OFFSITE = "long_term_offsite", _("长期异地就医")
        LONG_TERM_NOT_DIRECT = "long_term_offsite_not_direct", _("异地未直接结算")
        REFERRED = "referred", _("转诊转院")
        SELF_REFERRED = "self_referred", _("未履行程序自行异地就医")
        EMERGENCY_AWAY = "emergency_away", _("临时外出急诊")

    class SettleWay(models.TextChoices):
        DIRECT = "direct", _("即时结算")
        MANUAL = "manual", _("手工报销")

    setl_id = models.CharField(_("结算ID"), max_length=30, unique=True)
    mdtrt_id = models.CharField(_("就诊ID"), max_length=30, db_index=True)
    init_setl_id = models.CharField(_("原结算ID"), max_length=30, blank=True)
    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    person = models.ForeignKey("enrollment.Person", verbose_name=_("参保人"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    med_type = models.CharField(_("医疗类别"), max_length=6)
    adm_date = models.DateField(_("入院日期"))
    dscg_date = models.DateField(_("出院日期"))
    setl_time = models.DateTimeField(_("结算时间"), db_index=True)
    dise_codg = models.CharField(_("主诊断编码"), max_length=20, blank=True)
    dise_name = models.CharField(_("主诊断名称"), max_length=100, blank=True)
    place_category = models.CharField(_("就医地类别"), max_length=30, choices=PlaceCategory.choices)
    settle_way = models.CharField(_("结算方式"), max_length=10, choices=SettleWay.choices)
    mid_setl_flag = models.BooleanField(_("中途结算"), default=False)
    medfee_sumamt = MoneyField(_("医疗费总额"))
    fulamt_ownpay_amt = MoneyField(_("全自费金额"))
    overlmt_selfpay = MoneyField(_("超限价自费"))
    preselfpay_amt = MoneyField(_("先行自付金额"))
    inscp_scp_amt = MoneyField(_("符合政策范围金额"))
    hifob_pay = MoneyField(_("大额医疗费用补助基金支出"), null=True, blank=True)
    computed_pay = MoneyField(_("核定大额支付"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ClaimState.choices, default=ClaimState.PAYABLE,
                             db_index=True)
    declaration = models.ForeignKey(Declaration, verbose_name=_("月结申报"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="settlements")
    national = models.JSONField(_("申报原文"), default=dict, blank=True)  # the setlinfo + setldetail as declared
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    statement = models.ForeignKey("payments.Statement", verbose_name=_("月结单"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="settlements")

    objects = ScopedManager(region_field="region", hospital_field="hospital", person_field="psn_no")

    class Meta:
        ordering = ["-setl_time", "-id"]
        verbose_name = _("结算")
        indexes = [models.Index(fields=["psn_no", "setl_time"])]

    def __str__(self) -> str:
        return self.setl_id


class FeeLine(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="lines")
    feedetl_sn = models.CharField(_("费用明细流水号"), max_length=30)
    init_feedetl_sn = models.CharField(_("原费用流水号"), max_length=30, blank=True)
    fee_ocur_time = models.DateTimeField(_("费用发生时间"))
    med_list_codg = models.CharField(_("医疗目录编码"), max_length=50)
    medins_list_codg = models.CharField(_("医药机构目录编码"), max_length=150)
    det_item_fee_sumamt = MoneyField(_("明细项目费用总额"))
    cnt = models.DecimalField(_("数量"), max_digits=16, decimal_places=4)
    pric = models.DecimalField(_("单价"), max_digits=16, decimal_places=6)
    chrgitm_lv = models.CharField(_("收费项目等级"), max_length=3)
    med_chrgitm_type = models.CharField(_("医疗收费项目类别"), max_length=6)
    overlmt_amt = MoneyField(_("超限价金额"), default=0)
    fulamt_ownpay_amt = MoneyField(_("全自费金额"), default=0)
    preselfpay_amt = MoneyField(_("先行自付金额"), default=0)
    inscp_scp_amt = MoneyField(_("符合政策范围金额"), default=0)
    bilg_dept_codg = models.CharField(_("开单科室编码"), max_length=30, blank=True)
    bilg_dept_name = models.CharField(_("开单科室名称"), max_length=100, blank=True)
    bilg_dr_codg = models.CharField(_("开单医生编码"), max_length=30, blank=True)
    bilg_dr_name = models.CharField(_("开单医生姓名"), max_length=50, blank=True)
    dialysis_session = models.CharField(_("透析次序"), max_length=30, blank=True)

    objects = ScopedManager(
        region_field="settlement__region", hospital_field="settlement__hospital", person_field="settlement__psn_no"
    )

    class Meta:
        ordering = ["settlement_id", "feedetl_sn"]
        verbose_name = _("费用明细")
        constraints = [models.UniqueConstraint(fields=["settlement", "feedetl_sn"], name="unique_line_per_settlement")]


class DeclarationItem(models.Model):
    """The outcome of one settlement of a declaration: accepted, differing (stored, with the difference and the
    reason from the trace), rejected (not stored, with a stable reason code) or replayed (already stored)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("通过")
        DIFFERING = "differing", _("金额有差异")
        REJECTED = "rejected", _("拒绝")
        REPLAYED = "replayed", _("重复申报")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveIntegerField(_("序号"))
    setl_id = models.CharField(_("结算ID"), max_length=30, db_index=True)
    psn_no = models.CharField(_("人员编号"), max_length=30, blank=True)
    init_setl_id = models.CharField(_("原结算ID"), max_length=30, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    reason_code = models.CharField(_("原因代码"), max_length=40, blank=True)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    declared_pay = MoneyField(_("申报大额支付"), null=True, blank=True)
    computed_pay = MoneyField(_("核定大额支付"), null=True, blank=True)
    difference = MoneyField(_("差额"), null=True, blank=True)

    objects = ScopedManager(region_field="declaration__region", hospital_field="declaration__hospital",
                            person_field="psn_no")

    class Meta:
        ordering = ["declaration_id", "seq"]
        verbose_name = _("申报结算结果")


class Adjustment(models.Model):
    """A 补付 (supplement) or 追回 (recovery) on a settlement already paid, for the next monthly statement.

    Made when a cancellation or a late claim moves the payouts of a person-year; a paid amount is never edited.
    """

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("补付")
        RECOVERY = "recovery", _("追回")

    class Status(models.TextChoices):
        OPEN = "open", _("待结算")
        SETTLED = "settled", _("已结算")

    settlement = models.ForeignKey(Settlement, verbose_name=_("结算"), on_delete=models.PROTECT,
                                   related_name="adjustments")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    old_payout = MoneyField(_("原支付"))
    new_payout = MoneyField(_("重算支付"))
    amount = MoneyField(_("差额"))  # new − old: positive = supplement, negative = recovery
    reason = models.CharField(_("原因"), max_length=20)  # engine AdjustmentReason
    cause_setl_id = models.CharField(_("引起重算的结算ID"), max_length=30)
    statement_month = models.CharField(_("计入月结"), max_length=7)  # YYYY-MM of the next monthly statement
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    statement = models.ForeignKey("payments.Statement", verbose_name=_("月结单"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="adjustments")
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital", person_field="psn_no")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("补付追回")
