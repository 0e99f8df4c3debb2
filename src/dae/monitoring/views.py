"""Pages of in-hospital monitoring (驻院监控). Each view parses through ``core.inputs``, calls one action or query
and renders; ``can_*`` flags come from the permission matrix. The work list and the visit form are built for a
phone at the bedside (one column, large controls, the camera for photos)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput, NotFound
from dae.web.listing import Column, DateRange, Filter, HospitalFilter, RegionFilter, ScopedListView
from dae.web.outcome import act_on_page

from . import actions, queries
from .codes import Code
from .models import Admission, Assignment, Handover, Opinion, Visit, VisitPhoto


def _hospital_for(request: HttpRequest, code: Any) -> Hospital:
    """The hospital a write is about: a hospital user's own; staff name one in their regions."""
    user: Any = request.user
    if user.scope_kind == "hospital":
        own = Hospital.objects.filter(pk=user.hospital_id).first() if user.hospital_id else None
        if own is None:
            raise NotFound("本账号未绑定医疗机构", code=CoreCode.UNKNOWN_HOSPITAL)
        return own
    code = inputs.text(code, field="hospital", label="医疗机构", max_length=30)
    hospital = Hospital.objects.filter(code=code, region_id__in=user.region_codes).first()
    if hospital is None:
        raise InvalidInput(f"无此医疗机构：{code}", code=CoreCode.UNKNOWN_HOSPITAL,
                           details=[{"path": "hospital", "message": "无此医疗机构"}])
    return hospital


def _hospital_choices(request: HttpRequest) -> list[Hospital]:
    return list(Hospital.objects.for_user(request.user).order_by("code"))


# -- admissions --------------------------------------------------------------------------------------------------


class AdmissionList(ScopedListView):
    model = Admission
    title = _("入院登记")
    template_name = "monitoring/admission_list.html"
    columns = (
        Column(_("姓名"), "psn_name", link="monitoring:admission_detail", mask="name"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("科室"), "dept_name"),
        Column(_("床位号"), "bed_no"),
        Column(_("入院日期"), "adm_date"),
        Column(_("入院诊断"), "dise_name"),
        Column(_("入院日参保"), lambda a: gettext("是") if a.covered else gettext("否（%s）") % a.coverage_reason,
               sort="covered"),
        Column(_("状态"), "status"),
        Column(_("下次查床期限"), "next_visit_due"),
        Column(_("查床次数"), "visits_count", css="text-end"),
    )
    search_fields = ("psn_no", "psn_name", "mdtrt_id", "dise_name__icontains")
    search_placeholder = _("人员编号、姓名、就诊ID或诊断")
    filters = (
        RegionFilter(),
        HospitalFilter(),
        Filter("status", _("状态"), "status", Admission.Status.choices),
        Filter("covered", _("入院日参保"), {"yes": {"covered": True}, "no": {"covered": False}},
               (("yes", _("已参保")), ("no", _("未参保")))),
        DateRange("adm", _("入院日期"), "adm_date"),
    )

    def filtered_queryset(self) -> tuple[Any, list[InvalidInput]]:
        qs, errors = super().filtered_queryset()
        if self.request.GET.get("visit") == "overdue":  # 查床逾期 (the overview links here): "today" moves
            qs = qs.filter(status=Admission.Status.IN, next_visit_due__lt=timezone.localdate())
        return qs, errors

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_report"] = can(self.request.user, "monitoring:admission_new")
        return context


