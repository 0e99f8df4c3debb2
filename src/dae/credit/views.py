"""Pages of credit management (诚信管理) and anomaly screening (异常数据挖掘).

The credit lists with their filters, a party's score, violations, list history and score chart; the manager's
forms (人工列入, 人工移出, 登记违规, 参数); the screening runs with progress, the ranked outliers with the chart of
the top scores, and one unit's indicators against its peers. Every query starts from the user's scope: staff see
their regions, a hospital user its own hospital and its doctors (and, in a screening, its own units)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.catalog.models import Hospital
from dae.core.access import record_access, record_access_many
from dae.core.errors import DaeError
from dae.core.jobs import live_state
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import (
    AmountRange,
    Column,
    DateRange,
    Filter,
    HospitalFilter,
    RegionFilter,
    ScopedListView,
    header_lines,
)
from dae.web.who import region_choices

from . import explain, queries, screening
from .actions import parameters, violations, watchlists
from .actions import screening as screening_actions
from .forms import DelistForm, ListForm, NewListingForm, ScreeningForm, SettingsForm, ViolationForm
from .models import (
    CreditParty,
    CreditSettings,
    Level,
    PartyKind,
    PeriodKind,
    ScreeningResult,
    ScreeningRun,
    UnitKind,
)

LEVEL_BADGE = {Level.NORMAL: "text-bg-success", Level.WATCH: "text-bg-warning", Level.BLACK: "text-bg-dark"}
TOP_CHART = 20


def _user_regions(request: HttpRequest) -> list[str]:
    """The regions whose rows the user sees (a hospital user: its hospital's region)."""
    user: Any = request.user
    if user.scope_kind == "hospital" and user.hospital_id:
        return [str(Hospital.objects.filter(pk=user.hospital_id).values_list("region_id", flat=True).first())]
    return sorted(user.region_codes)


def _chosen_region(request: HttpRequest) -> str:
    codes = _user_regions(request)
    chosen = request.GET.get("region", "").strip()
    if chosen in codes:
        return chosen
    if not codes:
        raise Http404()
    return codes[0]


def _refresh(request: HttpRequest) -> None:
    """Take expired points off before showing scores (writes only when something expired)."""
    for code in _user_regions(request):
        violations.do_refresh_expired(region_id=code)


def _failed(request: HttpRequest, form: Any) -> None:
    errors = [str(e) for field in form.errors.values() for e in field]
    messages.error(request, gettext("请检查填写的内容：%(e)s") % {"e": "；".join(errors)})


def _posted(request: HttpRequest, form_class: type[Any], run: Callable[[dict[str, Any]], Any], done: str) -> None:
    if request.method != "POST":
        return
    form = form_class(request.POST)
    if not form.is_valid():
        _failed(request, form)
        return
    try:
        run(form.cleaned_data)
    except DaeError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, done)


# -- credit lists --------------------------------------------------------------------------------------------


