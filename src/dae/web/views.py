"""Shell pages: the home dashboard, the event and access logs, background jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core.errors import NotFound
from dae.core.jobs import live_state
from dae.core.models import AccessRecord, Event, Job

from .changes import changes_text, render_changes
from .dashboard import monthly_chart, work_for
from .listing import Column, DateRange, Filter, RegionFilter, ScopedListView, TextFilter
from .names import EVENT_SUBJECTS, OBJECT_KINDS, event_name, object_links, object_name


def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        "title": _("首页"),
        "work": work_for(user),
        "chart": monthly_chart(user),
        "regions": [str(r) for r in user.regions.all()],
    }
    return render(request, "web/home.html", context)


def _actor(row: Any) -> Any:
    actor = row.actor
    if actor is None:
        return format_html('<span class="text-nowrap text-body-secondary">{}</span>', gettext("系统"))
    if getattr(actor, "display_name", ""):
        name = format_html('<span class="text-nowrap">{}</span>', actor.display_name)
    else:
        name = format_html('<span class="text-nowrap code">{}</span>', actor.get_username())
    return format_html('{} <small class="text-body-secondary text-nowrap">{}</small>', name, actor.post_label)


def _actor_text(row: Any) -> str:
    actor = row.actor
    if actor is None:
        return gettext("系统")
    return f"{getattr(actor, 'display_name', '') or actor.get_username()}（{actor.post_label}）"


def _object(row: Any) -> Any:
    text = f"{object_name(row.object_type)} #{row.object_id}" if row.object_id else object_name(row.object_type)
    href = getattr(row, "object_href", None)
    return format_html('<a href="{}">{}</a>', href, text) if href else text


def _object_text(row: Any) -> str:
    return f"{object_name(row.object_type)} #{row.object_id}" if row.object_id else object_name(row.object_type)


def _event(row: Any) -> Any:
    return format_html('{} <small class="text-body-secondary code">{}</small>', event_name(row.action), row.action)


def _log_rows(request: HttpRequest, model: Any) -> Any:
    """The log rows a reader may see: staff and supervisors their regions' (``for_user``); the IT post, which
    keeps the system and has no region, every row — it reads the logs, it changes nothing."""
    user: Any = request.user
    if getattr(user, "scope_kind", "") == "none" and getattr(user, "post", "") == "it":
        return model.objects.all()
    return model.objects.for_user(user)


class LinkedObjectsMixin:
    """Gives each row of the page ``object_href`` (its object's page, when the user may open it)."""

    request: HttpRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        rows = list(context["object_list"])
        links = object_links(self.request.user, [(r.object_type, r.object_id) for r in rows])
        for row in rows:
            row.object_href = links.get((row.object_type, row.object_id))
        context["object_list"] = rows
        return context


class EventList(LinkedObjectsMixin, ScopedListView):
    model = Event
    title = _("事件日志")
    columns = (
        Column(_("时间"), "at", kind="datetime"),
        Column(_("操作人"), _actor, sort="actor__username"),
        Column(_("操作"), _event, sort="action"),
        Column(_("对象"), _object, sort="object_type"),
        Column(_("变更（前 → 后）"), lambda e: render_changes(e.before, e.after, e.object_type), css="changes-col", export=False),
        Column(_("说明"), "note"),
    )
    export_columns = (
        Column(_("时间"), "at", kind="datetime"),
        Column(_("操作人"), _actor_text),
        Column(_("操作"), lambda e: event_name(e.action)),
        Column(_("操作代码"), "action"),
        Column(_("对象"), _object_text),
        Column(_("变更前"), lambda e: changes_text(e.before, e.object_type)),
        Column(_("变更后"), lambda e: changes_text(e.after, e.object_type)),
        Column(_("说明"), "note"),
    )
    search_fields = ("action__icontains", "object_id", "actor__username", "actor__display_name__icontains",
                     "note__icontains")
    search_placeholder = _("操作代码 / 对象编号 / 操作人 / 说明")

    @property
    def filters(self) -> tuple[Any, ...]:  # type: ignore[override]
        subjects = tuple((key, str(label)) for key, label in EVENT_SUBJECTS.items())
        kinds = sorted({(key, str(kind.label)) for key, kind in OBJECT_KINDS.items()}, key=lambda c: c[1])
        return (
            DateRange("at", _("日期"), "at"),
            RegionFilter(),
            Filter("subject", _("业务"), {key: {"action__startswith": f"{key}."} for key, _l in subjects}, subjects),
            Filter("type", _("对象类型"), "object_type", tuple(kinds)),
            Filter("actor", _("操作人"), {"system": {"actor__isnull": True}, "user": {"actor__isnull": False}},
                   (("system", _("系统")), ("user", _("用户")))),
            TextFilter("who", _("操作人用户名"), "actor__username__icontains"),
        )

    def base_queryset(self) -> Any:
        return _log_rows(self.request, self.model).select_related("actor")


class AccessLogList(LinkedObjectsMixin, ScopedListView):
    model = AccessRecord
    title = _("访问日志")
    columns = (
        Column(_("时间"), "at", kind="datetime"),
        Column(_("访问人"), _actor, sort="actor__username"),
        Column(_("原因"), "why"),
        Column(_("人员编号"), "psn_no"),
        Column(_("对象"), _object, sort="object_type"),
        Column(_("访问路径"), lambda r: format_html('<code class="small text-break">{}</code>', r.path), sort="path"),
    )
    export_columns = (
        Column(_("时间"), "at", kind="datetime"),
        Column(_("访问人"), _actor_text),
        Column(_("原因"), "why"),
        Column(_("人员编号"), "psn_no"),
        Column(_("对象"), _object_text),
        Column(_("访问路径"), "path"),
    )
    search_fields = ("psn_no", "actor__username", "actor__display_name__icontains", "path__icontains")
    search_placeholder = _("人员编号 / 访问人 / 路径")
    filters = (DateRange("at", _("日期"), "at"), RegionFilter(), Filter("why", _("原因"), "why", AccessRecord.Why.choices),
               TextFilter("who", _("访问人用户名"), "actor__username__icontains"))

    def base_queryset(self) -> Any:
        return _log_rows(self.request, self.model).select_related("actor")


class JobList(ScopedListView):
    model = Job
    title = _("后台任务")
    columns = (
        Column(_("标题"), "title", link="web:job_detail"),
        Column(_("状态"), "status"),
        Column(_("进度"), lambda j: f"{j.percent}%"),
        Column(_("创建时间"), "created_at"),
        Column(_("消息"), "message"),
    )
    filters = (DateRange("created", _("创建日期"), "created_at"), Filter("status", _("状态"), "status", Job.Status.choices))

    def base_queryset(self) -> Any:
        user: Any = self.request.user
        qs = Job.objects.all()
        return qs if user.post in ("it", "manager") else qs.filter(created_by=user)


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's progress; the bar refreshes itself through htmx until the job ends."""
    user: Any = request.user
    job = Job.objects.filter(pk=pk).first()
    if job is None or (user.post not in ("it", "manager") and job.created_by_id != user.pk):
        raise NotFound()
    live_state(job)
    template = "web/_job_progress.html" if request.headers.get("HX-Request") else "web/job_detail.html"
    return render(request, template, {"job": job, "title": job.title})
