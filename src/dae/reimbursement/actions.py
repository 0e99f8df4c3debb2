"""The window's workflow for manual claims. Every write is one transaction with its event(s).

register → materials → (receipt) → compute → check → approve (→ payable, a stored Settlement, a notice)
                                          ↘ return (with a reason) → compute again …
Also: update (received / returned), reject, cancel, mark paid (for the payment run, issue 6).

Posts: the settlement clerk (结算岗) registers, ticks materials, updates, cancels and computes; the checker
(复核岗) may also compute (seed 000 复核岗: "复核、补偿金额计算") and alone checks, approves, returns and rejects.
**Four-eyes** (``ensure_four_eyes``): nobody who ever computed a claim may check, approve, return or reject it;
enforced here, whatever page or API called.

A manual claim's settlement time is its discharge date at 23:59:59 (the day the person paid the hospital), so it
takes its place among the person's settlements in the order of the stays and counts in the policy year of the
discharge, as a direct settlement of the same stay would. The payout is the engine's, computed within the
person-year from the stored settlements (``dae.claims.payout.person_year``); at check and approval it is computed
again and must be unchanged (another claim of the same year may have been approved meanwhile).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.accounts.permissions import can
from dae.benefits.actions import invalid_input
from dae.benefits.engine import model as em
from dae.benefits.engine.errors import DocumentInvalid
from dae.benefits.engine.explain import format_trace_zh
from dae.benefits.engine.person_year import policy_year_of
from dae.benefits.engine.results import SettlementResult
from dae.benefits.engine.trial_io import settlement_doc
from dae.catalog.models import Hospital
from dae.claims.adjustments import book_late_settlement
from dae.claims.models import FeeLine, Settlement
from dae.claims.payout import book_for_region, person_year
from dae.claims.states import ClaimState, check_transition
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, require_reason
from dae.core.events import record_event
from dae.core.money import ZERO, fmt_yuan
from dae.dictionaries import codes
from dae.enrollment.coverage import coverage_many
from dae.enrollment.models import Person
from dae.ledger.actions import do_post_settlement_payable

from . import checklist, clock
from .codes import Code
from .feefile import LineInput
from .inputs import ClaimInput, check_input, engine_lines, fee_total
from .models import TOTAL_FIELDS, Invoice, ManualClaim, ManualFeeLine, NumberCounter
from .selfservice import plain_for_claim

S = ClaimState
#: Claims in these states still hold their invoices (an invoice may not be claimed twice).
LIVE_STATES = (S.RECEIVED, S.COMPUTED, S.CHECKED, S.APPROVED, S.PAYABLE, S.PAID, S.RETURNED)
EDITABLE_STATES = (S.RECEIVED, S.RETURNED)
MATERIAL_STATES = (S.RECEIVED, S.COMPUTED, S.RETURNED)


class FourEyesViolation(PermissionDenied):
    """The checker computed this claim (now or before): somebody else must check it."""

    code = Code.FOUR_EYES
    default_message = "四眼原则：本申请由您计算过，您不能复核、审批、退回或拒付，须由复核岗的另一人办理"


# --- helpers ---------------------------------------------------------------------------------------------

def _need(actor: Any, route: str) -> None:
    """Refuse ``actor`` unless the permission matrix lets their post write ``route`` (the action's page)."""
    if not can(actor, route):
        raise PermissionDenied()


def ensure_four_eyes(actor: Any, claim: ManualClaim) -> None:
    """Refuse ``actor`` if they ever computed ``claim`` (the person who computes never checks or approves)."""
    if actor.pk in computed_by_ids(claim):
        raise FourEyesViolation()


def computed_by_ids(claim: ManualClaim) -> set[int]:
    ids = {int(x) for x in claim.computer_ids}
    if claim.computed_by_id is not None:
        ids.add(claim.computed_by_id)
    return ids


def _lock(claim: ManualClaim) -> ManualClaim:
    return ManualClaim.objects.select_for_update().get(pk=claim.pk)


def _reason(reason: str, what: str) -> str:
    return require_reason(reason, what, max_length=500)


def _transition(actor: Any, claim: ManualClaim, target: str, *, note: str = "",
                after: dict[str, Any] | None = None) -> None:
    """Move ``claim`` to ``target`` (checked against the state machine) and record ``claim.<target>``."""
    before = claim.state
    check_transition(before, target)
    claim.state = target
    claim.save()
    record_event(actor, f"claim.{target}", claim, region_id=claim.region_id, before={"state": before},
                 after={"state": target, **(after or {})}, note=note)


def next_number(region_id: str, day: dt.date) -> str:
    """申请编号 ``MR-<admdvs>-<yyyymmdd>-<nnnn>``: region, day of receipt, sequence of that day (caller's
    transaction; the counter row is locked, so two clerks never get the same number)."""
    NumberCounter.objects.get_or_create(region_id=region_id, day=day)
    counter = NumberCounter.objects.select_for_update().get(region_id=region_id, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"MR-{region_id}-{day:%Y%m%d}-{counter.last:04d}"


def facts_of(claim: ManualClaim) -> checklist.CaseFacts:
    if claim.entry_mode == ManualClaim.EntryMode.LINES:
        self_paid = claim.fee_lines.filter(chrgitm_lv=em.ChargeLevel.CLASS_C, det_item_fee_sumamt__gt=0).exists()
    else:
        self_paid = (claim.fulamt_ownpay_amt or Decimal(0)) > 0
    return checklist.CaseFacts(claim.place_category, claim.med_type, claim.injury, self_paid)


def material_items(claim: ManualClaim) -> list[checklist.Item]:
    return checklist.items(facts_of(claim), claim.materials)


def missing_materials(claim: ManualClaim) -> list[str]:
    return checklist.missing(facts_of(claim), claim.materials)


def _apply_materials(claim: ManualClaim, received: Iterable[str], day: dt.date) -> None:
    """Set the received items, completeness and the clock (see clock.py) on ``claim`` (not saved)."""
    received = list(dict.fromkeys(received))
    unknown = checklist.unknown_codes(received)
    if unknown:
        raise InvalidInput(f"未知的材料项：{'、'.join(unknown)}", code=Code.UNKNOWN_MATERIAL,
                           details=[{"path": "materials", "message": f"未知的材料项：{c}"} for c in unknown])
    was_complete = claim.materials_complete
    claim.materials = [c for c in checklist.MATERIALS if c in received]
    claim.materials_complete = not checklist.missing(facts_of(claim), claim.materials)
    state = clock.transition(start=claim.clock_start, used=claim.clock_used, was_complete=was_complete,
                             complete=claim.materials_complete, day=day, due=claim.due_date,
                             warnings=tuple(claim.due_warnings))
    claim.clock_start, claim.clock_used, claim.due_date = state.start, state.used, state.due
    claim.due_warnings = list(state.warnings)


def _uncovered(psn_no: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    answers = coverage_many([(psn_no, d) for d in days])
    return [(d, answers[(psn_no, d)].reason) for d in days if not answers[(psn_no, d)].covered]


def _coverage_error(psn_no: str, gaps: list[tuple[dt.date, str]]) -> InvalidInput:
    first, last = gaps[0][0], gaps[-1][0]
    span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
    reasons = "、".join(dict.fromkeys(reason for _d, reason in gaps))
    message = (f"参保人 {psn_no} 在 {span} 未享受大额医疗费用补助待遇（{reasons}），共 {len(gaps)} 天，"
               f"不能受理该期间的手工报销")
    return InvalidInput(message, code=Code.NOT_COVERED,
                        details=[{"path": "adm_date", "message": message},
                                 *[{"path": "coverage", "date": d.isoformat(), "message": r} for d, r in gaps[:31]]])


def _resolve(actor: Any, data: ClaimInput) -> tuple[Person, Hospital, str]:
    """The person (in the actor's scope), the hospital and the claim's region; coverage of every day checked."""
    person = Person.objects.for_user(actor).filter(psn_no=data.psn_no.strip()).first()
    if person is None:
        raise NotFound(f"人员编号 {data.psn_no} 不存在或不在您的统筹区", code=Code.NO_PERSON,
                       details=[{"path": "psn_no", "message": "人员编号不存在或不在您的统筹区"}])
    hospital = Hospital.objects.filter(code=data.hospital_code.strip()).first()
    if hospital is None:
        raise InvalidInput(f"医疗机构编码 {data.hospital_code} 不存在", code=Code.NO_HOSPITAL,
                           details=[{"path": "hospital", "message": "医疗机构编码不存在"}])
    gaps = _uncovered(person.psn_no, data.adm_date, data.dscg_date)
    if gaps:
        raise _coverage_error(person.psn_no, gaps)
    region_id = coverage_many([(person.psn_no, data.adm_date)])[(person.psn_no, data.adm_date)].region_id
    if region_id is None or region_id not in actor.region_codes:
        raise NotFound("该参保人的参保地不在您的统筹区", code=CoreCode.REGION_NOT_ALLOWED,
                       details=[{"path": "psn_no", "message": "该参保人的参保地不在您的统筹区"}])
    return person, hospital, region_id


def _check(data: ClaimInput, *, exclude_claim: int | None = None) -> None:
    errors = check_input(data, today=timezone.localdate(), med_types=codes.valid_codes("med_type"))
    numbers = [inv.number.strip() for inv in data.invoices if inv.number.strip()]
    if numbers and not errors:
        taken = (Invoice.objects.filter(number__in=numbers, claim__state__in=LIVE_STATES,
                                        claim__hospital__code=data.hospital_code.strip())
                 .exclude(claim_id=exclude_claim).select_related("claim"))
        for inv in taken:
            errors.append({"path": "invoices",
                           "message": f"发票号码 {inv.number} 已在申请 {inv.claim.number} 中报销或在办"})
    if errors:
        raise InvalidInput(f"申请信息有 {len(errors)} 处错误：{errors[0]['message']}", code=Code.CLAIM_INVALID,
                           details=errors)


def _write_details(claim: ManualClaim, data: ClaimInput, hospital: Hospital) -> None:
    """Set the claim's case facts, amounts, invoices and fee lines from ``data`` (claim saved, children replaced)."""
    claim.hospital = hospital
    claim.place_category = data.place_category
    claim.med_type = data.med_type
    claim.adm_date, claim.dscg_date = data.adm_date, data.dscg_date
    claim.dise_codg, claim.dise_name = data.dise_codg.strip(), data.dise_name.strip()
    claim.injury = data.injury
    claim.entry_mode = data.entry_mode
    total = fee_total(data)
    assert total is not None  # checked
    claim.medfee_sumamt = total
    for name in TOTAL_FIELDS[1:]:
        setattr(claim, name, data.totals[name] if data.totals is not None else None)
    claim.bank_name, claim.account_name = data.bank_name.strip(), data.account_name.strip()
    claim.bank_account = data.bank_account.replace(" ", "")
    claim.phone = data.phone.strip()
    claim.note = data.note.strip()[:500]
    claim.save()
    claim.invoices.all().delete()
    claim.fee_lines.all().delete()
    Invoice.objects.bulk_create([Invoice(claim=claim, number=i.number.strip(), date=i.date, amount=i.amount)
                                 for i in data.invoices])
    ManualFeeLine.objects.bulk_create([
        ManualFeeLine(claim=claim, feedetl_sn=x.feedetl_sn, init_feedetl_sn=x.init_feedetl_sn,
                      med_list_codg=x.med_list_codg, item_name=x.item_name[:200], chrgitm_lv=x.chrgitm_lv,
                      med_chrgitm_type=x.med_chrgitm_type, cnt=x.cnt, pric=x.pric,
                      det_item_fee_sumamt=x.det_item_fee_sumamt, overlmt_amt=x.overlmt_amt,
                      special_drug=x.special_drug)
        for x in data.fee_lines])


def _remember_phone(claim: ManualClaim) -> None:
    if claim.phone:
        from dae.notices.actions import remember_phone

        remember_phone(psn_no=claim.psn_no, phone=claim.phone, region_id=claim.region_id,
                       source=f"手工报销 {claim.number}")


SNAPSHOT = ("hospital", "place_category", "med_type", "adm_date", "dscg_date", "dise_codg", "dise_name", "injury",
            "entry_mode", *TOTAL_FIELDS, "bank_name", "bank_account", "account_name", "phone")


def _snapshot(claim: ManualClaim) -> dict[str, Any]:
    from dae.core.events import snapshot

    data = snapshot(claim, SNAPSHOT)
    data["invoices"] = [[i.number, i.date.isoformat(), str(i.amount)] for i in claim.invoices.all()]
    data["fee_lines"] = claim.fee_lines.count()
    return data


# --- register, update, materials -------------------------------------------------------------------------

def do_register(actor: Any, data: ClaimInput) -> ManualClaim:
    """受理: check everything, refuse uncovered days, give the application number, tick the materials given."""
    _need(actor, "reimbursement:register")
    received_on = data.received_on or timezone.localdate()
    with transaction.atomic():
        _check(data)
        person, hospital, region_id = _resolve(actor, data)
        claim = ManualClaim(number=next_number(region_id, received_on), person=person, psn_no=person.psn_no,
                            region_id=region_id, received_on=received_on, registered_by=actor,
                            state=S.RECEIVED)
        _write_details(claim, data, hospital)
        _apply_materials(claim, data.materials, received_on)
        claim.save()
        _remember_phone(claim)
        record_event(actor, "claim.received", claim, region_id=region_id,
                     after={"state": S.RECEIVED, "number": claim.number, "psn_no": claim.psn_no,
                            **_snapshot(claim), "materials": claim.materials,
                            "due_date": claim.due_date})
    return claim


def do_update(actor: Any, claim: ManualClaim, data: ClaimInput) -> ManualClaim:
    """Correct a claim still at the window (已受理 or 已退回). The person cannot change (cancel instead)."""
    _need(actor, "reimbursement:edit")
    if data.psn_no.strip() != claim.psn_no:
        raise InvalidInput("不能更改申请的参保人；请撤销本申请后重新受理", code=Code.PERSON_FIXED,
                           details=[{"path": "psn_no", "message": "不能更改申请的参保人"}])
    with transaction.atomic():
        _check(data, exclude_claim=claim.pk)
        _person, hospital, region_id = _resolve(actor, data)
        claim = _lock(claim)
        if claim.state not in EDITABLE_STATES:
            raise Conflict(f"状态“{claim.get_state_display()}”的申请不能修改", code=Code.NOT_EDITABLE)
        if region_id != claim.region_id:
            raise Conflict("参保地统筹区与原申请不同，请撤销后重新受理", code=Code.REGION_CHANGED)
        before = _snapshot(claim)
        _write_details(claim, data, hospital)
        _apply_materials(claim, claim.materials, timezone.localdate())
        claim.save()
        _remember_phone(claim)
        record_event(actor, "claim.updated", claim, region_id=claim.region_id, before=before, after=_snapshot(claim))
    return claim


def do_set_materials(actor: Any, claim: ManualClaim, received: Iterable[str], *,
                     day: dt.date | None = None) -> ManualClaim:
    """Tick the materials checklist: ``received`` is the full list of items now at hand."""
    _need(actor, "reimbursement:materials")
    received = list(received)
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state not in MATERIAL_STATES:
            raise Conflict(f"状态“{claim.get_state_display()}”的申请不能再修改材料", code=Code.MATERIALS_CLOSED)
        before = {"materials": list(claim.materials), "materials_complete": claim.materials_complete,
                  "due_date": claim.due_date, "clock_used": claim.clock_used}
        _apply_materials(claim, received, day or timezone.localdate())
        claim.save()
        record_event(actor, "claim.materials", claim, region_id=claim.region_id, before=before,
                     after={"materials": claim.materials, "materials_complete": claim.materials_complete,
                            "due_date": claim.due_date, "clock_used": claim.clock_used,
                            "missing": missing_materials(claim)})
    return claim


# --- compute ---------------------------------------------------------------------------------------------

def settlement_time(claim: ManualClaim) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(claim.dscg_date, dt.time(23, 59, 59)))


def line_inputs(claim: ManualClaim) -> list[LineInput]:
    return [LineInput(feedetl_sn=x.feedetl_sn, chrgitm_lv=x.chrgitm_lv, med_chrgitm_type=x.med_chrgitm_type,
                      det_item_fee_sumamt=x.det_item_fee_sumamt, cnt=x.cnt, pric=x.pric,
                      init_feedetl_sn=x.init_feedetl_sn, med_list_codg=x.med_list_codg, item_name=x.item_name,
                      overlmt_amt=x.overlmt_amt, special_drug=x.special_drug)
            for x in claim.fee_lines.all()]


def engine_settlement(claim: ManualClaim) -> em.Settlement:
    """The claim as the engine's input: settle way manual, its fee lines or its five totals."""
    lines = engine_lines(line_inputs(claim)) if claim.entry_mode == ManualClaim.EntryMode.LINES else ()
    totals = None if lines else em.NationalTotals(*(getattr(claim, name) for name in TOTAL_FIELDS))
    return em.Settlement(setl_id=claim.number, psn_no=claim.psn_no, setl_time=settlement_time(claim),
                         place_category=em.PlaceCategory(claim.place_category), settle_way=em.SettleWay.MANUAL,
                         adm_date=claim.adm_date, dscg_date=claim.dscg_date, med_type=claim.med_type,
                         mdtrt_id=claim.number, fee_lines=lines, totals=totals)


def compute(claim: ManualClaim) -> tuple[SettlementResult, list[dict[str, str]]]:
    """The claim's payout within its person-year (stored settlements + this claim), with the trace, and the
    later stored settlements of that year whose payout this claim would change (a late claim)."""
    book = book_for_region(claim.region_id)
    mine = engine_settlement(claim)
    try:
        year = person_year(claim.psn_no, claim.region_id, policy_year_of(mine, book), extra=[mine],
                           exclude=[claim.number], trace=True)
    except DocumentInvalid as exc:
        raise invalid_input(exc, "申请的费用数据无法计算", Code.CLAIM_NOT_COMPUTABLE) from exc
    assert year is not None  # the year holds at least this claim
    results = list(year.settlements)
    index = next(i for i, r in enumerate(results) if r.setl_id == claim.number)
    later = results[index + 1:]
    stored = dict(Settlement.objects.filter(setl_id__in=[r.setl_id for r in later])
                  .values_list("setl_id", "hifob_pay"))
    effects = [{"setl_id": r.setl_id, "stored": str(stored[r.setl_id]), "recomputed": str(r.payout),
                "difference": str(r.payout - stored[r.setl_id])}
               for r in later if stored.get(r.setl_id) is not None and stored[r.setl_id] != r.payout]
    return results[index], effects


def short_basis(result: SettlementResult) -> str:
    """One sentence for the SMS: in-scope amount, threshold, base, ratios."""
    ratios = "、".join(f"{share.applied_ratio * 100:.0f}%" for share in result.segments if share.amount > 0)
    text = (f"本年累计前符合范围 {fmt_yuan(result.before.eligible_amount)} 元，本次符合范围 "
            f"{fmt_yuan(result.eligible_amount)} 元，起付线 {fmt_yuan(result.entry_threshold)} 元，"
            f"进入大额 {fmt_yuan(result.dae_base)} 元")
    return text + (f"，按 {ratios} 支付" if ratios else "，未达起付线")


def do_compute(actor: Any, claim: ManualClaim) -> ManualClaim:
    """计算: the engine's payout within the person-year; stores the amount, the result and its explanation."""
    _need(actor, "reimbursement:compute")
    with transaction.atomic():
        claim = _lock(claim)
        check_transition(claim.state, S.COMPUTED)
        if not claim.materials_complete:
            names = "、".join(checklist.label(c) for c in missing_materials(claim))
            raise Conflict(f"材料不全，时限暂停，不能计算：缺{names}", code=Code.MATERIALS_INCOMPLETE)
        gaps = _uncovered(claim.psn_no, claim.adm_date, claim.dscg_date)
        if gaps:
            raise _coverage_error(claim.psn_no, gaps)
        result, effects = compute(claim)
        before = {"state": claim.state, "computed_pay": claim.computed_pay}
        claim.computed_pay = result.payout
        claim.policy_year, claim.version_id = result.policy_year, result.version_id
        for name in TOTAL_FIELDS:
            setattr(claim, name, getattr(result.totals, name))
        claim.explanation = {"result": settlement_doc(result, trace=True), "later_effects": effects,
                             "sms_summary": short_basis(result)}
        claim.explanation_text = format_trace_zh(result)
        claim.computed_by, claim.computed_at = actor, timezone.now()
        claim.computer_ids = sorted(computed_by_ids(claim) | {actor.pk})
        claim.checked_by = claim.checked_at = None
        target = S.COMPUTED
        prior = claim.state
        claim.state = target
        claim.save()
        record_event(actor, "claim.computed", claim, region_id=claim.region_id, before=before,
                     after={"state": target, "computed_pay": result.payout, "version_id": result.version_id,
                            "policy_year": result.policy_year, "later_effects": effects},
                     note="重新计算" if prior == S.COMPUTED else "")
    return claim


def _recheck_amount(claim: ManualClaim) -> SettlementResult:
    result, _effects = compute(claim)
    if result.payout != claim.computed_pay:
        raise Conflict(f"重新计算的大额支付 {fmt_yuan(result.payout)} 元与计算结果 {fmt_yuan(claim.computed_pay if claim.computed_pay is not None else ZERO)} "
                       f"元不一致（本年度其他结算已变化），请退回重新计算", code=Code.PAYOUT_CHANGED,
                       details={"computed": str(claim.computed_pay), "now": str(result.payout)})
    return result


# --- check, approve, return, reject, cancel, paid --------------------------------------------------------

def do_check(actor: Any, claim: ManualClaim, *, note: str = "") -> ManualClaim:
    """复核: a second person confirms the materials and the computation (the amount is computed again)."""
    _need(actor, "reimbursement:check")
    with transaction.atomic():
        claim = _lock(claim)
        check_transition(claim.state, S.CHECKED)
        ensure_four_eyes(actor, claim)
        if not claim.materials_complete:
            raise Conflict("材料不全，不能复核", code=Code.MATERIALS_INCOMPLETE)
        _recheck_amount(claim)
        claim.checked_by, claim.checked_at = actor, timezone.now()
        _transition(actor, claim, S.CHECKED, note=note[:500], after={"computed_pay": claim.computed_pay})
    return claim


def do_approve(actor: Any, claim: ManualClaim, *, note: str = "") -> ManualClaim:
    """审批: the checked claim becomes a stored, payable Settlement (settle way manual); the insured is notified."""
    from dae.approvals.actions import require
    from dae.notices.actions import notify_claim

    _need(actor, "reimbursement:approve")
    require(actor, "reimbursement.payout", amount=claim.computed_pay, region_id=claim.region_id,
            target=("reimbursement.manualclaim", claim.pk), summary=f"手工报销 {claim.number} 审批支付",
            payload={"claim": claim.pk, "note": note})
    with transaction.atomic():
        claim = _lock(claim)
        check_transition(claim.state, S.APPROVED)
        ensure_four_eyes(actor, claim)
        result = _recheck_amount(claim)
        if Settlement.objects.filter(setl_id=claim.number).exists():
            raise Conflict(f"结算ID {claim.number} 已存在", code=Code.SETTLEMENT_EXISTS)
        claim.approved_by, claim.approved_at = actor, timezone.now()
        _transition(actor, claim, S.APPROVED, note=note[:500], after={"computed_pay": claim.computed_pay})
        claim.settlement = _store_settlement(claim, result)
        do_post_settlement_payable(claim.settlement, on=timezone.localdate(), actor=actor)  # 补助支出 / 应付参保人
        book_late_settlement(actor, claim.settlement)  # 补付/追回 for later settlements whose payouts move
        _transition(actor, claim, S.PAYABLE, after={"setl_id": claim.settlement.setl_id,
                                                    "hifob_pay": claim.computed_pay})
        notify_claim(psn_no=claim.psn_no, claim_ref=claim.number, kind="approved", amount=claim.computed_pay,
                     basis_text="\n".join(plain_for_claim(claim)), region_id=claim.region_id, actor=actor,
                     phone=claim.phone or None, sms_summary=claim.explanation.get("sms_summary"))
    return claim


def _store_settlement(claim: ManualClaim, result: SettlementResult) -> Settlement:
    settlement = Settlement.objects.create(
        setl_id=claim.number, mdtrt_id=claim.number, psn_no=claim.psn_no, person_id=claim.person_id,
        hospital_id=claim.hospital_id, region_id=claim.region_id, med_type=claim.med_type, adm_date=claim.adm_date,
        dscg_date=claim.dscg_date, setl_time=settlement_time(claim), dise_codg=claim.dise_codg,
        dise_name=claim.dise_name[:100], place_category=claim.place_category,
        settle_way=Settlement.SettleWay.MANUAL, **{name: getattr(result.totals, name) for name in TOTAL_FIELDS},
        hifob_pay=result.payout, computed_pay=result.payout, state=S.PAYABLE,
        national={"source": "manual_claim", "number": claim.number, "version_id": result.version_id})
    if claim.entry_mode == ManualClaim.EntryMode.LINES:
        by_sn = {line.feedetl_sn: line for line in result.lines}
        when = timezone.make_aware(dt.datetime.combine(claim.adm_date, dt.time()))
        zero = Decimal("0.00")
        rows = []
        for x in claim.fee_lines.all():
            done = by_sn.get(x.feedetl_sn)
            rows.append(FeeLine(
                settlement=settlement, feedetl_sn=x.feedetl_sn, init_feedetl_sn=x.init_feedetl_sn,
                fee_ocur_time=when, med_list_codg=x.med_list_codg, medins_list_codg=x.med_list_codg or x.feedetl_sn,
                det_item_fee_sumamt=x.det_item_fee_sumamt, cnt=x.cnt, pric=x.pric if x.pric is not None else zero,
                chrgitm_lv=x.chrgitm_lv, med_chrgitm_type=x.med_chrgitm_type, overlmt_amt=x.overlmt_amt,
                fulamt_ownpay_amt=done.fulamt_ownpay_amt if done else zero,
                preselfpay_amt=done.preselfpay_amt if done else zero,
                inscp_scp_amt=done.inscp_scp_amt if done else zero))
        FeeLine.objects.bulk_create(rows)
    return settlement


def do_return(actor: Any, claim: ManualClaim, reason: str) -> ManualClaim:
    """退回: back to the window with a reason (to correct, complete or compute again)."""
    _need(actor, "reimbursement:return")
    reason = _reason(reason, "退回原因")
    with transaction.atomic():
        claim = _lock(claim)
        check_transition(claim.state, S.RETURNED)
        ensure_four_eyes(actor, claim)
        claim.return_reason, claim.returned_by, claim.returned_at = reason, actor, timezone.now()
        claim.checked_by = claim.checked_at = None
        _transition(actor, claim, S.RETURNED, note=reason, after={"reason": reason})
    return claim


def do_reject(actor: Any, claim: ManualClaim, reason: str) -> ManualClaim:
    """拒付: the claim is not payable (e.g. outside the insurance's scope), with the reason."""
    _need(actor, "reimbursement:reject")
    reason = _reason(reason, "拒付原因")
    with transaction.atomic():
        claim = _lock(claim)
        check_transition(claim.state, S.REJECTED)
        ensure_four_eyes(actor, claim)
        claim.close_reason = reason
        _transition(actor, claim, S.REJECTED, note=reason, after={"reason": reason})
    return claim


def do_cancel(actor: Any, claim: ManualClaim, reason: str) -> ManualClaim:
    """撤销: the applicant withdrew the claim before approval (an approved one is cancelled as a settlement)."""
    _need(actor, "reimbursement:cancel")
    reason = _reason(reason, "撤销原因")
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state in (S.APPROVED, S.PAYABLE, S.PAID):
            raise Conflict("已审批的申请不能在窗口撤销，请按结算撤销办理", code=Code.ALREADY_APPROVED)
        check_transition(claim.state, S.CANCELLED)
        claim.close_reason = reason
        _transition(actor, claim, S.CANCELLED, note=reason, after={"reason": reason})
    return claim


def do_mark_paid(actor: Any, claim: ManualClaim, *, paid_on: dt.date) -> ManualClaim:
    """支付完成 (called by ``payments.actions.batches`` when the bank confirms the payment order): the claim and its settlement become paid; the insured is notified."""
    from dae.notices.actions import notify_claim

    with transaction.atomic():
        claim = _lock(claim)
        check_transition(claim.state, S.PAID)
        settlement = Settlement.objects.select_for_update().get(pk=claim.settlement_id)
        if settlement.state != S.PAID:
            check_transition(settlement.state, S.PAID)
            settlement.state, settlement.paid_on = S.PAID, paid_on
            settlement.save(update_fields=["state", "paid_on"])
        claim.paid_on = settlement.paid_on or paid_on
        _transition(actor, claim, S.PAID, after={"paid_on": claim.paid_on, "hifob_pay": settlement.hifob_pay})
        notify_claim(psn_no=claim.psn_no, claim_ref=claim.number, kind="paid", amount=settlement.hifob_pay if settlement.hifob_pay is not None else ZERO,
                     basis_text="\n".join(plain_for_claim(claim)), region_id=claim.region_id, actor=actor,
                     phone=claim.phone or None, sms_summary=claim.explanation.get("sms_summary"))
    return claim
