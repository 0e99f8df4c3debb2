"""The suspicious-item workflow (疑点处理), one action per step, each in one transaction with its step and event.

1. The reviewer (审核岗) dismisses a finding with a reason, or confirms an amount (at most the settlement's total
   medical fee) — the hospital then has :data:`HOSPITAL_DAYS` working days.
2. The hospital accepts, or appeals with a reason and at least one document — the bureau then has
   :data:`SUPERVISOR_DAYS` working days.
3. The bureau's supervisor confirms (三方确认) a final amount: the reviewer's amount when the hospital accepted
   (or did not answer in time: 逾期未反馈视为认可), anything from 0 to it after an appeal. A positive amount becomes
   a deduction on the hospital's next monthly statement (:func:`dae.payments.actions.do_record_deduction`), a
   feedback message to the platform and a credit event for the hospital (and the doctors on the violating lines);
   0 closes the finding as 申诉成立.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.uploads import discard, store_upload
from dae.credit.actions import violations as credit
from dae.payments.actions import do_record_deduction
from dae.workdays import service as workdays

from ..codes import Code
from ..models import Finding, FindingDocument, FindingLine, FindingStep, PlatformFeedback

#: Working days the hospital has to accept or appeal a confirmed finding (医院反馈期限).
HOSPITAL_DAYS = 5
#: Working days the bureau has to confirm after the hospital's answer (三方确认期限).
SUPERVISOR_DAYS = 5
#: Largest appeal document (bytes) and the file types taken.
MAX_DOCUMENT = 10 * 1024 * 1024
DOCUMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".zip")

Document = tuple[str, Iterable[bytes]]


def _lock(finding: Finding, allowed: Iterable[str], what: str) -> Finding:
    locked = Finding.objects.select_for_update(of=("self",)).select_related("hospital", "settlement").get(pk=finding.pk)
    if locked.status not in allowed:
        raise Conflict(f"疑点当前状态为「{locked.get_status_display()}」，不能{what}", code=Code.BAD_FINDING_STATE)
    return locked


def _due(days: int) -> Any:
    """``days`` working days from today (a year not yet in the calendar warns, it does not stop the workflow)."""
    return workdays.deadline(timezone.localdate(), days).due


def _step(
    finding: Finding,
    kind: str,
    actor: Any,
    *,
    amount: Decimal | None = None,
    note: str = "",
    due: Any = None,
    late: bool | None = None,
) -> FindingStep:
    """A step; ``late`` (default: the finding's deadline for this step has passed) marks 逾期办理."""
    if late is None:
        late = finding.due_on is not None and finding.due_on < timezone.localdate()
    return FindingStep.objects.create(
        finding=finding,
        kind=kind,
        amount=amount,
        note=note[:1000],
        actor=user_or_none(actor),
        due_on=due,
        late=late,
    )


def _save(finding: Finding, fields: list[str]) -> None:
    finding.save(update_fields=fields)


def do_dismiss(finding: Finding, *, reason: str, actor: Any) -> Finding:
    """审核排除: the finding is not a violation (the reason is kept)."""
    reason = require_reason(reason, "排除理由", max_length=1000)
    with transaction.atomic():
        f = _lock(finding, (Finding.Status.OPEN,), "排除")
        _step(f, FindingStep.Kind.DISMISSED, actor, note=reason)
        f.status, f.due_on, f.closed_at = Finding.Status.DISMISSED, None, timezone.now()
        _save(f, ["status", "due_on", "closed_at"])
        record_event(
            actor,
            "audit.finding_dismissed",
            f,
            region_id=f.region_id,
            note=reason,
            before={"status": Finding.Status.OPEN},
            after={"status": f.status},
        )
    return f


def do_confirm(finding: Finding, *, amount: Any, note: str, actor: Any) -> Finding:
    """审核认定: the reviewer confirms the amount to deduct; the hospital is asked to accept or appeal."""
    note = require_reason(note, "认定意见", max_length=1000)
    value = inputs.claim_amount(amount)
    with transaction.atomic():
        f = _lock(finding, (Finding.Status.OPEN,), "认定")
        if value <= 0:
            raise InvalidInput(
                "认定金额须大于 0；不构成违规请选择排除",
                code=inputs.InputCode.INVALID_AMOUNT,
                details=[{"path": "amount", "message": "认定金额须大于 0"}],
            )
        if f.settlement is None:  # a bedside finding while the stay is open (dae.monitoring links it at discharge)
            raise Conflict(
                "该疑点来自驻院查床，住院尚未结算：出院结算关联后才能认定扣款金额（可先排除）",
                code=Code.STAY_NOT_SETTLED,
            )
        if f.settlement.state == "cancelled":
            raise Conflict(
                f"结算 {f.settlement.setl_id} 已撤销（2305），其支付已冲回，不能再认定扣款；请排除此疑点",
                code=Code.SETTLEMENT_CANCELLED,
            )
        if value > f.settlement.medfee_sumamt:
            raise InvalidInput(
                f"认定金额不能超过该结算医疗费总额 {f.settlement.medfee_sumamt} 元",
                code=inputs.InputCode.INVALID_AMOUNT,
                details=[{"path": "amount", "message": "超过医疗费总额"}],
            )
        due = _due(HOSPITAL_DAYS)
        _step(f, FindingStep.Kind.CONFIRMED, actor, amount=value, note=note, due=due)
        f.status, f.reviewed_amount, f.due_on = Finding.Status.CONFIRMED, value, due
        _save(f, ["status", "reviewed_amount", "due_on"])
        record_event(
            actor,
            "audit.finding_confirmed",
            f,
            region_id=f.region_id,
            note=note,
            before={"status": Finding.Status.OPEN},
            after={"status": f.status, "amount": value, "due": due},
        )
    return f


def do_accept(finding: Finding, *, note: str, actor: Any) -> Finding:
    """医院认可: the hospital agrees with the reviewer's amount."""
    with transaction.atomic():
        f = _lock(finding, (Finding.Status.CONFIRMED,), "认可")
        due = _due(SUPERVISOR_DAYS)
        _step(f, FindingStep.Kind.ACCEPTED, actor, amount=f.reviewed_amount, note=note.strip(), due=due)
        f.status, f.due_on = Finding.Status.ACCEPTED, due
        _save(f, ["status", "due_on"])
        record_event(
            actor,
            "audit.finding_accepted",
            f,
            region_id=f.region_id,
            note=note.strip(),
            before={"status": Finding.Status.CONFIRMED},
            after={"status": f.status, "due": due},
        )
    return f


def do_appeal(finding: Finding, *, reason: str, documents: list[Document], actor: Any) -> Finding:
    """医院申诉: the hospital disagrees, with its reason and at least one supporting document."""
    reason = require_reason(reason, "申诉理由", max_length=1000)
    if not documents:
        raise InvalidInput(
            "申诉须上传至少一份证明材料",
            code=Code.DOCUMENTS_REQUIRED,
            details=[{"path": "documents", "message": "请上传证明材料"}],
        )
    for name, _chunks in documents:
        if not name.lower().endswith(DOCUMENT_TYPES):
            raise InvalidInput(f"不支持的文件类型：{name}（可上传 PDF、图片、Word、Excel、ZIP）", code=CoreCode.INVALID_FILE_TYPE)
    stored = []
    try:
        with transaction.atomic():
            f = _lock(finding, (Finding.Status.CONFIRMED,), "申诉")
            due = _due(SUPERVISOR_DAYS)
            step = _step(f, FindingStep.Kind.APPEALED, actor, note=reason, due=due)
            for name, chunks in documents:
                upload = store_upload(
                    iter(chunks),
                    name=_safe_name(name),
                    folder="appeals",
                    max_bytes=MAX_DOCUMENT,
                    too_large=f"文件 {name} 超过 10 MB",
                )
                stored.append(upload)
                FindingDocument.objects.create(
                    finding=f,
                    step=step,
                    name=name[:200],
                    path=str(upload.path),
                    sha256=upload.sha256,
                    size=upload.size,
                    uploaded_by=user_or_none(actor),
                )
            f.status, f.due_on = Finding.Status.APPEALED, due
            _save(f, ["status", "due_on"])
            record_event(
                actor,
                "audit.finding_appealed",
                f,
                region_id=f.region_id,
                note=reason,
                before={"status": Finding.Status.CONFIRMED},
                after={"status": f.status, "documents": [n for n, _c in documents], "due": due},
            )
    except BaseException:
        for upload in stored:  # the appeal was not recorded: its files go too
            discard(upload)
        raise
    return f


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "document"
    return "".join(c for c in base if c not in '<>:"|?*\x00')[:150] or "document"


def do_settle(finding: Finding, *, amount: Any, note: str, actor: Any) -> Finding:
    """三方确认 by the bureau's supervisor. After an acceptance (or a hospital deadline passed without an answer)
    the amount is the reviewer's; after an appeal it is from 0 (申诉成立) up to the reviewer's."""
    note = require_reason(note, "确认意见", max_length=1000)
    value = inputs.claim_amount(amount)
    today = timezone.localdate()
    with transaction.atomic():
        f = _lock(finding, (Finding.Status.ACCEPTED, Finding.Status.APPEALED, Finding.Status.CONFIRMED), "确认")
        if f.reviewed_amount is None:
            raise Conflict("疑点尚无审核认定金额", code=Code.BAD_FINDING_STATE)
        if f.status == Finding.Status.CONFIRMED and (f.due_on is None or f.due_on >= today):
            raise Conflict(f"医院反馈期限（{f.due_on}）未到，尚不能确认", code=Code.HOSPITAL_NOT_DUE)
        if f.status != Finding.Status.APPEALED and value != f.reviewed_amount:
            raise InvalidInput(
                f"医院已认可（或逾期视为认可），确认金额应为审核认定的 {f.reviewed_amount} 元",
                code=inputs.InputCode.INVALID_AMOUNT,
                details=[{"path": "amount", "message": "应等于审核认定金额"}],
            )
        if value < 0 or value > f.reviewed_amount:
            raise InvalidInput(
                f"确认金额应在 0 至 {f.reviewed_amount} 元之间",
                code=inputs.InputCode.INVALID_AMOUNT,
                details=[{"path": "amount", "message": "超出范围"}],
            )
        before = f.status
        late = None
        if f.status == Finding.Status.CONFIRMED:  # the bureau's own deadline runs from the hospital's
            note = f"医院逾期未反馈，视为认可。{note}"
            late = workdays.deadline(f.due_on, SUPERVISOR_DAYS).due < today
        if value == 0:
            _step(f, FindingStep.Kind.OVERTURNED, actor, amount=value, note=note, late=late)
            f.status, f.final_amount, f.due_on, f.closed_at = Finding.Status.OVERTURNED, value, None, timezone.now()
            _save(f, ["status", "final_amount", "due_on", "closed_at"])
            record_event(
                actor,
                "audit.finding_overturned",
                f,
                region_id=f.region_id,
                note=note,
                before={"status": before},
                after={"status": f.status},
            )
            return f
        _step(f, FindingStep.Kind.SETTLED, actor, amount=value, note=note, late=late)
        deduction = do_record_deduction(
            f.hospital,
            amount=value,
            kind="audit",
            source=("audit.finding", f.pk),
            confirmed_on=today,
            actor=actor,
            reason=f"智能审核疑点 {f.rule_id} {f.rule_name}（结算 {f.settlement.setl_id}）三方确认",
        )
        f.status, f.final_amount, f.deduction, f.due_on = Finding.Status.SETTLED, value, deduction, None
        f.closed_at = timezone.now()
        _save(f, ["status", "final_amount", "deduction", "due_on", "closed_at"])
        PlatformFeedback.objects.create(
            finding=f, region_id=f.region_id, hospital=f.hospital, message=feedback_message(f, note)
        )
        _step(f, FindingStep.Kind.FED_BACK, actor, amount=value, note="已生成平台反馈报文")
        _credit(f, value, today, actor)
        record_event(
            actor,
            "audit.finding_settled",
            f,
            region_id=f.region_id,
            note=note,
            before={"status": before},
            after={"status": f.status, "amount": value, "deduction": deduction.pk},
        )
    return f


#: The audit rules a bedside visit can raise (dae.audit.rules.stays), with their names.
BEDSIDE_RULES = {"R14_IDLE_BED": "挂床住院", "R15_OVERLAP": "冒名顶替"}


def do_record_bedside_finding(
    *, rule_id: str, source: tuple[str, int], hospital: Any, psn_no: str, detail: str, actor: Any,
    settlement: Any = None,
) -> Finding:
    """A finding raised at the bedside (驻院查床: 挂床 when the patient is absent, 冒名 when the identity does not
    match), with the visit as its evidence (``source``). Idempotent on the source: a second call returns the first
    finding. Without a settlement (the stay is open) it can be reviewed and dismissed; confirming an amount waits
    for :func:`do_link_finding_settlement`."""
    if rule_id not in BEDSIDE_RULES:
        raise InvalidInput(f"规则 {rule_id} 不能由查床产生", code=Code.BAD_RULE)
    key = f"{source[0]}:{source[1]}"
    with transaction.atomic():
        found = Finding.objects.filter(rule_id=rule_id, finding_key=key).first()
        if found is not None:
            return found
        f = Finding.objects.create(
            rule_id=rule_id, finding_key=key, rule_name=BEDSIDE_RULES[rule_id], result_type="suspicious",
            run=None, region_id=hospital.region_id, hospital=hospital, settlement=settlement, psn_no=psn_no,
            amount_at_issue=settlement.medfee_sumamt if settlement is not None else 0, detail=detail[:1000],
            source_kind=source[0], source_id=source[1], status=Finding.Status.OPEN,
        )
        _step(f, FindingStep.Kind.DETECTED, actor, note=detail, late=False)
        record_event(actor, "audit.finding_detected", f, region_id=f.region_id, note=detail[:300],
                     after={"rule": rule_id, "source": key, "status": f.status})
    return f


def do_link_finding_settlement(finding: Finding, settlement: Any, *, actor: Any) -> Finding:
    """The stay of a bedside finding was settled: the finding takes the settlement (its total medical fee as the
    amount at issue, the ceiling of what the reviewer may confirm) and the whole stay as its involved evidence."""
    with transaction.atomic():
        f = Finding.objects.select_for_update(of=("self",)).get(pk=finding.pk)
        if f.settlement_id is not None:
            return f
        if settlement.psn_no != f.psn_no or settlement.hospital_id != f.hospital_id:
            raise Conflict("结算的人员或医疗机构与疑点不符", code=Code.SETTLEMENT_MISMATCH)
        f.settlement, f.amount_at_issue = settlement, settlement.medfee_sumamt
        _save(f, ["settlement", "amount_at_issue"])
        FindingLine.objects.create(finding=f, settlement=settlement, role=FindingLine.Role.INVOLVED)
        record_event(actor, "audit.finding_linked", f, region_id=f.region_id,
                     after={"settlement": settlement.setl_id, "amount_at_issue": settlement.medfee_sumamt})
    return f


def _credit(f: Finding, value: Decimal, on: Any, actor: Any) -> None:
    """Credit events for the hospital and the billing doctors of the violating lines (诚信管理)."""
    source = ("audit.finding", f.pk)
    credit.do_record_violation(
        party_kind="hospital",
        party_code=f.hospital.code,
        region_id=f.region_id,
        amount=value,
        source=source,
        on=on,
        actor=actor,
        party_name=f.hospital.name,
        hospital_code=f.hospital.code,
        note=f"{f.rule_id} {f.rule_name}",
    )
    doctors = (
        FindingLine.objects.filter(finding=f, role=FindingLine.Role.VIOLATION, fee_line__isnull=False)
        .exclude(fee_line__bilg_dr_codg="")
        .values_list("fee_line__bilg_dr_codg", "fee_line__bilg_dr_name")
        .distinct()
    )
    for code, name in sorted(set(doctors)):
        credit.do_record_violation(
            party_kind="doctor",
            party_code=code,
            region_id=f.region_id,
            amount=value,
            source=source,
            on=on,
            actor=actor,
            party_name=name,
            hospital_code=f.hospital.code,
            note=f"{f.rule_id} {f.rule_name}",
        )


def feedback_message(f: Finding, note: str) -> dict[str, Any]:
    """The confirmed result in the vocabulary of the 3101/3102 answer (违规信息 + 违规明细)."""
    details = []
    for i, line in enumerate(f.lines.select_related("settlement").order_by("role", "settlement_id", "feedetl_sn")):
        details.append(
            {
                "jrd_id": f"{f.pk}-{i + 1}",
                "patn_id": f.psn_no,
                "mdtrt_id": line.settlement.mdtrt_id,
                "setl_id": line.settlement.setl_id,
                "rx_id": line.feedetl_sn,
                "vola_item_type": "1" if line.role == FindingLine.Role.VIOLATION else "2",
            }
        )
    return {
        "jr_id": str(f.pk),
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "vola_cont": f.detail,
        "patn_id": f.psn_no,
        "mdtrt_id": f.settlement.mdtrt_id,
        "setl_id": f.settlement.setl_id,
        "fixmedins_code": f.hospital.code,
        "vola_amt": f"{f.final_amount:.2f}",
        "vola_amt_stas": "1",
        "vola_evid": note,
        "judge_result_detail_dtos": details,
        "deduction_id": f.deduction_id,
        "confirmed_on": timezone.localdate().isoformat(),
    }


def iter_file(upload: Any) -> Iterator[bytes]:
    """A Django upload as chunks."""
    yield from upload.chunks()
