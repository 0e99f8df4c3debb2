"""Finance walks through one month in the browser: build March's statements, check that the statement reconciles
to its fee lines, approve it, make the payment batch, download the bank file, import the bank's result, import the
bank statement and see it matched, close the day, and look at the profit-rate chart on the fund dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dae.claims.models import Settlement
from dae.fund import actions as fund_actions
from dae.payments.models import PaymentBatch, Statement
from tests.payments.flow import fund_spending, result_file
from tests.payments.test_statements import owed

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_finance_month(world: dict[str, Any], live_server: Any, page: Any, shot: Any, tmp_path: Path) -> None:
    base = live_server.url
    Settlement.objects.filter(setl_id="SA0001").update(state="paid")
    owed(world, "FM1", "12000.00", lines=("8000.00", "7000.00"))
    owed(world, "FM2", "3456.78", day=20, lines=("5000.00",))
    fund_actions.do_enter_funds(world["users"]["finance"], "220282", 2026, Decimal("600000.00"),
                                on=dt.date(2026, 1, 5))
    fund_spending("220282", "100000.00", dt.date(2026, 4, 1))

    login(page, base, "finance")
    # 1. 编制月结单 for March
    page.goto(f"{base}/payments/statements/")
    page.select_option("#build-region", "220282")
    page.fill("#build-month", "2026-03")
    page.fill("#build-on", "2026-04-02")
    page.click("[data-testid=build-form] button")
    page.wait_for_selector("text=已编制 1 张月结单")
    page.click("#list-table a:has-text('2026-03')")
    page.wait_for_selector("[data-testid=statement-figures]")
    assert page.inner_text("[data-testid=net-payable]") == "15,456.78"
    assert "核对一致" in page.inner_text("[data-testid=reconciliation]")
    shot("finance-statement")

    # 2. 审批
    page.fill("#approve-on", "2026-04-03")
    page.click("[data-testid=approve-form] button")
    page.wait_for_selector("text=月结单已审批")
    assert page.inner_text("[data-testid=statement-status]") == "已审批待支付"

    # 3. 生成支付批次, 生成付款文件, 下载
    page.goto(f"{base}/payments/batches/")
    page.select_option("#batch-region", "220282")
    page.select_option("#batch-kind", "hospital")
    page.fill("#batch-on", "2026-04-10")
    page.click("[data-testid=batch-form] button")
    page.wait_for_selector("[data-testid=batch-status]")
    page.click("[data-testid=export]")
    page.wait_for_selector("[data-testid=download]")
    with page.expect_download() as download:
        page.click("[data-testid=download]")
    content = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    batch = PaymentBatch.objects.get()
    order = batch.orders.get()
    assert f"{batch.number},1,桦甸市人民医院" in content and f"15456.78,2026-03大额医疗补助,DAE-PO{order.pk}" in content

    # 4. 导入银行回盘
    result = tmp_path / "result.csv"
    result.write_bytes(result_file(batch, day=dt.date(2026, 4, 13)))
    page.set_input_files("[data-testid=result-form] input[type=file]", str(result))
    page.click("[data-testid=result-form] button")
    page.wait_for_selector("text=成功 1 笔")
    assert page.inner_text("[data-testid=batch-status]") == "已完成"
    assert page.inner_text("[data-testid=order-status]") == "支付成功"
    shot("finance-batch")
    assert Statement.objects.get().status == "paid"

    # 5. 银行对账: the spending account's statement of April, the payment line carries the order's memo
    statement = tmp_path / "bank.csv"
    statement.write_text("交易日期,银行流水号,收支方向,金额,对方户名,对方账号,摘要,余额\n"
                         f"2026-04-01,BK001,收,100000.00,大额医疗拨款,0000,拨入支出户,100000.00\n"
                         f"2026-04-13,BK002,付,15456.78,桦甸市人民医院,{order.bank_account},DAE-PO{order.pk},84543.22\n",
                         encoding="utf-8")
    page.goto(f"{base}/bank/statements/upload/")
    page.select_option("select[name=region]", "220282")
    page.select_option("select[name=account]", "100202")
    page.fill("input[name=period_from]", "2026-04-01")
    page.fill("input[name=period_to]", "2026-04-30")
    page.set_input_files("input[name=file]", str(statement))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=statement-header]")
    assert page.inner_text("[data-testid=state-2]") == "已匹配"
    assert page.inner_text("[data-testid=rule-2]") == "附言匹配"  # found by the order's memo DAE-PO<id>
    shot("finance-bank")

    # 6. 日清日结 of 1 April
    page.goto(f"{base}/bank/day-close/?region=220282&month=2026-04")
    page.once("dialog", lambda dialog: dialog.accept())  # "日结后……不能撤销。确定日结？"
    page.click("[data-testid=close-2026-04-01] button")
    page.wait_for_selector("[data-testid=day-2026-04-01] [data-testid=closed]")

    # 7. 基金运行: the profit-rate chart
    page.goto(f"{base}/fund/?region=220282&year=2026")
    page.wait_for_selector("[data-testid=profit-chart] canvas")
    shot("finance-dashboard")
