"""Reads of fund management, all from the ledger: expenditure by month, the profit rate and its projection,
the overdraft check (``spending_shortfall``), the revolving fund, the warnings and the clearing report.

Figures are summed by the database in whole fen (like ``dae.ledger.queries``) and turned into ``Decimal``
yuan; rates are ``Decimal`` percentages rounded half up to 0.01 %. No float is used anywhere.

Buckets of the claims expense account 5001, told apart by the transaction's ``reference_type``:
payouts (``claims.settlement``: settlements becoming payable, their cancellations), adjustments
(``claims.adjustment``: 补付 / 追回) and deductions (everything else: audit deductions and other corrections).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone

from dae.accounts.permissions import can
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput
from dae.core.money import ZERO, round_fen
from dae.core.sums import fen_sum, yuan
from dae.ledger import entries as E
from dae.ledger import queries as ledger_queries
from dae.ledger.models import Account, Leg

from .codes import Code
from .models import AppropriationRequest, Clearing, FundYear, RepaymentDue, RiskReserveRule

SETTLEMENT_REF = "claims.settlement"
ADJUSTMENT_REF = "claims.adjustment"
APPROPRIATION_REF = "fund.appropriation"
PERCENT = Decimal("0.01")
HUNDRED = Decimal(100)

def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, rounded half up to 0.01 % (None when ``whole`` is zero)."""
    if whole == 0:
        return None
    return (part * HUNDRED / whole).quantize(PERCENT, rounding=ROUND_HALF_UP)


# -- periods -------------------------------------------------------------------------------------------------

def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, last - dt.timedelta(days=1)


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)) - dt.timedelta(days=1)


# -- movements -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Movements:
    """Net movements of a period, each on the side that makes it positive in the usual case: expenses as
    debit − credit (a deduction is negative), interest as credit − debit."""

    payouts: Decimal = ZERO
    adjustments: Decimal = ZERO
    deductions: Decimal = ZERO
    operating_costs: Decimal = ZERO
    interest: Decimal = ZERO

    @property
    def adjustments_and_deductions(self) -> Decimal:
        return self.adjustments + self.deductions

    @property
    def claims(self) -> Decimal:
        """All of 5001: payouts, adjustments and deductions."""
        return self.payouts + self.adjustments + self.deductions

    @property
    def expenditure(self) -> Decimal:
        """5001 + 5101: what the appropriation request and the profit rate count."""
        return self.claims + self.operating_costs

    def __add__(self, other: Movements) -> Movements:
        return Movements(self.payouts + other.payouts, self.adjustments + other.adjustments,
                         self.deductions + other.deductions, self.operating_costs + other.operating_costs,
                         self.interest + other.interest)

    def as_dict(self) -> dict[str, str]:
        return {"payouts": f"{self.payouts:.2f}", "adjustments": f"{self.adjustments:.2f}",
                "deductions": f"{self.deductions:.2f}", "operating_costs": f"{self.operating_costs:.2f}",
                "interest": f"{self.interest:.2f}", "expenditure": f"{self.expenditure:.2f}"}


_BUCKET = Case(When(transaction__reference_type=SETTLEMENT_REF, then=Value("payouts")),
               When(transaction__reference_type=ADJUSTMENT_REF, then=Value("adjustments")),
               default=Value("deductions"), output_field=CharField())
_CODES = (E.CLAIMS_EXPENSE, E.OPERATING_COSTS, E.INTEREST_INCOME)


def _period_legs(region: str, start: dt.date, end: dt.date, codes: Iterable[str] = _CODES) -> Any:
    return Leg.objects.filter(transaction__region_id=region, transaction__date__gte=start,
                              transaction__date__lte=end, account__code__in=list(codes))


def monthly_movements(region: str, start: dt.date, end: dt.date) -> dict[tuple[int, int], Movements]:
    """Movements per (year, month) between two dates (inclusive), in one grouped query over the legs."""
    rows = (_period_legs(region, start, end)
            .annotate(y=ExtractYear("transaction__date"), m=ExtractMonth("transaction__date"), bucket=_BUCKET,
                      code=F("account__code"))
            .values("y", "m", "code", "bucket").annotate(dr=fen_sum("debit"), cr=fen_sum("credit")).order_by())
    parts: dict[tuple[int, int], dict[str, Decimal]] = {}
    for row in rows:
        net = yuan(row["dr"]) - yuan(row["cr"])
        if row["code"] == E.CLAIMS_EXPENSE:
            name = row["bucket"]
        elif row["code"] == E.OPERATING_COSTS:
            name = "operating_costs"
        else:
            name, net = "interest", -net
        month = parts.setdefault((int(row["y"]), int(row["m"])), {})
        month[name] = month.get(name, ZERO) + net
    return {key: Movements(**values) for key, values in parts.items()}


