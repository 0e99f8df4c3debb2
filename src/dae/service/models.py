"""参保人服务 records.

- ``KnowledgeEntry``: the service desk's questions and standard answers (知识库), versioned per ``key``.
- ``Consultation``: a question from an insured person (咨询), owned by whoever first received it (首问负责).
- ``Case``: a complaint (投诉) or tip-off (举报) through 受理 → 流转 → 追踪 → 反馈 → 归档, with its ``Handover`` rows.
- ``Questionnaire``, ``Survey``, ``Respondent``, ``Answer``, ``Suggestion``: satisfaction surveys (满意度调查).
- ``MessageTemplate``, ``Campaign``: publicity and reminders (宣传与提醒) sent through the notices' SMS outbox.

Deadlines are dates computed by ``dae.workdays.service`` when the record is written and kept with their warnings.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.accounts.posts import Post
from dae.core.fields import EncryptedCharField
from dae.core.scoping import ScopedManager


def _today() -> dt.date:
    return timezone.localdate()


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上")
    LETTER = "letter", _("来信")


class KnowledgeEntry(models.Model):
    """One version of a question and its standard answer; the latest published version of a key is in force."""

    class Category(models.TextChoices):
        POLICY = "policy", _("政策待遇")
        ENROLMENT = "enrolment", _("参保缴费")
        CLAIM = "claim", _("报销办理")
        PAYMENT = "payment", _("支付到账")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    key = models.CharField(_("条目编号"), max_length=20)
    version = models.PositiveIntegerField(_("版本"))
    category = models.CharField(_("分类"), max_length=12, choices=Category.choices)
    question = models.CharField(_("问题"), max_length=300)
    answer = models.TextField(_("标准答复"), max_length=3000)
    policy_ref = models.CharField(_("政策依据"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("维护人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("维护时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("知识库条目")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="service_knowledge_key_version")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Consultation(models.Model):
    """咨询: registered by the person who first received it, who answers it (首问负责)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    psn_no = models.CharField(_("人员编号"), max_length=30, blank=True, db_index=True)
    psn_name = models.CharField(_("咨询人"), max_length=50, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("分类"), max_length=12, choices=KnowledgeEntry.Category.choices,
                                default=KnowledgeEntry.Category.OTHER)
    question = models.CharField(_("咨询内容"), max_length=1000)
    needs_check = models.BooleanField(_("需核实后答复"), default=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首问负责人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField(_("受理日期"), default=_today)
    due_on = models.DateField(_("答复期限"))
    deadline_warnings = models.JSONField(_("期限提示"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复内容"), max_length=3000, blank=True)
    knowledge = models.ForeignKey(KnowledgeEntry, verbose_name=_("引用知识库"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("咨询")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"ZX{self.region_id}-{self.pk or 0:05d}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        if self.answered_on is not None:
            return self.answered_on > self.due_on
        return (today or _today()) > self.due_on


class Case(models.Model):
    """投诉 or 举报: 受理 → 流转 (assignment, every hand-over kept) → 追踪 → 反馈 (reply) → 归档, decided within 10
    working days, 25 with a manager's approved extension. A tip-off's reporter is kept apart and shown only to the
    posts the matrix lets open ``service:case_reporter``, each view written to the access log."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        TIPOFF = "tipoff", _("举报")

    class Category(models.TextChoices):
        ATTITUDE = "attitude", _("服务态度")
        DELAY = "delay", _("办理时效")
        PAYOUT = "payout", _("待遇支付")
        HOSPITAL = "hospital", _("医疗机构服务")
        FRAUD = "fraud", _("欺诈骗保")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ASSIGNED = "assigned", _("办理中")
        REPLIED = "replied", _("已反馈")
        ARCHIVED = "archived", _("已归档")

    class Extension(models.TextChoices):
        NONE = "", _("未延期")
        APPROVED = "approved", _("已延期")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    category = models.CharField(_("事项分类"), max_length=10, choices=Category.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("反映内容"), max_length=2000)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("涉及医疗机构"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    concerned_person = models.CharField(_("涉及人员"), max_length=100, blank=True)
    # the complainant (a complaint) or the reporter (a tip-off; empty when anonymous)
    psn_no = models.CharField(_("人员编号"), max_length=30, blank=True, db_index=True)
    contact_name = models.CharField(_("反映人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    received_on = models.DateField(_("受理日期"), default=_today)
    due_on = models.DateField(_("办结期限"))
    deadline_warnings = models.JSONField(_("期限提示"), default=list, blank=True)
    extension = models.CharField(_("延期"), max_length=10, choices=Extension.choices, default="", blank=True)
    extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    assigned_post = models.CharField(_("承办岗位"), max_length=20, choices=Post.choices, blank=True)
    progress = models.CharField(_("办理进展"), max_length=1000, blank=True)
    reply = models.TextField(_("答复内容"), max_length=3000, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("满意度评价"), null=True, blank=True)
    rating_note = models.CharField(_("评价意见"), max_length=500, blank=True)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)
    inspection = models.ForeignKey("inspection.Inspection", verbose_name=_("转现场巡查"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="service_cases")
    investigation = models.ForeignKey("inspection.Investigation", verbose_name=_("转异地协查"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="service_cases")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("投诉举报")
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="service_case_rating_1_5"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{'TS' if self.kind == self.Kind.COMPLAINT else 'JB'}{self.region_id}-{self.pk or 0:05d}"

    @property
    def is_tipoff(self) -> bool:
        return self.kind == self.Kind.TIPOFF

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """Decided (replied) after its due date, or still undecided after it."""
        if self.replied_on is not None:
            return self.replied_on > self.due_on
        return (today or _today()) > self.due_on


class Handover(models.Model):
    """One hand-over of a case (流转): from whom, to which person or post, why. Never edited."""

    case = models.ForeignKey(Case, verbose_name=_("投诉举报"), on_delete=models.PROTECT, related_name="handovers")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("移交人"), null=True,
                                  on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("接收人"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    to_post = models.CharField(_("接收岗位"), max_length=20, choices=Post.choices, blank=True)
    note = models.CharField(_("流转说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("流转时间"), default=timezone.now)

    objects = ScopedManager(region_field="case__region")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("流转记录")


class Questionnaire(models.Model):
    """One version of a questionnaire: its questions as data (``questions``: code, text, kind scale/text,
    dimension). The shipped defaults are seed 000 第四篇's four (``data/questionnaires.yaml``)."""

    code = models.CharField(_("问卷代码"), max_length=20)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("问卷名称"), max_length=100)
    questions = models.JSONField(_("题目"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("问卷")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="service_questionnaire_version")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Survey(models.Model):
    """满意度调查 of a region: a seeded, stratified sample of the period's claimants answers the questionnaires."""

    class Status(models.TextChoices):
        OPEN = "open", _("调查中")
        CLOSED = "closed", _("已结束")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    title = models.CharField(_("调查名称"), max_length=100)
    period_from = models.DateField(_("结算期间起"))
    period_to = models.DateField(_("结算期间止"))
    sample_size = models.PositiveIntegerField(_("样本量"))
    seed = models.CharField(_("随机种子"), max_length=64)
    questionnaires = models.ManyToManyField(Questionnaire, verbose_name=_("问卷"), related_name="+")
    target_rate = models.DecimalField(_("满意率目标(%)"), max_digits=5, decimal_places=2, default=90)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("满意度调查")

    def __str__(self) -> str:
        return self.title


class Respondent(models.Model):
    """One sampled claimant: the stratum (region · hospital) they were drawn from, and whether they answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待调查")
        ANSWERED = "answered", _("已回答")
        UNREACHABLE = "unreachable", _("未联系上")

    class Via(models.TextChoices):
        CALL = "call", _("电话回访")
        ONLINE = "online", _("网上填写")

    survey = models.ForeignKey(Survey, verbose_name=_("调查"), on_delete=models.PROTECT, related_name="respondents")
    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    psn_no = models.CharField(_("人员编号"), max_length=30)
    psn_name = models.CharField(_("姓名"), max_length=50, blank=True)
    hospital = models.ForeignKey("catalog.Hospital", verbose_name=_("就医机构"), null=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    via = models.CharField(_("方式"), max_length=10, choices=Via.choices, blank=True)
    answered_at = models.DateTimeField(_("回答时间"), null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(region_field="region", person_field="psn_no")

    class Meta:
        ordering = ["survey", "psn_no"]
        verbose_name = _("调查对象")
        constraints = [models.UniqueConstraint(fields=["survey", "psn_no"], name="service_respondent_once")]


class Answer(models.Model):
    respondent = models.ForeignKey(Respondent, verbose_name=_("调查对象"), on_delete=models.PROTECT,
                                   related_name="answers")
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.PROTECT,
                                      related_name="+")
    question = models.CharField(_("题目"), max_length=20)
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    text = models.CharField(_("文字意见"), max_length=1000, blank=True)

    objects = ScopedManager(region_field="respondent__region", person_field="respondent__psn_no")

    class Meta:
        verbose_name = _("答卷")
        constraints = [
            models.UniqueConstraint(fields=["respondent", "questionnaire", "question"], name="service_answer_once"),
            models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                                   name="service_answer_score_1_5"),
        ]


class Suggestion(models.Model):
    """An improvement suggestion drawn from a survey, assigned and tracked to done (整改建议)."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        DONE = "done", _("已完成")

    survey = models.ForeignKey(Survey, verbose_name=_("调查"), on_delete=models.PROTECT, related_name="suggestions")
    text = models.CharField(_("改进建议"), max_length=1000)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("责任人"), null=True,
                                 on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_note = models.CharField(_("完成情况"), max_length=1000, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    objects = ScopedManager(region_field="survey__region")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("改进建议")


class MessageTemplate(models.Model):
    """短信模板: a versioned text with ``{变量}`` placeholders; usable only once a second person approved it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审核")
        APPROVED = "approved", _("已审核")

    code = models.CharField(_("模板代码"), max_length=30)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("模板名称"), max_length=100)
    body = models.CharField(_("短信内容"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编写人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("编写时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("短信模板")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="service_template_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Campaign(models.Model):
    """A publicity or reminder campaign: an approved template sent to an audience of a region."""

    class Audience(models.TextChoices):
        LAPSED = "lapsed", _("本年度未缴费人员")
        NEAR_THRESHOLD = "near_threshold", _("接近起付线人员")
        PAID = "paid", _("本期已支付的报销人员")

    region = models.ForeignKey("core.Region", verbose_name=_("统筹区"), on_delete=models.PROTECT)
    name = models.CharField(_("活动名称"), max_length=100)
    template = models.ForeignKey(MessageTemplate, verbose_name=_("短信模板"), on_delete=models.PROTECT,
                                 related_name="+")
    audience = models.CharField(_("发送对象"), max_length=20, choices=Audience.choices)
    audience_size = models.PositiveIntegerField(_("对象人数"), default=0)
    queued = models.PositiveIntegerField(_("已排队"), default=0)
    over_limit = models.PositiveIntegerField(_("超过发送限制"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now)

    objects = ScopedManager(region_field="region")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("宣传提醒活动")

    def __str__(self) -> str:
        return self.name
