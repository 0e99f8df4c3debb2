"""政策测算: the simulation page, its workbook and PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.benefits.engine.errors import EngineError
from dae.benefits.models import RuleSetVersion
from dae.benefits.queries import published_versions, ruleset_for_region
from dae.claims.models import Settlement as S
from dae.core import exports, inputs
from dae.core.access import record_export
from dae.core.codes import CoreCode
from dae.core.errors import DaeError
from dae.core.masking import mask_name
from dae.core.models import Region
from dae.dictionaries import codes
from dae.enrollment.models import Person
from dae.reports import charts
from dae.reports.render import pdf
from dae.web.who import region_choices

from .. import actions, queries
from .. import simulation as sim_engine
from ..codes import Code
from ..simulation import simulate, with_changes
from .common import page_region, yuan

# -- policy simulation (政策测算) ----------------------------------------------------------------------------

#: The parameters the form may change, with their labels; only filled ones become changes of the draft.
SIM_PARAMS = (
    ("entry_threshold", _("起付线（元）"), "amount"),
    ("annual_maximum", _("年度最高赔付限额（元）"), "amount"),
    ("segments.0.ratio", _("第一段赔付比例"), "ratio"),
    ("segments.1.ratio", _("第二段赔付比例"), "ratio"),
    ("segments.2.ratio", _("第三段赔付比例"), "ratio"),
    ("segments.0.upper", _("第一段上限（元）"), "amount"),
    ("segments.1.upper", _("第二段上限（元）"), "amount"),
    ("first_self_pay.class_b_drugs", _("乙类药品先行自付比例"), "ratio"),
    ("first_self_pay.class_b_treatment_items", _("乙类诊疗项目先行自付比例"), "ratio"),
    ("place_adjustments.self_referred", _("自行异地就医比例调整"), "signed_ratio"),
    ("place_adjustments.long_term_offsite_not_direct", _("异地未直接结算比例调整"), "signed_ratio"),
    ("dialysis.per_session_limit", _("透析每次限额（元）"), "amount"),
)
LEVEL_NAMES_LIST = "hosp_lv"


def _sim_request(request: HttpRequest, params: Any) -> dict[str, Any] | None:
    """Read the simulation's inputs (region, year, draft version or the published one, changed parameters)."""
    if not params.get("year"):
        return None
    region = inputs.region(request.user, params.get("region"))
    year = inputs.year(params.get("year"))
    ruleset = ruleset_for_region(region)
    if ruleset is None:
        raise DaeError("该统筹区尚未设置补偿规则", code=CoreCode.NO_RULESET)
    draft_id = (params.get("draft") or "").strip()
    if draft_id:
        base = RuleSetVersion.objects.get(pk=inputs.object_id(draft_id), ruleset=ruleset)
    else:
        base = published_versions(ruleset).last()
        if base is None:
            raise DaeError("该统筹区尚无已发布的规则版本", code=CoreCode.NO_RULESET)
    changes: dict[str, str] = {}
    for key, label, kind in SIM_PARAMS:
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        if kind == "amount":
            value = inputs.amount(raw, field=key, label=str(label), maximum=inputs.FUND_MAX)
        elif kind == "ratio":
            value = inputs.ratio(raw, field=key, label=str(label))
        else:
            value = inputs.amount(raw, field=key, label=str(label), minimum=Decimal(-1), maximum=Decimal(1),
                                  places=4)
        changes[key] = str(value)

    return {"region": region, "year": year, "base": base, "changes": changes,
            "document": with_changes(base.document, changes)}


def _level_name(code: str) -> str:
    return str(codes.label(LEVEL_NAMES_LIST, code) or code)


def _region_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The by-region rows with the region's name as their key and its code only as a hint beside it."""
    names = dict(Region.objects.filter(pk__in=[r["key"] for r in rows]).values_list("pk", "name"))
    return [{**r, "key": names.get(r["key"]) or gettext("统筹区 %(code)s") % {"code": r["key"]}, "hint": r["key"]}
            for r in rows]


