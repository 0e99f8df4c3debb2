"""Audit findings (审核疑点), on-site inspections (现场巡查) and remote investigations (异地协查) as archival
items."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.archives.registry import Document, ItemKind, Record, file_content, register
from dae.auditing.models import Finding
from dae.inspection.models import Document as InspectionDocument
from dae.inspection.models import Inspection, Investigation

from . import closed_on, name_of, when, yuan


def _media_type(name: str, default: str = "application/octet-stream") -> str:
    return mimetypes.guess_type(name)[0] or default


def _findings() -> QuerySet[Any]:
    return Finding.objects.filter(status__in=("dismissed", "settled", "overturned")).select_related(
        "hospital", "settlement")


def build_finding(f: Any) -> Record:
    closed = timezone_date(f.closed_at) or closed_on("auditing.finding", f.pk, (
        "audit.finding_dismissed", "audit.finding_settled", "audit.finding_overturned"), f.detected_at.date())
    steps = [(s.get_kind_display(), when(s.at), name_of(s.actor), yuan(s.amount), s.note)
             for s in f.steps.select_related("actor").order_by("at", "id")]
    lines = [(ln.get_role_display(), ln.settlement_id, ln.feedetl_sn) for ln in f.lines.order_by("role", "id")[:500]]
    sections = [
        {"title": "疑点", "rows": [
            ("规则", f"{f.rule_name}（{f.rule_id}）"), ("医疗机构", f.hospital.name),
            ("结算ID", (f.settlement.setl_id if f.settlement else "")), ("人员编号", f.psn_no), ("疑点金额", yuan(f.amount_at_issue)),
            ("疑点说明", f.detail), ("审核认定金额", yuan(f.reviewed_amount)), ("三方确认金额", yuan(f.final_amount)),
            ("结果", f.get_status_display()), ("发现时间", when(f.detected_at)), ("办结时间", when(f.closed_at))]},
        {"title": "处理环节", "head": ["环节", "时间", "办理人", "金额", "意见"], "grid": steps},
        {"title": "证据明细", "head": ["明细类型", "结算", "费用明细流水号"], "grid": lines},
    ]
    documents = [Document(f"evidence-{d.pk}", _("疑点附件"), d.name, _media_type(d.name), file_content(d.path))
                 for d in f.documents.all()]
    return Record(
        title=f"{f.hospital.name} 审核疑点：{f.rule_name}（结算 {(f.settlement.setl_id if f.settlement else '')}，{f.get_status_display()}）",
        year=closed.year, date_from=f.detected_at.date(), date_to=closed, region_id=f.region_id,
        psn_no=f.psn_no, template="archives/record.html", context={"sections": sections},
        metadata={"rule_id": f.rule_id, "rule_name": f.rule_name, "hospital": f.hospital.name,
                  "setl_id": (f.settlement.setl_id if f.settlement else ""), "status": f.status, "amount_at_issue": str(f.amount_at_issue),
                  "final_amount": str(f.final_amount) if f.final_amount is not None else None},
        documents=documents, required=[("record", _("业务记录"))],
    )


def timezone_date(moment: Any) -> Any:
    return timezone.localdate(moment) if moment is not None else None


register(ItemKind(
    key="audit_finding", label=_("审核疑点"), category="SH", retention="D10", post="reviewer",
    object_type="auditing.finding", closed=_findings, build=build_finding,
    close_events=("audit.finding_dismissed", "audit.finding_settled", "audit.finding_overturned"),
))


def _inspections() -> QuerySet[Any]:
    return Inspection.objects.filter(status="confirmed").select_related("hospital")


def build_inspection(i: Any) -> Record:
    closed = i.confirmed_on or closed_on("inspection.inspection", i.pk, ("inspection.confirmed",), i.inspected_on)
    findings = [(f.seq, f.description, f.basis, yuan(f.amount)) for f in i.findings.order_by("seq")]
    sections = [
        {"title": "巡查情况", "rows": [
            ("编号", i.number), ("医疗机构", i.hospital.name), ("巡查日期", when(i.inspected_on)),
            ("巡查类型", i.get_kind_display()), ("巡查人员", "、".join(name_of(u) for u in i.inspectors.all())),
            ("巡查情况", i.summary), ("登记人", name_of(i.created_by)), ("确认人", name_of(i.confirmed_by)),
            ("确认日期", when(i.confirmed_on))]},
        {"title": "发现问题", "head": ["序号", "问题描述", "违规依据", "扣款金额"], "grid": findings},
    ]

    scans = InspectionDocument.objects.filter(inspection=i).order_by("uploaded_at", "id")
    documents = [Document(f"scan-{d.pk}" if n else "scan", _("现场检查记录（扫描件）"), d.name, d.content_type,
                          file_content(d.path)) for n, d in enumerate(scans)]
    return Record(
        title=f"{i.hospital.name} 现场巡查 {i.number}（{i.get_kind_display()}，{when(i.inspected_on)}）",
        year=closed.year, date_from=i.inspected_on, date_to=closed, region_id=i.region_id,
        template="archives/record.html", context={"sections": sections},
        metadata={"number": i.number, "hospital": i.hospital.name, "kind": i.kind,
                  "findings": len(findings), "inspected_on": when(i.inspected_on)},
        documents=documents,
        required=[("record", _("业务记录")), ("scan", _("现场检查记录（扫描件）"))],
    )


register(ItemKind(
    key="inspection", label=_("现场巡查"), category="JC", retention="D10", post="inspector",
    object_type="inspection.inspection", closed=_inspections, build=build_inspection,
    close_events=("inspection.confirmed",),
))


def _investigations() -> QuerySet[Any]:
    return Investigation.objects.filter(status="closed").select_related("settlement")


def build_investigation(v: Any) -> Record:
    closed = v.feedback_on or closed_on("inspection.investigation", v.pk, ("inspection.investigation_fed_back",),
                                        v.created_on)
    sections = [{"title": "协查任务", "rows": [
        ("编号", v.number), ("参保人", f"{v.psn_name}（{v.psn_no}）"),
        ("结算ID", v.settlement.setl_id if v.settlement else ""), ("就医机构", v.hospital_name),
        ("就医地", v.hospital_place), ("协查事项", v.subject), ("委托人", name_of(v.requested_by)),
        ("委托日期", when(v.created_on)), ("协查期限", when(v.due_on)), ("承办人", name_of(v.assignee))]},
        {"title": "协查结果与反馈", "rows": [
            ("协查结论", v.get_outcome_display()), ("协查结果", v.result_text), ("涉及金额", yuan(v.amount)),
            ("结果日期", when(v.result_on)), ("结果登记人", name_of(v.result_by)), ("反馈期限", when(v.feedback_due)),
            ("反馈日期", when(v.feedback_on)), ("反馈内容", v.feedback_text), ("反馈人", name_of(v.feedback_by))]}]
    return Record(
        title=f"异地协查 {v.number}：{v.psn_name} {v.hospital_name}（{v.get_outcome_display() or '已反馈'}）",
        year=closed.year, date_from=v.created_on, date_to=closed, region_id=v.region_id, psn_no=v.psn_no,
        template="archives/record.html", context={"sections": sections},
        metadata={"number": v.number, "psn_no": v.psn_no, "psn_name": v.psn_name, "hospital": v.hospital_name,
                  "place": v.hospital_place, "outcome": v.outcome, "subject": v.subject},
        required=[("record", _("业务记录"))],
    )


register(ItemKind(
    key="investigation", label=_("异地协查"), category="JC", retention="D10", post="inspector",
    object_type="inspection.investigation", closed=_investigations, build=build_investigation,
    close_events=("inspection.investigation_fed_back",),
))