def movements(region: str, start: dt.date, end: dt.date) -> Movements:
    """Movements of a whole period."""
    return sum(monthly_movements(region, start, end).values(), Movements())


def has_expenditure(region: str, start: dt.date, end: dt.date) -> bool:
    """Whether the ledger holds any 5001/5101 leg of the region in the period."""
    return bool(_period_legs(region, start, end, (E.CLAIMS_EXPENSE, E.OPERATING_COSTS)).exists())


def appropriations_received(region: str, start: dt.date, end: dt.date) -> Decimal:
    """Appropriations received in the period: 1131 credits − debits of appropriation entries (a reversal
    carries the same reference, so it nets out)."""
    totals = (_period_legs(region, start, end, (E.APPROPRIATIONS_DUE,))
              .filter(transaction__reference_type=APPROPRIATION_REF)
              .aggregate(dr=fen_sum("debit"), cr=fen_sum("credit")))
    return yuan(totals["cr"]) - yuan(totals["dr"])


def balances(region: str, on: dt.date, codes: Iterable[str]) -> dict[str, Decimal]:
    """Balances (on each account's normal side) of the given accounts at the end of ``on``, one query."""
    accounts = Account.objects.filter(code__in=list(codes))
    return {row.account.code: row.balance for row in ledger_queries.balances(on, regions=[region],
                                                                             accounts=accounts)}


# -- the appropriation request -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RequestFigures:
    """What a quarter's request is computed from (用款申请测算)."""

    year: int
    quarter: int
    basis: str
    basis_start: dt.date
    basis_end: dt.date
    movements: Movements
    computed: Decimal


def request_figures(region: str, year: int, quarter: int, funds_raised: Decimal | None) -> RequestFigures:
    """The previous quarter's expenditure (5001 + 5101) from the ledger; for Q1 without any expenditure of the
    previous year's Q4 in the ledger, the year's funds raised ÷ 4 (``funds_raised`` None: not entered)."""
    start, end = quarter_bounds(*previous_quarter(year, quarter))
    if quarter == 1 and not has_expenditure(region, start, end):
        if funds_raised is None:
            raise Conflict(f"{year} 年度筹集资金尚未录入，且账上没有上年第四季度支出，无法测算第一季度用款",
                           code=Code.FUNDS_NOT_ENTERED)
        return RequestFigures(year, quarter, AppropriationRequest.Basis.FALLBACK, start, end, Movements(),
                              round_fen(funds_raised / 4))
    found = movements(region, start, end)
    return RequestFigures(year, quarter, AppropriationRequest.Basis.LEDGER, start, end, found,
                          found.expenditure)


def received_for(request: AppropriationRequest) -> Decimal:
    """Appropriations received against a request, less any whose posting was reversed (冲正)."""
    total = ZERO
    for entry in request.appropriations.select_related("transaction"):
        if entry.transaction.reversal_or_none() is None:
            total += entry.amount
    return total


# -- profit rate ---------------------------------------------------------------------------------------------

OK, YELLOW, RED = "ok", "yellow", "red"


def rate_status(rate: Decimal | None, fund_year: FundYear) -> str:
    if rate is None:
        return OK
    if rate > fund_year.red_level:
        return RED
    if rate > fund_year.yellow_level:
        return YELLOW
    return OK


@dataclass(frozen=True)
class MonthRate:
    """One month of the profit-rate table: the month's own movements, the year to date through its end, the
    profit and rate to date, and the full-year projection (linear on the months elapsed)."""

    month: int
    own: Movements
    ytd: Movements
    profit: Decimal
    rate: Decimal | None
    status: str
    projected_profit: Decimal
    projected_rate: Decimal | None
    projected_status: str

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "month_movements": self.own.as_dict(), "ytd": self.ytd.as_dict(),
                "profit": f"{self.profit:.2f}", "rate": f"{self.rate:.2f}" if self.rate is not None else None,
                "status": self.status, "projected_profit": f"{self.projected_profit:.2f}",
                "projected_rate": f"{self.projected_rate:.2f}" if self.projected_rate is not None else None,
                "projected_status": self.projected_status}


