"""The demo city's year of money, end to end, through the same services finance uses.

For each region: the payables of the year's settlements are posted when the city is loaded
(``post_payables``); then ``run_year`` enters the year's funds raised and, month by month, makes the quarterly
appropriation requests and receipts, transfers, operating costs and interest (``dae.fund.demo``); after each
month it builds and approves the hospitals' statements of the month before, pays them through a payment batch,
the bank file and the bank's result (a line of the first batch from June on fails and is paid again the month
after; a line of the first batch from September on is left in progress and checked by hand), and pays the window's manual claims. December's statements are paid
in January. Finally the bank statements of the year are reconciled and every day closed (``dae.bank.demo``).
Everything is dated on the business dates of the year; the bank and the planted problems are deterministic.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from dae.bank.demo import reconcile_year
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.claims.states import ClaimState
from dae.core.events import event_row, insert_events
from dae.fund import actions as fund_actions
from dae.fund.demo import run_year, working_day_from
from dae.fund.models import FundEntry
from dae.fund.services import spending_shortfall
from dae.ledger import entries
from dae.ledger.actions import Entry, do_post_many
from dae.payments.actions import (
    do_approve_statement,
    do_build_statements,
    do_confirm_order,
    do_create_batch,
    do_export_batch,
    do_import_result,
    do_record_deduction,
)
from dae.payments.bankfiles import RESULT_COLUMNS
from dae.payments.models import PaymentBatch, Statement
from dae.workdays.service import deadline

Progress = Callable[[str, int, int], None]
FAIL_MONTH, PENDING_MONTH = 6, 9  # the statement months whose payment meets a problem at the bank


def post_payables(region: str, *, actor: Any = None) -> int:
    """补助支出 / 应付 for every loaded settlement of the region with a payout, dated on its settlement day."""
    rows = (Settlement.objects.filter(region_id=region).exclude(computed_pay=0).exclude(computed_pay__isnull=True)
            .only("setl_id", "region_id", "settle_way", "computed_pay", "hifob_pay", "setl_time")
            .order_by("setl_time", "id"))
    return do_post_many((e for s in rows.iterator(chunk_size=5000)
                         if (e := entries.entry_settlement_payable(s, on=s.setl_time.date())) is not None), actor=actor)


def _working_day(day: dt.date, after: int = 0) -> dt.date:
    """The first working day on or after ``day``, then ``after`` working days more."""
    first = working_day_from(day)
    return deadline(first, after).due if after else first


def bank_result(batch: PaymentBatch, outcomes: dict[int, str | None] | None = None, *, day: dt.date,
                reason: str = "账户已冻结") -> bytes:
    """What the bank sends back for ``batch`` (回盘, ``RESULT_COLUMNS``): every line 成功 unless ``outcomes`` gives
    失败 or 处理中 by order number; ``None`` leaves the line out. The demo's bank, and the tests'."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RESULT_COLUMNS)
    for order in batch.orders.order_by("seq"):
        outcome = (outcomes or {}).get(order.seq, "成功")
        if outcome is None:
            continue
        writer.writerow([batch.number, order.seq, order.bank_account, f"{order.amount:.2f}", outcome,
                         f"B{batch.number}{order.seq:04d}" if outcome == "成功" else "", day.isoformat(),
                         reason if outcome == "失败" else ""])
    return out.getvalue().encode("utf-8")


def _pay_hospitals(region: str, month: str, number: int, year: int, actor: Any, planted: set[str]) -> None:
    """The statements of ``month`` (the ``number``-th month of ``year``): built, approved, paid. The first
    batch from June on meets a failed line, the first from September on a line left in progress (``planted``
    remembers which were planted)."""
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    built_on = _working_day(following, 2)
    for st in do_build_statements(region, month, actor=actor, on=built_on):
        do_approve_statement(st, actor=actor, on=_working_day(built_on, 1))
    pay_day = _working_day(built_on, 3)
    due = sum((st.net_payable for st in Statement.objects.filter(region_id=region, status=Statement.Status.APPROVED)),
              Decimal("0.00"))
    if due == 0:
        return
    short = spending_shortfall(region, due, pay_day)
    key = f"demo:{region}:{month}:draw-for-payment"
    if short > 0 and not FundEntry.objects.filter(key=key).exists():
        fund_actions.do_record_entry(actor, "revolving_draw", region, on=pay_day, amount=short, key=key,
                                     reason="演示：月结支付前支出户余额不足，先行垫付", approval_no=f"DEMO-SP-{month}")
    batch = do_create_batch(region, "hospital", actor=actor, on=pay_day)
    do_export_batch(batch, actor=actor)
    outcomes: dict[int, str | None] = {}
    if number >= FAIL_MONTH and "failed" not in planted:
        outcomes[1] = "失败"
        planted.add("failed")
    elif number >= PENDING_MONTH and "pending" not in planted:
        outcomes[batch.orders_count] = "处理中"  # the batch's last line
        planted.add("pending")
    result_day = _working_day(pay_day, 1)
    result = bank_result(batch, outcomes, day=result_day, reason="收款账户名称与账号不符")
    do_import_result(batch, name=f"{batch.number}-result.csv", chunks=[result], actor=actor, notify=False)
    if "处理中" in outcomes.values():
        order = batch.orders.get(seq=batch.orders_count)
        do_confirm_order(order, outcome="paid", actor=actor, day=_working_day(result_day, 2),
                         reason="演示：银行柜面查询确认已入账", serial=f"B{batch.number}{order.seq:04d}")


