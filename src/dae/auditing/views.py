"""Pages of smart audit (智能审核): the suspicious items for reviewers, hospitals and the bureau's supervisor; audit
runs with progress; the rule library with the manager's settings and their history; the single-claim check."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.audit import RULES, rule_catalogue
from dae.audit.rules.base import CATEGORY_ZH, RESULT_ZH
from dae.claims.models import Settlement
from dae.core.errors import DaeError, InvalidInput
from dae.core.inputs import InputCode
from dae.core.scoping import get_scoped_or_404
from dae.core.sums import fen_sum, yuan
from dae.web.listing import AmountRange, Column, DateRange, Filter, HospitalFilter, RegionFilter, ScopedListView
from dae.web.names import with_item_names
from dae.web.who import post_of, region_choices

from . import actions, check, rulebook
from .actions.rules import do_change_setting
from .actions.runs import do_rerun, do_start_run
from .codes import Code
from .models import OPEN_STATUSES, AuditRun, Finding, FindingDocument, PlatformFeedback, RuleSetting


def bar_chart(labels: list[str], *series: tuple[str, list[Any], int]) -> dict[str, Any]:
    """The JSON ``auditing/bar-chart.js`` draws: one bar series per (name, values, axis)."""
    return {"labels": labels, "series": [{"name": n, "values": v, "axis": a} for n, v, a in series]}


def _overdue(f: Finding) -> Any:
    if f.is_overdue:
        return gettext("已逾期")
    return f.due_on or ""


class FindingList(ScopedListView):
    model = Finding
    title = _("疑点处理")
    empty_hint = _("审核批次运行后，发现的疑点在此等待审核。")
    template_name = "auditing/finding_list.html"
    columns = (
        Column(_("编号"), "pk", link="auditing:finding_detail"),
        Column(_("规则"), lambda f: format_html('{} <small class="code text-body-secondary">{}</small>', f.rule_name,
                                                f.rule_id), sort="rule_id"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("结算ID"), "settlement.setl_id"),
        Column(_("疑点金额"), "amount_at_issue", css="amount"),
        Column(_("优先级"), "priority", css="text-end"),
        Column(_("状态"), "status"),
        Column(_("本环节期限"), _overdue),
    )
    search_fields = ("settlement__setl_id", "hospital__name__icontains", "psn_no", "rule_id__icontains")
    search_placeholder = _("结算ID、机构、人员编号或规则")
    filters = (
        DateRange("detected", _("发现日期"), "detected_at"),
        RegionFilter(),
        HospitalFilter(),
        Filter("status", _("状态"), "status", Finding.Status.choices),
        AmountRange("amount", _("疑点金额"), "amount_at_issue"),
        Filter("rule", _("规则"), "rule_id", tuple((r.id, f"{r.name_zh}（{r.id}）") for r in RULES.values())),
    )

    def base_queryset(self) -> Any:
        qs = super().base_queryset().select_related("hospital", "settlement")
        if self.request.GET.get("overdue"):
            qs = qs.filter(due_on__lt=timezone.localdate(), status__in=OPEN_STATUSES)
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        scoped = Finding.objects.for_user(self.request.user)
        by_status = dict(scoped.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
        by_rule = list(
            scoped.values("rule_id").annotate(n=Count("id"), amount=fen_sum("amount_at_issue")).order_by("rule_id")
        )
        context.update(
            status_counts=[(value, label, by_status.get(value, 0)) for value, label in Finding.Status.choices],
            chart={"rules": [r["rule_id"] for r in by_rule]},
            chart_json=bar_chart(
                [r["rule_id"] for r in by_rule],
                (gettext("疑点数"), [r["n"] for r in by_rule], 0),
                (gettext("疑点金额（元）"), [str(yuan(r["amount"])) for r in by_rule], 1),
            ),
        )
        return context


def _hide_other_hospitals(detail: str, lines: list[Any], own: int | None) -> str:
    """A hospital reading a finding sees other hospitals neither in the evidence nor in the description: their
    codes and names become 他院 (the evidence hides their stays the same way)."""
    if own is None:
        return detail
    for line in lines:
        hospital = line.settlement.hospital
        if hospital.pk != own:
            for text in (hospital.code, hospital.name):
                if text:
                    detail = detail.replace(text, gettext("他院"))
    return detail


def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    f = get_scoped_or_404(Finding, request, pk=pk)
    post = post_of(request)
    lines = list(f.lines.select_related("settlement__hospital", "fee_line")
                 .order_by("role", "settlement__setl_time", "feedetl_sn"))
    with_item_names([line.fee_line for line in lines if line.fee_line is not None])
    own = request.user.hospital_id if post == "hospital" else None  # type: ignore[union-attr]
    rule = RULES.get(f.rule_id)
    return render(
        request,
        "auditing/finding_detail.html",
        {
            "title": _("疑点") + f" #{f.pk} · {f.rule_id} {f.rule_name}",
            "f": f,
            "detail": _hide_other_hospitals(f.detail, lines, own),
            "can_open_runs": can(request.user, "auditing:run_detail", write=False),
            "lines": lines,
            "rule": _rule_fields(rule),
            "category": CATEGORY_ZH.get(rule.category, "") if rule else "",
            "result": RESULT_ZH.get(rule.result, "") if rule else "",
            "steps": f.steps.select_related("actor").prefetch_related("documents"),
            "hits": f.hits.select_related("run").order_by("-run_id")[:20],
            "feedback": _json(PlatformFeedback.objects.filter(finding=f).values_list("message", flat=True).first()),
            "can_review": can(request.user, "auditing:finding_confirm") and f.status == Finding.Status.OPEN,
            "can_answer": can(request.user, "auditing:finding_accept") and f.status == Finding.Status.CONFIRMED,
            "can_settle": can(request.user, "auditing:finding_settle")
            and f.status in (Finding.Status.ACCEPTED, Finding.Status.APPEALED, Finding.Status.CONFIRMED),
            "hospital_late": f.status == Finding.Status.CONFIRMED
            and f.due_on is not None
            and f.due_on < timezone.localdate(),
            "own_hospital": request.user.hospital_id if post == "hospital" else None,  # type: ignore[union-attr]
            "today": timezone.localdate(),
        },
    )


def _act(request: HttpRequest, pk: int, route: str, run: Any, done: str) -> HttpResponse:
    f = get_scoped_or_404(Finding, request, pk=pk)
    if request.method == "POST":
        if not can(request.user, route):
            messages.error(request, gettext("当前岗位不能办理此环节"))
        else:
            try:
                run(f)
            except DaeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, done)
    return redirect("auditing:finding_detail", pk=f.pk)


def finding_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "auditing:finding_dismiss",
        lambda f: actions.do_dismiss(f, reason=request.POST.get("reason", ""), actor=request.user),
        gettext("疑点已排除"),
    )


def finding_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "auditing:finding_confirm",
        lambda f: actions.do_confirm(
            f, amount=request.POST.get("amount", "").strip(), note=request.POST.get("note", ""), actor=request.user
        ),
        gettext("已认定，等待医院确认"),
    )


def finding_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "auditing:finding_accept",
        lambda f: actions.do_accept(f, note=request.POST.get("note", ""), actor=request.user),
        gettext("已认可，等待医保局确认"),
    )


def finding_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "auditing:finding_appeal",
        lambda f: actions.do_appeal(
            f,
            reason=request.POST.get("reason", ""),
            actor=request.user,
            documents=[(u.name or "document", u.chunks()) for u in request.FILES.getlist("documents")],
        ),
        gettext("申诉已提交，等待医保局确认"),
    )


def finding_settle(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        "auditing:finding_settle",
        lambda f: actions.do_settle(
            f, amount=request.POST.get("amount", "").strip(), note=request.POST.get("note", ""), actor=request.user
        ),
        gettext("三方确认完成"),
    )


def finding_document(request: HttpRequest, pk: int, doc: int) -> HttpResponse:
    f = get_scoped_or_404(Finding, request, pk=pk)
    document = FindingDocument.objects.filter(finding=f, pk=doc).first()
    if document is None or not Path(document.path).is_file():
        raise Http404(gettext("附件不存在"))
    return FileResponse(Path(document.path).open("rb"), as_attachment=True, filename=document.name)


# -- runs ------------------------------------------------------------------------------------------------------


class RunList(ScopedListView):
    model = AuditRun
    title = _("审核批次")
    template_name = "auditing/run_list.html"
    columns = (
        Column(_("批次"), "pk", link="auditing:run_detail"),
        Column(_("范围"), "scope"),
        Column(_("说明"), "note"),
        Column(_("结算笔数"), "settlements_count", css="text-end"),
        Column(_("疑点数"), "findings_count", css="text-end"),
        Column(_("新增疑点"), "new_findings_count", css="text-end"),
        Column(_("疑点金额"), "amount_total", css="amount"),
        Column(_("状态"), "status"),
        Column(_("发起时间"), "created_at"),
    )
    search_fields = ("note__icontains", "month")
    search_placeholder = _("说明或月份")
    filters = (
        DateRange("created", _("发起日期"), "created_at"),
        RegionFilter(),
        Filter("scope", _("范围"), "scope", AuditRun.Scope.choices),
        Filter("status", _("状态"), "status", AuditRun.Status.choices),
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        last = (timezone.localdate().replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m")
        context.update(can_run=can(self.request.user, "auditing:run_start"), regions=region_choices(self.request), month=last)
        return context


def run_start(request: HttpRequest) -> HttpResponse:
    """审核一个月或指定结算 (reviewer, inspector, manager)."""
    if request.method != "POST":
        return redirect("auditing:run_list")
    try:
        region = request.POST.get("region", "").strip()
        if region not in request.user.region_codes:  # type: ignore[union-attr]
            raise InvalidInput("请选择本人负责的统筹区", code=InputCode.INVALID_REGION)
        ids = request.POST.get("setl_ids", "").replace(",", " ").split()
        if ids:
            run = do_start_run(
                region=region,
                scope=AuditRun.Scope.SELECTION,
                setl_ids=ids,
                actor=request.user,
                note=gettext("指定结算审核"),
            )
        else:
            month = request.POST.get("month", "").strip()
            run = do_start_run(
                region=region,
                scope=AuditRun.Scope.MONTH,
                month=month,
                actor=request.user,
                note=gettext("%(m)s 月度审核") % {"m": month},
            )
    except DaeError as exc:
        messages.error(request, exc.message)
        return redirect("auditing:run_list")
    return redirect("auditing:run_detail", pk=run.pk)


def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_scoped_or_404(AuditRun, request, pk=pk)
    rules = [
        {"id": rid, "name": RULES[rid].name_zh if rid in RULES else rid, **rec}
        for rid, rec in sorted(run.rules.items())
    ]
    names = sorted(run.seconds)
    chart = bar_chart(
        names,
        (gettext("疑点数"), [run.counts.get(r, 0) for r in names], 0),
        (gettext("耗时（秒）"), [run.seconds[r] for r in names], 1),
    )
    return render(
        request,
        "auditing/run_detail.html",
        {
            "title": _("审核批次") + f" #{run.pk}",
            "run": run,
            "rules": rules,
            "chart": chart,
            "replays": run.replays.all(),
            "can_run": can(request.user, "auditing:run_replay"),
            "same": run.replay_of is not None
            and run.status == AuditRun.Status.DONE
            and run.digest == run.replay_of.digest,
        },
    )


def run_replay(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_scoped_or_404(AuditRun, request, pk=pk)
    if request.method == "POST" and can(request.user, "auditing:run_replay"):
        try:
            again = do_rerun(run, request.user)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("auditing:run_detail", pk=again.pk)
    return redirect("auditing:run_detail", pk=run.pk)


# -- rules -----------------------------------------------------------------------------------------------------


def rule_list(request: HttpRequest) -> HttpResponse:
    settings = rulebook.current()
    rows = []
    for entry in rule_catalogue():
        setting = settings.get(entry["id"])
        rows.append(
            {
                **entry,
                "category_zh": CATEGORY_ZH[entry["category"]],
                "result_zh": RESULT_ZH[entry["result"]],
                "setting": setting,
                "enabled": setting.enabled if setting else True,
            }
        )
    return render(request, "auditing/rule_list.html", {"title": _("审核规则库"), "rows": rows})


def rule_detail(request: HttpRequest, rule_id: str) -> HttpResponse:
    if rule_id not in RULES:
        raise Http404(gettext("规则不存在"))
    rule = RULES[rule_id]
    versions = list(RuleSetting.objects.filter(rule_id=rule_id).select_related("created_by"))
    current = versions[0] if versions else None
    can_edit = can(request.user, "auditing:rule_detail")
    if request.method == "POST" and can_edit:
        try:
            params: dict[str, Any] = {}
            for spec in rule.params:
                raw = request.POST.get(f"param_{spec.name}", "").strip()
                if spec.kind == "bool":  # a checkbox: absent means off
                    params[spec.name] = raw.lower() in ("1", "true", "on", "是")
                    continue
                if spec.kind == "table" or raw == "":
                    continue
                params[spec.name] = _param_value(spec.kind, raw)
            tables: dict[str, Any] = {}
            for name in rulebook.table_params(rule_id).values():
                raw = request.POST.get(f"table_{name}", "").strip()
                if raw:
                    try:
                        tables[name] = json.loads(raw, parse_float=Decimal)
                    except json.JSONDecodeError as exc:
                        raise InvalidInput(
                            f"参数表 {name} 不是有效的 JSON：{exc.msg}（第 {exc.lineno} 行）", code=Code.BAD_RULE_TABLE
                        ) from exc
                    if not isinstance(tables[name], list):
                        raise InvalidInput(f"参数表 {name} 应为行的列表", code=Code.BAD_RULE_TABLE)
            do_change_setting(
                rule_id,
                enabled=request.POST.get("enabled") == "on",
                params=params,
                tables=tables,
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("已保存为新版本"))
            return redirect("auditing:rule_detail", rule_id=rule_id)
    effective = rulebook.effective_params(rule_id, current)
    table_rows = {
        name: json.dumps((current.tables if current else {}).get(name, []), ensure_ascii=False, indent=1)
        for name in rulebook.table_params(rule_id).values()
    }
    return render(
        request,
        "auditing/rule_detail.html",
        {
            "title": f"{rule.id} {rule.name_zh}",
            "rule": _rule_fields(rule),
            "versions": versions,
            "current": current,
            "category": CATEGORY_ZH[rule.category],
            "result": RESULT_ZH[rule.result],
            "params": [
                {"spec": p, "value": effective.get(p.name, p.default)} for p in rule.params if p.kind != "table"
            ],
            "tables": table_rows,
            "can_edit": can_edit,
            "enabled": current.enabled if current else True,
        },
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value is not None else ""


def _rule_fields(rule: Any) -> dict[str, Any] | None:
    """A rule's descriptive fields for templates (a ``Rule`` is callable, which templates would call)."""
    if rule is None:
        return None
    return {
        "id": rule.id,
        "name_zh": rule.name_zh,
        "name_en": rule.name_en,
        "window_zh": rule.window_zh,
        "amount_zh": rule.amount_zh,
        "params": rule.params,
    }


