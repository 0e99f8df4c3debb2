"""Forecast figures and warning indicators (预警指标) from the stored history.

Every indicator is computed from a numerator and a denominator read from the stored settlements (and the fund
year's funds raised), never typed in; its yellow and red levels are dated settings (``Threshold``; the defaults
below apply until the manager sets one). A figure crosses a level when it is at or beyond it, in the
indicator's direction (``higher_is_worse``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from dae.core.money import FEN, D

from . import engine
from .engine import add_months
from .history import METRICS, MONEY_METRICS, Series, monthly_rows, per_stay, region_series
from .models import Indicator, Threshold

HORIZON = 12
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    yellow: Decimal
    red: Decimal
    higher_is_worse: bool
    unit: str
    source: str


#: Default levels (sources in docs/forecast.md): months payable 6 / 3 (人社部发〔2009〕67号, as cited);
#: balance rate 5% (seed 004) / 0; spending against the year's funds 95% / 100% (overdraft); growth 20/40% and
#: 30/60% (house defaults, to be set by the bureau); a hospital's growth 10 / 20 points above its level's peers.
DEFAULTS: dict[str, Rule] = {
    Indicator.MONTHS_PAYABLE: Rule(D("6"), D("3"), False, "个月", "人社部发〔2009〕67号"),
    Indicator.BALANCE_RATE: Rule(D("5"), D("0"), False, "%", "招标文件（004）：结余率≥5%"),
    Indicator.OVERDRAFT: Rule(D("95"), D("100"), True, "%", "招标文件（004）：透支风险≤1%"),
    Indicator.PAYOUT_YOY: Rule(D("20"), D("40"), True, "%", "默认值"),
    Indicator.PAYOUT_MOM: Rule(D("30"), D("60"), True, "%", "默认值"),
    Indicator.HOSPITAL_COST: Rule(D("10"), D("20"), True, "个百分点", "默认值"),
    Indicator.BUDGET_DEVIATION: Rule(D("3"), D("5"), True, "%", "招标文件（004）：预算偏差≤3%"),
}


@dataclass(frozen=True)
class Level:
    yellow: Decimal
    red: Decimal
    effective_from: dt.date | None
    higher_is_worse: bool
    unit: str


def level_on(indicator: str, day: dt.date) -> Level:
    """The levels of ``indicator`` in force on ``day``: the latest setting on or before it, else the default."""
    rule = DEFAULTS[indicator]
    row = Threshold.objects.filter(indicator=indicator, effective_from__lte=day).order_by(
        "-effective_from", "-id").first()
    if row is None:
        return Level(rule.yellow, rule.red, None, rule.higher_is_worse, rule.unit)
    return Level(row.yellow, row.red, row.effective_from, rule.higher_is_worse, rule.unit)


def classify(figure: Decimal, level: Level) -> str | None:
    """``red``, ``yellow`` or None."""
    if level.higher_is_worse:
        return "red" if figure >= level.red else "yellow" if figure >= level.yellow else None
    return "red" if figure <= level.red else "yellow" if figure <= level.yellow else None


def growth(now: int, before: int) -> Decimal | None:
    if before <= 0:
        return None
    return (D(now - before) * 100 / D(before)).quantize(TWO)


def yuan(fen: int) -> str:
    return f"{(D(fen) * FEN).quantize(TWO):,.2f}"


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def settlements_href(region: str, start: dt.date, end: dt.date, hospital: int | None = None) -> str:
    params: dict[str, Any] = {"region": region, "setl_from": start.isoformat(), "setl_to": end.isoformat()}
    if hospital is not None:
        params["hospital"] = hospital
    return reverse("claims:settlement_list") + "?" + urlencode(params)


# -- forecasts ---------------------------------------------------------------------------------------------

def forecast_series(series: Series, horizon: int = HORIZON) -> dict[str, Any]:
    """Every metric's forecast and back-test, as stored in a run."""
    out: dict[str, Any] = {"metrics": {}, "history": {"first": series.first.isoformat(),
                                                      "months": [m.isoformat()[:7] for m in series.months]}}
    for name in METRICS:
        values = series.metric(name)
        out["metrics"][name] = {"values": values, **engine.forecast(values, series.first, horizon).as_dict()}
    return out


