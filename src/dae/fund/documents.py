"""The printable documents: the appropriation request (用款申请书) and the clearing report (清算报告), each as an
HTML page to print from the browser and as a PDF (weasyprint, like the reimbursement receipt). Both are in
Chinese with the figures, how they were obtained and the signature lines."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from . import services
from .models import AppropriationRequest, FundYear


def request_context(request: AppropriationRequest) -> dict[str, Any]:
    fund_year = FundYear.objects.filter(region_id=request.region_id, year=request.year).first()
    prev_year, prev_quarter = services.previous_quarter(request.year, request.quarter)
    return {"req": request, "fund_year": fund_year, "prev_year": prev_year, "prev_quarter": prev_quarter,
            "fallback": request.basis == AppropriationRequest.Basis.FALLBACK,
            "received": services.received_for(request), "printed": timezone.localtime(), "pdf": False}


def clearing_context(report: services.ClearingReport) -> dict[str, Any]:
    return {"report": report, "fy": report.fund_year, "printed": timezone.localtime(), "pdf": False}


def _pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    return bytes(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf())


def _response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def request_pdf(request: HttpRequest, appropriation: AppropriationRequest) -> bytes:
    return _pdf(request, "fund/request_print.html", request_context(appropriation))


def request_response(request: HttpRequest, appropriation: AppropriationRequest) -> HttpResponse:
    return _response(request_pdf(request, appropriation), f"request-{appropriation.number}")


def clearing_pdf(request: HttpRequest, report: services.ClearingReport) -> bytes:
    return _pdf(request, "fund/clearing_print.html", clearing_context(report))


def clearing_response(request: HttpRequest, report: services.ClearingReport) -> HttpResponse:
    fy = report.fund_year
    return _response(clearing_pdf(request, report), f"clearing-{fy.region_id}-{fy.year}-{report.kind}")
