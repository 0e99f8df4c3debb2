"""Every money figure of the monthly report reconciles to the fen: a month is built, stated, deducted and paid
through the real actions, then the report's paid total is checked against the ledger's payment movements, the
statements and the settlements (with 补付/追回 and deductions), and the deductions against the ledger and the
statements. The API and the Excel file carry the same figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from dae.claims.models import Settlement
from dae.core.sums import fen_sum, yuan
from dae.ledger.models import Leg
from dae.payments.actions import do_record_deduction
from dae.payments.models import Deduction, Statement
from dae.reports import queries
from dae.reports.periods import Period

from ..payments.flow import pay_month
from ..payments.test_statements import adjustment, owed

A = "220282"
PAY_DAY = dt.date(2026, 4, 10)


def build_march(world: dict[str, Any]) -> None:
    Settlement.objects.filter(setl_id="SA0001").update(state="paid")  # the world's own (zero) settlement
    finance = world["users"]["finance"]
    s1 = owed(world, "R1", "1200.37", lines=("600.00", "400.00", "200.10"))
    s2 = owed(world, "R2", "800.51", day=20, lines=("300.25", "700.25"))
    owed(world, "R3", "333.33", day=28)
    owed(world, "R4", "500.00", state="cancelled", lines=("500.00",))
    owed(world, "R4C", "-500.00", init="R4", day=29, lines=("-500.00",))
    adjustment(s1, "30.01")
    adjustment(s2, "-120.25")
    do_record_deduction(world["hospitals"][0], amount="200.03", kind="audit", reason="重复收费", source=("test", 1),
                        confirmed_on=dt.date(2026, 3, 25), actor=finance)
    do_record_deduction(world["hospitals"][0], amount="19.99", kind="inspection", reason="巡查", source=("test", 2),
                        confirmed_on=dt.date(2026, 3, 26), actor=finance)
    pay_month(A, "2026-03", finance, PAY_DAY)


def test_paid_total_reconciles_to_ledger_statements_and_settlements(world: dict[str, Any]) -> None:
    build_march(world)
    manager = world["users"]["manager"]
    april, march = Period.parse("2026-04"), Period.parse("2026-03")
    report = queries.monthly_report(manager, april)
    paid = report["payments"]["net"]

    ledger_paid = yuan(Leg.objects.filter(
        account__code="100202", transaction__reference_type="payments.order", transaction__region_id=A,
        transaction__date__gte=april.start, transaction__date__lt=april.end).aggregate(t=fen_sum("credit"))["t"])
    statements = Statement.objects.filter(region_id=A, paid_on__gte=april.start, paid_on__lt=april.end)
    stated = yuan(statements.aggregate(t=fen_sum("net_payable"))["t"])
    on_statements = Settlement.objects.filter(statement__in=statements)
    settled = yuan(on_statements.aggregate(t=fen_sum("hifob_pay"))["t"])
    supplements = yuan(statements.aggregate(t=fen_sum("supplements_total"))["t"])
    recoveries = yuan(statements.aggregate(t=fen_sum("recoveries_total"))["t"])
    deducted = yuan(statements.aggregate(t=fen_sum("deductions_total"))["t"])

    expected = Decimal("1200.37") + Decimal("800.51") + Decimal("333.33") + Decimal("30.01") - Decimal("120.25") \
        - Decimal("200.03") - Decimal("19.99")
    assert paid == ledger_paid == stated == expected == Decimal("2023.95")
    assert settled - recoveries + supplements - deducted == paid
    assert report["payments"]["count"] == 1 and report["payments"]["late"] == 0
    finance = {f.indicator: f for f in report["finance"]}
    assert finance["payments_made"].value == paid  # the engine's figure from the ledger is the same

    # March: the engine's payout (settlements, net of the cancellation) and deductions against the ledger
    march_report = queries.monthly_report(manager, march)
    key = {f.indicator: f for f in march_report["key"]}
    assert key["payout_amount"].value == settled == Decimal("2334.21")
    assert key["deductions"].value == march_report["deductions"]["total"] == deducted == Decimal("220.02")
    deduction_legs = yuan(Leg.objects.filter(
        account__code="1132", debit__gt=0, transaction__reference_type="payments.deduction",
        transaction__date__gte=march.start, transaction__date__lt=march.end).aggregate(t=fen_sum("debit"))["t"])
    confirmed = Deduction.objects.filter(confirmed_on__gte=march.start, confirmed_on__lt=march.end,
                                         kind__in=("audit", "inspection")).aggregate(t=Sum("amount"))["t"]
    assert deduction_legs == confirmed == key["deductions"].value
    by_hospital = {r["hospital_id"]: r for r in march_report["hospitals"]}
    assert by_hospital[str(world["hospitals"][0].pk)]["payout_amount"] == settled


def test_api_and_excel_hold_the_report_figures(world: dict[str, Any], client_for: Any) -> None:
    from openpyxl import load_workbook

    build_march(world)
    client = client_for("supervisor")
    answer = client.get("/api/v1/reports/payout?period=2026-04").json()
    assert answer["payments"]["net"] == "2023.95" and answer["payments"]["count"] == 1
    march = client.get("/api/v1/reports/payout?period=2026-03").json()
    figures = {f["indicator"]: f for f in march["figures"]}
    assert figures["payout_amount"]["value"] == "2334.21" and figures["deductions"]["value"] == "220.02"
    empty = client.get("/api/v1/reports/payout?period=2019-01").json()
    assert {f["indicator"]: f for f in empty["figures"]}["payout_amount"] == {
        "indicator": "payout_amount", "name": "大额赔付金额", "unit": "元", "value": None, "status": "no_data",
        "last_year": None, "previous": None, "yoy": None, "pop": None}
    response = client.get("/reports/monthly/?period=2026-04&export=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["主要指标", "费用支付", "病历审核与稽核", "扣款", "医疗机构", "指标定义"]
    rows = list(book["费用支付"].iter_rows(values_only=True))
    total_row = [r for r in rows if r and r[0] == "合计"][0]
    assert Decimal(str(total_row[8])) == Decimal("2023.95")
    assert book["主要指标"].freeze_panes == "A5" and book["费用支付"].freeze_panes == "A2"
    defs = list(book["指标定义"].iter_rows(values_only=True))
    assert any(r[0] == "数据版本" for r in defs)
