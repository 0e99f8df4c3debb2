"""Settlements (结算) and their fee lines (费用明细), in the national interface's vocabulary (2304 / 2301)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.scoping import ScopedManager


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
