"""Manual reimbursement claims (手工报销) and monthly declarations (月结申报) as archival items."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from dae.archives.registry import Document, ItemKind, Record, file_content, register
from dae.archives.render import html_pdf
from dae.claims.models import Declaration, DeclarationItem
from dae.reimbursement.actions import material_items
from dae.reimbursement.models import ManualClaim
from dae.reimbursement.receipt import receipt_context

from . import closed_on, name_of, when, yuan


def _claims() -> QuerySet[Any]:
    return ManualClaim.objects.filter(state__in=("paid", "rejected")).select_related("person", "hospital")


def _receipt(claim: Any) -> bytes:
    return html_pdf(render_to_string("reimbursement/receipt_pdf.html", receipt_context(claim)))


def _computation(claim: Any) -> bytes | None:
    if not claim.explanation_text:
        return None
    doc = {"number": claim.number, "computed_pay": str(claim.computed_pay), "policy_year": claim.policy_year,
           "version_id": claim.version_id, "explanation_text": claim.explanation_text,
           "explanation": claim.explanation}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _review(claim: Any) -> bytes | None:
    """The four-eyes record: who computed, who checked, who approved — present only when a second person did."""
    if claim.checked_by_id is None or claim.approved_by_id is None:
        return None
    doc = {"number": claim.number, "computed_by": name_of(claim.computed_by), "computed_at": when(claim.computed_at),
           "computer_ids": claim.computer_ids, "checked_by": name_of(claim.checked_by),
           "checked_at": when(claim.checked_at), "approved_by": name_of(claim.approved_by),
           "approved_at": when(claim.approved_at)}
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def build_claim(claim: Any) -> Record:
    paid = claim.state == "paid"
    closed = claim.paid_on if paid and claim.paid_on else closed_on(
        "reimbursement.manualclaim", claim.pk, ("claim.paid", "claim.rejected"), claim.received_on)
    outcome = "已支付" if paid else "已拒付"
    materials = [(m.label, "已收" if m.received else ("缺" if m.required else "—")) for m in material_items(claim)]
    invoices = [(i.number, i.date.isoformat(), yuan(i.amount)) for i in claim.invoices.all()]
    sections = [
        {"title": "申请登记", "rows": [
            ("申请编号", claim.number), ("参保人", f"{claim.person.psn_name}（{claim.psn_no}）"),
            ("医疗机构", claim.hospital.name), ("就医地类别", claim.get_place_category_display()),
            ("入院 / 出院", f"{claim.adm_date} — {claim.dscg_date}"),
            ("主诊断", f"{claim.dise_name}（{claim.dise_codg}）"), ("医疗费总额", yuan(claim.medfee_sumamt)),
            ("受理日期", claim.received_on.isoformat()), ("受理人", name_of(claim.registered_by)),
            ("办理结果", outcome), ("拒付原因", claim.close_reason)]},
        {"title": "报销材料", "head": ["材料", "状态"], "grid": materials},
        {"title": "发票", "head": ["发票号码", "开票日期", "金额"], "grid": invoices},
        {"title": "计算结果", "rows": [("核定大额支付", yuan(claim.computed_pay)), ("规则集版本", claim.version_id),
                                    ("保单年度", claim.policy_year)]},
        {"title": "计算依据", "text": claim.explanation_text or "（未计算）"},
        {"title": "复核与审批（双人办理）", "rows": [
            ("计算人", f"{name_of(claim.computed_by)} {when(claim.computed_at)}"),
            ("复核人", f"{name_of(claim.checked_by)} {when(claim.checked_at)}"),
            ("审批人", f"{name_of(claim.approved_by)} {when(claim.approved_at)}"),
            ("支付日期", when(claim.paid_on))]},
    ]
    required = [("record", _("业务记录")), ("receipt", _("受理回执"))]
    if paid:
        required += [("computation", _("计算书")), ("review", _("复核审批记录"))]
    return Record(
        title=f"{claim.person.psn_name}手工报销申请 {claim.number}（{claim.dise_name}，{outcome}）",
        year=closed.year, date_from=claim.received_on, date_to=closed, region_id=claim.region_id,
        psn_no=claim.psn_no, template="archives/record.html", context={"sections": sections},
        metadata={"number": claim.number, "psn_no": claim.psn_no, "psn_name": claim.person.psn_name,
                  "hospital": claim.hospital.name, "state": claim.state, "medfee_sumamt": str(claim.medfee_sumamt),
                  "computed_pay": str(claim.computed_pay) if claim.computed_pay is not None else None,
                  "dise_name": claim.dise_name, "received_on": claim.received_on.isoformat(),
                  "paid_on": when(claim.paid_on), "materials": claim.materials},
        documents=[Document("receipt", _("受理回执"), "receipt.pdf", "application/pdf", lambda: _receipt(claim)),
                   Document("computation", _("计算书"), "computation.json", "application/json",
                            lambda: _computation(claim)),
                   Document("review", _("复核审批记录"), "review.json", "application/json", lambda: _review(claim))],
        required=required,
    )


register(ItemKind(
    key="manual_claim", label=_("手工报销"), category="LP", retention="D30", post="settlement",
    object_type="reimbursement.manualclaim", closed=_claims, build=build_claim,
    close_events=("claim.paid", "claim.rejected"),
))


def _declarations() -> QuerySet[Any]:
    return Declaration.objects.filter(status__in=("checked", "failed")).select_related("hospital")


def _outcomes(declaration: Any) -> bytes:
    rows = ["seq,setl_id,psn_no,outcome,reason_code,declared_pay,computed_pay,difference"]
    for i in DeclarationItem.objects.filter(declaration=declaration).order_by("seq"):
        rows.append(",".join(str(v if v is not None else "") for v in (
            i.seq, i.setl_id, i.psn_no, i.outcome, i.reason_code, i.declared_pay, i.computed_pay, i.difference)))
    return ("\n".join(rows) + "\n").encode("utf-8")


def build_declaration(d: Any) -> Record:
    closed = closed_on("claims.declaration", d.pk, ("declaration.checked",), d.created_at.date())
    sections = [{"title": "申报情况", "rows": [
        ("医疗机构", f"{d.hospital.name}（{d.hospital.code}）"), ("申报月份", d.month), ("状态", d.get_status_display()),
        ("接收时间", when(d.created_at)), ("申报成功日期", when(d.checked_on)), ("支付期限", when(d.pay_deadline)),
        ("结算笔数", d.settlements_count), ("明细条数", d.lines_count), ("通过", d.accepted),
        ("金额有差异", d.differing), ("拒绝", d.rejected), ("重复申报", d.replayed),
        ("申报大额支付合计", yuan(d.declared_total)), ("核定大额支付合计", yuan(d.computed_total)),
        ("文件摘要", d.sha256), ("说明", d.note)]}]
    return Record(
        title=f"{d.hospital.name} {d.month} 月结申报（#{d.pk}，{d.get_status_display()}）",
        year=closed.year, date_from=d.created_at.date(), date_to=closed, region_id=d.region_id,
        template="archives/record.html", context={"sections": sections},
        metadata={"hospital": d.hospital.code, "hospital_name": d.hospital.name, "month": d.month,
                  "status": d.status, "sha256": d.sha256, "accepted": d.accepted, "rejected": d.rejected,
                  "declared_total": str(d.declared_total), "computed_total": str(d.computed_total)},
        documents=[Document("original", _("申报原始文件"), "declaration.json", "application/json",
                            file_content(d.path)),
                   Document("outcomes", _("逐笔校验结果"), "outcomes.csv", "text/csv", lambda: _outcomes(d))],
        required=[("record", _("业务记录")), ("original", _("申报原始文件")), ("outcomes", _("逐笔校验结果"))],
    )


register(ItemKind(
    key="declaration", label=_("月结申报"), category="LP", retention="D30", post="settlement",
    object_type="claims.declaration", closed=_declarations, build=build_declaration,
    close_events=("declaration.checked",),
))