class PartyList(ScopedListView):
    model = CreditParty
    title = _("信用名单")
    template_name = "credit/party_list.html"
    columns = (
        Column(_("对象类型"), "kind"),
        Column(_("编码"), "code", link="credit:party_detail"),
        Column(_("名称"), "name"),
        Column(_("所属医疗机构"), "hospital.name"),
        Column(_("统筹区"), "region.name"),
        Column(_("信用分"), "score", css="text-end"),
        Column(_("名单"), "level"),
        Column(_("周期内违规次数"), "events_count", css="text-end"),
        Column(_("列入日期"), "listed_on"),
    )
    search_fields = ("code", "name__icontains")
    search_placeholder = _("编码或名称")
    filters = (
        RegionFilter(),
        HospitalFilter(),
        Filter("level", _("名单"), "level", Level.choices),
        Filter("kind", _("对象类型"), "kind", PartyKind.choices),
        Filter(
            "listed",
            _("是否在名单"),
            {"yes": {"level__in": [Level.WATCH, Level.BLACK]}, "no": {"level": Level.NORMAL}},
            (("yes", _("在名单")), ("no", _("正常"))),
        ),
    )

    def base_queryset(self) -> Any:
        _refresh(self.request)
        return queries.worst_first(super().base_queryset().select_related("region", "hospital"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        persons = [p for p in context["object_list"] if p.kind == PartyKind.PERSON]
        record_access_many(self.request, persons)
        scoped = CreditParty.objects.for_user(self.request.user)
        context["counts"] = {level: scoped.filter(level=level).count() for level in (Level.WATCH, Level.BLACK)}
        context["can_manage"] = can(self.request.user, "credit:listing_new")
        return context


def _score_chart(party: CreditParty, params: queries.Params) -> dict[str, Any]:
    """The party's score by date (each violation, each expiry, the delisting, today) with the two lines."""
    history = queries.score_history(party, timezone.localdate(), params)
    return {
        "dates": [day.isoformat() for day, _score in history],
        "scores": [score for _day, score in history],
        "watch": params.watch_below,
        "black": params.black_below,
        "names": {"score": gettext("信用分"), "watch": gettext("关注名单线"), "black": gettext("黑名单线")},
    }


def source_of(event: Any) -> tuple[str, str | None]:
    """How a violation's source is shown: its label and, for a finding of the smart audit, the link to it."""
    if event.source_type == "audit.finding":
        label = gettext("智能审核疑点 #%(id)s") % {"id": event.source_id}
        try:
            return label, reverse("auditing:finding_detail", args=[int(event.source_id)])
        except (NoReverseMatch, ValueError):
            return label, None
    if event.source_type == "credit.manual":
        return gettext("人工登记"), None
    return f"{event.source_type} {event.source_id}", None


def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _refresh(request)
    party = get_scoped_or_404(CreditParty, request, pk=pk)
    if party.kind == PartyKind.PERSON:
        record_access(request, party)
    params = queries.params_for(party.region_id)
    return render(
        request,
        "credit/party_detail.html",
        {
            "title": f"{party.get_kind_display()} {party.name or party.code}",
            "party": party,
            "params": params,
            "badge": LEVEL_BADGE.get(Level(party.level), ""),
            "events": [(e, *source_of(e)) for e in party.events.select_related("actor").order_by("-on", "-pk")],
            "changes": party.changes.select_related("actor", "event").order_by("-at", "-pk"),
            "chart": _score_chart(party, params),
            "list_form": ListForm(),
            "delist_form": DelistForm(),
            "can_manage": can(request.user, "credit:party_listing"),
        },
    )


def party_listing(request: HttpRequest, pk: int) -> HttpResponse:
    """人工列入 (manager) of a party already on the list page."""
    party = get_scoped_or_404(CreditParty, request, pk=pk)
    _posted(
        request,
        ListForm,
        lambda data: watchlists.do_list(
            request.user,
            kind=party.kind,
            code=party.code,
            region=party.region_id,
            level=data["level"],
            reason=data["reason"],
            name=party.name,
            hospital_id=party.hospital_id,
        ),
        gettext("已列入名单"),
    )
    return redirect("credit:party_detail", pk=party.pk)


def party_delisting(request: HttpRequest, pk: int) -> HttpResponse:
    """人工移出 (manager) with a reason."""
    party = get_scoped_or_404(CreditParty, request, pk=pk)
    _posted(
        request,
        DelistForm,
        lambda data: watchlists.do_delist(request.user, party, reason=data["reason"]),
        gettext("已移出名单"),
    )
    return redirect("credit:party_detail", pk=party.pk)


def listing_new(request: HttpRequest) -> HttpResponse:
    """人工列入 a party by kind and code (manager): a hospital, doctor or person of the manager's regions."""
    form = NewListingForm(request.POST or None, regions=region_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            name, hospital_id = queries.find_party(data["kind"], data["code"], data["region"], request.user)
            party = watchlists.do_list(
                request.user,
                kind=data["kind"],
                code=data["code"].strip(),
                region=data["region"],
                level=data["level"],
                reason=data["reason"],
                name=name,
                hospital_id=hospital_id,
            )
        except DaeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已列入名单"))
            return redirect("credit:party_detail", pk=party.pk)
    return render(
        request,
        "credit/form.html",
        {
            "title": _("人工列入名单"),
            "form": form,
            "testid": "listing-form",
            "intro": _("列入关注名单或黑名单须填写原因；人工列入一直有效，直到管理岗移出。"),
        },
    )


def violation_new(request: HttpRequest) -> HttpResponse:
    """登记违规 (manager): a violation established outside the smart audit (现场巡查、举报核查 …)."""
    form = ViolationForm(request.POST or None, regions=region_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            code = data["code"].strip()
            name, hospital_id = queries.find_party(data["kind"], code, data["region"], request.user)
            hospital_code = (
                Hospital.objects.filter(pk=hospital_id).values_list("code", flat=True).first() or ""
                if hospital_id
                else ""
            )
            note = " ".join(x for x in (data["document"].strip(), data["note"].strip()) if x)
            event = violations.do_record_violation(
                party_kind=data["kind"],
                party_code=code,
                region_id=data["region"],
                amount=data["amount"],
                source=("credit.manual", data["key"]),
                on=data["on"],
                actor=request.user,
                note=note,
                party_name=name,
                hospital_code=hospital_code,
            )
        except DaeError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已登记违规，扣 %(p)s 分") % {"p": event.points})
            return redirect("credit:party_detail", pk=event.party_id)
    return render(
        request,
        "credit/form.html",
        {
            "title": _("登记违规"),
            "form": form,
            "testid": "violation-form",
            "intro": _("登记经认定的违规（现场巡查、举报核查等）；智能审核疑点经三方确认后自动登记。"),
        },
    )


def _points_text(h: CreditSettings) -> str:
    return f"{h.base_points} + {h.points_per_thousand}/{gettext('千元')} ≤ {h.max_points}"


def _lines_text(h: CreditSettings) -> str:
    return f"{h.watch_below} / {h.black_below}"


def _screening_text(h: CreditSettings) -> str:
    return (f"z > {h.anomaly_threshold} · {gettext('同类')} ≥ {h.min_peers} · {gettext('人次')} ≥ {h.min_volume} · "
            f"{h.readmit_days} {gettext('天')}")


class SettingsView(ScopedListView):
    """诚信参数: the parameters in force of a region, the manager's form for a new version, and the region's
    versions as a list (filters by time and reason; export). The region picker is kept outside the filters."""

    model = CreditSettings
    title = _("诚信参数")
    template_name = "credit/settings.html"
    columns = (
        Column(_("版本"), "version", kind="int"),
        Column(_("时间"), "at", kind="datetime"),
        Column(_("操作人"), lambda h: h.actor or "—", sort="actor__username"),
        Column(_("计分周期（月）"), "window_months", kind="int"),
        Column(_("扣分"), _points_text, sort=""),
        Column(_("名单线"), _lines_text, sort=""),
        Column(_("异常数据挖掘"), _screening_text, sort=""),
        Column(_("变更原因"), "reason"),
    )
    search_fields = ("reason__icontains",)
    search_placeholder = _("变更原因")
    filters = (DateRange("at", _("时间"), "at"),)
    empty_hint = _("尚未修改，使用默认值")
    form: SettingsForm | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.region = _chosen_region(request)
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self) -> Any:
        return super().base_queryset().filter(region_id=self.region).select_related("actor").order_by("-version")

    def extra_hidden(self) -> list[tuple[str, str]]:
        return [("region", self.region)] if self.region else []

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        region = request.POST.get("region", self.region)
        if region not in _user_regions(request):
            raise Http404()
        form = SettingsForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            try:
                row = parameters.do_change_settings(request.user, region, data, reason=reason)
            except DaeError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, gettext("参数已保存为第 %(v)s 版，已按新参数重新评分") % {"v": row.version})
                return redirect(f"{request.path}?region={region}")
        self.region = region
        self.form = form
        return super().get(request, *args, **kwargs)

    def export_header(self, count: int) -> list[str]:
        described = [d for f in self.filters if (d := f.describe(self.request.GET, self))]
        term = self.request.GET.get("q", "").strip()
        if term:
            described.insert(0, gettext("搜索：%(q)s") % {"q": term[:100]})
        names = dict(region_choices(self.request))
        described.insert(0, gettext("统筹区：%(r)s") % {"r": names.get(self.region, self.region)})
        return header_lines(self.request, str(self.title), count, described)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        current = queries.params_for(self.region)
        context.update(
            region=self.region, regions=region_choices(self.request), current=current,
            values=[(queries.LABELS[name], current.values()[name]) for name in queries.LABELS],
            form=self.form or SettingsForm(initial=current.values()), can_manage=can(self.request.user, "credit:settings"),
            fields=list(queries.LABELS))
        return context


settings_view = SettingsView.as_view()


# -- anomaly screening ---------------------------------------------------------------------------------------


def _params_text(run: ScreeningRun) -> str:
    params = run.params or {}
    return gettext("z > %(t)s · 同类 ≥ %(p)s · 人次 ≥ %(v)s") % {
        "t": params.get("threshold", "—"), "p": params.get("min_peers", "—"), "v": params.get("min_volume", "—")}


class ScreeningList(ScopedListView):
    """异常数据挖掘: the runs of the user's regions; reviewers, inspectors and the manager start one above the
    list."""

    model = ScreeningRun
    title = _("异常数据挖掘")
    template_name = "credit/screening_list.html"
    columns = (
        Column(_("编号"), lambda run: f"#{run.pk}", link="credit:screening_detail", sort="id"),
        Column(_("统筹区"), "region.name"),
        Column(_("期间类型"), "period_kind"),
        Column(_("期间"), "period"),
        Column(_("状态"), "status"),
        Column(_("住院人次"), "stays_count", css="text-end", kind="int"),
        Column(_("评估单位数"), "units_count", css="text-end", kind="int"),
        Column(_("异常单位数"), "flagged_count", css="text-end", kind="int"),
        Column(_("参数"), _params_text),
        Column(_("发起人"), lambda run: run.created_by or "—", sort="created_by__username"),
        Column(_("发起时间"), "created_at", kind="datetime"),
    )
    search_fields = ("period__icontains",)
    search_placeholder = _("期间，如 2026-03")
    filters = (
        RegionFilter(),
        Filter("period_kind", _("期间类型"), "period_kind", PeriodKind.choices),
        Filter("status", _("状态"), "status", ScreeningRun.Status.choices),
        DateRange("created", _("发起时间"), "created_at"),
    )
    empty_hint = _("选择统筹区和期间后点击“开始筛查”。")
    form: ScreeningForm | None = None

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "created_by", "job")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ScreeningForm(request.POST, regions=region_choices(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = screening_actions.do_start_screening(
                    region=data["region"],
                    period_kind=data["period_kind"],
                    period=data["period"],
                    actor=request.user,
                    params={
                        "threshold": data["threshold"],
                        "min_peers": data["min_peers"],
                        "min_volume": data["min_volume"],
                        "readmit_days": data["readmit_days"],
                    },
                )
            except DaeError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("credit:screening_detail", pk=run.pk)
        self.form = form
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form or ScreeningForm(regions=region_choices(self.request))
        context["can_start"] = can(self.request.user, "credit:screening_list")
        return context


screening_list = ScreeningList.as_view()


def _peer_label(result: ScreeningResult) -> str:
    return screening.peer_labels([result]).get(result.peer_group, result.peer_group)


def _why_text(result: ScreeningResult) -> str:
    return "；".join(explain.flagged_sentences(result.indicators, result.run.params))


def _why_cell(result: ScreeningResult) -> Any:
    sentences = explain.flagged_sentences(result.indicators, result.run.params)
    return format_html_join("", "<div>{}</div>", ((s,) for s in sentences)) if sentences else "—"


_RESULT_COLUMNS = (
    Column(_("排名"), "rank", kind="int"),
    Column(_("单位类型"), "unit_kind"),
    Column(_("单位"), "unit_name", link="credit:screening_result"),
    Column(_("单位编码"), "unit_code"),
    Column(_("同类组"), _peer_label, sort="peer_group"),
    Column(_("住院人次"), "stays", css="text-end", kind="int"),
    Column(_("医疗费总额"), "total_cost", css="amount"),
    Column(_("异常得分"), "score", css="text-end"),
)


class ScreeningDetail(ScopedListView):
    """A run: progress while it runs, then its units as a list (the user's scope): the outliers by rank, or every
    unit (``all=1``, a tab kept outside the filters); filters by unit kind, total cost and text (name or code); the
    total cost summed over the filtered units; export with the explanation as text; the chart of the top
    outliers."""

    model = ScreeningResult
    template_name = "credit/screening_detail.html"
    paginate_by = 50
    columns = (*_RESULT_COLUMNS, Column(_("异常说明"), _why_cell, export=False))
    export_columns = (*_RESULT_COLUMNS[:2], Column(_("单位"), "unit_name"), *_RESULT_COLUMNS[3:],
                      Column(_("异常说明"), _why_text))
    search_fields = ("unit_name__icontains", "unit_code__icontains")
    search_placeholder = _("单位名称或编码")
    filters = (
        Filter("kind", _("单位类型"), "unit_kind", UnitKind.choices),
        AmountRange("cost", _("医疗费总额"), "total_cost"),
    )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.run = get_scoped_or_404(ScreeningRun, request, pk=kwargs["pk"])
        self.title = gettext("异常数据挖掘 %(region)s %(period)s") % {"region": self.run.region,
                                                                      "period": self.run.period}
        self.show_all = request.GET.get("all") == "1"
        return super().dispatch(request, *args, **kwargs)

    def running(self) -> bool:
        return self.run.status in (ScreeningRun.Status.QUEUED, ScreeningRun.Status.RUNNING)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("HX-Request") and request.headers.get("HX-Target") != "list-table":
            job = live_state(self.run.job) if self.run.job is not None else None
            running = self.running()
            response = render(request, "credit/_screening_state.html", {"run": self.run, "job": job,
                                                                        "running": running})
            if not running:
                response["HX-Refresh"] = "true"  # the run ended: load the page with its results
            return response
        return super().get(request, *args, **kwargs)

    def base_queryset(self) -> Any:
        qs = super().base_queryset().filter(run=self.run).select_related("hospital", "run")
        if not self.show_all:
            qs = qs.filter(flagged=True)
        return qs.order_by(F("rank").asc(nulls_last=True), "-score", "unit_kind", "unit_code")

    def extra_hidden(self) -> list[tuple[str, str]]:
        return [("all", "1")] if self.show_all else []

    def export_header(self, count: int) -> list[str]:
        described = [d for f in self.filters if (d := f.describe(self.request.GET, self))]
        term = self.request.GET.get("q", "").strip()
        if term:
            described.insert(0, gettext("搜索：%(q)s") % {"q": term[:100]})
        described.append(gettext("范围：全部单位") if self.show_all else gettext("范围：只看异常单位"))
        return header_lines(self.request, str(self.title), count, described)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filtered, _errors = self.filtered_queryset()
        top = list(filtered.filter(flagged=True).order_by("rank")[:TOP_CHART])
        chart = {
            "labels": [r.unit_name for r in top],
            "scores": [str(r.score) for r in top],
            "kinds": [r.get_unit_kind_display() for r in top],
            "name": gettext("异常得分"),
        }
        query = self.request.GET.copy()
        for key in ("page", "export", "all"):
            query.pop(key, None)
        if not self.show_all:
            query["all"] = "1"
        context.update(
            run=self.run, running=self.running(), chart=chart if top else None, show_all=self.show_all,
            job=live_state(self.run.job) if self.run.job is not None else None, toggle_query=query.urlencode())
        return context


screening_detail = ScreeningDetail.as_view()


def screening_result(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit of a run: each indicator against its peer median, with the explanation and the chart."""
    result = get_scoped_or_404(ScreeningResult, request, pk=pk)
    run = result.run
    label = screening.peer_labels([result]).get(result.peer_group, result.peer_group)
    return render(
        request,
        "credit/screening_result.html",
        {
            "title": f"{result.get_unit_kind_display()} {result.unit_name}",
            "result": result,
            "run": run,
            "peer": label,
            "indicators": explain.rows(result.indicators, run.params),
            "chart": explain.chart(result.indicators),
        },
    )
