"""Pages of satisfaction surveys (list, new, respondents, answer entry, analysis with its Excel and PDF) and of
message templates and campaigns."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.core.access import record_access, record_export
from dae.core.exports import ExportColumn, export_response, xlsx_bytes
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView
from dae.web.who import region_choices

from . import actions, queries
from .actions.messages import VARIABLES, preview
from .models import Campaign, MessageTemplate, Respondent, Survey
from .views import _run


class SurveyList(ScopedListView):
    model = Survey
    title = _("满意度调查")
    template_name = "service/survey_list.html"
    columns = (
        Column(_("调查名称"), "title", link="service:survey_detail"),
        Column(_("统筹区"), "region.name"),
        Column(_("结算期间起"), "period_from", kind="date"),
        Column(_("结算期间止"), "period_to", kind="date"),
        Column(_("样本量"), "sample_size", kind="int"),
        Column(_("状态"), "status"),
    )

    @property
    def filters(self) -> tuple[Filter, ...]:  # type: ignore[override]
        return (Filter("status", _("状态"), "status", Survey.Status.choices),)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "service:survey_new")
        return context


def survey_new(request: HttpRequest) -> HttpResponse:
    p = request.POST
    if request.method == "POST":
        survey = _run(request, lambda: actions.do_create_survey(
            request.user, region_code=p.get("region"), title=p.get("title"), period_from=p.get("period_from"),
            period_to=p.get("period_to"), sample_size=p.get("sample_size"), seed=p.get("seed"),
            target_rate=p.get("target_rate") or "90"), gettext("已抽取样本，调查开始"))
        if survey is not None:
            return redirect("service:survey_detail", pk=survey.pk)
    return render(request, "service/survey_new.html", {"title": _("开展满意度调查"), "regions": region_choices(request),
                                                       "data": p})


def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = queries.access_survey_by_id(request, pk)
    respondents = list(survey.respondents.select_related("hospital", "entered_by").order_by("status", "psn_no"))
    return render(request, "service/survey_detail.html", {
        "title": survey.title, "survey": survey, "respondents": respondents,
        "forms": survey.questionnaires.order_by("code"),
        "can_enter": can(request.user, "service:respondent_answer"),
        "can_close": can(request.user, "service:survey_close")})


def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = queries.access_survey_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: actions.do_close_survey(request.user, survey), gettext("调查已结束"))
    return redirect("service:survey_detail", pk=survey.pk)


def _analysis_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    a = queries.survey_analysis(survey)
    tables = [(gettext("按维度"), a.dimensions, "by-dimension"), (gettext("按题目"), a.questions, "by-question"),
              (gettext("按统筹区"), a.regions, "by-region"), (gettext("按医疗机构"), a.hospitals, "by-hospital")]
    return {"title": gettext("满意度分析 %(t)s") % {"t": survey.title}, "survey": survey,
            "a": a, "table_list": tables, "printed": timezone.localtime(),
            "suggestions": survey.suggestions.select_related("assignee"),
            "staff": User.objects.filter(is_active=True, regions__admdvs=survey.region_id,
                                         post__in=("service", "manager", "settlement", "reviewer")).distinct(),
            "can_suggest": can(request.user, "service:suggestion_add"),
            "can_done": can(request.user, "service:suggestion_done"), "pdf": False}


def survey_analysis(request: HttpRequest, pk: int) -> HttpResponse:
    survey = queries.access_survey_by_id(request, pk)
    return render(request, "service/survey_analysis.html", _analysis_context(request, survey))


def _percent(value: Any) -> Any:
    return None if value is None else value / 100


def survey_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The analysis as Excel (one sheet per table, from the same computed analysis) or as PDF."""
    survey = queries.access_survey_by_id(request, pk)
    if fmt not in ("xlsx", "pdf"):
        raise Http404()
    context = _analysis_context(request, survey)
    a = context["a"]
    record_export(request, "service:survey_export", len(a.questions), fmt)
    name = f"满意度分析-{survey.pk}"
    if fmt == "pdf":
        from weasyprint import HTML

        html = render_to_string("service/survey_analysis_print.html", {**context, "pdf": True}, request=request)
        response = HttpResponse(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.pdf"'
        return response
    cols = [ExportColumn(gettext("项目"), width=40), ExportColumn(gettext("回答数"), "int"),
            ExportColumn(gettext("平均分"), width=10), ExportColumn(gettext("满意率"), "percent"),
            *[ExportColumn(label, "int", 10) for label, _n in a.overall.distribution]]

    def rows(items: Any) -> list[list[Any]]:
        return [[r.label, r.tally.answers, r.tally.mean, _percent(r.tally.rate),
                 *[n for _label, n in r.tally.distribution]] for r in items]

    header = [f"{survey.title}（{survey.region}）", gettext("样本 %(s)s，回答 %(a)s，回答率 %(r)s%%") % {
        "s": a.sampled, "a": a.answered, "r": a.response_rate}, gettext("满意率 %(r)s%%（目标 %(t)s%%）") % {
        "r": a.satisfaction_rate, "t": a.target}, gettext("导出人 %(u)s %(t)s") % {
        "u": request.user, "t": timezone.localtime().strftime("%Y-%m-%d %H:%M")}]
    content = xlsx_bytes([
        (gettext("题目"), cols, rows(a.questions)), (gettext("维度"), cols, rows(a.dimensions)),
        (gettext("统筹区"), cols, rows(a.regions)), (gettext("医疗机构"), cols, rows(a.hospitals)),
        (gettext("意见建议"), [ExportColumn(gettext("问卷")), ExportColumn(gettext("意见"), width=60)],
         [[t.questionnaire, t.text] for t in a.texts]),
    ], header_lines=header)
    return export_response(content, name, "xlsx")


def suggestion_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = queries.access_survey_by_id(request, pk)
    p = request.POST
    if request.method == "POST":
        _run(request, lambda: actions.do_add_suggestion(request.user, survey, text_value=p.get("text"),
                                                        assignee=p.get("assignee"), due_on=p.get("due_on")),
             gettext("改进建议已登记"))
    return redirect("service:survey_analysis", pk=survey.pk)


def suggestion_done(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = queries.access_suggestion_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: actions.do_complete_suggestion(request.user, suggestion, note=request.POST.get("note")),
             gettext("已完成"))
    return redirect("service:survey_analysis", pk=suggestion.survey_id)


def respondent_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """答卷: staff enter it on a call; the insured person fills in their own online (from 咨询与投诉)."""
    respondent = queries.access_respondent_by_id(request, pk)
    insured = getattr(request.user, "scope_kind", "") == "insured"
    if not insured:
        record_access(request, respondent, why="service")
    if request.method == "POST":
        if request.POST.get("unreachable") and not insured:
            done = _run(request, lambda: actions.do_mark_unreachable(request.user, respondent), gettext("已标记未联系上"))
        else:
            answers = {k: v for k, v in request.POST.items() if "." in k}
            done = _run(request, lambda: actions.do_record_answers(request.user, respondent, answers=answers),
                        gettext("答卷已保存，谢谢"))
        if done is not None and insured:
            return redirect("service:my_service")
        if done is not None:
            return redirect("service:survey_detail", pk=respondent.survey_id)
    return render(request, "service/respondent_answer.html", {
        "title": respondent.survey.title, "r": respondent, "insured": insured,
        "forms": respondent.survey.questionnaires.order_by("code"),
        "answered": respondent.status != Respondent.Status.PENDING,
        "scale": ((5, gettext("非常满意")), (4, gettext("满意")), (3, gettext("一般")), (2, gettext("不太满意")),
                  (1, gettext("非常不满意")))})


def _approve_cell(can_approve: bool) -> Any:
    def cell(template: MessageTemplate) -> Any:
        if not can_approve or template.status != MessageTemplate.Status.DRAFT:
            return ""
        return format_html('<button class="btn btn-outline-success btn-sm" form="approve-{}" type="submit">{}</button>',
                           template.pk, gettext("审核通过"))
    return cell


def _status_text(template: MessageTemplate) -> str:
    shown = str(template.get_status_display())
    return f"{shown} · {template.approved_by}" if template.approved_by else shown


class TemplateList(ScopedListView):
    """短信模板: every template version as a list (filters by status; text search; export), 审核通过 in the row for
    the manager, a new template or version below the list."""

    model = MessageTemplate
    title = _("短信模板")
    template_name = "service/template_list.html"
    search_fields = ("code__icontains", "name__icontains", "body__icontains")
    search_placeholder = _("模板代码、名称或内容")
    filters = (Filter("status", _("状态"), "status", MessageTemplate.Status.choices),)
    export_columns = (
        Column(_("模板代码"), "code"), Column(_("版本"), "version", kind="int"), Column(_("模板名称"), "name"),
        Column(_("短信内容"), "body"), Column(_("预览"), lambda t: preview(t.body)), Column(_("状态"), _status_text),
    )

    @property
    def columns(self) -> tuple[Column, ...]:  # type: ignore[override]
        return (
            Column(_("模板代码"), "code"), Column(_("版本"), lambda t: f"v{t.version}", sort="version"),
            Column(_("模板名称"), "name"), Column(_("短信内容"), "body"),
            Column(_("预览"), lambda t: preview(t.body), sort=""), Column(_("状态"), _status_text, sort="status"),
            Column("", _approve_cell(can(self.request.user, "service:template_approve")), export=False),
        )

    def base_queryset(self) -> Any:
        return MessageTemplate.objects.select_related("created_by", "approved_by").order_by("code", "-version")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        p = request.POST
        _run(request, lambda: actions.do_save_template(request.user, code=p.get("code"), name=p.get("name"),
                                                       body=p.get("body")), gettext("模板已保存，待审核"))
        return redirect("service:template_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(variables=VARIABLES, can_edit=can(self.request.user, "service:template_list"),
                       can_approve=can(self.request.user, "service:template_approve"))
        return context


template_list = TemplateList.as_view()


def template_approve(request: HttpRequest, pk: int) -> HttpResponse:
    template = queries.access_template_by_id(request, pk)
    if request.method == "POST":
        _run(request, lambda: actions.do_approve_template(request.user, template), gettext("模板已审核"))
    return redirect("service:template_list")


class CampaignList(ScopedListView):
    """宣传与提醒: the campaigns as a list (filters by region, audience and date; export), a new campaign below the
    list."""

    model = Campaign
    title = _("宣传与提醒")
    template_name = "service/campaign_list.html"
    columns = (
        Column(_("活动名称"), "name"),
        Column(_("统筹区"), "region.name"),
        Column(_("短信模板"), "template", sort="template__code"),
        Column(_("发送对象"), "audience"),
        Column(_("对象人数"), "audience_size", css="text-end", kind="int"),
        Column(_("已排队"), "queued", css="text-end", kind="int"),
        Column(_("超过发送限制"), "over_limit", css="text-end", kind="int"),
        Column(_("发起人"), lambda c: c.created_by or "—", sort="created_by__username"),
        Column(_("发起时间"), "created_at", kind="datetime"),
    )
    search_fields = ("name__icontains",)
    search_placeholder = _("活动名称")
    filters = (
        RegionFilter(),
        Filter("audience", _("发送对象"), "audience", Campaign.Audience.choices),
        DateRange("created", _("发起时间"), "created_at"),
    )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("template", "created_by", "region")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        p = request.POST
        _run(request, lambda: actions.do_run_campaign(request.user, region_code=p.get("region"), name=p.get("name"),
                                                      template=p.get("template"), audience_kind=p.get("audience")),
             gettext("已加入短信发件箱"))
        return redirect("service:campaign_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            templates=MessageTemplate.objects.filter(status=MessageTemplate.Status.APPROVED).order_by("code",
                                                                                                   "-version"),
            audiences=Campaign.Audience.choices, regions=region_choices(self.request),
            can_run=can(self.request.user, "service:campaign_list"))
        return context


campaign_list = CampaignList.as_view()