RECONCILE_REASONS = {
    sim_engine.NOT_COMPUTED: _("该笔尚无核定支付（申报审核未运行），以申报支付比较"),
    sim_engine.ADJUSTED: _("已有补付追回，按现行规则重算后仍不同"),
    sim_engine.RECOMPUTED: _("核定后规则或结算数据有变化，按现行规则重算结果不同"),
}


def _reason(row: dict[str, Any]) -> str:
    if row.get("reason") == sim_engine.CANCELLED_LATER:
        return gettext("同一参保人本年另有结算已撤销或不再计入（%(ids)s），核定该笔时仍计入累计，其后未重算补付追回") % {
            "ids": "、".join(row.get("causes", []))}
    return str(RECONCILE_REASONS.get(row.get("reason", ""), RECONCILE_REASONS[sim_engine.RECOMPUTED]))


def reconciliation_view(results: dict[str, Any]) -> dict[str, Any] | None:
    """Whether the current rules' payouts equal what the system computed, settlement by settlement; if not, by how
    much and why (each listed difference with the person's masked name, the hospital and the reason).
    ``None`` for a scenario saved before the check existed."""
    found = results.get("reconciliation")
    if found is None:
        return None
    rows = found["rows"]
    names = dict(Person.objects.filter(psn_no__in=[r["psn_no"] for r in rows]).values_list("psn_no", "psn_name"))
    return {"reconciles": found["differing"] == 0, "differing": found["differing"],
            "difference": yuan(found["difference"]), "listed": len(rows),
            "rows": [{"setl_id": r["setl_id"], "name": mask_name(names.get(r["psn_no"], "")),
                      "hospital": r.get("hospital", ""), "current": yuan(r["current"]), "stored": yuan(r["stored"]),
                      "difference": yuan(r["difference"]), "reason": _reason(r)} for r in rows]}


def sim_view(results: dict[str, Any]) -> dict[str, Any]:
    """The figures for the page (yuan as Decimal, names instead of codes)."""
    places = dict(S.PlaceCategory.choices)

    def rows(items: list[dict[str, Any]], name: Any = str) -> list[dict[str, Any]]:
        return [{"key": name(i["key"]), "current": yuan(i["current"]), "draft": yuan(i["draft"]),
                 "change": yuan(i["change"]), "settlements": i["settlements"]} for i in items]

    names = dict(Person.objects.filter(psn_no__in=[t["psn_no"] for t in results["top"]])
                 .values_list("psn_no", "psn_name"))
    t = results["totals"]
    return {
        "totals": {k: yuan(v) for k, v in t.items()},
        "change_pct": (Decimal(t["change"]) * 100 / Decimal(t["current"])).quantize(Decimal("0.01"))
        if t["current"] else None,
        "by_level": rows(results["by_level"], _level_name), "by_place": rows(results["by_place"],
                                                                             lambda k: str(places.get(k, k))),
        "by_month": rows(results["by_month"]), "by_segment": rows(results["by_segment"]),
        "by_region": _region_rows(rows(results["by_region"])),
        "top": [{"psn_no": r["psn_no"], "name": mask_name(names.get(r["psn_no"], "")),
                 "current": yuan(r["current"]), "draft": yuan(r["draft"]), "change": yuan(r["change"]),
                 "explain": results.get("explanations", {}).get(r["psn_no"])} for r in results["top"]],
        "reconciliation": reconciliation_view(results),
        "chart": {"labels": [b["band"] for b in results["bands"]],
                  "values": [b["persons"] for b in results["bands"]], "name": gettext("人数")},
    }


