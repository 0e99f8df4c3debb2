"""The fund's year for the demo city: funds raised, the four quarterly requests and appropriations, transfers to
the spending account, monthly operating costs and quarterly interest, all dated on the business dates of the
year and posted through the ordinary actions (so the demo exercises the same code as finance does).

    from dae.fund.demo import run_year
    summary = run_year("220282", 2026, user, month_hook=lambda month: pay_month(month))

``month_hook(month)`` runs after each month's fund entries (the payments demo pays that month then). Every step
is keyed by the business fact, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.db.models.functions import Coalesce

from dae.claims.models import Settlement
from dae.core.money import ZERO, round_fen
from dae.ledger import entries as E
from dae.workdays.service import deadline

from . import actions, services
from .models import AppropriationRequest, FundEntry, FundYear, RiskReserveRule

K = FundEntry.Kind
#: Funds raised = the year's payouts ÷ 0.95 (a 5 % margin before operating costs) …
PAYOUT_SHARE = Decimal("0.95")
#: … and operating costs of 2 % of the funds a year, so the profit rate lands near 3 %.
COST_SHARE = Decimal("0.02")
#: Demand-deposit interest a year on the fund's bank balances, paid quarterly.
INTEREST_RATE = Decimal("0.0035")
#: Funds raised when neither the ledger nor the claims hold any payout of the year.
DEFAULT_FUNDS = Decimal("10000000.00")
TEN_THOUSAND = Decimal(10000)


def working_day_from(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the next one (never raises for an unknown year: see deadline)."""
    return deadline(day - dt.timedelta(days=1), 1).due


def _year_payouts(region: str, year: int) -> Decimal:
    """The year's payouts: 5001 in the ledger if there is any, else the payable and paid settlements."""
    booked = services.movements(region, dt.date(year, 1, 1), dt.date(year, 12, 31)).claims
    if booked > 0:
        return booked
    total = (Settlement.objects.filter(region_id=region, setl_time__year=year, state__in=("payable", "paid"))
             .aggregate(total=Sum(Coalesce("computed_pay", "hifob_pay")))["total"])
    return Decimal(total or 0)


def funds_for(region: str, year: int) -> Decimal:
    """Payouts ÷ 0.95, rounded to 10,000 yuan."""
    payouts = _year_payouts(region, year)
    if payouts <= 0:
        return DEFAULT_FUNDS
    units = (payouts / PAYOUT_SHARE / TEN_THOUSAND).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(units, Decimal(1)) * TEN_THOUSAND


def _done(key: str) -> bool:
    return FundEntry.objects.filter(key=key).exists()


def _cover(region: str, amount: Decimal, on: dt.date, actor: Any, key: str) -> None:
    """Draw the revolving fund when the spending account cannot pay ``amount`` on ``on``."""
    short = services.spending_shortfall(region, amount, on)
    if short > 0 and not _done(key):
        actions.do_record_entry(actor, K.REVOLVING_DRAW, region, on=on, amount=short, key=key,
                                reason="演示：支出户余额不足，先行垫付", approval_no=f"DEMO-SP-{on:%Y%m%d}")


def _quarter_start(region: str, year: int, quarter: int, actor: Any, totals: dict[str, Any]) -> None:
    first = working_day_from(dt.date(year, 3 * quarter - 2, 1))
    request = AppropriationRequest.objects.filter(region_id=region, year=year, quarter=quarter).first()
    if request is None or request.status == AppropriationRequest.Status.DRAFT:
        request = actions.do_prepare_request(actor, region, year, quarter)
        totals["requests"].append(f"{request.amount:.2f}")
        if request.amount <= 0:  # nothing was spent last quarter: nothing to request
            return
        request = actions.do_submit_request(actor, request, on=first)
    else:
        totals["requests"].append(f"{request.amount:.2f}")
    arrived = deadline(first, 5).due
    entry = actions.do_receive_appropriation(actor, request, amount=request.amount, on=arrived,
                                             slip_no=f"DEMO{region}{year}Q{quarter}")
    totals["appropriations"] += entry.amount
    actions.do_record_entry(actor, K.TRANSFER, region, on=arrived, amount=entry.amount,
                            key=f"demo:{region}:{year}:transfer:Q{quarter}", reference_no=entry.reference_no)
    for due in services.open_dues(region):
        repay = min(due.open_amount, services.revolving_outstanding(region, due.due_on))
        if repay > 0:
            actions.do_record_entry(actor, K.REVOLVING_REPAY, region, on=due.due_on, amount=repay,
                                    key=f"demo:{region}:{year}:repay:{due.pk}")


