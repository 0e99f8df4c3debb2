"""Outbox delivery (报文发送): what waits for the platform is queued as ``Outbound`` rows and sent through the
client by a background job.

Sources: each paid statement's payment results (``claims.feedback`` rows of its settlements) and each finding's
audit feedback (``auditing.PlatformFeedback``, 3101 vocabulary). ``collect()`` queues what is not queued yet;
``deliver()`` sends what is due.

Exactly once across a crash: the msgid is fixed when a message is queued. If the worker dies after the platform
took a message and before it was marked (crash point ``exchange.sent``), the next run sends it again with the same
msgid; the platform recognises the msgid, does nothing twice and answers as before, and the message is marked.
A platform that cannot be reached opens the circuit: the run stops at once, leaving the rest pending for the next
run (the job is started again by ``dae exchange_deliver`` from cron or the worker's schedule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from dae.claims.feedback import feedback_rows
from dae.claims.models import DeclarationItem, Settlement
from dae.core.crash import crash_point
from dae.core.events import jsonable

from . import actions
from .client import PlatformClient, config
from .errors import CircuitOpen, PlatformError, PlatformRefused
from .models import Outbound


def _payment_results() -> list[dict[str, Any]]:
    from dae.payments.models import Statement

    queued = Outbound.objects.filter(kind=Outbound.Kind.PAYMENT_RESULT, source_id=OuterRef("pk"))
    items = []
    for st in (Statement.objects.filter(status=Statement.Status.PAID).filter(~Exists(queued))
               .select_related("hospital").order_by("id")):
        rows = list(feedback_rows(Settlement.objects.filter(statement=st), DeclarationItem.objects.none()))
        items.append({"kind": Outbound.Kind.PAYMENT_RESULT, "source_id": st.pk, "region_id": st.region_id,
                      "hospital_id": st.hospital_id,
                      "payload": {"data": jsonable({
                          "setl_optins": st.region_id, "fixmedins_code": st.hospital.code, "stmt_id": st.pk,
                          "stmt_month": st.month, "net_payable": st.net_payable, "paid_on": st.paid_on,
                          "fund_pay_type": "330100", "setlinfo": rows})}})
    return items


def _audit_feedback() -> list[dict[str, Any]]:
    from dae.auditing.models import PlatformFeedback

    queued = Outbound.objects.filter(kind=Outbound.Kind.AUDIT_FEEDBACK, source_id=OuterRef("pk"))
    return [{"kind": Outbound.Kind.AUDIT_FEEDBACK, "source_id": fb.pk, "region_id": fb.region_id,
             "hospital_id": fb.hospital_id, "payload": {"data": fb.message}}
            for fb in PlatformFeedback.objects.filter(sent_at__isnull=True).filter(~Exists(queued)).order_by("id")]


def collect(actor: Any = None) -> int:
    """Queue every paid statement's results and every unsent audit feedback not queued yet."""
    return actions.do_queue_outbound(actor, _payment_results() + _audit_feedback())


@dataclass
class Run:
    delivered: int = 0
    refused: int = 0
    failed: int = 0
    paused_until: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"delivered": self.delivered, "refused": self.refused, "failed": self.failed,
                "paused_until": self.paused_until}


def deliver(actor: Any = None, *, client: PlatformClient | None = None, limit: int = 10_000,
            progress: Any = None) -> Run:
    """Send every pending message that is due, oldest first; stop when the circuit opens."""
    client = client or PlatformClient()
    retry_in = float(config()["CIRCUIT_COOL_OFF"])
    run = Run()
    due = list(Outbound.objects.filter(status=Outbound.Status.PENDING, next_attempt_at__lte=timezone.now())
               .order_by("id")[:limit])
    for n, row in enumerate(due, start=1):
        try:
            answer = client.call(row.infno, row.payload, purpose=row.kind, admdvs=row.region_id, msgid=row.msgid,
                                 hospital_id=row.hospital_id, actor=actor)
        except CircuitOpen as exc:
            run.paused_until = exc.message
            break
        except PlatformRefused as exc:
            actions.do_record_delivery_failure(actor, row, exc, refused=True, retry_in=0)
            run.refused += 1
            continue
        except PlatformError as exc:
            actions.do_record_delivery_failure(actor, row, exc, refused=False, retry_in=retry_in)
            run.failed += 1
            continue
        crash_point("exchange.sent")  # taken by the platform, not yet marked: the crash test kills us here
        actions.do_mark_delivered(actor, row, answer.output, call_id=answer.call_id)
        run.delivered += 1
        if progress is not None:
            progress(n, len(due))
    return run
