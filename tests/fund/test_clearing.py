"""The clearing report (清算): exact figures from a hand-built ledger, the amount to return or to top up, the
contract-end period, recording it once (Dr 4001 / Cr 2401), the printable report and its PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.fund import actions, services
from dae.fund.models import Clearing, FundYear
from dae.ledger.models import Transaction
from dae.ledger.queries import balance
from tests.factories import REGION_A

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year(clerk: Any, book: Any) -> FundYear:
    """Funds 1,000,000 (contract 1 January – 30 June); 750,000 received in three slips; payouts 900,000 (of which
    600,000 in the first half), 补付 3,000, 追回 1,000, deduction 500, operating costs 20,000, interest 1,234.56;
    800,000 paid to hospitals; a revolving fund of 10,000 drawn."""
    fund_year = actions.do_enter_funds(clerk, REGION_A, 2026, "1000000.00", on=dt.date(2026, 1, 5),
                                       contract_start=dt.date(2026, 1, 1), contract_end=dt.date(2026, 6, 30))
    request = actions.do_submit_request(clerk, actions.do_prepare_request(clerk, REGION_A, 2026, 1),
                                        on=dt.date(2026, 1, 5))
    for n, (amount, day) in enumerate((("250000.00", dt.date(2026, 1, 12)), ("250000.00", dt.date(2026, 4, 9)),
                                       ("250000.00", dt.date(2026, 7, 9))), start=1):
        actions.do_receive_appropriation(clerk, request, amount=amount, on=day, slip_no=f"HD-{n}")
    book("payout", "600000.00", dt.date(2026, 3, 10))
    book("payout", "300000.00", dt.date(2026, 9, 10))
    book("top_up", "3000.00", dt.date(2026, 5, 1))
    book("recover", "1000.00", dt.date(2026, 8, 1))
    book("deduction", "500.00", dt.date(2026, 10, 1))
    book("cost", "20000.00", dt.date(2026, 12, 20))
    book("interest", "1234.56", dt.date(2026, 12, 21))
    book("pay", "800000.00", dt.date(2026, 11, 1))
    actions.do_record_entry(clerk, "revolving_draw", REGION_A, on=dt.date(2026, 11, 1), amount="10000.00",
                            key="draw:1", reason="透支", approval_no="审批-1")
    book("payout", "123.00", dt.date(2027, 1, 1))  # next year
    return fund_year


def test_year_end_report_is_exact(year: FundYear) -> None:
    report = services.clearing_report(year, "year_end")
    assert (report.start, report.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (report.funds_raised, report.received, report.receivable) == (D("1000000.00"), D("750000.00"), D("250000.00"))
    moves = report.moves
    assert (moves.payouts, moves.adjustments, moves.deductions, moves.operating_costs, moves.interest) == (
        D("900000.00"), D("2000.00"), D("-500.00"), D("20000.00"), D("1234.56"))
    assert (report.profit, report.rate, report.over_limit) == (D("78500.00"), D("7.85"), True)
    assert (report.cap, report.excess) == (D("38500.00"), D("40000.00"))
    assert (report.payable_hospitals, report.payable_persons, report.revolving) == (
        D("103000.00"), D("0.00"), D("10000.00"))
    # 40,000 to return less 250,000 the bureau still owes: the bureau tops up 210,000
    assert (report.net, report.to_return, report.to_top_up) == (D("-210000.00"), D("0.00"), D("210000.00"))
    figures = report.as_dict()
    assert figures["to_top_up"] == "210000.00" and figures["expenditure"] == "921500.00"


def test_contract_end_uses_the_contract_dates(year: FundYear) -> None:
    report = services.clearing_report(year, "contract_end")
    assert (report.start, report.end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert (report.received, report.receivable) == (D("500000.00"), D("500000.00"))
    assert (report.moves.payouts, report.moves.adjustments, report.moves.expenditure) == (
        D("600000.00"), D("3000.00"), D("603000.00"))
    assert (report.profit, report.excess, report.to_top_up) == (D("397000.00"), D("358500.00"), D("141500.00"))
    with pytest.raises(InvalidInput):
        services.clearing_report(year, "monthly")


def test_recording_posts_the_amount_to_return_once(clerk: Any, year: FundYear) -> None:
    request = year.region.appropriationrequest_set.get()
    actions.do_receive_appropriation(clerk, request, amount="250000.00", on=dt.date(2026, 12, 28), slip_no="HD-4")
    report = services.clearing_report(year, "year_end")
    assert (report.receivable, report.to_return) == (D("0.00"), D("40000.00"))
    before = Transaction.objects.count()
    clearing = actions.do_record_clearing(clerk, year, "year_end", on=dt.date(2027, 1, 15), reason="2026 年度清算")
    assert clearing.amount == D("40000.00") and clearing.figures["excess"] == "40000.00"
    txn = clearing.transaction
    assert txn is not None and txn.idempotency_key == f"fund:clearing:{year.pk}:year_end"
    assert sorted(txn.legs.values_list("account__code", "debit", "credit")) == [
        ("2401", D("0.00"), D("40000.00")), ("4001", D("40000.00"), D("0.00"))]
    again = actions.do_record_clearing(clerk, year, "year_end", on=dt.date(2027, 1, 15), reason="重复提交")
    assert again.pk == clearing.pk and Transaction.objects.count() == before + 1
    with pytest.raises(Conflict) as other:
        actions.do_record_clearing(clerk, year, "year_end", on=dt.date(2027, 1, 15), reason="改金额", amount="1.00")
    assert other.value.code == "clearing_exists"
    assert balance("2401", regions=[REGION_A]) == D("40000.00")
    assert Event.objects.filter(action="fund.clearing_recorded").count() == 1
    assert services.clearing_report(year, "year_end").recorded == clearing
    with pytest.raises(InvalidInput):
        actions.do_record_clearing(clerk, year, "contract_end", on=dt.date(2027, 1, 15), reason="")
    assert Clearing.objects.count() == 1


def test_the_report_prints_and_renders_as_pdf(clerk: Any, year: FundYear) -> None:
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/fund/years/{year.pk}/clearing/year_end/print/").content.decode()
    assert "大额医疗保险基金清算报告" in page and "应补拨 210,000.00 元" in page and "7.85%" in page
    assert "编制人（财务岗）" in page
    pdf = client.get(f"/fund/years/{year.pk}/clearing/year_end/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    screen = client.get(f"/fund/years/{year.pk}/clearing/year_end/").content.decode()
    assert 'data-testid="clearing-form"' in screen
    response = client.post(f"/fund/years/{year.pk}/clearing/year_end/record/",
                           {"on": "2027-01-15", "reason": "年终清算", "amount": ""})
    assert response.status_code == 302 and Clearing.objects.get().amount == D("40000.00")
    assert 'data-testid="clearing-recorded"' in client.get(f"/fund/years/{year.pk}/clearing/year_end/").content.decode()
