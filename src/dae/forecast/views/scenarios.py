"""测算方案: the saved scenarios, compared in one list, one scenario re-run to the same fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.benefits.engine.errors import EngineError
from dae.core.errors import DaeError
from dae.web.listing import Column, DateRange, RegionFilter, ScopedListView, TextFilter, header_lines

from .. import actions, queries
from ..models import Scenario
from .common import yuan
from .simulation import groups, json_changes, sim_view


def _scenario_figure(key: str) -> Any:
    """A scenario's stored total (fen in ``results``) in yuan, for a money column."""
    def figure(scenario: Scenario) -> Decimal | str:
        value = (scenario.results or {}).get("totals", {}).get(key)
        return "" if value is None else yuan(int(value))
    return figure


def _scenario_rerun(scenario: Scenario) -> str:
    if scenario.last_rerun_at is None:
        return "—"
    return gettext("一致") if scenario.last_rerun_same else gettext("不同")


def _compare_cell(scenario: Scenario) -> Any:
    return format_html('<input type="checkbox" class="form-check-input" name="compare" value="{}" form="compare-form"'
                       ' aria-label="{}">', scenario.pk, scenario.name)


class ScenarioList(ScopedListView):
    """测算方案: the saved simulation scenarios as a list (filters by save date, region and name; export), the
    figures of each row read from the scenario's stored results. Tick boxes in the rows and 只比较勾选的方案 below
    narrow the list to the ticked scenarios (``compare=``, kept through the filters and in the export). A
    scenario's fund impact summed across scenarios means nothing, so there is no totals row."""

    model = Scenario
    title = _("测算方案")
    template_name = "forecast/scenario_list.html"
    columns = (
        Column("", _compare_cell, export=False),
        Column(_("方案名称"), "name", link="forecast:scenario_detail"),
        Column(_("统筹区"), "region.name"),
        Column(_("年度"), "year", kind="int"),
        Column(_("调整"), lambda s: " ".join(p for p in (str(s.draft_version or ""), json_changes(s.changes)) if p),
               sort=""),
        Column(_("现行规则（元）"), _scenario_figure("current"), css="amount"),
        Column(_("草案规则（元）"), _scenario_figure("draft"), css="amount"),
        Column(_("基金影响（元）"), _scenario_figure("change"), css="amount"),
        Column(_("增加人数"), lambda s: (s.results or {}).get("gainers", ""), kind="int", css="text-end"),
        Column(_("减少人数"), lambda s: (s.results or {}).get("losers", ""), kind="int", css="text-end"),
        Column(_("复算"), _scenario_rerun, sort="last_rerun_same"),
        Column(_("测算人"), lambda s: s.created_by or "—", sort="created_by__username"),
        Column(_("保存时间"), "created_at", kind="datetime"),
    )
    filters = (
        DateRange("created", _("保存时间"), "created_at"),
        RegionFilter(),
        TextFilter("name", _("方案名称"), "name__icontains"),
    )
    empty_hint = _("尚无保存的测算方案：在政策测算页测算后保存。")

    def chosen(self) -> list[int]:
        """The ticked scenarios to compare (at most 50 ids; what is not an id is not one)."""
        return sorted({int(x) for x in self.request.GET.getlist("compare")[:50] if x.isascii() and x.isdigit()
                       and 0 < len(x) <= 18})

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "draft_version", "created_by")

    def filtered_queryset(self) -> Any:
        qs, errors = super().filtered_queryset()
        chosen = self.chosen()
        return (qs.filter(pk__in=chosen) if chosen else qs), errors

    def extra_hidden(self) -> list[tuple[str, str]]:
        return [("compare", str(pk)) for pk in self.chosen()]

    def export_header(self, count: int) -> list[str]:
        described = [d for f in self.filters if (d := f.describe(self.request.GET, self))]
        chosen = self.chosen()
        if chosen:
            names = "、".join(self.base_queryset().filter(pk__in=chosen).values_list("name", flat=True))
            described.append(gettext("只比较勾选的方案：%(names)s") % {"names": names})
        return header_lines(self.request, str(self.title), count, described)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(comparing=bool(self.chosen()))
        return context


scenario_list = ScenarioList.as_view()


def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = queries.access_scenario_by_id(request, pk)
    if request.method == "POST":
        try:
            scenario, results = actions.do_rerun_scenario(request.user, scenario)
        except DaeError as exc:
            messages.error(request, exc.message)
        except EngineError as exc:
            messages.error(request, gettext("规则或结算数据无法计算：%(e)s") % {"e": str(exc)[:300]})
        else:
            if scenario.last_rerun_same:
                messages.success(request, gettext("复算完成：结果与保存时一致（摘要相同，精确到分）"))
            else:
                messages.warning(request, gettext("复算完成：结果与保存时不同（数据版本%(d)s）") % {
                    "d": gettext("未变") if results["data_version"] == scenario.data_version else gettext("已变化")})
        return redirect("forecast:scenario_detail", pk=scenario.pk)
    return render(request, "forecast/scenario_detail.html", {
        "title": _("测算方案"), "scenario": scenario, "results": scenario.results,
        "view": sim_view(scenario.results), "changes": json_changes(scenario.changes),
        "groups": groups(sim_view(scenario.results)),
        "can_rerun": can(request.user, "forecast:scenario_detail")})
