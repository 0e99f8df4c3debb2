"""Pages of the working-day calendar: the year's month grids (everyone on staff reads), the manager's entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, Filter, ScopedListView

from . import actions, service
from .calendar import DayInfo, DayKind, missing_fixed_holidays
from .forms import ConfirmYearForm, DeadlineForm, OverrideForm, RemoveOverrideForm
from .models import CalendarOverride, CalendarYear

KIND_LABELS = {
    DayKind.WORKDAY: _("工作日"),
    DayKind.WEEKEND: _("周休息日"),
    DayKind.HOLIDAY: _("法定节假日 / 调休休息"),
    DayKind.MAKEUP: _("调休上班"),
}
WEEKDAY_LABELS = (pgettext_lazy("weekday", "一"), pgettext_lazy("weekday", "二"), pgettext_lazy("weekday", "三"),
                  pgettext_lazy("weekday", "四"), pgettext_lazy("weekday", "五"), pgettext_lazy("weekday", "六"),
                  pgettext_lazy("weekday", "日"))


def _calendar_url(year: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}"


def _year_param(request: HttpRequest) -> int:
    today_year = timezone.localdate().year
    raw = request.GET.get("year", "").strip()
    if not raw:
        return today_year
    try:
        year = int(raw)
    except ValueError:
        year = 0
    if not actions.FIRST_YEAR <= year <= actions.LAST_YEAR:
        messages.error(request, gettext("年度须在 %(a)s 到 %(b)s 之间") % {"a": actions.FIRST_YEAR, "b": actions.LAST_YEAR})
        return today_year
    return year


@dataclass(frozen=True)
class Cell:
    day: DayInfo
    label: Any


def month_grid(days: list[DayInfo], month: int) -> list[list[Cell | None]]:
    """The weeks (Monday first) of one month of ``days``, padded with None."""
    in_month = [Cell(d, KIND_LABELS[d.kind]) for d in days if d.date.month == month]
    cells: list[Cell | None] = [None] * in_month[0].day.date.weekday() + list(in_month)
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def calendar_page(request: HttpRequest) -> HttpResponse:
    year = _year_param(request)
    cal = service.calendar()
    days = cal.year_days(year)
    confirmed = CalendarYear.objects.select_related("confirmed_by").filter(year=year).first()
    if year in cal.package_years:
        status = "package"
    elif confirmed is not None:
        status = "confirmed"
    else:
        status = "unknown"
    counts = {kind: sum(1 for d in days if d.kind is kind) for kind in DayKind}
    deadline_form = DeadlineForm(request.GET if "start" in request.GET else None)
    result = None
    if deadline_form.is_bound and deadline_form.is_valid():
        try:
            due = service.deadline(deadline_form.cleaned_data["start"], deadline_form.cleaned_data["days"])
        except DaeError as error:
            deadline_form.add_error("days", error.message)
        else:
            result = {"deadline": due, "warnings": [service.warning_dict(w) for w in due.warnings]}
    known_years = sorted(cal.package_years | cal.confirmed_years)
    choices = sorted(set(range(min(known_years, default=year), max(known_years, default=year) + 2)) | {year})
    context = {
        "title": gettext("工作日历"), "year": year, "status": status, "confirmed": confirmed,
        "months": [(m, month_grid(days, m)) for m in range(1, 13)], "weekdays": WEEKDAY_LABELS,
        "counts": [(KIND_LABELS[k], counts[k], k.value) for k in DayKind],
        "working_days": sum(1 for d in days if d.is_working_day),
        "overrides": CalendarOverride.objects.select_related("created_by").filter(date__year=year),
        "missing": missing_fixed_holidays(cal, year) if status == "unknown" else [],
        "year_choices": choices, "package_first": min(cal.package_years, default=None),
        "package_last": max(cal.package_years, default=None),
        "deadline_form": deadline_form, "result": result,
        "override_form": OverrideForm(initial={"date": dt.date(year, 1, 1)}),
        "confirm_form": ConfirmYearForm(initial={"year": year}),
        "is_manager": getattr(request.user, "post", "") == "manager",
    }
    return render(request, "workdays/calendar.html", context)


def _back(year: int | None = None) -> HttpResponse:
    """Back to the calendar page of ``year`` (default: this year)."""
    return redirect(_calendar_url(year or timezone.localdate().year))


def override_set(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _back()
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写有效的日期和安排"))
        return _back()
    data = form.cleaned_data
    first, last = data["date"], data["end"] or data["date"]
    try:
        rows = actions.do_set_override_range(request.user, first, last, data["kind"] == "work", data["note"])
    except DaeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("已录入 %(n)s 天：%(a)s 至 %(b)s") % {
            "n": len(rows), "a": first.isoformat(), "b": last.isoformat()})
    return _back(first.year)


def override_remove(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _back()
    form = RemoveOverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写有效的日期"))
        return _back()
    day = form.cleaned_data["date"]
    try:
        actions.do_remove_override(request.user, day)
    except DaeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("已删除 %(d)s 的调整") % {"d": day.isoformat()})
    return _back(day.year)


def year_confirm(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _back()
    form = ConfirmYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请填写有效的年度"))
        return _back()
    year = form.cleaned_data["year"]
    try:
        actions.do_confirm_year(request.user, year, form.cleaned_data["note"])
    except DaeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, gettext("%(y)s 年度已确认，该年度的期限按录入的安排计算") % {"y": year})
    return _back(year)


def _year_choices() -> list[tuple[str, str]]:
    years = CalendarOverride.objects.dates("date", "year", order="DESC")
    return [(str(d.year), str(d.year)) for d in years]


class OverrideList(ScopedListView):
    model = CalendarOverride
    title = _("工作日调整")
    columns = (
        Column(_("日期"), "date"),
        Column(_("星期"), lambda o: WEEKDAY_LABELS[o.date.weekday()]),
        Column(_("安排"), lambda o: gettext("上班") if o.is_working_day else gettext("休息")),
        Column(_("说明"), "note"),
        Column(_("录入人"), "created_by"),
        Column(_("录入时间"), lambda o: timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M")),
    )
    search_fields = ("note__icontains",)
    search_placeholder = _("说明")

    @property
    def filters(self) -> tuple[Filter, ...]:  # type: ignore[override]
        choices = _year_choices()
        return (Filter("year", _("年度"), {value: {"date__year": int(value)} for value, _label in choices}, choices),
                DateRange("date", _("日期"), "date"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("created_by")
