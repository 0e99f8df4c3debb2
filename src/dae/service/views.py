"""Pages of the service desk (客服岗), the manager and the insured person. Each view parses nothing itself: the
actions read every value through ``core.inputs``; a refusal becomes a message beside the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.approvals.actions import ApprovalPending
from dae.approvals.models import PendingAction
from dae.catalog.models import Hospital
from dae.core.access import record_access
from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, Filter, ScopedListView
from dae.web.who import region_choices

from . import actions, queries
from .actions.cases import assignable_posts
from .models import Case, Channel, Consultation, KnowledgeEntry, Respondent


def _run(request: HttpRequest, run: Callable[[], Any], done: str) -> Any:
    """Run one action; a refusal becomes an error message, a wait for approval an information message."""
    try:
        result = run()
    except ApprovalPending as pending:
        messages.info(request, pending.message)
        return None
    except DaeError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return result


def _staff_choices(request: HttpRequest) -> list[User]:
    return list(User.objects.filter(is_active=True, post__in=assignable_posts(),
                                    regions__admdvs__in=request.user.region_codes)  # type: ignore[union-attr]
                .distinct().order_by("post", "username"))


def _overdue(obj: Any) -> str:
    return gettext("逾期") if obj.is_overdue() else ""


# -- complaints and tip-offs ---------------------------------------------------------------------------------


class CaseList(ScopedListView):
    model = Case
    title = _("投诉举报")
    template_name = "service/case_list.html"
    columns = (
        Column(_("编号"), "number", link="service:case_detail", sort="id"),
        Column(_("类型"), "kind"),
        Column(_("事项分类"), "category"),
        Column(_("受理日期"), "received_on", kind="date"),
        Column(_("涉及医疗机构"), lambda c: str(c.hospital or "—"), sort=""),
        Column(_("承办"), lambda c: str(c.assignee or (c.get_assigned_post_display() if c.assigned_post else "—")),
               sort=""),
        Column(_("办结期限"), "due_on", kind="date"),
        Column(_("延期"), "extension"),
        Column(_("状态"), "status"),
        Column(_("评价"), "rating", kind="int"),
        Column(_("逾期"), _overdue, css="text-danger", sort=""),
    )
    search_fields = ("subject__icontains", "concerned_person__icontains")
    search_placeholder = _("反映内容或涉及人员")

    @property
    def filters(self) -> tuple[Filter | DateRange, ...]:  # type: ignore[override]
        today = timezone.localdate()
        return (
            Filter("kind", _("类型"), "kind", Case.Kind.choices),
            Filter("status", _("状态"), "status", Case.Status.choices),
            Filter("overdue", _("逾期"),
                   {"yes": {"pk__in": Case.objects.filter(queries.overdue_case_q(today)).values("pk")}},
                   (("yes", _("逾期")),)),
            DateRange("received", _("受理日期"), "received_on"),
        )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital", "assignee", "region")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "service:case_new")
        return context


def case_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        p = request.POST
        case = _run(request, lambda: actions.do_receive_case(
            request.user, kind=p.get("kind"), region_code=p.get("region"), category=p.get("category"),
            channel=p.get("channel"), subject=p.get("subject"), hospital=p.get("hospital") or None,
            concerned_person=p.get("concerned_person"), psn_no=p.get("psn_no"), contact_name=p.get("contact_name"),
            contact_phone=p.get("contact_phone"), anonymous=p.get("anonymous") == "on",
            received_on=p.get("received_on")), gettext("已受理"))
        if case is not None:
            return redirect("service:case_detail", pk=case.pk)
    hospitals = Hospital.objects.filter(region__admdvs__in=request.user.region_codes).order_by("code")  # type: ignore[union-attr]
    return render(request, "service/case_new.html", {
        "title": _("受理投诉举报"), "kinds": Case.Kind.choices, "categories": Case.Category.choices,
        "channels": Channel.choices, "regions": region_choices(request), "hospitals": hospitals[:500],
        "data": request.POST})


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = queries.access_case_by_id(request, pk)
    if case.psn_no and not case.is_tipoff:
        record_access(request, case)
    user = request.user
    pending = PendingAction.objects.filter(kind="service.extend", object_type="service.case", object_id=str(case.pk),
                                           status=PendingAction.Status.PENDING).first()
    return render(request, "service/case_detail.html", {
        "title": gettext("%(kind)s %(n)s") % {"kind": case.get_kind_display(), "n": case.number},
        "case": case, "handovers": case.handovers.select_related("from_user", "to_user"),
        "overdue": case.is_overdue(), "pending_extension": pending,
        "staff": _staff_choices(request), "posts": [(p.value, p.label) for p in assignable_posts()],
        "can_assign": can(user, "service:case_assign"), "can_reply": can(user, "service:case_reply"),
        "can_extend": can(user, "service:case_extend"), "can_archive": can(user, "service:case_archive"),
        "can_rate": can(user, "service:case_rate"), "can_reporter": can(user, "service:case_reporter", write=False),
        "can_inspect": can(user, "service:case_inspection"),
        "inspectors": User.objects.filter(post__in=("inspector", "reviewer"), is_active=True,
                                          regions__admdvs=case.region_id).distinct(),
        "inspection_kinds": (("routine", gettext("日常巡查")), ("special", gettext("专项检查")),
                             ("resident", gettext("驻点核查"))),
    })


def case_reporter(request: HttpRequest, pk: int) -> HttpResponse:
    """举报人身份: shown only to the posts the matrix names; every view is one access record."""
    case = queries.access_case_by_id(request, pk)
    record_access(request, case, psn_no=case.psn_no)
    return render(request, "service/case_reporter.html", {"title": gettext("反映人身份 %(n)s") % {"n": case.number},
                                                          "case": case})


def _case_action(request: HttpRequest, pk: int, run: Callable[[Case], Any], done: str) -> HttpResponse:
    case = queries.access_case_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: run(case), done)
    return redirect("service:case_detail", pk=case.pk)


def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _case_action(request, pk, lambda c: actions.do_assign_case(
        request.user, c, assignee=p.get("assignee") or None, post=p.get("post"), note=p.get("note")),
        gettext("已流转"))


def case_track(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(request, pk, lambda c: actions.do_track_case(request.user, c, progress=request.POST.get(
        "progress")), gettext("办理进展已登记"))


def case_reply(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    return _case_action(request, pk, lambda c: actions.do_reply_case(request.user, c, reply=p.get("reply"),
                                                                     replied_on=p.get("replied_on")),
                        gettext("已答复反映人"))


def case_rate(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    case = queries.access_case_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: actions.do_rate_case(request.user, case, rating=p.get("rating"), note=p.get("note")),
             gettext("评价已记录，谢谢"))
    if getattr(request.user, "scope_kind", "") == "insured":
        return redirect("service:my_service")
    return redirect("service:case_detail", pk=case.pk)


def case_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(request, pk, lambda c: actions.do_archive_case(request.user, c), gettext("已归档"))


def case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_action(request, pk, lambda c: actions.do_extend_case(request.user, c, reason=request.POST.get(
        "reason")), gettext("已延期"))


def case_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    if p.get("target") == "investigation":
        return _case_action(request, pk, lambda c: actions.do_open_investigation(
            request.user, c, psn_no=p.get("psn_no"), hospital_place=p.get("hospital_place")),
            gettext("已转异地协查"))
    return _case_action(request, pk, lambda c: actions.do_open_inspection(
        request.user, c, inspected_on=p.get("inspected_on"), kind=p.get("kind"),
        inspectors=p.getlist("inspectors")), gettext("已转现场巡查"))


# -- consultations and the knowledge base ---------------------------------------------------------------------


class ConsultationList(ScopedListView):
    model = Consultation
    title = _("咨询")
    template_name = "service/consultation_list.html"
    log_access = True
    columns = (
        Column(_("编号"), "number", link="service:consultation_detail", sort="id"),
        Column(_("渠道"), "channel"),
        Column(_("分类"), "category"),
        Column(_("咨询人"), "psn_name", mask="name"),
        Column(_("咨询内容"), "question"),
        Column(_("首问负责人"), lambda c: str(c.owner or gettext("待接收")), sort=""),
        Column(_("受理日期"), "received_on", kind="date"),
        Column(_("答复期限"), "due_on", kind="date"),
        Column(_("状态"), "status"),
        Column(_("逾期"), _overdue, css="text-danger", sort=""),
    )
    search_fields = ("psn_no", "psn_name", "question__icontains")
    search_placeholder = _("人员编号、姓名或咨询内容")

    @property
    def filters(self) -> tuple[Filter | DateRange, ...]:  # type: ignore[override]
        today = timezone.localdate()
        return (
            Filter("status", _("状态"), "status", Consultation.Status.choices),
            Filter("channel", _("渠道"), "channel", Channel.choices),
            Filter("owner", _("首问负责人"), {"none": {"owner__isnull": True}}, (("none", _("待接收")),)),
            Filter("overdue", _("逾期"),
                   {"yes": {"pk__in": Consultation.objects.filter(queries.overdue_consultation_q(today))
                            .values("pk")}}, (("yes", _("逾期")),)),
            DateRange("received", _("受理日期"), "received_on"),
        )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("owner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "service:consultation_new")
        return context


def consultation_new(request: HttpRequest) -> HttpResponse:
    p = request.POST
    if request.method == "POST":
        c = _run(request, lambda: actions.do_register_consultation(
            request.user, region_code=p.get("region"), channel=p.get("channel"), question=p.get("question"),
            category=p.get("category"), psn_no=p.get("psn_no"), psn_name=p.get("psn_name"),
            needs_check=p.get("needs_check") == "on", answer=p.get("answer"), knowledge=p.get("knowledge") or None),
            gettext("咨询已登记"))
        if c is not None:
            return redirect("service:consultation_detail", pk=c.pk)
    words = request.GET.get("q", "")[:100]
    return render(request, "service/consultation_new.html", {
        "title": _("登记咨询"), "channels": Channel.choices, "categories": KnowledgeEntry.Category.choices,
        "regions": region_choices(request), "data": p, "q": words,
        "hits": queries.search_knowledge(words) if words else []})


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = queries.access_consultation_by_id(request, pk)
    if c.psn_no:
        record_access(request, c, why="service")
    words = request.GET.get("q", "")[:100] or c.question[:20]
    return render(request, "service/consultation_detail.html", {
        "title": gettext("咨询 %(n)s") % {"n": c.number}, "c": c, "overdue": c.is_overdue(),
        "is_owner": c.owner_id in (None, request.user.pk), "q": words, "hits": queries.search_knowledge(words),
        "can_answer": can(request.user, "service:consultation_answer")})


def consultation_take(request: HttpRequest, pk: int) -> HttpResponse:
    c = queries.access_consultation_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: actions.do_take_consultation(request.user, c), gettext("已接收，由您首问负责"))
    return redirect("service:consultation_detail", pk=c.pk)


def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    c = queries.access_consultation_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: actions.do_answer_consultation(request.user, c, answer=request.POST.get("answer"),
                                                             knowledge=request.POST.get("knowledge") or None),
             gettext("已答复"))
    return redirect("service:consultation_detail", pk=c.pk)


class KnowledgeList(ScopedListView):
    model = KnowledgeEntry
    title = _("知识库")
    template_name = "service/knowledge_list.html"
    columns = (
        Column(_("条目编号"), "key"),
        Column(_("版本"), "version", kind="int"),
        Column(_("分类"), "category"),
        Column(_("问题"), "question", link="service:knowledge_edit"),
        Column(_("标准答复"), "answer"),
        Column(_("政策依据"), "policy_ref"),
        Column(_("状态"), "status"),
    )
    search_fields = ("question__icontains", "answer__icontains", "policy_ref__icontains")
    search_placeholder = _("问题、答复或政策依据")

    @property
    def filters(self) -> tuple[Filter, ...]:  # type: ignore[override]
        return (Filter("status", _("状态"), "status", KnowledgeEntry.Status.choices),
                Filter("category", _("分类"), "category", KnowledgeEntry.Category.choices))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "service:knowledge_new")
        return context


def knowledge_new(request: HttpRequest) -> HttpResponse:
    return _knowledge_form(request, None)


def knowledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _knowledge_form(request, queries.access_knowledge_by_id(request, pk))


def _knowledge_form(request: HttpRequest, entry: KnowledgeEntry | None) -> HttpResponse:
    p = request.POST
    if request.method == "POST":
        if p.get("retire") and entry is not None:
            _run(request, lambda: actions.do_retire_knowledge(request.user, entry), gettext("已停用"))
            return redirect("service:knowledge_list")
        saved = _run(request, lambda: actions.do_save_knowledge(
            request.user, key=entry.key if entry else "", category=p.get("category"), question=p.get("question"),
            answer=p.get("answer"), policy_ref=p.get("policy_ref")), gettext("已保存为新版本"))
        if saved is not None:
            return redirect("service:knowledge_list")
    versions = KnowledgeEntry.objects.filter(key=entry.key).order_by("-version") if entry else []
    return render(request, "service/knowledge_form.html", {
        "title": gettext("知识库条目 %(k)s") % {"k": entry.key} if entry else _("新增知识库条目"),
        "entry": entry, "versions": versions, "categories": KnowledgeEntry.Category.choices, "data": p,
        "can_edit": can(request.user, "service:knowledge_new")})


# -- the insured person's own page ------------------------------------------------------------------------------


def my_service(request: HttpRequest) -> HttpResponse:
    """参保人服务: ask a question online and read the answers; one's complaints, their replies and the rating;
    surveys waiting for one's answers."""
    user = request.user
    if request.method == "POST":
        _run(request, lambda: actions.do_ask_online(user, question=request.POST.get("question"),
                                                    category=request.POST.get("category") or "other"),
             gettext("您的问题已提交，工作人员将在 1 个工作日内答复"))
        return redirect("service:my_service")
    return render(request, "service/mine.html", {
        "title": _("咨询与投诉"),
        "consultations": Consultation.objects.for_user(user).order_by("-created_at", "-id")[:50],
        "cases": Case.objects.for_user(user).order_by("-received_on", "-id")[:50],
        "surveys": Respondent.objects.for_user(user).filter(status=Respondent.Status.PENDING,
                                                            survey__status="open").select_related("survey"),
        "categories": KnowledgeEntry.Category.choices,
        "faq": queries.knowledge_in_force().order_by("key")[:10],
    })