def simulation_page(request: HttpRequest) -> HttpResponse:
    region = page_region(request)
    results, view, error, sim = None, None, None, None
    source = request.POST if request.method == "POST" else request.GET
    try:
        sim = _sim_request(request, source)
        if sim is not None:
            results = simulate(sim["region"], sim["year"], sim["document"])
            view = sim_view(results)
            if request.method == "POST":
                scenario = actions.do_save_scenario(
                    request.user, region=sim["region"], year=sim["year"], name=request.POST.get("name", ""),
                    draft_document=sim["document"], results=results, changes=sim["changes"],
                    draft_version=sim["base"] if sim["base"].status == RuleSetVersion.Status.DRAFT else None)
                messages.success(request, gettext("测算方案已保存"))
                return redirect("forecast:scenario_detail", pk=scenario.pk)
    except DaeError as exc:
        error = exc.message
    except EngineError as exc:
        error = gettext("规则或结算数据无法计算：%(e)s") % {"e": str(exc)[:300]}
    except RuleSetVersion.DoesNotExist:
        error = gettext("草案规则版本不存在")
    drafts = RuleSetVersion.objects.for_user(request.user).filter(ruleset__region_id=region).order_by(
        "-created_at")
    query = request.GET.urlencode()
    return render(request, "forecast/simulation.html", {
        "title": _("政策测算"), "region": region, "regions": region_choices(request), "drafts": drafts,
        "params": [(k, label, source.get(k, "")) for k, label, _kind in SIM_PARAMS], "values": source,
        "year": source.get("year") or str(timezone.localdate().year - 1), "results": results, "view": view,
        "error": error, "query": query, "can_save": can(request.user, "forecast:simulation"),
        "groups": groups(view) if view else []})