def admission_new(request: HttpRequest) -> HttpResponse:
    """入院登记 (2401) on a page."""
    user: Any = request.user
    if request.method == "POST":
        p = request.POST

        def run() -> Admission:
            return actions.do_report_admission(
                hospital=_hospital_for(request, p.get("hospital")),
                mdtrt_id=inputs.text(p.get("mdtrt_id"), field="mdtrt_id", label="就诊ID", max_length=30),
                psn_no=inputs.text(p.get("psn_no"), field="psn_no", label="人员编号", max_length=30),
                dept_code=inputs.text(p.get("dept_code"), field="dept_code", label="科室编码", max_length=30,
                                      required=False),
                dept_name=inputs.text(p.get("dept_name"), field="dept_name", label="科室", max_length=100),
                bed_no=inputs.text(p.get("bed_no"), field="bed_no", label="床位号", max_length=30, required=False),
                adm_date=inputs.date(p.get("adm_date"), field="adm_date", label="入院日期",
                                     maximum=timezone.localdate()),
                dise_codg=inputs.text(p.get("dise_codg"), field="dise_codg", label="诊断编码", max_length=30),
                dise_name=inputs.text(p.get("dise_name"), field="dise_name", label="诊断", max_length=200),
                actor=user, source=Admission.Source.PAGE,
            )

        admission = act_on_page(request, run, gettext("入院登记已保存"))
        if admission is not None:
            if not admission.covered:
                messages.warning(request, gettext("注意：该参保人入院日未参保（%s）") % admission.coverage_reason)
            return redirect("monitoring:admission_detail", admission.pk)
    return render(request, "monitoring/admission_new.html", {
        "title": _("登记入院"), "hospitals": [] if user.scope_kind == "hospital" else _hospital_choices(request),
        "values": request.POST, "today": timezone.localdate().isoformat(),
    })


def admission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    admission = queries.access_admission_by_id(request, pk)
    user: Any = request.user
    visits = admission.visits.select_related("visitor", "finding").prefetch_related("photos")
    return render(request, "monitoring/admission_detail.html", {
        "title": _("入院登记"), "a": admission, "visits": visits,
        "handovers": admission.handovers.all(), "opinions": admission.opinions.all(),
        "can_visit": can(user, "monitoring:visit_new") and admission.status == Admission.Status.IN,
        "can_discharge": can(user, "monitoring:admission_discharge") and admission.status == Admission.Status.IN,
        "can_link": can(user, "monitoring:admission_link") and admission.status == Admission.Status.DISCHARGED,
        "can_finding": can(user, "auditing:finding_detail", write=False),
        "can_photo": can(user, "monitoring:visit_photo", write=False),
        "today": timezone.localdate(),
    })


def admission_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    admission = queries.access_admission_by_id(request, pk)
    p = request.POST
    if p.get("what") == "cancel":
        act_on_page(request, lambda: actions.do_cancel_admission(
            hospital=admission.hospital, mdtrt_id=admission.mdtrt_id, reason=p.get("reason", ""),
            actor=request.user), gettext("入院已撤销"))
    else:
        act_on_page(request, lambda: actions.do_discharge_admission(
            hospital=admission.hospital, mdtrt_id=admission.mdtrt_id,
            dscg_date=inputs.date(p.get("dscg_date"), field="dscg_date", label="出院日期",
                                  maximum=timezone.localdate()),
            actor=request.user), gettext("已办理出院"))
    return redirect("monitoring:admission_detail", admission.pk)


def admission_link(request: HttpRequest, pk: int) -> HttpResponse:
    admission = queries.access_admission_by_id(request, pk)
    count = act_on_page(request, lambda: actions.do_link_findings(admission, actor=request.user),
                     gettext("已关联结算"))
    if count == 0:
        messages.info(request, gettext("尚无该次住院的结算，或没有待关联的疑点"))
    return redirect("monitoring:admission_detail", admission.pk)


# -- work list and visits (phone) --------------------------------------------------------------------------------


def _visit_state(a: Admission) -> str:
    today = timezone.localdate()
    if a.next_visit_due and a.next_visit_due < today:
        return gettext("逾期")
    if a.next_visit_due == today:
        return gettext("今日应查")
    return ""


@dataclass(frozen=True)
class VisitDueFilter(Filter):
    """查床: overdue, or due today or earlier — against today's date when the list is read (not at import)."""

    def apply(self, qs: Any, value: str) -> Any:
        today = timezone.localdate()
        if value == "overdue":
            return qs.filter(next_visit_due__lt=today)
        if value == "due":
            return qs.filter(next_visit_due__lte=today)
        return qs


