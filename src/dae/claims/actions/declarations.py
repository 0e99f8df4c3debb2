"""The declaration's writes: receiving the file (``do_submit_declaration``) and storing what its check accepted
(``do_store_checked_declaration``, called by the declaration's job in ``claims.declare``).

``do_submit_declaration`` stores the file and answers at once; a replay (same hospital and idempotency key, same
content) returns the declaration already made and changes nothing. The store writes the accepted and differing
settlements, their fee lines, the per-settlement results, the ledger's payables, the adjustments and the events in
one transaction, with the payment deadline (15 working days).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from dae.accounts.permissions import can
from dae.catalog.models import Hospital
from dae.core.bulk import insert_rows
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, DaeError, NotFound, PermissionDenied
from dae.core.events import event_row, insert_events, jsonable, record_event
from dae.core.jobs import start_job
from dae.core.uploads import StoredUpload, discard, store_upload
from dae.ledger.actions import do_post_many
from dae.ledger.entries import entry_settlement_payable, settlement_key
from dae.ledger.models import Transaction
from dae.workdays.service import deadline, warning_dict

from ..adjustments import record_adjustments
from ..declarations import Incoming, read_document
from ..models import Declaration, DeclarationItem, Settlement
from ..states import ClaimState

if TYPE_CHECKING:
    from ..declare import Check

MAX_FILE = 4 * 1024 * 1024 * 1024
DEADLINE_DAYS = 15
#: The route whose writers may declare (the permission matrix is the one source of who may).
SUBMIT_ROUTE = "claims:declaration_new"

SETTLEMENT_COLUMNS = (
    "setl_id", "mdtrt_id", "init_setl_id", "psn_no", "person", "hospital", "region", "med_type", "adm_date",
    "dscg_date", "setl_time", "dise_codg", "dise_name", "place_category", "settle_way", "mid_setl_flag",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "hifob_pay",
    "computed_pay", "state", "declaration", "national",
)
ITEM_COLUMNS = ("declaration", "seq", "setl_id", "psn_no", "init_setl_id", "outcome", "reason_code", "reason",
                "declared_pay", "computed_pay", "difference")


# -- submitting -----------------------------------------------------------------------------------------

def do_submit_declaration(user: Any, *, file_name: str, chunks: Iterator[bytes]) -> tuple[Declaration, bool]:
    """Store the file and queue its check. Returns (declaration, created); a replay returns the earlier one."""
    if not can(user, SUBMIT_ROUTE):
        raise PermissionDenied("当前岗位不能提交月结申报")
    stored = store_upload(chunks, name="declaration.json", folder="declarations", max_bytes=MAX_FILE,
                          too_large="申报文件超过 4 GB", empty="申报文件为空")
    try:
        declaration, created = _accept_stored(user, stored)
    except DaeError:
        discard(stored)  # a refused file is not kept
        raise
    if not created:
        discard(stored)  # a replay: the earlier declaration keeps its own file
        return declaration, False
    job = start_job("declaration", f"月结申报 {declaration.hospital.code} {declaration.month}", user=user,
                    params={"declaration": declaration.pk}, region_id=declaration.region_id,
                    total=declaration.settlements_count)
    Declaration.objects.filter(pk=declaration.pk).update(job=job)
    declaration.refresh_from_db()
    return declaration, True


def _accept_stored(user: Any, stored: StoredUpload) -> tuple[Declaration, bool]:
    """The declaration for a stored file: the earlier one for a replay, else a new one (with its event)."""
    target, sha = stored.path, stored.sha256
    header, _items, count = read_document(target)
    hospital = Hospital.objects.filter(code=header.fixmedins_code).first()
    if hospital is None:
        raise NotFound(f"无此医疗机构：{header.fixmedins_code}", code=CoreCode.UNKNOWN_HOSPITAL)
    if not Hospital.objects.for_user(user).filter(pk=hospital.pk).exists():
        raise PermissionDenied("无权为该医疗机构申报")
    key = header.idempotency_key or sha
    with transaction.atomic():
        earlier = Declaration.objects.select_for_update().filter(hospital=hospital, idempotency_key=key).first()
        if earlier is not None:
            if earlier.sha256 != sha:
                raise Conflict("该幂等键已用于内容不同的申报", code=CoreCode.IDEMPOTENCY_CONFLICT,
                               details={"declaration": earlier.pk})
            return earlier, False
        declaration = Declaration.objects.create(
            hospital=hospital, region_id=hospital.region_id, month=header.month, idempotency_key=key, sha256=sha,
            path=str(target), settlements_count=count, created_by=user)
        record_event(user, "declaration.received", declaration, region_id=hospital.region_id,
                     after={"hospital": hospital.code, "month": header.month, "settlements": count, "sha256": sha})
    return declaration, True


# -- storing what the check accepted ------------------------------------------------------------------------

def do_store_checked_declaration(check: Check, lines_count: int) -> None:
    """Store the checked declaration: accepted and differing settlements with their fee lines (from the check's
    spool), every item's result, cancellations, the ledger's payables, adjustments and events — one transaction."""
    d = check.declaration
    today = timezone.localdate()
    due = deadline(today, DEADLINE_DAYS)
    stored_items = [i for i in check.items if i.rejected is None and i.outcome in (
        DeclarationItem.Outcome.ACCEPTED, DeclarationItem.Outcome.DIFFERING)]
    now = timezone.now()
    with transaction.atomic():
        insert_rows(Settlement, SETTLEMENT_COLUMNS, (_settlement_row(check, i) for i in stored_items))
        ids = {}
        wanted = [i.setl_id for i in stored_items]
        for start in range(0, len(wanted), 900):
            ids.update(Settlement.objects.filter(setl_id__in=wanted[start:start + 900])
                       .values_list("setl_id", "id"))
        check.spool.store({i.seq: ids[i.setl_id] for i in stored_items})
        cancelled = dict(Settlement.objects.filter(
            setl_id__in=[i.init_setl_id for i in stored_items if i.init_setl_id]).values_list("setl_id", "id"))
        if cancelled:
            Settlement.objects.filter(pk__in=cancelled.values()).update(state=ClaimState.CANCELLED)
        insert_rows(DeclarationItem, ITEM_COLUMNS, (_item_row(d, i) for i in check.items))
        _post_payables(check, ids, today)
        record_adjustments(d.created_by, check.adjustments, d.month)
        insert_events(_claim_events(d, stored_items, ids, cancelled, now))
        _count_outcomes(d, check.items, stored_items, lines_count)
        d.status = Declaration.Status.CHECKED
        d.checked_on = today
        d.pay_deadline = due.due
        d.deadline_warnings = [warning_dict(w) for w in due.warnings]
        d.save()
        record_event(d.created_by, "declaration.checked", d, region_id=d.region_id,
                     after={"accepted": d.accepted, "differing": d.differing, "rejected": d.rejected,
                            "replayed": d.replayed, "declared_total": d.declared_total,
                            "computed_total": d.computed_total, "pay_deadline": d.pay_deadline,
                            "adjustments": len(check.adjustments)})


def _claim_events(d: Declaration, stored_items: list[Incoming], ids: dict[str, int], cancelled: dict[str, int],
                  now: Any) -> list[tuple[Any, ...]]:
    """One ``claim.<state>`` event per stored settlement and one ``claim.cancelled`` per original it cancels."""
    actor = d.created_by_id
    events = []
    for i in stored_items:
        state = ClaimState.PAYABLE if i.outcome == DeclarationItem.Outcome.ACCEPTED else ClaimState.COMPUTED
        events.append(event_row(
            actor, f"claim.{state}", object_type="claims.settlement", object_id=ids[i.setl_id],
            region_id=i.region_id, after={"state": state, "computed_pay": i.computed}, at=now,
            note=f"申报 #{d.pk}：已受理 → 已计算" + (" → 待支付" if state == ClaimState.PAYABLE else "")))
    for setl_id, pk in cancelled.items():
        events.append(event_row(actor, "claim.cancelled", object_type="claims.settlement", object_id=pk,
                                region_id=d.region_id, after={"state": "cancelled"}, at=now,
                                note=f"申报 #{d.pk} 中的撤销结算 {setl_id}"))
    return events


def _count_outcomes(d: Declaration, items: list[Incoming], stored_items: list[Incoming], lines_count: int) -> None:
    outcome: dict[str, int] = defaultdict(int)
    for i in items:
        outcome["rejected" if i.rejected is not None else i.outcome] += 1
    d.accepted, d.differing = outcome["accepted"], outcome["differing"]
    d.rejected, d.replayed = outcome["rejected"], outcome["replayed"]
    d.lines_count = lines_count
    d.settlements_count = len(items)
    d.declared_total = sum((i.declared or Decimal(0) for i in stored_items), Decimal("0.00"))
    d.computed_total = sum((i.computed or Decimal(0) for i in stored_items), Decimal("0.00"))


def _post_payables(check: Check, ids: dict[str, int], today: date) -> None:
    """The ledger's 补助支出 / 应付医疗机构 for every settlement that became payable, in the same transaction as
    the settlements. A 2305 cancellation posts the reverse of its original — unless the original was never
    payable (a differing settlement not yet decided): then nothing was owed and the cancellation is closed
    as cancelled too."""
    accepted = [i.setl_id for i in check.items if i.rejected is None
                and i.outcome == DeclarationItem.Outcome.ACCEPTED and i.setl_id in ids]
    # accepted ones are payable, or already cancelled by a 2305 later in the same file (posted all the same)
    payable = list(Settlement.objects.filter(pk__in=[ids[x] for x in accepted]).only(
        "setl_id", "init_setl_id", "region_id", "settle_way", "computed_pay", "hifob_pay"))
    originals = [settlement_key(s.init_setl_id) for s in payable if s.init_setl_id]
    posted = {settlement_key(s.setl_id) for s in payable if entry_settlement_payable(s, on=today) is not None}
    for start in range(0, len(originals), 900):
        posted.update(Transaction.objects.filter(idempotency_key__in=originals[start:start + 900])
                      .values_list("idempotency_key", flat=True))
    unowed = [s for s in payable if s.init_setl_id and settlement_key(s.init_setl_id) not in posted]
    if unowed:
        Settlement.objects.filter(pk__in=[s.pk for s in unowed]).update(state=ClaimState.CANCELLED)
        insert_events(event_row(check.declaration.created_by, "claim.cancelled", object_type="claims.settlement",
                                object_id=s.pk, region_id=s.region_id, after={"state": "cancelled"},
                                note=f"撤销的原结算 {s.init_setl_id} 未曾确认应付，撤销结算无需冲减")
                      for s in unowed)
    skip = {s.pk for s in unowed}
    do_post_many((e for s in payable if s.pk not in skip
               if (e := entry_settlement_payable(s, on=today)) is not None),
              actor=check.declaration.created_by)


def _settlement_row(check: Check, i: Incoming) -> tuple[Any, ...]:
    info = i.setlinfo
    state = ClaimState.PAYABLE if i.outcome == DeclarationItem.Outcome.ACCEPTED else ClaimState.COMPUTED
    national = {"setlinfo": info, "setldetail": i.setldetail, "_hash": i.raw_hash}
    return (i.setl_id, i.mdtrt_id, i.init_setl_id, i.psn_no, check.person_ids[i.psn_no][0], check.hospital.pk,
            i.region_id, i.med_type, i.adm_date, i.dscg_date, i.setl_time,
            str(info.get("dise_no") or info.get("dise_codg") or "")[:20],
            str(info.get("dise_name") or "")[:100], i.place_category, "direct",
            str(info.get("mid_setl_flag") or "0") == "1", i.money["medfee_sumamt"], i.money["fulamt_ownpay_amt"],
            i.money["overlmt_selfpay"], i.money["preselfpay_amt"], i.money["inscp_scp_amt"], i.declared,
            i.computed, state, check.declaration.pk, json.dumps(jsonable(national), ensure_ascii=False))


def _item_row(d: Declaration, i: Incoming) -> tuple[Any, ...]:
    if i.rejected is not None:
        return (d.pk, i.seq, i.setl_id[:30], i.psn_no, i.init_setl_id, DeclarationItem.Outcome.REJECTED,
                i.rejected.code, i.rejected.reason[:500], i.declared, None, None)
    difference = None if i.computed is None or i.declared is None else i.computed - i.declared
    reason = i.mapping_note
    if i.outcome == DeclarationItem.Outcome.DIFFERING:
        reason = f"核定 {i.computed}，申报 {i.declared}，差额 {difference}"
        if i.mapping_note:
            reason += "｜" + i.mapping_note
        if i.explanation:
            reason += "｜" + i.explanation.splitlines()[0]
    return (d.pk, i.seq, i.setl_id, i.psn_no, i.init_setl_id, i.outcome,
            "payout_difference" if i.outcome == DeclarationItem.Outcome.DIFFERING else "", reason[:500],
            i.declared, i.computed, difference)
