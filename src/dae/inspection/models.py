"""Records of inspection (稽核).

- ``SamplingSettings``: the default ratios and deadline of the monthly re-review sample, versioned (each change is
  a new row with its reason: the history); the manager edits them.
- ``Sample`` / ``SampleItem``: a region-month's seeded random sample of inpatient settlements (抽样复审) and, per
  settlement drawn, its stratum and the reviewer's three comparisons (病历审核 三比对).
- ``Inspection`` / ``Finding``: an on-site inspection (现场巡查) of a hospital and what it found; on confirmation
  each finding with an amount becomes a deduction (``payments.Deduction``).
- ``Document``: a scan, photo or PDF attached to a sample item, an inspection or a finding (kept under
  ``UPLOAD_DIR/inspection`` through ``core.uploads``).
- ``Investigation``: a remote investigation task (异地协查) with its working-day deadlines, result and feedback.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField, PercentField
from dae.core.models import AppendOnlyModel, Region
from dae.core.scoping import ScopedManager, ScopedQuerySet

#: Built-in defaults (requirements §6; seed 000): ≥ 5 % of inpatient settlements, ≥ 20 % of cross-province ones.
DEFAULT_INPATIENT_RATIO = Decimal("5.00")
DEFAULT_CROSS_PROVINCE_RATIO = Decimal("20.00")
#: Working days to complete a month's sample (from the day it is drawn).
DEFAULT_DEADLINE_DAYS = 20
#: Remote investigation: result within 5 working days of the request, feedback within 3 after the result (seed 003).
RESULT_DAYS = 5
FEEDBACK_DAYS = 3


class SamplingSettings(AppendOnlyModel):
    """One version of the sampling defaults. The version in force is the highest; none stored = built-in."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    inpatient_ratio = PercentField(_("住院结算抽样比例（%）"))
    cross_province_ratio = PercentField(_("跨省异地住院抽样比例（%）"))
    deadline_days = models.PositiveSmallIntegerField(_("复审完成时限（工作日）"))
    reason = models.CharField(_("变更原因"), max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("变更人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("抽样参数")

    def __str__(self) -> str:
        return f"v{self.version}"


class Sample(models.Model):
    """抽样复审: the seeded random sample of a region's inpatient settlements of one settlement month."""

    class Status(models.TextChoices):
        OPEN = "open", _("复审中")
        COMPLETED = "completed", _("已完成")

    class SeedSource(models.TextChoices):
        SYSTEM = "system", _("系统随机生成")
        GIVEN = "given", _("人工指定")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    month = models.CharField(_("结算月份"), max_length=7)  # YYYY-MM, by setl_time
    seed = models.PositiveBigIntegerField(_("随机种子"))
    seed_source = models.CharField(_("种子来源"), max_length=10, choices=SeedSource.choices)
    inpatient_ratio = PercentField(_("住院结算抽样比例（%）"))
    cross_province_ratio = PercentField(_("跨省异地住院抽样比例（%）"))
    settings_version = models.PositiveIntegerField(_("参数版本"), default=0)
    population = models.PositiveIntegerField(_("住院结算总数"))
    cross_population = models.PositiveIntegerField(_("跨省异地住院结算数"))
    required_total = models.PositiveIntegerField(_("住院应抽数"))
    required_cross = models.PositiveIntegerField(_("跨省异地应抽数"))
    drawn_on = models.DateField(_("抽样日期"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽样人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽样时间"), default=timezone.now)
    deadline_days = models.PositiveSmallIntegerField(_("完成时限（工作日）"))
    due_on = models.DateField(_("完成期限"))
    deadline_warnings = models.JSONField(_("期限提示"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-month", "region"]
        verbose_name = _("抽样复审")
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="inspection_sample_region_month")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month}"

    @property
    def number(self) -> str:
        return f"CY{self.region_id}{self.month.replace('-', '')}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Not completed by its due date (or completed after it)."""
        if self.completed_on is not None:
            return self.completed_on > self.due_on
        return (today or timezone.localdate()) > self.due_on


class Comparison(models.TextChoices):
    """The result of one of the three comparisons (三比对)."""

    CONSISTENT = "consistent", _("一致")
    INCONSISTENT = "inconsistent", _("不一致")


#: The three comparisons: (field, label). 系统明细 ↔ 病历, 病历 ↔ 清单, 系统明细 ↔ 清单 (seed 001 “三对照”).
COMPARISONS: tuple[tuple[str, Any], ...] = (
    ("system_vs_record", _("系统明细与病历")),
    ("record_vs_bill", _("病历与费用清单")),
    ("system_vs_bill", _("系统明细与费用清单")),
)


class SampleItem(models.Model):
    """One settlement drawn into a sample, and its review (三比对, the amount not payable, the conclusion)."""

    class Stratum(models.TextChoices):
        CROSS_PROVINCE = "cross_province", _("跨省异地住院")
        INPATIENT = "inpatient", _("住院")

    class Status(models.TextChoices):
        PENDING = "pending", _("待复审")
        REVIEWED = "reviewed", _("已复审")

    class Conclusion(models.TextChoices):
        COMPLIANT = "compliant", _("合规")
        NON_COMPLIANT = "non_compliant", _("存在违规")

    sample = models.ForeignKey(Sample, verbose_name=_("抽样复审"), on_delete=models.PROTECT, related_name="items")
    settlement = models.ForeignKey(
        "claims.Settlement", verbose_name=_("结算"), on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveIntegerField(_("抽取顺序"))
    stratum = models.CharField(_("抽样层"), max_length=20, choices=Stratum.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    system_vs_record = models.CharField(_("系统明细与病历"), max_length=12, choices=Comparison.choices, blank=True)
    system_vs_record_note = models.CharField(_("系统明细与病历说明"), max_length=500, blank=True)
    record_vs_bill = models.CharField(_("病历与费用清单"), max_length=12, choices=Comparison.choices, blank=True)
    record_vs_bill_note = models.CharField(_("病历与费用清单说明"), max_length=500, blank=True)
    system_vs_bill = models.CharField(_("系统明细与费用清单"), max_length=12, choices=Comparison.choices, blank=True)
    system_vs_bill_note = models.CharField(_("系统明细与费用清单说明"), max_length=500, blank=True)
    not_payable = MoneyField(_("不予支付金额"), null=True, blank=True)
    conclusion = models.CharField(_("审核结论"), max_length=15, choices=Conclusion.choices, blank=True)
    opinion = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复审人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("复审时间"), null=True, blank=True)

    objects = ScopedManager(region_field="sample__region")

    class Meta:
        ordering = ["sample_id", "seq"]
        verbose_name = _("抽样病历")
        constraints = [
            models.UniqueConstraint(fields=["sample", "settlement"], name="inspection_item_sample_settlement"),
            models.UniqueConstraint(fields=["sample", "seq"], name="inspection_item_sample_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}#{self.seq}"

    @property
    def psn_no(self) -> str:
        """For the access log: the person whose settlement this is."""
        return str(self.settlement.psn_no)

    def comparisons(self) -> list[tuple[str, Any, str, str]]:
        """(field, label, result, note) of the three comparisons, for the pages."""
        return [(name, label, getattr(self, name), getattr(self, f"{name}_note")) for name, label in COMPARISONS]


class Inspection(models.Model):
    """现场巡查 of a hospital: who went, when, what kind, what was found. Draft → submitted → confirmed."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常巡查")
        SPECIAL = "special", _("专项检查")
        RESIDENT = "resident", _("驻点核查")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        CONFIRMED = "confirmed", _("已确认")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey(
        "catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_on = models.DateField(_("巡查日期"))
    kind = models.CharField(_("巡查类型"), max_length=10, choices=Kind.choices)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("巡查人员"), related_name="inspections_done"
    )
    summary = models.TextField(_("巡查情况"), max_length=2000, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-inspected_on", "-id"]
        verbose_name = _("现场巡查")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"XC{self.region_id}-{self.pk or 0:05d}"


class Finding(models.Model):
    """A problem found on site: what, on which rule or basis, and the amount to deduct (0 for none)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("现场巡查"), on_delete=models.PROTECT, related_name="findings"
    )
    seq = models.PositiveIntegerField(_("序号"))
    description = models.CharField(_("问题描述"), max_length=500)
    basis = models.CharField(_("违规依据"), max_length=300)
    amount = MoneyField(_("扣款金额"), default=0)
    deduction = models.OneToOneField(
        "payments.Deduction", verbose_name=_("扣款"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="inspection__region", hospital_field="inspection__hospital")

    class Meta:
        ordering = ["inspection_id", "seq"]
        verbose_name = _("巡查问题")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "seq"], name="inspection_finding_seq"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="inspection_finding_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}#{self.seq}"


class Document(models.Model):
    """An uploaded scan, photo or PDF of a sample item (病历扫描件), an inspection or one of its findings."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        PDF = "pdf", _("PDF 文件")

    region = models.ForeignKey(Region, verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey(
        "catalog.Hospital",
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sample_item = models.ForeignKey(
        SampleItem,
        verbose_name=_("抽样病历"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("现场巡查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    finding = models.ForeignKey(
        Finding, verbose_name=_("巡查问题"), null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=5, choices=Kind.choices)
    content_type = models.CharField(_("内容类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    path = models.CharField(_("存储路径"), max_length=500)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("稽核附件")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(sample_item__isnull=False, inspection__isnull=True, finding__isnull=True)
                    | models.Q(sample_item__isnull=True, inspection__isnull=False)
                ),
                name="inspection_document_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE


class InvestigationQuerySet(ScopedQuerySet["Investigation"]):
    def for_user(self, user: Any) -> InvestigationQuerySet:
        """Staff see the tasks their regions requested and those assigned to their regions (the branch doing
        the work); nobody else sees any."""
        if user is None or not user.is_authenticated or user.scope_kind != "region":
            return self.none()
        regions = user.region_codes
        return self.filter(models.Q(region__in=regions) | models.Q(assigned_region__in=regions))


class InvestigationManager(ScopedManager["Investigation"]):
    def get_queryset(self) -> InvestigationQuerySet:
        return InvestigationQuerySet(self.model, using=self._db)


class Investigation(models.Model):
    """异地协查: a region asks for the facts of treatment elsewhere. The result is due 5 working days after the
    request, the feedback to the requester 3 working days after the result (``workdays.service.deadline``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("协查中")
        ANSWERED = "answered", _("待反馈")
        CLOSED = "closed", _("已反馈")

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", _("属实")
        PARTLY = "partly", _("部分属实")
        UNFOUNDED = "unfounded", _("不属实")
        UNVERIFIABLE = "unverifiable", _("无法核实")

    region = models.ForeignKey(Region, verbose_name=_("委托统筹区"), on_delete=models.PROTECT)
    settlement = models.ForeignKey(
        "claims.Settlement", verbose_name=_("结算"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    psn_no = models.CharField(_("人员编号"), max_length=30, blank=True)
    psn_name = models.CharField(_("姓名"), max_length=50, blank=True)
    hospital_name = models.CharField(_("就医机构"), max_length=100, blank=True)
    hospital_place = models.CharField(_("就医地"), max_length=100, blank=True)
    subject = models.CharField(_("协查事项"), max_length=1000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_region = models.ForeignKey(
        Region, verbose_name=_("承办机构（统筹区）"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_on = models.DateField(_("委托日期"))
    due_on = models.DateField(_("协查期限"))
    deadline_warnings = models.JSONField(_("期限提示"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("委托人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("协查结论"), max_length=15, choices=Outcome.choices, blank=True)
    result_text = models.CharField(_("协查结果"), max_length=1000, blank=True)
    amount = MoneyField(_("涉及金额"), null=True, blank=True)
    result_on = models.DateField(_("结果日期"), null=True, blank=True)
    result_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结果登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    feedback_due = models.DateField(_("反馈期限"), null=True, blank=True)
    feedback_warnings = models.JSONField(_("反馈期限提示"), default=list, blank=True)
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    feedback_text = models.CharField(_("反馈内容"), max_length=1000, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = InvestigationManager(region_field="region")

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("异地协查")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="inspection_investigation_amount",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"XCX{self.region_id}-{self.pk or 0:05d}"

    def result_overdue(self, today: dt.date | None = None) -> bool:
        """The result came after its due date, or has not come and the due date has passed."""
        if self.result_on is not None:
            return self.result_on > self.due_on
        return (today or timezone.localdate()) > self.due_on

    def feedback_overdue(self, today: dt.date | None = None) -> bool:
        """After a result: the feedback came late, or has not come and its due date has passed."""
        if self.result_on is None or self.feedback_due is None:
            return False
        if self.feedback_on is not None:
            return self.feedback_on > self.feedback_due
        return (today or timezone.localdate()) > self.feedback_due

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.result_overdue(today) or self.feedback_overdue(today)
