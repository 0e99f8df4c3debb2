"""The writes of the exchange, each one transaction with its event (``exchange.*``).

- ``do_log_call``: keep one call to the platform (masked bodies, tries, duration, outcome) and move the circuit.
- ``do_run_reconciliation``: reconcile a hospital's month with the platform (3201 totals; 3202 details when the
  totals differ) and store the run with its differences. The platform is asked first, outside any transaction;
  the record is written in one.
- ``do_resolve_difference``: finance closes a difference with a note.
- ``do_queue_outbound`` / ``do_mark_delivered`` / ``do_record_delivery_failure``: the outbox (``delivery.py``
  sends).
- not here: the platform's 1101 answer for one certificate number, compared with our enrolment, is a read
  (``persons.query_person``, which records the access).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region

from . import compare, queries
from .client import CIRCUIT, PlatformClient, config
from .codes import Code
from .errors import PlatformError
from .masking import masked
from .models import Call, Circuit, Difference, MsgidCounter, Outbound, Reconciliation

# -- message ids and the call log -----------------------------------------------------------------------------


def next_sequence(sender: str) -> int:
    """The next number of ``sender``'s msgid sequence (its own short transaction, a row lock on the counter)."""
    with transaction.atomic():
        MsgidCounter.objects.get_or_create(sender=sender)
        MsgidCounter.objects.filter(sender=sender).update(value=F("value") + 1)
        return MsgidCounter.objects.select_for_update().get(sender=sender).value


def do_log_call(*, msgid: str, infno: str, purpose: str, request: dict[str, Any], outcome: str,
                trace: list[dict[str, Any]], region_id: str | None = None, hospital_id: int | None = None,
                actor: Any = None, response: dict[str, Any] | None = None, infcode: int | None = None,
                err_msg: str = "") -> Call:
    """Keep one call and move the circuit: a success closes it; a failure of the line counts, and the
    ``CIRCUIT_FAILURES``-th in a row opens it for ``CIRCUIT_COOL_OFF`` seconds. ``infcode`` −1 is an answer:
    the line works, so it closes the circuit too."""
    conf = config()
    line_failed = outcome in (Call.Outcome.TIMEOUT, Call.Outcome.UNREACHABLE)
    with transaction.atomic():
        call = Call.objects.create(
            msgid=msgid, infno=infno, purpose=purpose, region_id=region_id, hospital_id=hospital_id,
            request=masked(request), response=masked(response or {}), outcome=outcome, infcode=infcode,
            err_msg=err_msg[:500], tries=len(trace), duration_ms=sum(int(t.get("ms", 0)) for t in trace),
            trace=trace, actor=user_or_none(actor))
        if outcome != Call.Outcome.CIRCUIT_OPEN:
            circuit, _ = Circuit.objects.select_for_update().get_or_create(pk=CIRCUIT)
            opened = False
            if line_failed:
                circuit.failures += 1
                if circuit.failures >= int(conf["CIRCUIT_FAILURES"]):
                    circuit.open_until = timezone.now() + dt.timedelta(seconds=float(conf["CIRCUIT_COOL_OFF"]))
                    circuit.opened_times += 1
                    opened = True
            closed_already = not line_failed and circuit.failures == 0 and circuit.open_until is None
            if not closed_already:  # a closed circuit that stays closed needs no write
                if not line_failed:
                    circuit.failures, circuit.open_until = 0, None
                circuit.changed_at = timezone.now()
                circuit.save()
            if opened:
                record_event(actor, "exchange.circuit_opened", circuit, region_id=region_id,
                             after={"failures": circuit.failures, "open_until": circuit.open_until})
        record_event(actor, f"exchange.call_{outcome}", call, region_id=region_id,
                     after={"msgid": msgid, "infno": infno, "purpose": purpose, "tries": len(trace)})
    return call


