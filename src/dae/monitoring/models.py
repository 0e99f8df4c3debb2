"""Admissions (入院登记), assignments of resident representatives and patrol staff (驻点安排), bedside visits
(查床) with their photos, the hand-over register (资料交接) and opinions (意见收集).

An admission is reported by the hospital (2401) while the person is in hospital; it is checked against the person's
enrolment on the admission date at once (``covered`` / ``coverage_code``), closed by the discharge (2402) and
withdrawn by a cancellation (2404). ``next_visit_due`` is kept by the actions so work lists and the overdue count
are one indexed query.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.scoping import ScopedManager


class Admission(models.Model):
    class Status(models.TextChoices):
        IN = "in", _("在院")
        DISCHARGED = "discharged", _("已出院")
        CANCELLED = "cancelled", _("已撤销")

    class Source(models.TextChoices):
        PAGE = "page", _("页面登记")
        API = "api", _("接口上报")
        FILE = "file", _("文件导入")

    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    mdtrt_id = models.CharField(_("就诊ID"), max_length=30)
    psn_no = models.CharField(_("人员编号"), max_length=30, db_index=True)
    psn_name = models.CharField(_("姓名"), max_length=50)
    dept_code = models.CharField(_("入院科室编码"), max_length=30, blank=True)
    dept_name = models.CharField(_("入院科室"), max_length=100)
    bed_no = models.CharField(_("床位号"), max_length=30, blank=True)
    adm_date = models.DateField(_("入院日期"))
    dise_codg = models.CharField(_("入院诊断编码"), max_length=30)
    dise_name = models.CharField(_("入院诊断"), max_length=200)
    covered = models.BooleanField(_("入院日参保"))
    coverage_code = models.CharField(_("参保核对结果"), max_length=20)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.IN, db_index=True)
    dscg_date = models.DateField(_("出院日期"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    next_visit_due = models.DateField(_("下次查床期限"), null=True, blank=True)
    visits_count = models.PositiveIntegerField(_("查床次数"), default=0)
    source = models.CharField(_("来源"), max_length=6, choices=Source.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital", person_field="psn_no")

    class Meta:
        ordering = ["-adm_date", "-id"]
        verbose_name = _("入院登记")
        constraints = [models.UniqueConstraint(fields=["hospital", "mdtrt_id"], name="unique_admission_mdtrt")]
        indexes = [models.Index(fields=["hospital", "status", "next_visit_due"])]

    def __str__(self) -> str:
        return f"{self.psn_name} {self.adm_date:%Y-%m-%d}"

    @property
    def days_in_hospital(self) -> int:
        end = self.dscg_date or timezone.localdate()
        return max((end - self.adm_date).days, 0)

    @property
    def coverage_reason(self) -> str:
        from dae.enrollment.coverage import REASONS

        return REASONS.get(self.coverage_code, self.coverage_code)

    @property
    def visit_overdue(self) -> bool:
        return (self.status == self.Status.IN and self.next_visit_due is not None
                and self.next_visit_due < timezone.localdate())


class Assignment(models.Model):
    """A person placed on one hospital (驻院代表) or a group of hospitals (医疗巡查) for a period."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("驻院代表")
        PATROL = "patrol", _("医疗巡查")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT,
                             related_name="monitoring_assignments")
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    hospitals = models.ManyToManyField("catalog.Hospital", verbose_name=_("医疗机构"), related_name="+")
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("计划结束日期"))
    ended_on = models.DateField(_("实际结束日期"), null=True, blank=True)  # rotated off early
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("驻点安排")
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                              name="assignment_period_ordered")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user} {self.start_date}"

    @property
    def last_day(self):  # type: ignore[no-untyped-def]
        return self.ended_on or self.end_date


class Visit(models.Model):
    """A bedside visit (查床) to an admission."""

    class Presence(models.TextChoices):
        PRESENT = "present", _("在床")
        ABSENT = "absent", _("不在床")

    class Identity(models.TextChoices):
        MATCH = "match", _("人证相符")
        MISMATCH = "mismatch", _("人证不符")
        NOT_SEEN = "not_seen", _("未见本人")

    admission = models.ForeignKey(Admission, verbose_name=_("入院登记"), on_delete=models.PROTECT,
                                  related_name="visits")
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查床人"), on_delete=models.PROTECT,
                                related_name="+")
    visit_date = models.DateField(_("查床日期"))
    seq = models.PositiveSmallIntegerField(_("第几次查床"))
    due_on = models.DateField(_("查床期限"), null=True, blank=True)
    late = models.BooleanField(_("逾期查床"), default=False)
    presence = models.CharField(_("在床情况"), max_length=8, choices=Presence.choices)
    identity = models.CharField(_("身份核验"), max_length=10, choices=Identity.choices)
    plausible = models.BooleanField(_("诊断与治疗相符"), default=True)
    notes = models.CharField(_("记录"), max_length=1000, blank=True)
    finding = models.ForeignKey("auditing.Finding", verbose_name=_("疑点"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-visit_date", "-id"]
        verbose_name = _("查床记录")
        constraints = [models.UniqueConstraint(fields=["admission", "seq"], name="unique_visit_seq")]

    def __str__(self) -> str:
        return f"{self.admission} #{self.seq}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    name = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(_("存储路径"), max_length=500)
    sha256 = models.CharField(_("摘要"), max_length=64)
    size = models.PositiveIntegerField(_("大小"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("查床照片")


class Handover(models.Model):
    """资料交接: documents handed between the representative and a hospital department."""

    class Direction(models.TextChoices):
        TO_HOSPITAL = "to_hospital", _("交医院")
        FROM_HOSPITAL = "from_hospital", _("医院交来")

    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    admission = models.ForeignKey(Admission, verbose_name=_("入院登记"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="handovers")
    direction = models.CharField(_("交接方向"), max_length=14, choices=Direction.choices)
    department = models.CharField(_("医院科室"), max_length=100)
    items = models.CharField(_("交接资料"), max_length=1000)
    handed_by = models.CharField(_("交出人"), max_length=50)
    received_by = models.CharField(_("接收人"), max_length=50)
    handed_on = models.DateField(_("交接日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-handed_on", "-id"]
        verbose_name = _("资料交接")


class Opinion(models.Model):
    """An opinion collected from a patient or the hospital (意见收集), passed to the manager."""

    class Source(models.TextChoices):
        PATIENT = "patient", _("患者")
        HOSPITAL = "hospital", _("医院")

    class Status(models.TextChoices):
        NEW = "new", _("待阅")
        READ = "read", _("已阅")

    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("医疗机构"), on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    admission = models.ForeignKey(Admission, verbose_name=_("入院登记"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="opinions")
    source = models.CharField(_("意见来源"), max_length=10, choices=Source.choices)
    content = models.CharField(_("意见内容"), max_length=1000)
    status = models.CharField(_("状态"), max_length=6, choices=Status.choices, default=Status.NEW)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("阅处人"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    read_note = models.CharField(_("阅处意见"), max_length=500, blank=True)

    objects = ScopedManager(region_field="region", hospital_field="hospital")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("意见收集")