def _pay_manual(region: str, first: dt.date, last: dt.date, actor: Any) -> int:
    """The demo's window claims settled in the period are paid to the insured (the demo has no payee bank
    details for them, so they are posted as paid directly: 应付参保人 / 支出户存款)."""
    rows = list(Settlement.objects.filter(region_id=region, settle_way=Settlement.SettleWay.MANUAL,
                                          state=ClaimState.PAYABLE, setl_time__date__gte=first,
                                          setl_time__date__lte=last))
    if not rows:
        return 0
    pay_day = _working_day(last + dt.timedelta(days=1), 5)
    with transaction.atomic():
        do_post_many((Entry([entries.Dr(entries.PAYABLE_PERSONS, amount), entries.Cr(entries.SPENDING_BANK, amount)],
                            pay_day, f"支付参保人 {s.psn_no} 手工报销 {s.setl_id}", ("claims.settlement", s.setl_id),
                            f"demo:manual:{s.setl_id}:paid", region)
                      for s in rows if (amount := entries.settlement_amount(s)) > 0), actor=actor)
        Settlement.objects.filter(pk__in=[s.pk for s in rows]).update(state=ClaimState.PAID, paid_on=pay_day)
        insert_events(event_row(actor, "claim.paid", object_type="claims.settlement", object_id=s.pk,
                                region_id=region, after={"state": "paid", "paid_on": pay_day}) for s in rows)
    return len(rows)


def _inspections(region: str, year: int, actor: Any) -> None:
    """One on-site inspection deduction (巡查扣款) per quarter at the hospital of the region's own that is paid
    the most."""
    busiest = (Settlement.objects.filter(region_id=region, settle_way=Settlement.SettleWay.DIRECT,
                                         hospital__region_id=region)
               .values("hospital").annotate(paid=Sum("computed_pay")).order_by("-paid", "hospital").first())
    if busiest is None:
        return

    hospital = Hospital.objects.get(pk=busiest["hospital"])
    for quarter in range(1, 5):
        do_record_deduction(hospital, amount=Decimal(1500 * quarter), kind="inspection",
                            reason=f"{year} 年第 {quarter} 季度现场巡查：超标准收取床位费",
                            source=("demo.inspection", f"{region}-{year}-Q{quarter}"),
                            confirmed_on=_working_day(dt.date(year, 3 * quarter, 10)), actor=actor)


def run_finance_year(regions: list[str], year: int, *, actor: Any = None,
                     progress: Progress = lambda label, done, total: None) -> dict[str, Any]:
    """Run ``year``'s money for each region; returns each region's fund summary and bank counts."""
    summary: dict[str, Any] = {}
    for region in regions:
        label = f"基金财务 finance {region}"
        progress(label, 0, 13)
        _inspections(region, year, actor)
        planted: set[str] = set()

        def month_done(number: int, region: str = region, label: str = label, planted: set[str] = planted) -> None:
            first = dt.date(year, number, 1)
            last = (dt.date(year + number // 12, number % 12 + 1, 1) - dt.timedelta(days=1))
            _pay_manual(region, first, last, actor)
            if number > 1:
                _pay_hospitals(region, f"{year}-{number - 1:02d}", number - 1, year, actor, planted)
            progress(label, number, 13)

        fund = run_year(region, year, actor, month_hook=month_done)
        _pay_hospitals(region, f"{year}-12", 12, year, actor, planted)
        bank = reconcile_year(region, year, actor)
        progress(label, 13, 13)
        summary[region] = {"fund": fund, "bank": bank,
                           "statements": Statement.objects.filter(region_id=region, month__startswith=str(year))
                           .count()}
    return summary