# -- reconciliation --------------------------------------------------------------------------------------------


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _platform_totals(output: Any) -> compare.Totals:
    info = output.get("stmtinfo") if isinstance(output, dict) else None
    if not isinstance(info, dict):
        raise PlatformError("医保平台对总账应答缺少 stmtinfo", code=Code.BAD_ANSWER)
    medfee = inputs.signed_amount(info.get("medfee_sumamt"), field="medfee_sumamt", label="医疗费总额")
    fund = inputs.signed_amount(info.get("fund_pay_sumamt"), field="fund_pay_sumamt", label="基金支付总额")
    count = inputs.whole(info.get("fixmedins_setl_cnt"), field="fixmedins_setl_cnt", label="结算笔数")
    cancelled = inputs.whole(info.get("refd_setl_cnt", 0), field="refd_setl_cnt", label="撤销笔数")
    return compare.Totals(count, int(medfee * 100), int(fund * 100), cancelled)


def _platform_details(output: Any) -> list[compare.Detail]:
    rows = output.get("stmtdetail") if isinstance(output, dict) else None
    if not isinstance(rows, list):
        raise PlatformError("医保平台对明细账应答缺少 stmtdetail", code=Code.BAD_ANSWER)
    details = []
    for row in rows:
        medfee = inputs.signed_amount(row.get("medfee_sumamt"), field="medfee_sumamt", label="医疗费总额")
        fund = inputs.signed_amount(row.get("hifob_pay") or "0", field="hifob_pay", label="大额基金支付")
        details.append(compare.Detail(
            inputs.text(row.get("setl_id"), field="setl_id", label="结算ID", max_length=30),
            inputs.text(row.get("mdtrt_id", ""), field="mdtrt_id", label="就诊ID", max_length=30, required=False),
            inputs.text(row.get("psn_no", ""), field="psn_no", label="人员编号", max_length=30, required=False),
            int(medfee * 100), int(fund * 100), "1" if str(row.get("refd_setl_flag", "0")) == "1" else "0"))
    return details


def _shown(field: str, value: Any) -> Any:
    return str(_yuan(value)) if field in compare.MONEY_FIELDS and value is not None else value


def do_run_reconciliation(actor: Any, region: Region, hospital: Hospital, month: str, *,
                          client: PlatformClient | None = None, job: Any = None) -> Reconciliation:
    """Reconcile ``hospital``'s ``month`` in ``region`` with the platform. A platform that cannot be reached or
    refuses still leaves a record (状态 未完成, with the reason) so the month's page shows what happened."""
    first, last = queries.period(month)
    client = client or PlatformClient()
    ours = queries.our_totals(region.pk, hospital.pk, month)
    query = {"setl_optins": region.pk, "fixmedins_code": hospital.code, "stmt_begndate": first.isoformat(),
             "stmt_enddate": last.isoformat(), "clr_type": "21", "insutype": "330"}
    record = Reconciliation(region=region, hospital=hospital, month=month, run_by=user_or_none(actor), job=job,
                            our_count=ours.count, our_medfee=_yuan(ours.medfee_fen), our_fund=_yuan(ours.fund_fen),
                            our_cancelled=ours.cancelled)
    diffs: list[compare.DetailDiff] = []
    try:
        answer = client.call("3201", {"data": {**query, "fixmedins_setl_cnt": ours.count,
                                               "medfee_sumamt": str(_yuan(ours.medfee_fen)),
                                               "fund_pay_sumamt": str(_yuan(ours.fund_fen)),
                                               "refd_setl_cnt": ours.cancelled}},
                             purpose="reconcile_totals", admdvs=region.pk, hospital_id=hospital.pk, actor=actor)
        record.totals_msgid = answer.msgid
        theirs = _platform_totals(answer.output)
        record.platform_count, record.platform_medfee = theirs.count, _yuan(theirs.medfee_fen)
        record.platform_fund, record.platform_cancelled = _yuan(theirs.fund_fen), theirs.cancelled
        if ours.differing(theirs):
            details = client.call("3202", {"data": query}, purpose="reconcile_details", admdvs=region.pk,
                                  hospital_id=hospital.pk, actor=actor)
            record.details_msgid = details.msgid
            diffs = compare.compare_details(queries.our_details(region.pk, hospital.pk, month),
                                            _platform_details(details.output))
            record.message = "总账不平：" + "、".join(_TOTAL_NAMES[n] for n in ours.differing(theirs))
        record.status = Reconciliation.Status.DIFFERENT if diffs else Reconciliation.Status.CLEAN
        if not diffs and ours.differing(theirs):  # totals differ but no settlement does: say so, never hide it
            record.status = Reconciliation.Status.DIFFERENT
            record.message += "；明细逐笔一致，差异不在结算明细中"
    except PlatformError as exc:  # the reason is kept on the record and in the call log; nothing is hidden
        record.status, record.message = Reconciliation.Status.FAILED, exc.message[:500]
    except InvalidInput as exc:  # a figure in the platform's answer is not an amount or a count
        record.status = Reconciliation.Status.FAILED
        record.message = f"医保平台应答中的数据有误：{exc.message}"[:500]
    record.differences_count = record.open_count = len(diffs)
    with transaction.atomic():
        record.save()
        Difference.objects.bulk_create(
            Difference(reconciliation=record, region=region, hospital=hospital, setl_id=d.setl_id, kind=d.kind,
                       fields=[{"field": f.field, "ours": _shown(f.field, f.ours),
                                "platform": _shown(f.field, f.platform)} for f in d.fields])
            for d in diffs)
        record_event(actor, "exchange.reconciled", record, region_id=region.pk,
                     after={"month": month, "hospital": hospital.code, "status": record.status,
                            "differences": len(diffs)})
    return record