@dataclass(frozen=True)
class ProfitSeries:
    fund_year: FundYear
    months: list[MonthRate] = field(default_factory=list)

    @property
    def latest(self) -> MonthRate | None:
        return self.months[-1] if self.months else None

    def chart(self) -> dict[str, Any]:
        """The data the dashboard's chart reads (``json_script``): amounts and rates as strings."""
        fy = self.fund_year
        return {"region": fy.region_id, "year": fy.year, "labels": [f"{fy.year}-{m.month:02d}" for m in self.months],
                "rate": [str(m.rate) if m.rate is not None else None for m in self.months],
                "projected": [str(m.projected_rate) if m.projected_rate is not None else None for m in self.months],
                "payouts": [f"{m.own.payouts:.2f}" for m in self.months],
                "yellow": str(fy.yellow_level), "red": str(fy.red_level)}


def default_through(year: int, today: dt.date | None = None) -> int:
    """The last month to show: all twelve for a past year, through the current month for this year."""
    today = today or timezone.localdate()
    return today.month if year == today.year else 12


def profit_rates(fund_year: FundYear, *, through: int | None = None) -> ProfitSeries:
    """利润率 per month of the fund year, year to date through each month end:
    profit = funds raised − payouts − adjustments and deductions − operating costs (interest is shown apart),
    rate = profit ÷ funds raised. One query for the whole year."""
    last = through if through is not None else default_through(fund_year.year)
    funds = Decimal(fund_year.funds_raised)
    found = monthly_movements(fund_year.region_id, dt.date(fund_year.year, 1, 1), dt.date(fund_year.year, 12, 31))
    ytd = Movements()
    months = []
    for month in range(1, last + 1):
        own = found.get((fund_year.year, month), Movements())
        ytd = ytd + own
        profit = funds - ytd.expenditure
        rate = percent(profit, funds)
        projected_profit = funds - round_fen(ytd.expenditure * 12 / month)
        projected_rate = percent(projected_profit, funds)
        months.append(MonthRate(month, own, ytd, profit, rate, rate_status(rate, fund_year), projected_profit,
                                projected_rate, rate_status(projected_rate, fund_year)))
    return ProfitSeries(fund_year, months)


# -- overdraft and the revolving fund ------------------------------------------------------------------------

def spending_shortfall(region_code: str, amount: Decimal, on: dt.date) -> Decimal:
    """How much the spending account 100202 would go below zero if ``amount`` were paid on ``on`` (ZERO when it
    would not). The payments module asks this before creating a payment batch."""
    balance = ledger_queries.balance(E.SPENDING_BANK, on=on, regions=[region_code])
    short = amount - balance
    return round_fen(short) if amount > 0 and short > 0 else ZERO


def revolving_outstanding(region_code: str, on: dt.date | None = None) -> Decimal:
    """临时周转金 still owed to the insurer (the credit balance of 2301)."""
    return ledger_queries.balance(E.REVOLVING_FUND, on=on, regions=[region_code])


def open_dues(region_code: str) -> list[RepaymentDue]:
    return [due for due in RepaymentDue.objects.filter(region_id=region_code, repaid_on__isnull=True)]


# -- warnings ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FundWarning:
    """One warning of the fund (基金预警): ``level`` is ``warning`` (yellow) or ``danger`` (red)."""

    code: str
    level: str
    region: str
    message: str
    href: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "level": self.level, "region": self.region, "message": self.message,
                "href": self.href}


Warning = FundWarning  # noqa: A001 - the name the brief and callers use


def _average_month_spending(region: str, on: dt.date) -> Decimal:
    """Average monthly expenditure of the 90 days before ``on``: what "low" is measured against."""
    spent = movements(region, on - dt.timedelta(days=90), on).expenditure
    return round_fen(spent / 3) if spent > 0 else ZERO


def _profit_warning(fund_year: FundYear, on: dt.date) -> FundWarning | None:
    latest = profit_rates(fund_year, through=on.month if on.year == fund_year.year else 12).latest
    if latest is None or latest.projected_status == OK:
        return None
    red = latest.projected_status == RED
    level = fund_year.red_level if red else fund_year.yellow_level
    text = (f"{fund_year.region_id} {fund_year.year} 年预计全年利润率 {latest.projected_rate}%（截至 {latest.month} 月，"
            f"按已过月份线性推算），超过{'红色' if red else '黄色'}预警线 {level}%")
    return FundWarning("profit_red" if red else "profit_yellow", "danger" if red else "warning",
                       fund_year.region_id, text, reverse("fund:year_detail", args=[fund_year.pk]))


