"""Payment batches (支付批次): create → export the bank payment file → import the bank's result file → post.

Each step is one database transaction and can be repeated after a crash without paying twice or losing a
payment (``tests/payments/test_crash.py`` kills the process at every ``crash_point`` below):

- **create**: the batch, its orders and the statements' state commit together; an approved statement or a
  payable manual claim has at most one live order (a database constraint), so a retry cannot queue it twice.
- **export**: the file is written to a temporary name and renamed, then the orders are marked sent. The file is
  a pure function of the orders, so exporting again (after a crash, or to download it again) gives the same
  bytes and the same batch number; the bank refuses a batch number it has seen.
- **import result**: the file is stored, then applied in one transaction: paid lines post the payment (key
  ``payment:order:<id>``) and mark the statement or claim paid; failed lines release it for a new batch with
  the reason; lines still in progress (处理中), or missing from the file, keep the order *sent* — an order
  whose outcome is unknown is never sent again, it waits for a later result file or a manual status check
  (``do_confirm_order``). The same file twice is a no-op; a file contradicting a final outcome is refused whole.

The bank files themselves (columns, the payment file, reading a result file) are in ``payments/bankfiles.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.approvals.actions import require
from dae.claims.models import Adjustment, Settlement
from dae.claims.states import ClaimState
from dae.core.codes import CoreCode
from dae.core.crash import crash_point
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.money import ZERO
from dae.core.uploads import store_upload
from dae.fund.services import spending_shortfall
from dae.ledger import entries
from dae.ledger.actions import do_post_payment
from dae.reimbursement.actions import do_mark_paid
from dae.reimbursement.models import ManualClaim

from ..bankfiles import MAX_RESULT_BYTES, batch_path, parse_result, payment_file
from ..codes import Code
from ..models import PaymentBatch, PaymentOrder, ResultFile, Statement
from .statements import settle_claims

# -- create ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Payee:
    name: str
    bank_name: str
    bank_account: str


def _hospital_orders(region: str, statements: Sequence[int] | None) -> list[tuple[dict[str, Any], _Payee]]:
    qs = (Statement.objects.filter(region_id=region, status=Statement.Status.APPROVED, net_payable__gt=0)
          .exclude(orders__status__in=PaymentOrder.LIVE).select_related("hospital").order_by("month", "hospital_id"))
    if statements is not None:
        qs = qs.filter(pk__in=statements)
    rows = list(qs)
    missing = [st.hospital.code for st in rows if not (st.hospital.bank_account and st.hospital.bank_name)]
    if missing:
        raise Conflict(f"以下医疗机构未登记开户银行或账号，不能制单：{'、'.join(missing[:10])}", code=Code.NO_BANK_ACCOUNT,
                       details={"hospitals": missing})
    return [({"statement": st, "amount": st.net_payable, "purpose": f"{st.month}大额医疗补助"},
             _Payee(st.hospital.name, st.hospital.bank_name, st.hospital.bank_account)) for st in rows]


def _person_orders(region: str, settlements: Sequence[int] | None) -> list[tuple[dict[str, Any], _Payee]]:
    qs = (Settlement.objects.filter(region_id=region, settle_way=Settlement.SettleWay.MANUAL,
                                    state=ClaimState.PAYABLE, computed_pay__gt=0)
          .exclude(payment_orders__status__in=PaymentOrder.LIVE).order_by("setl_time", "id"))
    if settlements is not None:
        qs = qs.filter(pk__in=settlements)
    claims = {c.settlement_id: c for c in ManualClaim.objects.filter(settlement__in=qs)}
    supplements = (Adjustment.objects.filter(region_id=region, settlement__settle_way=Settlement.SettleWay.MANUAL,
                                             status=Adjustment.Status.OPEN, amount__gt=0)
                   .exclude(payment_orders__status__in=PaymentOrder.LIVE).select_related("settlement"))
    if settlements is not None:
        supplements = supplements.filter(settlement__in=settlements)
    supplements_list = list(supplements)
    claims.update({c.settlement_id: c for c in ManualClaim.objects.filter(
        settlement__in=[a.settlement_id for a in supplements_list])})
    result = []
    for s in qs:
        c = claims[s.pk]
        result.append(({"settlement": s, "amount": s.computed_pay, "purpose": f"手工报销{c.number}"},
                       _Payee(c.account_name, c.bank_name, c.bank_account)))
    for a in supplements_list:
        c = claims[a.settlement_id]
        result.append(({"adjustment": a, "amount": a.amount, "purpose": f"补付{c.number}"},
                       _Payee(c.account_name, c.bank_name, c.bank_account)))
    return result


def _shortfall(region: str, amount: Decimal, on: dt.date) -> Decimal:
    """How far the spending account would go below zero (fund management's overdraft check)."""
    return spending_shortfall(region, amount, on)


def _number(region: str, on: dt.date) -> str:
    prefix = f"PB{region[-2:]}{on:%Y%m%d}"
    taken = PaymentBatch.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


def do_create_batch(region: str, kind: str, *, actor: Any, on: dt.date, statements: Sequence[int] | None = None,
                    settlements: Sequence[int] | None = None) -> PaymentBatch:
    """A draft batch of every approved, unpaid statement (kind ``hospital``) or payable manual claim and open
    supplement (kind ``person``) of the region — or only the ones listed. Refused when there is nothing to pay,
    a payee has no bank account, or the spending account would be overdrawn (透支预警)."""
    if kind not in PaymentBatch.Kind.values:
        raise InvalidInput(f"付款对象应为 hospital 或 person：{kind}", code=CoreCode.INVALID_KIND)
    planned_total = sum((fields["amount"] for fields, _payee in (
        _hospital_orders(region, statements) if kind == PaymentBatch.Kind.HOSPITAL
        else _person_orders(region, settlements))), ZERO)
    require(actor, "payments.batch", amount=planned_total, region_id=region,
            target=("payments.batch_plan", f"{region}:{kind}:{on.isoformat()}"),
            summary=f"{region} 支付批次（{PaymentBatch.Kind(kind).label}）",
            payload={"region": region, "kind": kind, "on": on.isoformat(),
                     "statements": list(statements) if statements is not None else None,
                     "settlements": list(settlements) if settlements is not None else None})
    with transaction.atomic():
        planned = (_hospital_orders(region, statements) if kind == PaymentBatch.Kind.HOSPITAL
                   else _person_orders(region, settlements))
        if not planned:
            raise Conflict("没有可支付的款项", code=Code.NOTHING_TO_PAY)
        total = sum((fields["amount"] for fields, _payee in planned), ZERO)
        short = _shortfall(region, total, on)
        if short > 0:
            raise Conflict(f"支出户余额不足：本批 {total} 元，支付后将透支 {short} 元；请先划转拨款或申请临时周转金",
                           code=Code.OVERDRAFT, details={"total": str(total), "shortfall": str(short)})
        batch = PaymentBatch.objects.create(number=_number(region, on), region_id=region, kind=kind,
                                            orders_count=len(planned), total=total, created_by=user_or_none(actor),
                                            created_on=on)
        PaymentOrder.objects.bulk_create(
            PaymentOrder(batch=batch, seq=seq, region_id=region, payee_name=payee.name, bank_name=payee.bank_name,
                         bank_account=payee.bank_account, **fields)
            for seq, (fields, payee) in enumerate(planned, start=1))
        Statement.objects.filter(orders__batch=batch).update(status=Statement.Status.PAYING)
        crash_point("batch.create")
        record_event(actor, "payment_batch.created", batch, region_id=region,
                     after={"number": batch.number, "kind": kind, "orders": len(planned), "total": total})
    return batch


# -- export ----------------------------------------------------------------------------------------------------

def do_export_batch(batch: PaymentBatch, *, actor: Any) -> Path:
    """Write the payment file and mark the orders sent. Again on an exported batch: the same file, checked
    against the recorded digest (a changed file would be a different payment, so it is refused)."""
    content = payment_file(batch)
    digest = hashlib.sha256(content).hexdigest()
    if batch.status != PaymentBatch.Status.DRAFT and batch.file_sha256 != digest:
        raise Conflict(f"批次 {batch.number} 的付款文件与已导出的不一致，拒绝重新生成", code=Code.FILE_CHANGED)
    path = batch_path(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_bytes(content)
    os.replace(temporary, path)
    crash_point("export.written")
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == PaymentBatch.Status.DRAFT:
            locked.orders.filter(status=PaymentOrder.Status.PENDING).update(status=PaymentOrder.Status.SENT)
            locked.status, locked.file_sha256 = PaymentBatch.Status.EXPORTED, digest
            locked.exported_by, locked.exported_at = user_or_none(actor), timezone.now()
            locked.save(update_fields=["status", "file_sha256", "exported_by", "exported_at"])
            record_event(actor, "payment_batch.exported", locked, region_id=locked.region_id,
                         after={"number": locked.number, "sha256": digest, "orders": locked.orders_count})
        batch.refresh_from_db()
    return path


# -- results -------------------------------------------------------------------------------------------------

def do_import_result(batch: PaymentBatch, *, name: str, chunks: Iterable[bytes], actor: Any,
                     notify: bool = True) -> ResultFile:
    """Store and apply a bank result file. The same content again returns the first import and changes nothing."""
    if batch.status == PaymentBatch.Status.DRAFT:
        raise Conflict(f"批次 {batch.number} 尚未导出付款文件，不能导入回盘", code=Code.NOT_EXPORTED)
    stored = store_upload(iter(chunks), name=Path(name).name or "result.csv", folder="payment-results",
                          max_bytes=MAX_RESULT_BYTES, too_large="回盘文件超过 20 MB")
    crash_point("result.stored")
    lines = parse_result(stored.path.read_bytes(), batch)
    with transaction.atomic():
        locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
        existing = ResultFile.objects.filter(batch=locked, sha256=stored.sha256).first()
        if existing is not None:
            return existing
        orders = {o.seq: o for o in locked.orders.select_for_update()}
        for line in lines:
            order = orders[line.seq]
            if order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.FAILED) and order.status != line.outcome:
                raise Conflict(f"第 {line.row} 行：指令 {line.seq} 已是“{order.get_status_display()}”，回盘结果矛盾，"
                               f"整份文件未导入", code=Code.CONTRADICTING_RESULT)
        counts = {PaymentOrder.Status.PAID: 0, PaymentOrder.Status.FAILED: 0, PaymentOrder.Status.SENT: 0}
        source = f"回盘 {Path(name).name}"[:100]
        for number, line in enumerate(lines):
            order = orders[line.seq]
            counts[line.outcome] += 1
            if order.status != PaymentOrder.Status.SENT or line.outcome == PaymentOrder.Status.SENT:
                continue
            _settle_order(order, outcome=line.outcome, serial=line.serial, day=line.day, reason=line.reason,
                          source=source, actor=actor, notify=notify)
            if number == 0:
                crash_point("result.applying")
        result = ResultFile.objects.create(
            batch=locked, sha256=stored.sha256, path=str(stored.path), file_name=Path(name).name[:200],
            paid=counts[PaymentOrder.Status.PAID], failed=counts[PaymentOrder.Status.FAILED],
            pending=counts[PaymentOrder.Status.SENT], imported_by=user_or_none(actor))
        _close_if_done(locked)
        record_event(actor, "payment_batch.result_imported", locked, region_id=locked.region_id,
                     after={"file": result.file_name, "sha256": stored.sha256, "paid": result.paid,
                            "failed": result.failed, "pending": result.pending})
    return result


def do_confirm_order(order: PaymentOrder, *, outcome: str, actor: Any, day: dt.date, reason: str,
                     serial: str = "") -> PaymentOrder:
    """人工查证: finance records the outcome of a sent order after checking with the bank (with a reason)."""
    reason = require_reason(reason, "查证说明")
    if outcome not in (PaymentOrder.Status.PAID, PaymentOrder.Status.FAILED):
        raise InvalidInput("查证结果应为 paid 或 failed", code=CoreCode.INVALID_OUTCOME)
    if outcome == PaymentOrder.Status.PAID and not serial.strip():
        raise InvalidInput("支付成功须填写银行流水号", code=Code.NO_SERIAL)
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status != PaymentOrder.Status.SENT:
            raise Conflict(f"指令状态为“{locked.get_status_display()}”，只有已发送待结果的指令可以人工查证",
                           code=Code.NOT_SENT)
        _settle_order(locked, outcome=outcome, serial=serial.strip(), day=day,
                      reason=reason if outcome == PaymentOrder.Status.FAILED else "", source=f"人工查证：{reason}"[:100],
                      actor=actor, notify=True)
        _close_if_done(PaymentBatch.objects.select_for_update().get(pk=locked.batch_id))
    return locked


def _close_if_done(batch: PaymentBatch) -> None:
    if batch.status == PaymentBatch.Status.EXPORTED and not batch.orders.filter(
            status__in=(PaymentOrder.Status.PENDING, PaymentOrder.Status.SENT)).exists():
        batch.status = PaymentBatch.Status.DONE
        batch.save(update_fields=["status"])


def _settle_order(order: PaymentOrder, *, outcome: str, serial: str, day: dt.date, reason: str, source: str,
                  actor: Any, notify: bool) -> None:
    """Apply one final outcome, inside the caller's transaction."""
    order.status, order.bank_serial, order.result_on = outcome, serial, day
    order.failure_reason, order.result_source = reason, source
    order.save(update_fields=["status", "bank_serial", "result_on", "failure_reason", "result_source"])
    if outcome == PaymentOrder.Status.PAID:
        _paid(order, day=day, actor=actor, notify=notify)
    else:
        _failed(order, actor=actor)


def _paid(order: PaymentOrder, *, day: dt.date, actor: Any, notify: bool) -> None:
    payable = entries.PAYABLE_HOSPITALS if order.statement_id else entries.PAYABLE_PERSONS
    do_post_payment(amount=order.amount, payable=payable, on=day, reference=("payments.order", order.pk),
                    key=f"payment:order:{order.pk}", region=order.region_id, actor=actor,
                    description=f"支付 {order.payee_name} {order.purpose}（批次 {order.batch.number}-{order.seq}）")
    if order.statement_id:
        _statement_paid(order, day=day, actor=actor, notify=notify)
    elif order.settlement_id:
        _claim_paid(order, day=day, actor=actor)
    else:
        Adjustment.objects.filter(pk=order.adjustment_id).update(status=Adjustment.Status.SETTLED)
    record_event(actor, "payment_order.paid", order, region_id=order.region_id,
                 after={"amount": order.amount, "serial": order.bank_serial, "day": day})


def _statement_paid(order: PaymentOrder, *, day: dt.date, actor: Any, notify: bool) -> None:
    st = Statement.objects.select_for_update().get(pk=order.statement_id)
    st.status, st.paid_on = Statement.Status.PAID, day
    st.save(update_fields=["status", "paid_on"])
    count = settle_claims(st, day=day, actor=actor, notify=notify)
    record_event(actor, "statement.paid", st, region_id=st.region_id,
                 after={"paid_on": day, "amount": order.amount, "settlements": count})


def _claim_paid(order: PaymentOrder, *, day: dt.date, actor: Any) -> None:
    claim = ManualClaim.objects.get(settlement_id=order.settlement_id)
    do_mark_paid(actor, claim, paid_on=day)


def _failed(order: PaymentOrder, *, actor: Any) -> None:
    if order.statement_id:
        Statement.objects.filter(pk=order.statement_id).update(status=Statement.Status.APPROVED)
    record_event(actor, "payment_order.failed", order, region_id=order.region_id,
                 after={"amount": order.amount, "reason": order.failure_reason})
