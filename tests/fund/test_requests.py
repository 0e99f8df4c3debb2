"""The quarterly appropriation request (用款申请): computed from a hand-built ledger, Q1's fallback, the state
changes with their events, the printable document and its PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.fund import actions
from dae.fund.models import AppropriationRequest
from tests.factories import REGION_A, REGION_B

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ledger(book: Any) -> None:
    """Q1 2026 of region A: payouts 1,000,000 less a 20,000 cancellation, 补付 5,000, 追回 1,500, an audit
    deduction of 2,500, operating costs 30,000; plus movements outside the quarter and of region B."""
    book("payout", "600000.00", dt.date(2026, 1, 15))
    book("payout", "400000.00", dt.date(2026, 3, 31))
    book("cancel", "20000.00", dt.date(2026, 2, 10))
    book("top_up", "5000.00", dt.date(2026, 2, 11))
    book("recover", "1500.00", dt.date(2026, 3, 1))
    book("deduction", "2500.00", dt.date(2026, 3, 20))
    book("cost", "30000.00", dt.date(2026, 3, 25))
    book("interest", "800.00", dt.date(2026, 3, 21))       # income: not expenditure
    book("payout", "999.00", dt.date(2026, 4, 1))           # next quarter
    book("payout", "777.00", dt.date(2025, 12, 31))         # previous year
    book("payout", "55555.00", dt.date(2026, 2, 1), REGION_B)  # another region


def test_the_request_is_the_previous_quarters_expenditure(clerk: Any, ledger: None) -> None:
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    assert (request.basis, request.basis_start, request.basis_end) == (
        "ledger", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert request.payouts == D("980000.00")
    assert request.adjustments == D("1000.00")  # 5,000 − 1,500 − 2,500
    assert request.operating_costs == D("30000.00")
    assert request.computed == request.amount == D("1011000.00")
    assert request.status == "draft" and request.number == "YK2202822026Q2"
    event = Event.objects.get(action="fund.request_prepared")
    assert event.after["amount"] == "1011000.00" and event.region_id == REGION_A


def test_q1_uses_the_previous_years_q4_when_the_ledger_has_it(clerk: Any, ledger: None) -> None:
    actions.do_enter_funds(clerk, REGION_A, 2026, "4000000.00", on=dt.date(2026, 1, 5))
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 1)
    assert (request.basis, request.basis_start, request.basis_end) == (
        "ledger", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert (request.payouts, request.amount) == (D("777.00"), D("777.00"))


def test_q1_falls_back_to_a_quarter_of_the_funds_raised(clerk: Any, book: Any) -> None:
    book("payout", "100.00", dt.date(2025, 12, 31), REGION_B)  # another region's Q4 does not count
    with pytest.raises(Conflict) as missing:
        actions.do_prepare_request(clerk, REGION_A, 2026, 1)
    assert missing.value.code == "funds_not_entered"
    actions.do_enter_funds(clerk, REGION_A, 2026, "4000000.02", on=dt.date(2026, 1, 5))
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 1)
    assert request.basis == "fallback"
    assert request.computed == request.amount == D("1000000.01")  # 4,000,000.02 ÷ 4, rounded half up
    assert (request.payouts, request.adjustments, request.operating_costs) == (D("0.00"), D("0.00"), D("0.00"))


def test_adjust_submit_receive_with_events(clerk: Any, ledger: None) -> None:
    actions.do_enter_funds(clerk, REGION_A, 2026, "4000000.00", on=dt.date(2026, 1, 5))
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    with pytest.raises(InvalidInput):
        actions.do_adjust_request(clerk, request, "1000.00", "")  # a reason is required
    request = actions.do_adjust_request(clerk, request, "-11000.00", "扣除上季度预付款")
    assert (request.adjustment, request.amount) == (D("-11000.00"), D("1000000.00"))
    request = actions.do_submit_request(clerk, request, on=dt.date(2026, 4, 1))
    assert (request.status, request.submitted_on) == ("submitted", dt.date(2026, 4, 1))
    with pytest.raises(Conflict):
        actions.do_adjust_request(clerk, request, "1.00", "再调整")
    with pytest.raises(Conflict):
        actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    actions.do_receive_appropriation(clerk, request, amount="600000.00", on=dt.date(2026, 4, 9), slip_no="HD-1")
    request.refresh_from_db()
    assert request.status == "partly"
    actions.do_receive_appropriation(clerk, request, amount="400000.00", on=dt.date(2026, 4, 10), slip_no="HD-2")
    request.refresh_from_db()
    assert request.status == "received"
    statuses = [(e.before.get("status"), e.after.get("status")) for e in
                Event.objects.filter(action__in=["fund.request_submitted", "fund.request_status"],
                                     object_id=str(request.pk)).order_by("id")]
    assert statuses == [("draft", "submitted"), ("submitted", "partly"), ("partly", "received")]
    assert Event.objects.filter(action="fund.request_adjusted", note="扣除上季度预付款").count() == 1


def test_a_draft_is_recomputed_when_the_ledger_changes(clerk: Any, ledger: None, book: Any) -> None:
    first = actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    book("payout", "1000.00", dt.date(2026, 3, 30))
    again = actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    assert again.pk == first.pk and again.amount == D("1012000.00")
    assert Event.objects.filter(action="fund.request_recomputed").count() == 1
    assert AppropriationRequest.objects.count() == 1


def test_the_document_prints_and_renders_as_pdf(clerk: Any, ledger: None) -> None:
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 2)
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/fund/requests/{request.pk}/print/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "大额医疗保险基金用款申请书" in html and "按 2026 年第 1 季度实际支出测算" in html
    assert "1,011,000.00" in html and "980,000.00" in html and "经办人（财务岗）" in html
    pdf = client.get(f"/fund/requests/{request.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_fallback_is_said_on_the_document(clerk: Any) -> None:
    actions.do_enter_funds(clerk, REGION_A, 2026, "4000000.00", on=dt.date(2026, 1, 5))
    request = actions.do_prepare_request(clerk, REGION_A, 2026, 1)
    client = Client()
    client.force_login(clerk)
    html = client.get(f"/fund/requests/{request.pk}/print/").content.decode()
    assert "账上没有上年第四季度的支出，按 2026 年度筹集资金的四分之一测算" in html
    assert "4,000,000.00" in html and "1,000,000.00" in html
