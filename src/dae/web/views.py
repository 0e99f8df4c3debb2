"""Shell pages: the home dashboard, the event and access logs, background jobs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dae.core.errors import NotFound
from dae.core.jobs import live_state
from dae.core.models import AccessRecord, Event, Job

from .dashboard import monthly_chart, work_for
from .listing import Column, Filter, ScopedListView


def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        "title": _("首页"),
        "work": work_for(user),
        "chart": monthly_chart(user),
        "regions": [str(r) for r in user.regions.all()],
    }
    return render(request, "web/home.html", context)


class EventList(ScopedListView):
    model = Event
    title = _("事件日志")
    columns = (
        Column(_("时间"), "at"),
        Column(_("操作人"), "actor"),
        Column(_("操作代码"), "action"),
        Column(_("对象"), lambda e: f"{e.object_type} #{e.object_id}"),
        Column(_("变更前"), "before"),
        Column(_("变更后"), "after"),
        Column(_("说明"), "note"),
    )
    search_fields = ("action__icontains", "object_id", "actor__username")
    search_placeholder = _("操作代码 / 对象编号 / 用户名")
    filters = (
        Filter("type", _("对象类型"), "object_type", (
            ("accounts.user", _("用户")), ("benefits.rulesetversion", _("规则版本")),
            ("enrollment.person", _("参保人")), ("demo.city", _("演示数据")),
        )),
        Filter("actor", _("操作人"), {"system": {"actor__isnull": True}, "user": {"actor__isnull": False}},
               (("system", _("系统")), ("user", _("用户")))),
    )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("actor")


class AccessLogList(ScopedListView):
    model = AccessRecord
    title = _("访问日志")
    columns = (
        Column(_("时间"), "at"),
        Column(_("访问人"), "actor"),
        Column(_("人员编号"), "psn_no"),
        Column(_("对象"), lambda r: f"{r.object_type} #{r.object_id}"),
        Column(_("原因"), "why"),
        Column(_("访问路径"), "path"),
    )
    search_fields = ("psn_no", "actor__username")
    search_placeholder = _("人员编号 / 用户名")
    filters = (Filter("why", _("原因"), "why", AccessRecord.Why.choices),)

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("actor")


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
    filters = (Filter("status", _("状态"), "status", Job.Status.choices),)

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