def _param_value(kind: str, raw: str) -> Any:
    if kind == "int":
        try:
            return int(raw)
        except ValueError as exc:
            raise InvalidInput(f"应为整数：{raw}", code=Code.BAD_RULE_PARAM) from exc
    if kind == "bool":
        return raw in ("1", "true", "on", "是")
    if kind == "text_list":
        return [part for part in raw.replace(",", " ").split() if part]
    if kind == "decimal":
        return raw
    return raw


# -- single-claim check ----------------------------------------------------------------------------------------


def check_page(request: HttpRequest) -> HttpResponse:
    """单笔审核: the current rules on one stored settlement (reviewers) — nothing is stored."""
    setl_id = request.GET.get("setl_id", "").strip()
    found, settlement, error = None, None, ""
    if setl_id:
        settlement = Settlement.objects.for_user(request.user).filter(setl_id=setl_id).first()
        if settlement is None:
            error = gettext("结算不存在或不在本人负责的范围内")
        else:
            found = _present(check.check_settlement(settlement))
    return render(
        request,
        "auditing/check.html",
        {"title": _("单笔审核"), "setl_id": setl_id, "found": found, "settlement": settlement, "error": error},
    )


def manual_claim_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The current rules on a window manual claim before approval (结算岗, 复核岗, 审核岗)."""
    from dae.reimbursement.models import ManualClaim

    claim = get_scoped_or_404(ManualClaim, request, pk=pk)
    found = _present(check.check_manual_claim(claim))
    return render(
        request,
        "auditing/check.html",
        {
            "title": _("手工报销智能审核") + f" {claim.number}",
            "found": found,
            "claim": claim,
            "skipped": check.DAY_RULES,
        },
    )


def _present(found: Any) -> list[dict[str, Any]]:
    evidence: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for ev in found.evidence_records():
        evidence.setdefault((ev["rule_id"], ev["finding_key"]), []).append(ev)
    return [
        {
            **f,
            "rule_name": RULES[f["rule_id"]].name_zh,
            "evidence": evidence.get((f["rule_id"], f["finding_key"]), []),
            "amount": Decimal(str(f["amount_at_issue"])),
        }
        for f in found.records()
    ]


class FeedbackList(ScopedListView):
    """平台反馈: the results of findings sent back to the national platform (the outbox of 审核结果反馈)."""

    model = PlatformFeedback
    title = _("平台反馈")
    empty_hint = _("疑点三方确认后，反馈报文在此等待发送。")
    columns = (
        Column(_("疑点"), lambda r: f"#{r.finding_id}", link="auditing:finding_detail", link_kw="finding_id",
               sort="finding_id"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("规则"), lambda r: format_html('{} <small class="code text-body-secondary">{}</small>',
                                               r.message.get("rule_name", ""), r.message.get("rule_id", ""))),
        Column(_("三方确认金额"), "finding.final_amount", css="amount"),
        Column(_("生成时间"), "created_at", kind="datetime"),
        Column(_("发送时间"), "sent_at", kind="datetime"),
    )
    search_fields = ("finding__settlement__setl_id", "hospital__name__icontains")
    search_placeholder = _("结算ID或医疗机构")
    filters = (DateRange("created", _("生成日期"), "created_at"), RegionFilter(), HospitalFilter(),
               Filter("sent", _("发送"), {"yes": {"sent_at__isnull": False}, "no": {"sent_at__isnull": True}},
                      (("yes", _("已发送")), ("no", _("待发送")))))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("finding", "hospital")


feedback_list = FeedbackList.as_view()
