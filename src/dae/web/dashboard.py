"""The home dashboard: for each post, the counters of work waiting for it, every one a real scoped query."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.approvals.actions import pending_for
from dae.archives.models import DestructionList, Item, Loan
from dae.auditing.models import OPEN_STATUSES, Finding
from dae.claims.models import Settlement
from dae.core.models import Event, Job
from dae.enrollment.models import Person
from dae.exchange.models import Difference
from dae.forecast.queries import open_alerts
from dae.fund.models import AppropriationRequest
from dae.fund.services import WarningCount
from dae.inspection import queries as inspection_queries
from dae.monitoring import queries as monitoring_queries
from dae.monitoring.models import Admission, Opinion
from dae.notices.models import Notice
from dae.reimbursement.models import ManualClaim
from dae.service import queries as service_queries
from dae.service.models import Case, Consultation, MessageTemplate, Suggestion


@dataclass(frozen=True)
class WorkItem:
    label: str | Promise
    query: Callable[[Any], QuerySet[Any]]
    route: str
    params: str = ""


def _month_start() -> datetime:
    now = timezone.localtime()
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _settlements(user: Any) -> QuerySet[Settlement]:
    return Settlement.objects.for_user(user)


def _this_month(user: Any) -> QuerySet[Settlement]:
    return _settlements(user).filter(setl_time__gte=_month_start())


_SETTLEMENTS_THIS_MONTH = WorkItem(_("本月结算"), _this_month, "claims:settlement_list")
_UNCOMPUTED = WorkItem(
    _("待计算结算"), lambda u: _settlements(u).filter(hifob_pay__isnull=True), "claims:settlement_list", "computed=no"
)
_MANUAL = WorkItem(
    _("手工报销结算"), lambda u: _settlements(u).filter(settle_way="manual"), "claims:settlement_list", "way=manual"
)
_LARGE = WorkItem(
    _("大额基金支付结算"), lambda u: _settlements(u).filter(hifob_pay__gt=0), "claims:settlement_list", "paid=yes"
)
_OFFSITE = WorkItem(
    _("异地就医结算"), lambda u: _settlements(u).exclude(place_category="local"), "claims:settlement_list",
    "offsite=yes",
)
_DIFFERING = WorkItem(
    _("申报金额有差异待处理"), lambda u: _settlements(u).filter(state="computed", settle_way="direct"),
    "claims:settlement_list", "state=computed",
)
_PAYABLE = WorkItem(_("待支付结算"), lambda u: _settlements(u).filter(state="payable"), "claims:settlement_list",
                    "state=payable")
_PERSONS = WorkItem(_("参保人"), lambda u: Person.objects.for_user(u), "enrollment:person_list")
_EVENTS_TODAY = WorkItem(
    _("今日事件"),
    lambda u: Event.objects.for_user(u).filter(at__gte=timezone.localtime().replace(hour=0, minute=0, second=0)),
    "web:events",
)
_JOBS_RUNNING = WorkItem(
    _("进行中的后台任务"), lambda u: Job.objects.filter(status__in=["queued", "running"]), "web:jobs"
)
_JOBS_FAILED = WorkItem(_("失败的后台任务"), lambda u: Job.objects.filter(status="failed"), "web:jobs", "status=failed")
_USERS = WorkItem(_("系统用户"), lambda u: User.objects.filter(is_active=True), "accounts:user_list")
_MINE = WorkItem(_("我的结算"), _settlements, "claims:my_settlements")


def _manual_claims(user: Any) -> QuerySet[Any]:
    return ManualClaim.objects.for_user(user)


_CLAIMS_RECEIVED = WorkItem(_("待计算手工报销"), lambda u: _manual_claims(u).filter(state="received"),
                            "reimbursement:queue", "state=received")
_CLAIMS_RETURNED = WorkItem(_("被退回的手工报销"), lambda u: _manual_claims(u).filter(state="returned"),
                            "reimbursement:queue", "state=returned")
_CLAIMS_TO_CHECK = WorkItem(
    _("待我复核的手工报销"),
    lambda u: _manual_claims(u).filter(state__in=["computed", "checked"]).exclude(computed_by=u),
    "reimbursement:queue", "state=mine")
_MY_CLAIMS = WorkItem(_("我的手工报销"), _manual_claims, "reimbursement:mine")


def _unread_notices(user: Any) -> QuerySet[Any]:
    return Notice.objects.for_user(user).filter(is_read=False)


_UNREAD = WorkItem(_("未读通知"), _unread_notices, "notices:mine")


def _fund_warnings(user: Any) -> Any:
    return WarningCount(user)  # counts dae.fund.services.fund_warnings(user)


def _draft_requests(user: Any) -> QuerySet[Any]:
    return AppropriationRequest.objects.for_user(user).filter(status="draft")


_FUND_WARNINGS = WorkItem(_("基金预警"), _fund_warnings, "fund:dashboard")
_DRAFT_REQUESTS = WorkItem(_("待提交用款申请"), _draft_requests, "fund:request_list", "status=draft")

WORK: dict[str, tuple[WorkItem, ...]] = {
    "manager": (_EVENTS_TODAY, _JOBS_FAILED, _PERSONS, _SETTLEMENTS_THIS_MONTH, _FUND_WARNINGS),
    "settlement": (_CLAIMS_RECEIVED, _CLAIMS_RETURNED, _SETTLEMENTS_THIS_MONTH, _DIFFERING, _UNCOMPUTED, _MANUAL,
                   _JOBS_RUNNING),
    "checker": (_CLAIMS_TO_CHECK, _MANUAL, _UNCOMPUTED),
    "reviewer": (_DIFFERING, _LARGE, _SETTLEMENTS_THIS_MONTH),
    "inspector": (_OFFSITE, _LARGE),
    "finance": (_FUND_WARNINGS, _DRAFT_REQUESTS, _PAYABLE, _LARGE, _SETTLEMENTS_THIS_MONTH),
    "service": (_PERSONS, _MANUAL),
    "it": (_USERS, _JOBS_RUNNING, _JOBS_FAILED),
    "archivist": (_SETTLEMENTS_THIS_MONTH,),
    "supervisor": (_SETTLEMENTS_THIS_MONTH, _LARGE, _OFFSITE, _FUND_WARNINGS),
    "hospital": (_SETTLEMENTS_THIS_MONTH, _LARGE),
    "insured": (_MINE, _MY_CLAIMS, _UNREAD),
}



# 稽核 (dae.inspection): settlements waiting for their re-review, inspections to confirm, remote investigations
# waiting for a result or a feedback, and those overdue.
def _inspection(name: str, **filters: Any) -> Callable[[Any], Any]:
    def query(user: Any) -> Any:
        return getattr(inspection_queries, name)(user).filter(**filters)

    return query


_SAMPLE_ITEMS = WorkItem(_("待复审病历"), _inspection("pending_items"), "inspection:sample_list", "status=open")
_INSPECTIONS_TO_CONFIRM = WorkItem(_("待确认现场巡查"), _inspection("to_confirm"), "inspection:inspection_list",
                                   "status=submitted")
_INVESTIGATIONS_OPEN = WorkItem(_("待出结果的异地协查"), _inspection("open_investigations", status="open"),
                                "inspection:investigation_list", "status=open")
_INVESTIGATIONS_ANSWERED = WorkItem(_("待反馈的异地协查"), _inspection("open_investigations", status="answered"),
                                    "inspection:investigation_list", "status=answered")
_INVESTIGATIONS_OVERDUE = WorkItem(_("逾期的异地协查"), _inspection("overdue_investigations"),
                                   "inspection:investigation_list", "overdue=yes")
_HOSPITAL_INSPECTIONS = WorkItem(_("现场巡查记录"), _inspection("inspections_for"), "inspection:inspection_list")
for _post, _items in {
    "reviewer": (_SAMPLE_ITEMS,),
    "inspector": (_SAMPLE_ITEMS, _INVESTIGATIONS_OPEN, _INVESTIGATIONS_ANSWERED, _INVESTIGATIONS_OVERDUE),
    "manager": (_INSPECTIONS_TO_CONFIRM, _INVESTIGATIONS_OVERDUE),
    "supervisor": (_INVESTIGATIONS_OVERDUE,),
    "hospital": (_HOSPITAL_INSPECTIONS,),
}.items():
    WORK[_post] = (*WORK[_post], *_items)


# 智能审核 (dae.auditing): findings waiting for the reviewer, the hospital and the bureau, and those overdue.
def _findings(*statuses: str, overdue: bool = False) -> Callable[[Any], Any]:
    def query(user: Any) -> Any:
        qs = Finding.objects.for_user(user)
        if overdue:
            return qs.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
        return qs.filter(status__in=statuses)

    return query


_FINDINGS_OPEN = WorkItem(_("待审核疑点"), _findings("open"), "auditing:finding_list", "status=open")
_FINDINGS_TO_ANSWER = WorkItem(_("待本院确认的疑点"), _findings("confirmed"), "auditing:finding_list",
                               "status=confirmed")
_FINDINGS_TO_SETTLE = WorkItem(_("待三方确认的疑点"), _findings("accepted", "appealed"), "auditing:finding_list")
_FINDINGS_OVERDUE = WorkItem(_("逾期的疑点"), _findings(overdue=True), "auditing:finding_list", "overdue=1")
for _post, _items in {
    "reviewer": (_FINDINGS_OPEN, _FINDINGS_OVERDUE),
    "inspector": (_FINDINGS_OPEN,),
    "manager": (_FINDINGS_OVERDUE,),
    "supervisor": (_FINDINGS_TO_SETTLE, _FINDINGS_OVERDUE),
    "hospital": (_FINDINGS_TO_ANSWER,),
}.items():
    WORK[_post] = (*WORK[_post], *_items)


# 档案管理 (dae.archives): loans to decide, overdue loans, items that failed their checks, destruction lists waiting.
def _archives(what: str) -> Callable[[Any], Any]:
    def query(user: Any) -> Any:
        if what == "loans":
            return Loan.objects.for_user(user).filter(status="requested")
        if what == "overdue":
            return Loan.objects.for_user(user).filter(status="expired")
        if what == "failed":
            return Item.objects.for_user(user).filter(status="failed")
        return DestructionList.objects.for_user(user).filter(status="proposed")

    return query


_LOANS_TO_DECIDE = WorkItem(_("待审批借阅"), _archives("loans"), "archives:loan_list", "status=requested")
_LOANS_OVERDUE = WorkItem(_("逾期未还借阅"), _archives("overdue"), "archives:loan_list", "overdue=yes")
_ITEMS_FAILED = WorkItem(_("检测未通过档案"), _archives("failed"), "archives:catalogue", "status=failed")
_DESTRUCTIONS = WorkItem(_("待审批销毁清册"), _archives("lists"), "archives:destruction_list", "status=proposed")
for _post, _items in {
    "archivist": (_LOANS_TO_DECIDE, _LOANS_OVERDUE, _ITEMS_FAILED, _DESTRUCTIONS),
    "manager": (_DESTRUCTIONS,),
    "supervisor": (_DESTRUCTIONS,),
}.items():
    WORK[_post] = (*WORK[_post], *_items)
# 人工审批 (dae.approvals): actions waiting for this post's approval, never the user's own.
def _approvals(user: Any) -> Any:
    return pending_for(user)


_APPROVALS = WorkItem(_("待我审批"), _approvals, "approvals:pending_list")
for _post in ("manager", "finance", "checker", "reviewer", "inspector"):
    WORK[_post] = (*WORK[_post], _APPROVALS)



# 驻院监控 (dae.monitoring, issue 23): my inpatients whose bedside visit is due or overdue; for the manager, every
# overdue visit and the opinions waiting to be read.
def _monitoring(what: str) -> Callable[[Any], Any]:
    def query(user: Any) -> Any:
        today = timezone.localdate()
        if what == "due":
            return monitoring_queries.work_list(user, today).filter(next_visit_due__lte=today)
        if what == "overdue":
            return Admission.objects.for_user(user).filter(status="in", next_visit_due__lt=today)
        return Opinion.objects.for_user(user).filter(status="new")

    return query


_VISITS_DUE = WorkItem(_("今日应查床"), _monitoring("due"), "monitoring:worklist")
_VISITS_OVERDUE = WorkItem(_("查床逾期"), _monitoring("overdue"), "monitoring:admission_list", "visit=overdue")
_OPINIONS_NEW = WorkItem(_("待阅驻院意见"), _monitoring("opinions"), "monitoring:overview")
for _post, _items in {"inspector": (_VISITS_DUE,), "manager": (_VISITS_OVERDUE, _OPINIONS_NEW)}.items():
    WORK[_post] = (*WORK[_post], *_items)


# exchange with the medical insurance platform (issue 22): open reconciliation differences for finance
def _open_differences(user: Any) -> Any:
    return Difference.objects.for_user(user).filter(resolved_at__isnull=True)


WORK["finance"] = (*WORK["finance"], WorkItem(_("平台对账未处理差异"), _open_differences,
                                              "exchange:reconciliation_list", "open=yes"))


# 参保人服务 (dae.service, issue 18): questions and cases waiting, due soon (the reminder) and overdue.
def _service(what: str) -> Any:
    def query(user: Any) -> Any:

        today = timezone.localdate()
        cases = Case.objects.for_user(user).filter(status__in=("received", "assigned"))
        consults = Consultation.objects.for_user(user).filter(status="open")
        return {
            "unowned": lambda: consults.filter(owner__isnull=True),
            "mine": lambda: consults.filter(owner=user),
            "consult_overdue": lambda: consults.filter(due_on__lt=today),
            "cases": lambda: cases,
            "due_soon": lambda: cases.filter(due_on__gte=today, due_on__lte=service_queries.soon_limit(today)),
            "case_overdue": lambda: cases.filter(due_on__lt=today),
            "assigned": lambda: cases.filter(assignee=user, status="assigned"),
            "suggestions": lambda: Suggestion.objects.for_user(user).filter(status="open"),
            "templates": lambda: MessageTemplate.objects.filter(status="draft"),
        }[what]()

    return query


_SV_UNOWNED = WorkItem(_("待接收的网上咨询"), _service("unowned"), "service:consultation_list", "owner=none")
_SV_MINE = WorkItem(_("我首问负责的咨询"), _service("mine"), "service:consultation_list", "status=open")
_SV_CONSULT_LATE = WorkItem(_("逾期未答复咨询"), _service("consult_overdue"), "service:consultation_list",
                            "overdue=yes")
_SV_CASES = WorkItem(_("办理中的投诉举报"), _service("cases"), "service:case_list")
_SV_DUE_SOON = WorkItem(_("即将到期的投诉举报"), _service("due_soon"), "service:case_list")
_SV_CASE_LATE = WorkItem(_("逾期的投诉举报"), _service("case_overdue"), "service:case_list", "overdue=yes")
_SV_ASSIGNED = WorkItem(_("我承办的投诉举报"), _service("assigned"), "service:case_list", "status=assigned")
_SV_SUGGESTIONS = WorkItem(_("整改中的改进建议"), _service("suggestions"), "service:survey_list")
_SV_TEMPLATES = WorkItem(_("待审核短信模板"), _service("templates"), "service:template_list")
for _post, _items in {
    "service": (_SV_UNOWNED, _SV_MINE, _SV_CONSULT_LATE, _SV_CASES, _SV_DUE_SOON, _SV_CASE_LATE, _SV_ASSIGNED),
    "manager": (_SV_CASE_LATE, _SV_CONSULT_LATE, _SV_SUGGESTIONS, _SV_TEMPLATES),
    "settlement": (_SV_ASSIGNED,),
    "reviewer": (_SV_ASSIGNED,),
    "inspector": (_SV_ASSIGNED,),
}.items():
    WORK[_post] = (*WORK.get(_post, ()), *_items)


# fund forecasting and warnings (issue 17): open warnings notify the manager on the home page
def _open_alerts(user: Any) -> QuerySet[Any]:
    return open_alerts(user).filter(status="open")


_OPEN_ALERTS = WorkItem(_("待处理基金预警"), _open_alerts, "forecast:alert_list", "status=open")
for _post in ("manager", "finance", "supervisor"):
    WORK[_post] = (*WORK[_post], _OPEN_ALERTS)


def work_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for item in WORK.get(user.post, ()):
        href = reverse(item.route) + (f"?{item.params}" if item.params else "")
        items.append({"label": item.label, "count": item.query(user).count(), "href": href})
    return items


def monthly_chart(user: Any) -> dict[str, Any] | None:
    """Settlements per month in the user's scope, for the bar chart on the home page."""
    if user.post in ("it", "insured"):
        return None
    rows = (
        _settlements(user)
        .annotate(month=TruncMonth("setl_time"))
        .values("month")
        .order_by("month")
        .annotate(n=Count("id"))
    )
    labels = [r["month"].strftime("%Y-%m") for r in rows]
    values = [r["n"] for r in rows]
    return {"title": _("各月结算笔数"), "data": {"labels": labels, "values": values}}