def _enter_month(region: str, year: int, month: int, funds: Decimal, actor: Any, totals: dict[str, Any]) -> None:
    if month % 3 == 1:
        _quarter_start(region, year, month // 3 + 1, actor, totals)
    cost_day = working_day_from(dt.date(year, month, 25))
    cost = round_fen(funds * COST_SHARE / 12)
    key = f"demo:{region}:{year}:cost:{month:02d}"
    if not _done(key):
        _cover(region, cost, cost_day, actor, f"demo:{region}:{year}:draw:{month:02d}")
        actions.do_record_entry(actor, K.OPERATING_COST, region, on=cost_day, amount=cost, key=key,
                                reference_no=f"DEMO-FP-{year}{month:02d}", description=f"{year} 年 {month} 月经办费用")
    totals["operating_costs"] += cost
    if month % 3 == 0:
        day = working_day_from(dt.date(year, month, 21))
        cash = services.balances(region, day, E.CASH_ACCOUNTS)
        interest = round_fen(sum(cash.values(), ZERO) * INTEREST_RATE / 4)
        key = f"demo:{region}:{year}:interest:Q{month // 3}"
        if interest > 0 and not _done(key):
            actions.do_record_entry(actor, K.INTEREST, region, on=day, amount=interest, key=key,
                                    reference_no=f"DEMO-LX-{year}Q{month // 3}")
        totals["interest"] += FundEntry.objects.filter(key=key).values_list("amount", flat=True).first() or ZERO


def run_year(region_code: str, year: int, actor: Any, *, month_hook: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """Run the fund through ``year`` for one region; returns a summary (amounts as strings)."""
    fund_year = FundYear.objects.filter(region_id=region_code, year=year).first()
    if fund_year is None:
        fund_year = actions.do_enter_funds(actor, region_code, year, funds_for(region_code, year),
                                           on=working_day_from(dt.date(year, 1, 1)),
                                           contract_start=dt.date(year, 1, 1), contract_end=dt.date(year, 12, 31))
    funds = Decimal(fund_year.funds_raised)
    totals: dict[str, Any] = {"requests": [], "appropriations": ZERO, "operating_costs": ZERO, "interest": ZERO}
    for month in range(1, 13):
        _enter_month(region_code, year, month, funds, actor, totals)
        if month_hook is not None:
            month_hook(month)
    latest = services.profit_rates(fund_year, through=12).latest
    return {"region": region_code, "year": year, "funds_raised": f"{funds:.2f}", "requests": totals["requests"],
            "appropriations": f"{totals['appropriations']:.2f}", "operating_costs": f"{totals['operating_costs']:.2f}",
            "interest": f"{totals['interest']:.2f}",
            "revolving_outstanding": f"{services.revolving_outstanding(region_code):.2f}",
            "profit_rate": str(latest.rate) if latest is not None and latest.rate is not None else None}


def seed_risk_rule(actor: Any, year: int) -> bool:
    """The demo's set-aside rule of the risk-adjustment fund: 10% of the year's surplus for every region from
    1 January of ``year`` (once); the year-end clearing finance records then sets it aside."""
    if RiskReserveRule.objects.exists():
        return False
    actions.do_set_reserve_rule(actor, share="10", effective_from=dt.date(year, 1, 1),
                                reason="演示：按年度结余的 10% 提取风险调节基金")
    return True