class WorkList(ScopedListView):
    """今日工作: the inpatients of my hospitals (my assignments today), overdue and due visits first, drawn as
    cards for a phone at the bedside (``rows_template``) with the component's filters, paging and export."""

    model = Admission
    title = _("今日工作")
    template_name = "monitoring/worklist.html"
    rows_template = "monitoring/_worklist_rows.html"
    paginate_by = 50
    columns = (
        Column(_("姓名"), "psn_name", mask="name"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("科室"), "dept_name"),
        Column(_("床位号"), "bed_no"),
        Column(_("入院日期"), "adm_date", kind="date"),
        Column(_("入院诊断"), "dise_name"),
        Column(_("下次查床期限"), "next_visit_due", kind="date"),
        Column(_("查床"), _visit_state, sort=""),
        Column(_("入院日参保"), lambda a: gettext("是") if a.covered else gettext("否（%s）") % a.coverage_reason,
               sort="covered"),
    )
    search_fields = ("psn_no", "psn_name", "dise_name__icontains")
    search_placeholder = _("人员编号、姓名或诊断")
    filters = (
        HospitalFilter(),
        VisitDueFilter("visit", _("查床"), "", (("due", _("今日应查（含逾期）")), ("overdue", _("逾期")))),
        Filter("covered", _("入院日参保"), {"yes": {"covered": True}, "no": {"covered": False}},
               (("yes", _("已参保")), ("no", _("未参保")))),
        DateRange("adm", _("入院日期"), "adm_date"),
    )
    empty_hint = _("我的医院暂无在院参保人")

    def base_queryset(self) -> Any:
        return queries.work_list(self.request.user, timezone.localdate())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(today=today,
                       assignments=queries.active_assignments(self.request.user, today).prefetch_related("hospitals"),
                       counts=queries.inpatient_counts(queries.work_list(self.request.user, today), today))
        return context


worklist = WorkList.as_view()


def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """查床 at the bedside: in bed or not, identity, plausibility, notes and photos."""
    admission = queries.access_admission_by_id(request, pk)
    if request.method == "POST":
        p = request.POST

        def run() -> Visit:
            return actions.do_record_visit(
                admission, visitor=request.user,
                visit_date=inputs.date(p.get("visit_date") or timezone.localdate(), field="visit_date",
                                       label="查床日期", maximum=timezone.localdate()),
                presence=inputs.text(p.get("presence"), field="presence", label="在床情况", max_length=10),
                identity=inputs.text(p.get("identity") or Visit.Identity.NOT_SEEN, field="identity",
                                     label="身份核验", max_length=10),
                plausible=p.get("plausible", "yes") == "yes",
                notes=inputs.text(p.get("notes"), field="notes", label="记录", max_length=1000, required=False),
                photos=[(f.name, f.chunks()) for f in request.FILES.getlist("photos")],
            )

        visit = act_on_page(request, run, gettext("查床记录已保存"))
        if visit is not None:
            if visit.finding_id:
                messages.warning(request, gettext("已生成疑点，转入疑点处理流程"))
            return redirect("monitoring:worklist")
    return render(request, "monitoring/visit_new.html", {
        "title": _("查床"), "a": admission, "today": timezone.localdate(),
        "presences": Visit.Presence.choices, "identities": Visit.Identity.choices,
    })


def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = queries.access_visit_by_id(request, pk)
    return render(request, "monitoring/visit_detail.html", {
        "title": _("查床记录"), "v": visit, "a": visit.admission, "photos": visit.photos.all(),
        "can_finding": can(request.user, "auditing:finding_detail", write=False),
        "can_photo": can(request.user, "monitoring:visit_photo", write=False),
    })


def visit_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = VisitPhoto.objects.select_related("visit").filter(pk=inputs.object_id(pk)).first()
    if photo is None:
        raise NotFound()
    queries.access_visit_by_id(request, photo.visit_id)  # the photo is seen by whoever may see its visit
    path = Path(photo.path)
    if not path.is_file() or Path(settings.UPLOAD_DIR).resolve() not in path.resolve().parents:
        raise NotFound("照片文件不存在", code=Code.PHOTO_MISSING)
    return FileResponse(path.open("rb"), filename=photo.name)


# -- assignments -------------------------------------------------------------------------------------------------


