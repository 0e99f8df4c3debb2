"""Payment-result feedback to the platform (支付结果反馈): one record per paid or rejected settlement.

Format (docs/declarations.md §Feedback): ``setl_id, mdtrt_id, psn_no, fixmedins_code, declaration, result
(paid / rejected), reason_code, reason, fund_pay_type (330100), hifob_pay (declared), payamt (paid), pay_date``.
Served as JSON (API) and CSV (file) with the same fields in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from dae.core.exports import ExportColumn, csv_bytes

from .models import DeclarationItem, Settlement
from .states import ClaimState

FIELDS = ("setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "declaration", "result", "reason_code", "reason",
          "fund_pay_type", "hifob_pay", "payamt", "pay_date")


def feedback_rows(settlements: QuerySet[Settlement], items: QuerySet[DeclarationItem], *,
                  since: date | None = None) -> Iterator[dict[str, Any]]:
    paid = settlements.filter(state=ClaimState.PAID).select_related("hospital")
    if since is not None:
        paid = paid.filter(paid_on__gte=since)
    for s in paid.order_by("paid_on", "setl_id").iterator(chunk_size=2000):
        yield {"setl_id": s.setl_id, "mdtrt_id": s.mdtrt_id, "psn_no": s.psn_no, "fixmedins_code": s.hospital.code,
               "declaration": s.declaration_id, "result": "paid", "reason_code": "", "reason": "",
               "fund_pay_type": "330100", "hifob_pay": s.hifob_pay, "payamt": s.computed_pay,
               "pay_date": s.paid_on}
    rejected_states = settlements.filter(state=ClaimState.REJECTED).select_related("hospital")
    for s in rejected_states.order_by("setl_id").iterator(chunk_size=2000):
        yield {"setl_id": s.setl_id, "mdtrt_id": s.mdtrt_id, "psn_no": s.psn_no, "fixmedins_code": s.hospital.code,
               "declaration": s.declaration_id, "result": "rejected", "reason_code": "review_rejected",
               "reason": "复核不予支付", "fund_pay_type": "330100", "hifob_pay": s.hifob_pay, "payamt": "0.00",
               "pay_date": None}
    declined = items.filter(outcome=DeclarationItem.Outcome.REJECTED).select_related("declaration__hospital")
    if since is not None:
        declined = declined.filter(declaration__checked_on__gte=since)
    for i in declined.order_by("declaration_id", "seq").iterator(chunk_size=2000):
        yield {"setl_id": i.setl_id, "mdtrt_id": "", "psn_no": i.psn_no,
               "fixmedins_code": i.declaration.hospital.code, "declaration": i.declaration_id, "result": "rejected",
               "reason_code": i.reason_code, "reason": i.reason, "fund_pay_type": "330100",
               "hifob_pay": i.declared_pay, "payamt": "0.00", "pay_date": None}


def feedback_csv(rows: Iterator[dict[str, Any]]) -> bytes:
    """The feedback file through the one export helper: a reason or id a hospital sent that begins with ``=`` is
    written as text, never as a formula."""
    columns = [ExportColumn(name) for name in FIELDS]
    return csv_bytes(columns, ([row.get(name) for name in FIELDS] for row in rows))