def region_warnings(region: str, on: dt.date) -> list[FundWarning]:
    """Every warning of one region at ``on``."""
    found: list[FundWarning] = []
    fund_year = FundYear.objects.filter(region_id=region, year=on.year).first()
    if fund_year is None:
        found.append(FundWarning("funds_not_entered", "warning", region,
                                 f"{region} {on.year} 年度筹集资金尚未录入", reverse("fund:year_list")))
    else:
        profit = _profit_warning(fund_year, on)
        if profit is not None:
            found.append(profit)
        quarter = quarter_of(on)
        request = AppropriationRequest.objects.filter(region_id=region, year=on.year, quarter=quarter).first()
        if request is None or request.status == AppropriationRequest.Status.DRAFT:
            found.append(FundWarning("request_not_submitted", "warning", region,
                                     f"{region} {on.year} 年第 {quarter} 季度用款申请尚未提交",
                                     reverse("fund:request_list")))
    cash = balances(region, on, (E.SPENDING_BANK,)).get(E.SPENDING_BANK, ZERO)
    if cash < 0:
        found.append(FundWarning("spending_negative", "danger", region,
                                 f"{region} 支出户存款余额为 {cash:,.2f} 元，已透支，请划转资金或借入临时周转金",
                                 reverse("fund:revolving")))
    else:
        monthly = _average_month_spending(region, on)
        if cash < monthly:
            found.append(FundWarning("spending_low", "warning", region,
                                     f"{region} 支出户存款余额 {cash:,.2f} 元，不足近三个月月均支出 {monthly:,.2f} 元",
                                     reverse("fund:dashboard")))
    outstanding = revolving_outstanding(region, on)
    if outstanding > 0:
        found.append(FundWarning("revolving_outstanding", "warning", region,
                                 f"{region} 临时周转金尚有 {outstanding:,.2f} 元未归还", reverse("fund:revolving")))
    for due in open_dues(region):
        overdue = due.due_on < on
        found.append(FundWarning(
            "repayment_overdue" if overdue else "repayment_due", "danger" if overdue else "warning", region,
            f"{region} 临时周转金应于 {due.due_on} 归还 {due.open_amount:,.2f} 元" + ("，已逾期" if overdue else ""),
            reverse("fund:revolving")))
    return found


def fund_warnings(user: Any, on: dt.date | None = None) -> list[FundWarning]:
    """The fund's warnings in the user's regions (finance, manager and supervisor; nobody else sees them):
    profit rate yellow/red (the projected full-year rate), spending account low or negative, revolving fund
    outstanding and repayments due or overdue, the current quarter's request not submitted."""
    if not can(user, "fund:dashboard", write=False):  # whoever may read the fund's dashboard in the matrix
        return []
    on = on or timezone.localdate()
    found: list[FundWarning] = []
    for region in sorted(user.region_codes):
        found.extend(region_warnings(region, on))
    return found