class AssignmentList(ScopedListView):
    model = Assignment
    title = _("驻点安排")
    template_name = "monitoring/assignment_list.html"
    columns = (
        Column(_("类型"), "kind"),
        Column(_("人员"), lambda a: a.user.display_name or a.user.username, sort="user__username"),
        Column(_("医疗机构"), lambda a: "、".join(h.name for h in a.hospitals.all()), sort=""),
        Column(_("开始日期"), "start_date"),
        Column(_("计划结束日期"), "end_date"),
        Column(_("实际结束日期"), "ended_on"),
        Column(_("说明"), "note"),
    )
    filters = (RegionFilter(), Filter("kind", _("类型"), "kind", Assignment.Kind.choices))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("user").prefetch_related("hospitals")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_manage"] = can(self.request.user, "monitoring:assignment_new")
        return context


def assignment_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    staff = User.objects.filter(post="inspector", regions__admdvs__in=user.region_codes).distinct().order_by("username")
    if request.method == "POST":
        p = request.POST

        def run() -> Assignment:
            region = inputs.region(user, p.get("region") or (user.region_codes[0] if user.region_codes else ""))
            codes = [inputs.text(c, field="hospitals", label="医疗机构", max_length=30) for c in p.getlist("hospitals")]
            hospitals = list(Hospital.objects.filter(code__in=codes, region_id=region))
            person = staff.filter(pk=inputs.object_id(p.get("user"))).first()
            if person is None:
                raise InvalidInput("请选择稽核岗人员", code=CoreCode.INVALID_CHOICE, details=[{"path": "user", "message": "无此人员"}])
            start, end = inputs.period(p.get("start_date"), p.get("end_date"), field="start_date", label="开始日期")
            return actions.do_create_assignment(
                kind=inputs.text(p.get("kind"), field="kind", label="类型", max_length=10), user=person,
                region_id=region, hospitals=hospitals, start_date=start, end_date=end, actor=user,
                note=inputs.text(p.get("note"), field="note", label="说明", max_length=300, required=False),
            )

        if act_on_page(request, run, gettext("驻点安排已保存")) is not None:
            return redirect("monitoring:assignment_list")
    return render(request, "monitoring/assignment_new.html", {
        "title": _("新建驻点安排"), "staff": staff, "hospitals": _hospital_choices(request),
        "kinds": Assignment.Kind.choices, "values": request.POST,
    })


def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = queries.access_assignment_by_id(request, pk)
    act_on_page(request, lambda: actions.do_end_assignment(
        assignment, ended_on=inputs.date(request.POST.get("ended_on"), field="ended_on", label="结束日期"),
        actor=request.user), gettext("安排已结束（轮岗）"))
    return redirect("monitoring:assignment_list")


# -- stay monitoring ---------------------------------------------------------------------------------------------


def overview(request: HttpRequest) -> HttpResponse:
    """在院监控: current inpatients of my hospitals (the manager: all in scope), visits due and overdue, long
    stays against the diagnosis group's median, persons near the entry line or the annual maximum, opinions."""
    user: Any = request.user
    today = timezone.localdate()
    admissions = Admission.objects.for_user(user)
    if user.post == "inspector":
        admissions = admissions.filter(hospital_id__in=queries.hospital_ids_of(user, today))
    overdue = admissions.filter(status=Admission.Status.IN, next_visit_due__lt=today).select_related("hospital")
    return render(request, "monitoring/overview.html", {
        "title": _("在院监控"), "today": today, "counts": queries.inpatient_counts(admissions, today),
        "overdue": overdue[:50], "long_stays": queries.long_stays(admissions, today)[:50],
        "near": queries.near_thresholds(admissions, today)[:50],
        "not_covered": admissions.filter(status=Admission.Status.IN, covered=False).select_related("hospital")[:50],
        "opinions": Opinion.objects.for_user(user).filter(status=Opinion.Status.NEW).select_related("hospital")[:20],
        "can_read": can(user, "monitoring:opinion_read"),
    })


# -- hand-over register and opinions -----------------------------------------------------------------------------