_TOTAL_NAMES = {"count": "结算笔数", "medfee_fen": "医疗费总额", "fund_fen": "大额基金支付", "cancelled": "撤销笔数"}


def do_resolve_difference(actor: Any, difference: Difference, note: str) -> Difference:
    text = require_reason(note, "处理说明", max_length=500)
    with transaction.atomic():
        locked = Difference.objects.select_for_update().get(pk=difference.pk)
        if locked.resolved_at is not None:
            raise Conflict("该差异已处理", code=Code.ALREADY_RESOLVED)
        locked.resolved_at, locked.resolved_by, locked.note = timezone.now(), user_or_none(actor), text
        locked.save(update_fields=["resolved_at", "resolved_by", "note"])
        Reconciliation.objects.filter(pk=locked.reconciliation_id).update(open_count=F("open_count") - 1)
        record_event(actor, "exchange.difference_resolved", locked, region_id=locked.region_id,
                     before={"note": ""}, after={"note": text, "setl_id": locked.setl_id})
    return locked


# -- the outbox -----------------------------------------------------------------------------------------------


def do_queue_outbound(actor: Any, items: Iterable[dict[str, Any]]) -> int:
    """Queue messages (``kind, source_id, region_id, hospital_id, payload``) not queued before, each with its
    msgid fixed now. Returns how many were queued."""
    from .client import new_msgid

    conf = config()
    infno = {Outbound.Kind.PAYMENT_RESULT: conf["INFNO_PAYMENT_RESULT"],
             Outbound.Kind.AUDIT_FEEDBACK: conf["INFNO_AUDIT_FEEDBACK"]}
    items = list(items)
    if not items:
        return 0
    msgids = [new_msgid() for _ in items]
    with transaction.atomic():
        rows = Outbound.objects.bulk_create(
            [Outbound(kind=i["kind"], source_id=i["source_id"], region_id=i["region_id"],
                      hospital_id=i["hospital_id"], payload=i["payload"], infno=infno[i["kind"]], msgid=m)
             for i, m in zip(items, msgids, strict=True)],
            ignore_conflicts=True)
        record_event(actor, "exchange.queued", object_type="exchange.outbound", object_id="",
                     after={"count": len(rows), "kinds": sorted({i["kind"] for i in items})})
    return len(rows)