class WarningCount:
    """The warnings of a user as a counter of the home dashboard (``count()`` like a queryset)."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def count(self) -> int:
        return len(fund_warnings(self.user))


# -- clearing ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClearingReport:
    """清算 of a fund year (year end: the calendar year; contract end: the contract's dates).

    ``cap`` = funds raised × red level (3.85 %): the profit the insurer may keep; ``excess`` = the part of the
    profit above it, returned to the fund (多拨退还). ``net`` = excess − appropriations still receivable (1131):
    positive → the insurer returns it, negative → the bureau still appropriates it (应补拨)."""

    fund_year: FundYear
    kind: str
    start: dt.date
    end: dt.date
    funds_raised: Decimal
    received: Decimal
    receivable: Decimal
    moves: Movements
    payable_hospitals: Decimal
    payable_persons: Decimal
    revolving: Decimal
    recorded: Clearing | None

    @property
    def profit(self) -> Decimal:
        return self.funds_raised - self.moves.expenditure

    @property
    def rate(self) -> Decimal | None:
        return percent(self.profit, self.funds_raised)

    @property
    def cap(self) -> Decimal:
        return round_fen(self.funds_raised * Decimal(self.fund_year.red_level) / HUNDRED)

    @property
    def excess(self) -> Decimal:
        return max(self.profit - self.cap, ZERO)

    @property
    def net(self) -> Decimal:
        return self.excess - self.receivable

    @property
    def to_return(self) -> Decimal:
        return max(self.net, ZERO)

    @property
    def to_top_up(self) -> Decimal:
        return max(-self.net, ZERO)

    @property
    def over_limit(self) -> bool:
        return self.rate is not None and self.rate > self.fund_year.red_level

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.fund_year.region_id, "year": self.fund_year.year, "kind": self.kind,
                "start": self.start.isoformat(), "end": self.end.isoformat(),
                "funds_raised": f"{self.funds_raised:.2f}", "appropriations_received": f"{self.received:.2f}",
                "appropriations_outstanding": f"{self.receivable:.2f}", **self.moves.as_dict(),
                "profit": f"{self.profit:.2f}", "rate": f"{self.rate:.2f}" if self.rate is not None else None,
                "red_level": str(self.fund_year.red_level), "cap": f"{self.cap:.2f}", "excess": f"{self.excess:.2f}",
                "payable_hospitals": f"{self.payable_hospitals:.2f}",
                "payable_persons": f"{self.payable_persons:.2f}", "revolving_outstanding": f"{self.revolving:.2f}",
                "net": f"{self.net:.2f}", "to_return": f"{self.to_return:.2f}", "to_top_up": f"{self.to_top_up:.2f}",
                "recorded": self.recorded.pk if self.recorded is not None else None}


def clearing_period(fund_year: FundYear, kind: str) -> tuple[dt.date, dt.date]:
    if kind == Clearing.Kind.YEAR_END:
        return dt.date(fund_year.year, 1, 1), dt.date(fund_year.year, 12, 31)
    if kind == Clearing.Kind.CONTRACT_END:
        if fund_year.contract_start is None or fund_year.contract_end is None:
            raise Conflict("该基金年度未填写合同起止日期，无法做合同期满清算", code=Code.NO_CONTRACT_DATES)
        return fund_year.contract_start, fund_year.contract_end
    raise InvalidInput(f"清算类型应为 year_end 或 contract_end：{kind}", code=CoreCode.INVALID_KIND)


def clearing_report(fund_year: FundYear, kind: str) -> ClearingReport:
    """The clearing figures of a fund year from the ledger (balances at the end of the period)."""
    start, end = clearing_period(fund_year, kind)
    region = fund_year.region_id
    held = balances(region, end, (E.APPROPRIATIONS_DUE, E.PAYABLE_HOSPITALS, E.PAYABLE_PERSONS, E.REVOLVING_FUND))
    return ClearingReport(
        fund_year, kind, start, end, Decimal(fund_year.funds_raised), appropriations_received(region, start, end),
        held.get(E.APPROPRIATIONS_DUE, ZERO), movements(region, start, end), held.get(E.PAYABLE_HOSPITALS, ZERO),
        held.get(E.PAYABLE_PERSONS, ZERO), held.get(E.REVOLVING_FUND, ZERO),
        Clearing.objects.filter(fund_year=fund_year, kind=kind).first())


# -- risk-adjustment fund (风险调节基金) ------------------------------------------------------------------------

def reserve_rule(region: str, day: dt.date) -> Any:
    """The set-aside rule in force on ``day``: the region's own latest row, else the latest for every region."""
    rows = RiskReserveRule.objects.filter(effective_from__lte=day).order_by("-effective_from", "-id")
    return rows.filter(region_id=region).first() or rows.filter(region__isnull=True).first()


def reserve_share(surplus: Decimal, share: Decimal) -> Decimal:
    """The amount set aside: ``share`` percent of a positive surplus, to the fen; nothing on a deficit."""
    if surplus <= 0 or share <= 0:
        return ZERO
    return round_fen(surplus * share / HUNDRED)


def risk_balance(region: str, on: dt.date | None = None) -> Decimal:
    """风险调节基金余额 (account 3101, credit-normal) of ``region`` at the end of ``on`` (default today)."""
    day = on or timezone.localdate()
    return balances(region, day, (E.RISK_ADJUSTMENT,)).get(E.RISK_ADJUSTMENT, ZERO)


def risk_movements(region: str, limit: int = 50) -> list[dict[str, Any]]:
    """The latest movements of account 3101 of ``region``: date, description, in (credit) and out (debit)."""
    rows = (Leg.objects.filter(account__code=E.RISK_ADJUSTMENT, transaction__region_id=region)
            .order_by("-transaction__date", "-id")
            .values("transaction_id", "transaction__date", "transaction__description", "debit", "credit")[:limit])
    return [{"transaction": r["transaction_id"], "on": r["transaction__date"],
             "description": r["transaction__description"], "in": r["credit"], "out": r["debit"]} for r in rows]
