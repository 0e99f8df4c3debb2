"""Audit runs, findings and the suspicious-item workflow (智能审核 / 疑点处理).

The rules themselves are code in :mod:`dae.audit`; what the manager edits is their *setting*: on/off, scalar
parameters and parameter tables, kept as append-only versions (:class:`RuleSetting`, like rule-set versions). A
run (:class:`AuditRun`) records the setting version, parameters and compiled-SQL digest of every rule it used, so
it can be run again with exactly the same rules (:func:`dae.auditing.actions.runs.do_rerun`).

A finding (:class:`Finding`, 疑点) is one case of one rule, identified by the rule and the engine's
``finding_key``: a later run that finds the same case again adds a :class:`RunHit`, not a second finding. Its
evidence is stored per settlement and fee line (:class:`FindingLine`, 违规项 / 涉及项). The workflow:

    open (待审核) ──reviewer──▶ dismissed (已排除)
        └─reviewer confirms amount──▶ confirmed (待医院确认) ──hospital──▶ accepted (医院认可) / appealed (医院申诉)
            ──supervisor (三方确认)──▶ settled (已确认扣款: deduction + platform feedback) / overturned (申诉成立)

Each step has a deadline in working days (:data:`STEP_DAYS`) and is a :class:`FindingStep` with an event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.fields import MoneyField
from dae.core.models import AppendOnlyModel
from dae.core.scoping import ScopedManager


class RuleSetting(AppendOnlyModel):
    """One version of a rule's setting (规则参数版本). Never edited nor removed: a change is a new version."""

    rule_id = models.CharField(_("规则"), max_length=30)
    version = models.PositiveIntegerField(_("版本"))
    enabled = models.BooleanField(_("启用"), default=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)  # scalar parameters, decimals as text
    tables = models.JSONField(_("参数表"), default=dict, blank=True)  # {table name: [row, …]}
    reason = models.CharField(_("修改原因"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("修改时间"), default=timezone.now)

    class Meta:
        ordering = ["rule_id", "-version"]
        verbose_name = _("规则参数版本")
        constraints = [models.UniqueConstraint(fields=["rule_id", "version"], name="unique_rule_setting_version")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class AuditRun(models.Model):
    """One run of the rules over a selection of settlements (审核批次)."""

    class Scope(models.TextChoices):
        DECLARATION = "declaration", _("月结申报")
        MONTH = "month", _("结算月份")
        YEAR = "year", _("结算年度")
        SELECTION = "selection", _("指定结算")
        RERUN = "rerun", _("重放")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("审核中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    scope = models.CharField(_("范围"), max_length=12, choices=Scope.choices)
    declaration = models.ForeignKey(
        "claims.Declaration",
        verbose_name=_("月结申报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_runs",
    )
    month = models.CharField(_("结算月份或年度"), max_length=7, blank=True)  # YYYY-MM, or YYYY for a year run
    hospital = models.ForeignKey(
        "catalog.Hospital",
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    selection = models.JSONField(_("结算ID"), default=list, blank=True)  # setl_ids of a selection run
    replay_of = models.ForeignKey(
        "self", verbose_name=_("重放自"), null=True, blank=True, on_delete=models.PROTECT, related_name="replays"
    )
    rules = models.JSONField(_("规则与参数"), default=dict, blank=True)  # rule id → version, params, tables, digest
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    job = models.ForeignKey("core.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL)
    settlements_count = models.PositiveIntegerField(_("结算笔数"), default=0)
    lines_count = models.PositiveIntegerField(_("明细条数"), default=0)
    findings_count = models.PositiveIntegerField(_("疑点数"), default=0)
    new_findings_count = models.PositiveIntegerField(_("新增疑点"), default=0)
    amount_total = MoneyField(_("疑点金额"), default=0)
    digest = models.CharField(_("结果摘要"), max_length=64, blank=True)
    counts = models.JSONField(_("分规则疑点数"), default=dict, blank=True)
    seconds = models.JSONField(_("分规则耗时"), default=dict, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审核批次")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_scope_display()}"


class Finding(models.Model):
    """One suspicious item (疑点): one case of one rule on one settlement."""

    class Status(models.TextChoices):
        OPEN = "open", _("待审核")
        DISMISSED = "dismissed", _("已排除")
        CONFIRMED = "confirmed", _("待医院确认")
        ACCEPTED = "accepted", _("医院认可")
        APPEALED = "appealed", _("医院申诉")
        SETTLED = "settled", _("已确认扣款")
        OVERTURNED = "overturned", _("申诉成立")

    rule_id = models.CharField(_("规则"), max_length=30, db_index=True)
    finding_key = models.CharField(_("疑点标识"), max_length=200)
    rule_name = models.CharField(_("规则名称"), max_length=100)
    result_type = models.CharField(_("结果类型"), max_length=10)  # violation / suspicious
    # A bedside finding (驻院监控·查床) has no run, and no settlement while the stay is still open: it is linked to
    # the stay's settlement at discharge (dae.monitoring); its evidence is the visit named by source_kind/source_id.
    run = models.ForeignKey(
        AuditRun, verbose_name=_("发现批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="new_findings"
    )
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    settlement = models.ForeignKey(
        "claims.Settlement", verbose_name=_("结算"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="findings",
    )
    source_kind = models.CharField(_("证据来源"), max_length=30, blank=True, default="")  # e.g. "monitoring.visit"
    source_id = models.PositiveBigIntegerField(_("证据编号"), null=True, blank=True)
    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    amount_at_issue = MoneyField(_("疑点金额"))
    detail = models.CharField(_("疑点说明"), max_length=1000)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    priority_reasons = models.JSONField(_("优先级依据"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    due_on = models.DateField(_("本环节期限"), null=True, blank=True)
    reviewed_amount = MoneyField(_("审核认定金额"), null=True, blank=True)
    final_amount = MoneyField(_("三方确认金额"), null=True, blank=True)
    deduction = models.ForeignKey(
        "payments.Deduction", verbose_name=_("扣款"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detected_at = models.DateTimeField(_("发现时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital", person_field="psn_no")

    class Meta:
        ordering = ["-priority", "-amount_at_issue", "id"]
        verbose_name = _("疑点")
        constraints = [
            models.UniqueConstraint(fields=["rule_id", "finding_key"], name="unique_finding_case"),
            models.CheckConstraint(condition=Q(amount_at_issue__gte=0), name="finding_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["region", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.settlement_id}"

    @property
    def is_overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate() and self.status in OPEN_STATUSES


#: Statuses that still wait for someone (the step's deadline applies).
OPEN_STATUSES = (Finding.Status.OPEN, Finding.Status.CONFIRMED, Finding.Status.ACCEPTED, Finding.Status.APPEALED)


class FindingLine(models.Model):
    """A piece of evidence: a fee line (or, for stay rules, a settlement) marked 违规项 or 涉及项."""

    class Role(models.TextChoices):
        VIOLATION = "violation", _("违规项")
        INVOLVED = "involved", _("涉及项")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="lines")
    settlement = models.ForeignKey(
        "claims.Settlement", verbose_name=_("结算"), on_delete=models.PROTECT, related_name="+"
    )
    fee_line = models.ForeignKey(
        "claims.FeeLine", verbose_name=_("费用明细"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feedetl_sn = models.CharField(_("费用明细流水号"), max_length=30, blank=True)
    role = models.CharField(_("明细类型"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["finding_id", "role", "settlement_id", "feedetl_sn"]
        verbose_name = _("疑点明细")


class RunHit(models.Model):
    """A finding as found by a run (the first run and every later one that found the same case)."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="hits")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="hits")
    amount_at_issue = MoneyField(_("疑点金额"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "finding"], name="unique_run_hit")]


class FindingStep(models.Model):
    """One step of a finding's workflow, with who did it, what amount and why (append-only)."""

    class Kind(models.TextChoices):
        DETECTED = "detected", _("系统发现")
        DISMISSED = "dismissed", _("审核排除")
        CONFIRMED = "confirmed", _("审核认定")
        ACCEPTED = "accepted", _("医院认可")
        APPEALED = "appealed", _("医院申诉")
        SETTLED = "settled", _("三方确认")
        OVERTURNED = "overturned", _("申诉成立")
        FED_BACK = "fed_back", _("反馈平台")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("环节"), max_length=12, choices=Kind.choices)
    amount = MoneyField(_("金额"), null=True, blank=True)
    note = models.CharField(_("意见"), max_length=1000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    late = models.BooleanField(_("逾期办理"), default=False)

    class Meta:
        ordering = ["finding_id", "at", "id"]
        verbose_name = _("疑点处理环节")


class FindingDocument(models.Model):
    """A document attached to a step (the hospital's appeal evidence, a reviewer's note)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="documents")
    step = models.ForeignKey(FindingStep, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(_("存储路径"), max_length=500)
    sha256 = models.CharField(_("摘要"), max_length=64)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("疑点附件")


class PlatformFeedback(models.Model):
    """The result of a finding sent back to the national platform (审核结果反馈), in the 3101/3102 answer's
    vocabulary; an outbox row the interface sends (``sent_at``)."""

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="feedback")
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT)
    hospital = models.ForeignKey("catalog.Hospital", on_delete=models.PROTECT)
    message = models.JSONField(_("反馈报文"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("平台反馈")