class HandoverList(ScopedListView):
    model = Handover
    title = _("资料交接")
    template_name = "monitoring/handover_list.html"
    columns = (
        Column(_("交接日期"), "handed_on"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("医院科室"), "department"),
        Column(_("交接方向"), "direction"),
        Column(_("交接资料"), "items"),
        Column(_("交出人"), "handed_by"),
        Column(_("接收人"), "received_by"),
    )
    search_fields = ("items__icontains", "department__icontains")
    filters = (RegionFilter(), HospitalFilter(), DateRange("on", _("交接日期"), "handed_on"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_record"] = can(self.request.user, "monitoring:handover_new")
        return context


def handover_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        p = request.POST

        def run() -> Handover:
            return actions.do_record_handover(
                hospital=_hospital_for(request, p.get("hospital")),
                direction=inputs.text(p.get("direction"), field="direction", label="交接方向", max_length=14),
                department=inputs.text(p.get("department"), field="department", label="医院科室", max_length=100),
                items=inputs.text(p.get("items"), field="items", label="交接资料", max_length=1000),
                handed_by=inputs.text(p.get("handed_by"), field="handed_by", label="交出人", max_length=50),
                received_by=inputs.text(p.get("received_by"), field="received_by", label="接收人", max_length=50),
                handed_on=inputs.date(p.get("handed_on"), field="handed_on", label="交接日期",
                                      maximum=timezone.localdate()),
                actor=request.user,
            )

        if act_on_page(request, run, gettext("交接记录已保存")) is not None:
            return redirect("monitoring:handover_list")
    return render(request, "monitoring/handover_new.html", {
        "title": _("登记资料交接"), "hospitals": _hospital_choices(request), "values": request.POST,
        "directions": Handover.Direction.choices, "today": timezone.localdate().isoformat(),
    })


class OpinionList(ScopedListView):
    model = Opinion
    title = _("意见收集")
    template_name = "monitoring/opinion_list.html"
    columns = (
        Column(_("记录时间"), "recorded_at"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("意见来源"), "source"),
        Column(_("意见内容"), "content"),
        Column(_("状态"), "status"),
        Column(_("阅处意见"), "read_note"),
    )
    filters = (RegionFilter(), HospitalFilter(), Filter("status", _("状态"), "status", Opinion.Status.choices),
               Filter("source", _("意见来源"), "source", Opinion.Source.choices))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_record"] = can(self.request.user, "monitoring:opinion_new")
        context["can_read"] = can(self.request.user, "monitoring:opinion_read")
        return context


def opinion_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        p = request.POST
        admission = None
        if p.get("admission"):
            admission = queries.access_admission_by_id(request, p.get("admission"))

        def run() -> Opinion:
            return actions.do_record_opinion(
                hospital=admission.hospital if admission else _hospital_for(request, p.get("hospital")),
                source=inputs.text(p.get("source"), field="source", label="意见来源", max_length=10),
                content=inputs.text(p.get("content"), field="content", label="意见内容", max_length=1000),
                actor=request.user, admission=admission,
            )

        if act_on_page(request, run, gettext("意见已记录，转管理岗阅处")) is not None:
            return redirect("monitoring:opinion_list")
    return render(request, "monitoring/opinion_new.html", {
        "title": _("记录意见"), "hospitals": _hospital_choices(request), "values": request.POST,
        "sources": Opinion.Source.choices, "admission": request.GET.get("admission", ""),
    })


def opinion_read(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = queries.access_opinion_by_id(request, pk)
    act_on_page(request, lambda: actions.do_read_opinion(
        opinion, note=inputs.text(request.POST.get("note"), field="note", label="阅处意见", max_length=500,
                                  required=False), actor=request.user), gettext("已阅处"))
    return redirect("monitoring:overview")


# -- statistics --------------------------------------------------------------------------------------------------


def statistics(request: HttpRequest) -> HttpResponse:
    """查床统计: visits per representative and hospital, timeliness, findings and their confirmed amounts."""
    today = timezone.localdate()
    start = inputs.query_date(request.GET, "from", today.replace(month=1, day=1), label="起始日期")
    end = inputs.query_date(request.GET, "to", today, label="截止日期")
    visits = Visit.objects.for_user(request.user).filter(visit_date__gte=start, visit_date__lte=end)
    return render(request, "monitoring/statistics.html", {
        "title": _("查床统计"), "start": start, "end": end, **queries.visit_statistics(visits),
    })