def do_mark_delivered(actor: Any, outbound: Outbound, answer: Any, *, call_id: int) -> Outbound:
    """The platform took the message: mark it (and the audit feedback it carries) as delivered."""
    from dae.auditing.models import PlatformFeedback

    with transaction.atomic():
        row = Outbound.objects.select_for_update().get(pk=outbound.pk)
        if row.status == Outbound.Status.SENT:
            return row
        row.status, row.sent_at, row.answer = Outbound.Status.SENT, timezone.now(), masked(answer or {})
        row.attempts += 1
        row.last_error = ""
        row.save(update_fields=["status", "sent_at", "answer", "attempts", "last_error"])
        if row.kind == Outbound.Kind.AUDIT_FEEDBACK:
            PlatformFeedback.objects.filter(pk=row.source_id, sent_at__isnull=True).update(sent_at=row.sent_at)
        record_event(actor, "exchange.delivered", row, region_id=row.region_id,
                     after={"msgid": row.msgid, "kind": row.kind, "call": call_id})
    return row


def do_record_delivery_failure(actor: Any, outbound: Outbound, error: PlatformError, *, refused: bool,
                               retry_in: float) -> Outbound:
    """A try that did not deliver: refused by the platform (kept with its message, not tried again until a person
    re-queues it) or not reached (tried again after ``retry_in`` seconds)."""
    with transaction.atomic():
        row = Outbound.objects.select_for_update().get(pk=outbound.pk)
        row.attempts += 1
        row.last_error = error.message[:500]
        if refused:
            row.status = Outbound.Status.REFUSED
            row.answer = masked(error.details or {})
        row.next_attempt_at = timezone.now() + dt.timedelta(seconds=retry_in)
        row.save(update_fields=["attempts", "last_error", "status", "answer", "next_attempt_at"])
        record_event(actor, "exchange.delivery_failed", row, region_id=row.region_id,
                     after={"msgid": row.msgid, "refused": refused, "error": row.last_error})
    return row


def do_requeue_outbound(actor: Any, outbound: Outbound) -> Outbound:
    """Send a refused message again (after the cause was fixed), with the same msgid."""
    with transaction.atomic():
        row = Outbound.objects.select_for_update().get(pk=outbound.pk)
        if row.status != Outbound.Status.REFUSED:
            raise Conflict("只有平台拒收的报文可以重新发送")
        row.status, row.next_attempt_at = Outbound.Status.PENDING, timezone.now()
        row.save(update_fields=["status", "next_attempt_at"])
        record_event(actor, "exchange.requeued", row, region_id=row.region_id, after={"msgid": row.msgid})
    return row


# -- jobs started from the pages --------------------------------------------------------------------------------


def do_start_reconciliation(actor: Any, region_id: str, month: Any) -> Any:
    """Start the month's reconciliation of every hospital of ``region_id`` as a background job."""
    from dae.core.jobs import start_job

    first = inputs.month(month, field="month", label="对账月份")
    text = f"{first:%Y-%m}"
    with transaction.atomic():
        record_event(actor, "exchange.reconciliation_started", object_type="core.region", object_id=region_id,
                     region_id=region_id, after={"month": text})
    return start_job("exchange.reconcile_month", f"平台对账 {text}", user=user_or_none(actor),
                     params={"region": region_id, "month": text}, region_id=region_id)


def do_start_delivery(actor: Any) -> Any:
    """Start the outbox delivery job (queue new messages, send what is due)."""
    from dae.core.jobs import start_job

    with transaction.atomic():
        record_event(actor, "exchange.delivery_started", object_type="exchange.outbound", object_id="")
    return start_job("exchange.deliver", "向医保平台发送反馈", user=user_or_none(actor), params={})