def results_digest(results: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest()


def year_end_payout(series: Series, period: dt.date) -> tuple[int, int, int, str]:
    """(paid so far this year, projected rest of the year, months projected, model): actual Jan..period plus
    the forecast's mean for the months after ``period`` to December."""
    year_start = dt.date(period.year, 1, 1)
    so_far = sum(v for m, v in zip(series.months, series.payout, strict=True) if year_start <= m <= period)
    rest_months = 12 - period.month
    if rest_months == 0:
        return so_far, 0, 0, ""
    upto = [v for m, v in zip(series.months, series.payout, strict=True) if m <= period]
    fc = engine.forecast(upto, series.first, rest_months, backtest_horizon=None)
    return so_far, sum(p.mean for p in fc.points), rest_months, fc.model


# -- indicators --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    indicator: str
    level: str
    figure: Decimal
    threshold: Decimal
    threshold_from: dt.date | None
    message: str
    href: str
    evidence: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    hospital_id: int | None = None


def _check(found: list[Finding], indicator: str, figure: Decimal | None, period: dt.date, message: str,
           href: str, evidence: dict[str, Any], subject: str = "", hospital_id: int | None = None) -> None:
    if figure is None:
        return
    lv = level_on(indicator, month_end(period))
    level = classify(figure, lv)
    if level is None:
        return
    threshold = lv.red if level == "red" else lv.yellow
    word = "红色" if level == "red" else "黄色"
    found.append(Finding(
        indicator=indicator, level=level, figure=figure, threshold=threshold, threshold_from=lv.effective_from,
        message=f"{message}：{figure}{lv.unit}，{'达到' if lv.higher_is_worse else '低于'}{word}预警线 "
                f"{threshold}{lv.unit}",
        href=href, evidence={**evidence, "unit": lv.unit, "yellow": str(lv.yellow), "red": str(lv.red),
                             "threshold_from": lv.effective_from.isoformat() if lv.effective_from else ""},
        subject=subject, hospital_id=hospital_id))


def funds_raised_fen(region: str, year: int) -> int | None:
    from dae.fund.models import FundYear

    value = FundYear.objects.filter(region_id=region, year=year).values_list("funds_raised", flat=True).first()
    return None if value is None else int(D(value) * 100)


def risk_balance_fen(region: str, on: dt.date) -> int:
    """风险调节基金余额 (ledger account 3101) of ``region`` at the end of ``on``, in fen."""
    from dae.fund.services import risk_balance

    return int(D(risk_balance(region, on)) * 100)


def evaluate(region: str, period: dt.date, series: Series | None = None) -> list[Finding]:
    """Every indicator of ``region`` for the month ``period`` (complete), with the data behind each."""
    period = period.replace(day=1)
    series = series or region_series(region, through=period)
    if series is None or series.last < period:
        return []
    found: list[Finding] = []
    href = settlements_href(region, period, month_end(period))
    now = series.value("payout", period) or 0
    label = f"{period:%Y-%m}"
    for indicator, before_month, what in ((Indicator.PAYOUT_YOY, add_months(period, -12), "同比"),
                                          (Indicator.PAYOUT_MOM, add_months(period, -1), "环比")):
        before = series.value("payout", before_month)
        if before is not None:
            _check(found, indicator, growth(now, before), period, f"{label} 月大额基金支付{what}增长", href,
                   {"month": label, "payout": yuan(now), "compare_month": f"{before_month:%Y-%m}",
                    "compare_payout": yuan(before)})
    from .budget import approved_budget

    funds = funds_raised_fen(region, period.year)
    budget = approved_budget(region, period.year)
    if funds or budget:
        so_far, rest, rest_months, model = year_end_payout(series, period)
        projected = so_far + rest
    if budget is not None:
        total = sum(int(D(line.amount) * 100) for line in budget.lines.all())
        if total > 0:
            budget_to_date = sum(int(D(line.amount) * 100) for line in budget.lines.all()
                                 if line.month <= period.month)
            _check(found, Indicator.BUDGET_DEVIATION, (D(abs(projected - total)) * 100 / D(total)).quantize(TWO),
                   period, f"{period.year} 年预计全年赔付与年度预算（第 {budget.version} 版）偏差",
                   settlements_href(region, dt.date(period.year, 1, 1), month_end(period)),
                   {"budget_year": yuan(total), "budget_version": budget.version, "budget_to_date": yuan(budget_to_date),
                    "paid_to_date": yuan(so_far), "through": label, "projected_rest": yuan(rest),
                    "months_projected": rest_months, "model": model, "projected_year": yuan(projected),
                    "deviation": yuan(projected - total)})
    if funds:
        year_href = settlements_href(region, dt.date(period.year, 1, 1), month_end(period))
        basis = {"funds_raised": yuan(funds), "paid_to_date": yuan(so_far), "through": label,
                 "projected_rest": yuan(rest), "months_projected": rest_months, "model": model,
                 "projected_year": yuan(projected)}
        _check(found, Indicator.OVERDRAFT, (D(projected) * 100 / D(funds)).quantize(TWO), period,
               f"{period.year} 年预计全年大额基金支出占年度筹集资金", year_href, basis)
        _check(found, Indicator.BALANCE_RATE, (D(funds - projected) * 100 / D(funds)).quantize(TWO), period,
               f"{period.year} 年预计年末结余率", year_href, basis)
        last12 = [v for m, v in zip(series.months, series.payout, strict=True)
                  if add_months(period, -11) <= m <= period]
        average = D(sum(last12)) / len(last12) if last12 else D(0)
        if average > 0:
            reserve = risk_balance_fen(region, month_end(period))
            remaining = funds - so_far + reserve
            _check(found, Indicator.MONTHS_PAYABLE, (D(remaining) / average).quantize(TWO), period,
                   f"{label} 末基金可支付月数", year_href,
                   {"funds_raised": yuan(funds), "paid_to_date": yuan(so_far), "fund_balance": yuan(funds - so_far),
                    "risk_adjustment": yuan(reserve), "balance_basis": "基金余额＋风险调节基金余额",
                    "remaining": yuan(remaining),
                    "average_month": yuan(int(average.quantize(Decimal(1)))), "months_averaged": len(last12), "through": label})
    found.extend(hospital_findings(region, period))
    return found


def hospital_findings(region: str, period: dt.date) -> list[Finding]:
    """A hospital whose cost per stay (Jan..period) grew faster than the median of its level's peers by the
    levels' points, against the same months of the year before (hospitals with ≥ 10 stays in both)."""
    from dae.catalog.models import Hospital

    start = dt.date(period.year, 1, 1)
    before_start, before_end = dt.date(period.year - 1, 1, 1), add_months(period, -12)
    rows = monthly_rows(region, through=period, by_hospital=True)
    totals: dict[tuple[int, bool], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        m = r["m"].date().replace(day=1) if isinstance(r["m"], dt.datetime) else r["m"].replace(day=1)
        if start <= m <= period:
            key = (r["hospital_id"], True)
        elif before_start <= m <= before_end:
            key = (r["hospital_id"], False)
        else:
            continue
        totals[key][0] += int(r["medical_cost"])
        totals[key][1] += int(r["admissions"])
    levels = dict(Hospital.objects.filter(region_id=region).values_list("id", "level"))
    names = dict(Hospital.objects.filter(region_id=region).values_list("id", "name"))
    grow: dict[int, Decimal] = {}
    for hid in {h for h, _now in totals}:
        now, before = totals.get((hid, True)), totals.get((hid, False))
        if not now or not before or now[1] < 10 or before[1] < 10:
            continue
        g = growth(per_stay(*now), per_stay(*before))
        if g is not None:
            grow[hid] = g
    by_level: dict[str, list[Decimal]] = defaultdict(list)
    for hid, g in grow.items():
        by_level[levels.get(hid, "")].append(g)
    found: list[Finding] = []
    for hid, g in sorted(grow.items()):
        peers = by_level[levels.get(hid, "")]
        if len(peers) < 3:
            continue
        median = D(statistics.median(peers)).quantize(TWO)
        now, before = totals[(hid, True)], totals[(hid, False)]
        _check(found, Indicator.HOSPITAL_COST, (g - median).quantize(TWO), period,
               f"{names.get(hid, hid)} {period.year} 年 1–{period.month} 月次均费用增长 {g}%，同级医院中位数 "
               f"{median}%，高出", settlements_href(region, start, month_end(period), hospital=hid),
               {"hospital": names.get(hid, str(hid)), "cost_per_stay": yuan(per_stay(*now)),
                "stays": now[1], "cost_per_stay_before": yuan(per_stay(*before)),
                "stays_before": before[1], "growth": str(g), "peer_median": str(median), "peers": len(peers),
                "through": f"{period:%Y-%m}"},
               subject=f"hospital:{hid}", hospital_id=hid)
    return found


def money_metric(name: str) -> bool:
    return name in MONEY_METRICS
