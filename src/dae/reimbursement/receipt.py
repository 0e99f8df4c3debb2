"""The receipt (受理回执) as PDF: application number, date received, expected completion date, materials."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .actions import material_items, missing_materials
from .clock import PERIOD
from .models import ManualClaim


def receipt_context(claim: ManualClaim) -> dict[str, Any]:
    items = material_items(claim)
    return {"claim": claim, "received": [i for i in items if i.received],
            "missing": [i for i in items if i.required and not i.received], "period": PERIOD,
            "paused": bool(missing_materials(claim)), "invoices": list(claim.invoices.all())}


def receipt_pdf(request: HttpRequest, claim: ManualClaim) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reimbursement/receipt_pdf.html", receipt_context(claim), request=request)
    return bytes(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf())


def receipt_response(request: HttpRequest, claim: ManualClaim) -> HttpResponse:
    response = HttpResponse(receipt_pdf(request, claim), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{claim.number}.pdf"'
    return response