def _simulated(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The simulation an export asks for (the page's inputs in the query): its inputs and its results; 404 when it
    asks for none, the engine's refusal as a DaeError."""

    sim = _sim_request(request, request.GET)
    if sim is None:
        raise Http404()
    try:
        return sim, simulate(sim["region"], sim["year"], sim["document"])
    except EngineError as exc:
        raise DaeError(gettext("规则或结算数据无法计算：%(e)s") % {"e": str(exc)[:300]},
                       code=Code.SIMULATION_FAILED) from exc


def simulation_export(request: HttpRequest) -> HttpResponse:
    """The simulation's side-by-side figures as one workbook (one sheet per breakdown), through core.exports."""
    sim, results = _simulated(request)
    view = sim_view(results)
    money = [exports.ExportColumn(gettext("分组"), "text", 22), exports.ExportColumn(gettext("现行规则（元）"), "money"),
             exports.ExportColumn(gettext("草案规则（元）"), "money"), exports.ExportColumn(gettext("变化（元）"), "money"),
             exports.ExportColumn(gettext("结算笔数"), "int")]

    def sheet(rows: list[dict[str, Any]]) -> list[list[Any]]:
        return [[r["key"], r["current"], r["draft"], r["change"], r["settlements"]] for r in rows]

    header = [f"{gettext('政策测算')} {sim['region']} {sim['year']}  {gettext('草案')} {sim['base'].version} "
              f"{json_changes(sim['changes'])}",
              f"{gettext('数据版本')} {results['data_version'][:16]}  {gettext('结果摘要')} {results['digest'][:16]}",
              f"{gettext('导出人')} {request.user}  {timezone.localtime():%Y-%m-%d %H:%M}"]
    total = view["totals"]
    top_cols = [exports.ExportColumn(gettext("人员编号"), "text"), exports.ExportColumn(gettext("姓名"), "text"),
                exports.ExportColumn(gettext("现行规则（元）"), "money"),
                exports.ExportColumn(gettext("草案规则（元）"), "money"), exports.ExportColumn(gettext("变化（元）"), "money")]
    content = exports.xlsx_bytes([
        (gettext("按统筹区"), money, sheet(view["by_region"])),
        (gettext("按医院等级"), money, sheet(view["by_level"])),
        (gettext("按就医地类别"), money, sheet(view["by_place"])),
        (gettext("按大额基数分段"), money, sheet(view["by_segment"])),
        (gettext("按月份"), money, sheet(view["by_month"])),
        (gettext("变化最大的人员"), top_cols,
         [[r["psn_no"], r["name"], r["current"], r["draft"], r["change"]] for r in view["top"]]),
    ], header_lines=header, totals=[gettext("合计"), total["current"], total["draft"], total["change"],
                                    results["settlements"]])
    record_export(request, "forecast:simulation_export", results["settlements"], "xlsx")
    return exports.export_response(content, f"policy-simulation-{sim['region']}-{sim['year']}", "xlsx")


def _doc_value(document: dict[str, Any], path: str) -> Any:
    """The value at a form parameter's path (``segments.0.ratio``) in a rule document; None if absent."""
    target: Any = document
    for part in path.split("."):
        if isinstance(target, list):
            index = int(part)
            if index >= len(target):
                return None
            target = target[index]
        elif isinstance(target, dict):
            if part not in target:
                return None
            target = target[part]
        else:
            return None
    return target


def _param_diffs(current: dict[str, Any], draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's parameters whose value differs between the current rules and the draft (Chinese labels)."""
    out = []
    for key, label, _kind in SIM_PARAMS:
        old, new = _doc_value(current, key), _doc_value(draft, key)
        if str(old) != str(new):
            out.append({"label": label, "old": "—" if old is None else old, "new": "—" if new is None else new})
    return out


def _sim_pdf(request: HttpRequest, route: str, *, region: str, year: int, draft_name: str,
             draft_document: dict[str, Any], results: dict[str, Any], name: str, scenario: Any = None) -> HttpResponse:
    """The simulation as a PDF to sign and file: the two rule sets by name and version, the differing parameters,
    the totals and fund impact, every breakdown of the page, the distribution chart as vector SVG, who exported
    when and the result digest. One access record per download, like the workbook."""


    ruleset = ruleset_for_region(region)
    if ruleset is None:
        raise DaeError(gettext("该统筹区尚未设置补偿规则"), code=CoreCode.NO_RULESET)
    current = published_versions(ruleset).last()
    view = sim_view(results)
    chart = charts.bar_chart([str(label) for label in view["chart"]["labels"]],
                             [(gettext("人数"), [Decimal(v) for v in view["chart"]["values"]])],
                             title=gettext("每人变化分布（元）"), width=680)
    region_obj = Region.objects.filter(pk=region).first()
    content = pdf(request, "forecast/simulation_print.html", {
        "title": _("政策测算报告"), "scenario": scenario, "year": year,
        "region_name": region_obj.name if region_obj else region, "ruleset": ruleset,
        "current_versions": results.get("current_versions", []), "draft_name": draft_name,
        "diffs": _param_diffs(current.document if current else {}, draft_document),
        "results": results, "view": view, "groups": groups(view), "chart": chart,
        "exported_by": request.user, "exported_at": timezone.localtime()})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (f"attachment; filename=\"policy-simulation.pdf\"; "
                                       f"filename*=UTF-8''{quote(name)}.pdf")
    record_export(request, route, results["settlements"], "pdf")
    return response


def simulation_pdf(request: HttpRequest) -> HttpResponse:
    """The simulation's result (the same inputs as the page and the workbook) as a PDF."""
    sim, results = _simulated(request)
    base = sim["base"]
    return _sim_pdf(request, "forecast:simulation_pdf", region=sim["region"], year=sim["year"],
                    draft_name=f"{base.ruleset.name} {base.version}（{base.get_status_display()}）",
                    draft_document=sim["document"], results=results,
                    name=f"政策测算-{sim['region']}-{sim['year']}")


def scenario_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved scenario's figures (as saved, with their digest) as a PDF."""
    scenario = queries.access_scenario_by_id(request, pk)
    draft = scenario.draft_version
    draft_name = (f"{draft.ruleset.name} {draft.version}" if draft is not None
                  else f"{scenario.draft_document.get('version', '')}")
    return _sim_pdf(request, "forecast:scenario_pdf", region=scenario.region_id, year=scenario.year,
                    draft_name=draft_name, draft_document=scenario.draft_document, results=scenario.results,
                    name=f"测算方案-{scenario.name}", scenario=scenario)


def json_changes(changes: dict[str, str]) -> str:
    return "；".join(f"{k}={v}" for k, v in changes.items()) or gettext("无参数调整")


def groups(view: dict[str, Any]) -> list[tuple[Any, list[dict[str, Any]]]]:
    return [(_("按统筹区"), view["by_region"]), (_("按大额基数分段（现行规则下全年）"), view["by_segment"]),
            (_("按医院等级"), view["by_level"]), (_("按就医地类别"), view["by_place"]),
            (_("按结算月份"), view["by_month"])]
