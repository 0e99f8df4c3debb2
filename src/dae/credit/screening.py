"""Anomaly screening runs (异常数据挖掘): read a region's valid inpatient stays of a period and their fee totals,
compute every unit's indicators against its peers (``anomaly.py``), and store the run with its parameters and
results so the ranked list stays as it was computed.

A run is started by ``actions.screening.do_start_screening`` (a row and a background job, ``credit_screening``,
whose writes live there); the job reads with
three queries — the settlements, the fee lines grouped by settlement, department and doctor (sums in whole fen,
in SQL), and the stays of the ``readmit_days`` before the period — computes in memory and writes the results in
one transaction with its event. Valid settlements: not a 2305 cancellation (``init_setl_id`` empty), not
cancelled (state, or named by a cancellation); inpatient: ``med_type`` 2x, 52 or 9904; a settlement belongs to
the period of its settlement time (``setl_time``, local time), like the monthly declarations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from dae.claims.models import FeeLine, Settlement
from dae.claims.states import ClaimState
from dae.core.codes import InputCode
from dae.core.errors import InvalidInput
from dae.core.sums import fen_sum

from . import anomaly
from .codes import Code
from .models import PeriodKind, ScreeningResult, ScreeningRun
from .queries import check_params, params_for

INPATIENT = Q(med_type__startswith="2") | Q(med_type__startswith="52") | Q(med_type="9904")


QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def period_bounds(kind: str, period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a month ``2026-03``, a quarter ``2026Q1`` or a year ``2026``."""
    text = (period or "").strip().upper()
    bad = InvalidInput(
        f"期间格式有误：{period}（月度 2026-03，季度 2026Q1，年度 2026）",
        code=InputCode.INVALID_PERIOD,
        details=[{"path": "period", "message": "期间格式有误"}],
    )
    try:
        if kind == PeriodKind.MONTH:
            if not re.fullmatch(r"\d{4}-\d{2}", text):
                raise bad
            first = dt.date(int(text[:4]), int(text[5:]), 1)
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        elif kind == PeriodKind.QUARTER:
            match = QUARTER.match(text)
            if not match:
                raise bad
            year, quarter = int(match.group(1)), int(match.group(2))
            first = dt.date(year, 3 * quarter - 2, 1)
            last = (dt.date(year, 3 * quarter, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        elif kind == PeriodKind.YEAR:
            if not re.fullmatch(r"\d{4}", text):
                raise bad
            first, last = dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
        else:
            raise InvalidInput(
                f"期间类型有误：{kind}",
                code=Code.INVALID_PERIOD_KIND,
                details=[{"path": "period_kind", "message": "期间类型应为 month、quarter 或 year"}],
            )
    except ValueError:
        raise bad from None
    if not 2000 <= first.year <= 2099:
        raise bad
    return first, last


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def valid_inpatient(region: str) -> QuerySet[Settlement]:
    """The region's valid inpatient settlements (no cancellation, not cancelled, not named by a cancellation)."""
    cancelled = Settlement.objects.exclude(init_setl_id="").values("init_setl_id")
    return (
        Settlement.objects.filter(region_id=region, init_setl_id="")
        .filter(INPATIENT)
        .exclude(state=ClaimState.CANCELLED)
        .exclude(setl_id__in=cancelled)
    )


def screening_params(region: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's parameters: the region's settings with the given overrides, checked."""
    current = params_for(region).values()
    merged = {**current, **{k: v for k, v in (overrides or {}).items() if v not in (None, "")}}
    checked = check_params(merged)
    return {
        "threshold": str(checked["anomaly_threshold"]),
        "min_peers": checked["min_peers"],
        "min_volume": checked["min_volume"],
        "readmit_days": checked["readmit_days"],
    }


@dataclass
class Loaded:
    stays: list[anomaly.Stay]
    lines: list[anomaly.LineTotal]
    earlier: list[anomaly.Earlier]
    dept_names: dict[tuple[int, str], str]
    doctor_names: dict[tuple[int, str], str]


def load(region: str, first: dt.date, last: dt.date, readmit_days: int) -> Loaded:
    """The period's stays, their fee totals by department and doctor (with the names as billed), and the
    earlier stays for readmissions."""
    start, end = _aware(first), _aware(last + dt.timedelta(days=1))
    chosen = valid_inpatient(region).filter(setl_time__gte=start, setl_time__lt=end)
    grouped: dict[tuple[int, str], dict[str, Any]] = {}
    stay_of: dict[int, str] = {}
    for pk, mdtrt, psn, hospital, adm, dscg, dise, cost in chosen.order_by("setl_time", "pk").values_list(
        "pk", "mdtrt_id", "psn_no", "hospital_id", "adm_date", "dscg_date", "dise_codg", "medfee_sumamt"
    ):
        key = (hospital, mdtrt)
        stay_of[pk] = f"{hospital}:{mdtrt}"
        row = grouped.get(key)
        if row is None:
            grouped[key] = {"psn": psn, "adm": adm, "dscg": dscg, "dise": dise, "cost": Decimal(cost)}
        else:  # a mid-stay settlement: one stay, the latest settlement's diagnosis
            row["adm"], row["dscg"] = min(row["adm"], adm), max(row["dscg"], dscg)
            row["cost"] += Decimal(cost)
            row["dise"] = dise or row["dise"]
    stays = [
        anomaly.Stay(f"{h}:{m}", h, r["psn"], r["adm"], r["dscg"], r["dise"], r["cost"])
        for (h, m), r in grouped.items()
    ]
    drug = Q(med_chrgitm_type__in=anomaly.DRUG_TYPES)
    totals = (
        FeeLine.objects.filter(settlement__in=chosen)
        .order_by()
        .values("settlement_id", "bilg_dept_codg", "bilg_dr_codg")
        .annotate(
            total=fen_sum("det_item_fee_sumamt"),
            drug=fen_sum("det_item_fee_sumamt", filter=drug),
            dept_name=Max("bilg_dept_name"),
            dr_name=Max("bilg_dr_name"),
        )
    )
    hospital_of = {pk: int(key.split(":", 1)[0]) for pk, key in stay_of.items()}
    lines: list[anomaly.LineTotal] = []
    dept_names: dict[tuple[int, str], str] = {}
    doctor_names: dict[tuple[int, str], str] = {}
    for t in totals:
        hospital = hospital_of[t["settlement_id"]]
        lines.append(
            anomaly.LineTotal(
                stay_of[t["settlement_id"]],
                hospital,
                t["bilg_dept_codg"],
                t["bilg_dr_codg"],
                int(t["total"]),
                int(t["drug"]),
            )
        )
        if t["bilg_dept_codg"] and t["dept_name"]:
            dept_names[(hospital, t["bilg_dept_codg"])] = t["dept_name"]
        if t["bilg_dr_codg"] and t["dr_name"]:
            doctor_names[(hospital, t["bilg_dr_codg"])] = t["dr_name"]
    before = (
        valid_inpatient(region)
        .filter(setl_time__lt=start, dscg_date__gte=first - dt.timedelta(days=readmit_days))
        .values_list("mdtrt_id", "hospital_id", "psn_no", "dscg_date")
    )
    earlier = [anomaly.Earlier(f"{h}:{m}", h, psn, dscg) for m, h, psn, dscg in before]
    return Loaded(stays, lines, earlier, dept_names, doctor_names)


def peer_labels(results: list[ScreeningResult]) -> dict[str, str]:
    """Readable names of the peer groups of some results (三级医院, 科室 A03 …)."""
    grade_zh = {"3": "三级医院", "2": "二级医院", "1": "一级医院", "0": "无等级医院", "?": "等级未知医院"}
    out: dict[str, str] = {}
    for r in results:
        kind, _sep, value = r.peer_group.partition(":")
        if kind == "grade":
            out[r.peer_group] = grade_zh.get(value, value)
        elif kind == "dept":
            out[r.peer_group] = f"同科室 {value}"
        else:
            out[r.peer_group] = f"同科室医师 {value}"
    return out


def by_kind(run: ScreeningRun) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for kind in run.results.filter(flagged=True).values_list("unit_kind", flat=True):
        counts[kind] += 1
    return dict(counts)
