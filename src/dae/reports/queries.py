"""Reads of the statistics system: the reader's scope, indicator figures with 同比/环比, and the report tables
(统计简报, the monthly 病历审核和费用支付月报表, the pivot). Each report is one computed structure that the page,
the JSON API, the Excel file and the PDF all render — no format computes a figure of its own.

Never writes. Figures come from the engine (``indicators.evaluate``) under the reader's scope; the monthly report's
payment section reads statements and the ledger with grouped queries in whole fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from dae.core.errors import InvalidInput
from dae.core.scoping import access_by_id
from dae.core.sums import fen_sum, yuan

from . import indicator_data, tables
from . import indicators as engine
from .codes import Code
from .models import SavedView
from .periods import Period, PeriodError

#: The brief's and the monthly report's key indicators, in order.
KEY_INDICATORS = ("payout_amount", "payout_episodes", "claimants", "admissions", "cost_per_stay", "avg_stay",
                  "offsite_share", "special_outpatient", "total_cost", "payout_ratio", "drug_share", "deductions")
FINANCE_INDICATORS = ("funds_raised", "claims_expense", "payments_made", "operating_costs", "fund_balance",
                      "profit_rate", "balance_rate")


def scope_for(user: Any) -> indicator_data.Scope:
    """The engine's scope of a user: staff and the supervisor their regions, a hospital its own figures; anyone
    else (insured, IT) nothing. A dashboard's filters narrow it further (``Narrowed``), never widen it."""
    if isinstance(user, Narrowed):
        base = scope_for(user.user)
        regions = base.regions
        if user.region:
            regions = tuple(r for r in (regions if regions is not None else (user.region,)) if r == user.region)
        return indicator_data.Scope(regions=regions, hospital=base.hospital or user.hospital or None)
    kind = getattr(user, "scope_kind", "none")
    if kind == "hospital" and user.hospital_id:
        return indicator_data.Scope(regions=None, hospital=str(user.hospital_id))
    if kind == "region":
        return indicator_data.Scope(regions=tuple(user.region_codes))
    return indicator_data.Scope(regions=())


@dataclass(frozen=True)
class Narrowed:
    """A reader with a dashboard's region / hospital filter applied (hospital: its id as text)."""

    user: Any
    region: str = ""
    hospital: str = ""


def parse_period(text: str | None, default_kind: str = "month") -> Period:
    if not text:
        today = timezone.localdate()
        last = today.replace(day=1) - dt.timedelta(days=1)
        if default_kind == "year":
            return Period("year", today.year - 1, 0)
        return Period.month(last.year, last.month)
    try:
        return Period.parse(text)
    except PeriodError as error:
        raise InvalidInput(str(error), code=Code.BAD_PERIOD) from error


@dataclass(frozen=True)
class Figure:
    """One indicator's figure for a period with its comparisons: what a brief line, a report row, a dashboard
    tile and an Excel row show."""

    indicator: str
    zh: str
    unit: str
    value: Decimal | None
    status: str
    last_year: Decimal | None
    previous: Decimal | None
    yoy: Decimal | None
    pop: Decimal | None
    money: bool

    def as_json(self) -> dict[str, Any]:
        text = (lambda v: None if v is None else str(v))  # noqa: E731 - exact decimals as strings
        return {"indicator": self.indicator, "name": self.zh, "unit": self.unit, "value": text(self.value),
                "status": self.status, "last_year": text(self.last_year), "previous": text(self.previous),
                "yoy": text(self.yoy), "pop": text(self.pop)}


def figures(user: Any, ids: tuple[str, ...], period: Period) -> tuple[list[Figure], str]:
    """The figures of ``ids`` for ``period`` with 同比 and 环比, and the data version they came from."""
    bound, version = tables.bound(scope_for(user))
    wanted = [period, period.last_year(), period.previous()]
    out = []
    with tables.lock():
        for ind_id in ids:
            ind = engine.REGISTRY[ind_id]
            cells = engine.total(bound, ind_id, wanted)
            cur, ly, prev = (cells.get(p.id) for p in wanted)
            out.append(Figure(ind_id, ind.zh, engine.UNIT_NAMES[ind.unit][0], cur.value if cur else None,
                              cur.status if cur else "no_data", ly.value if ly else None,
                              prev.value if prev else None, engine.growth(cur, ly), engine.growth(cur, prev),
                              ind.money))
    return out, version


def series(user: Any, ind_id: str, periods: list[Period]) -> list[tuple[str, Decimal | None]]:
    bound, _version = tables.bound(scope_for(user))
    with tables.lock():
        cells = engine.total(bound, ind_id, periods)
    return [(p.id, cells[p.id].value if p.id in cells else None) for p in periods]


def breakdown(user: Any, ind_id: str, period: Period, dims: tuple[str, ...]) -> list[engine.Cell]:
    bound, _version = tables.bound(scope_for(user))
    with tables.lock():
        try:
            return engine.evaluate(bound, ind_id, [period], dims)
        except engine.IndicatorError as error:
            raise InvalidInput(str(error), code=Code.BAD_DIMENSION) from error


# --- names of dimension values ---------------------------------------------------------------------------------


def dimension_names(dim: str, keys: set[str]) -> dict[str, str]:
    """People see names, not codes: hospital ids, regions, medical types, places, sexes, ICD categories."""
    from dae.catalog.models import Hospital
    from dae.claims.models import Settlement
    from dae.core.models import Region
    from dae.dictionaries import codes

    if dim == "hospital":
        return {str(pk): name for pk, name in Hospital.objects.filter(pk__in=[k for k in keys if k.isdigit()])
                .values_list("pk", "name")}
    if dim == "region":
        return dict(Region.objects.filter(admdvs__in=keys).values_list("admdvs", "name"))
    if dim == "place":
        return {k: str(v) for k, v in Settlement.PlaceCategory.choices}
    if dim == "sex":
        return {"1": "男", "2": "女", "9": "未说明"}
    if dim == "hospital_level":
        return {k: codes.name("hosp_lv", k) or k for k in keys}
    if dim == "med_type":
        return {k: codes.name("med_type", k) or k for k in keys}
    if dim == "icd3":
        from dae.catalog.models import Diagnosis

        names = dict(Diagnosis.objects.filter(code__in=keys).values_list("code", "name"))
        return {k: f"{k} {names[k]}" if names.get(k) else k for k in keys}
    if dim == "icd_chapter":
        return {k: f"第{k}章" if k else "未分类" for k in keys}
    if dim == "fee_category":
        return {"bed": "床位费", "consult": "诊察费", "exam": "检查费", "test": "化验费", "treatment": "治疗费",
                "surgery": "手术费", "nursing": "护理费", "material": "卫生材料费", "drug": "药品费", "other": "其他费"}
    if dim == "deduction_kind":
        from dae.payments.models import Deduction

        return {k: str(v) for k, v in Deduction.Kind.choices}
    if dim == "age_band":
        return {k: f"{k}岁" for k in keys}
    return {k: k for k in keys}


# --- the monthly 病历审核和费用支付月报表 ----------------------------------------------------------------------


def _statements(user: Any) -> Any:
    from dae.payments.models import Statement

    return Statement.objects.for_user(user)


def payment_section(user: Any, period: Period) -> dict[str, Any]:
    """Payments made in the period (statements whose payment the bank confirmed in it), each hospital's row and
    its progress against the 15-working-day deadline; what was due in the period and is still unpaid."""
    today = timezone.localdate()
    st = _statements(user)
    paid = st.filter(paid_on__gte=period.start, paid_on__lt=period.end)
    rows = []
    for s in paid.select_related("hospital", "region").order_by("hospital__code", "month"):
        rows.append({"hospital_id": s.hospital_id, "hospital": s.hospital.name, "region": s.region.name,
                     "month": s.month, "settlements": s.settlements_count, "accepted": s.accepted_total,
                     "supplements": s.supplements_total, "recoveries": s.recoveries_total,
                     "deductions": s.deductions_total, "net": s.net_payable, "due": s.due_date, "paid_on": s.paid_on,
                     "on_time": s.paid_on <= s.due_date})
    totals = paid.aggregate(net=fen_sum("net_payable"), accepted=fen_sum("accepted_total"),
                            deductions=fen_sum("deductions_total"), supplements=fen_sum("supplements_total"),
                            recoveries=fen_sum("recoveries_total"), n=Count("id"),
                            late=Count("id", filter=Q(paid_on__gt=models_f("due_date"))))
    overdue = st.filter(due_date__lt=min(today, period.end), paid_on__isnull=True).exclude(status="carried")
    return {"rows": rows, "count": totals["n"], "late": totals["late"], "net": yuan(totals["net"]),
            "accepted": yuan(totals["accepted"]), "deductions": yuan(totals["deductions"]),
            "supplements": yuan(totals["supplements"]), "recoveries": yuan(totals["recoveries"]),
            "overdue": overdue.count(), "on_time_rate": _rate(totals["n"] - totals["late"], totals["n"])}


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)


def _rate(part: int, whole: int, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal(places))


def review_section(user: Any, period: Period) -> dict[str, Any]:
    """Record reviews (抽样复审 items reviewed), on-site inspections confirmed and their findings, remote
    investigations closed, in the period."""
    from dae.inspection.models import Inspection, Investigation, SampleItem

    items = SampleItem.objects.for_user(user).filter(reviewed_at__date__gte=period.start,
                                                     reviewed_at__date__lt=period.end)
    reviewed = items.aggregate(n=Count("id"), bad=Count("id", filter=Q(conclusion="non_compliant")),
                               not_payable=fen_sum("not_payable"))
    inspections = Inspection.objects.for_user(user).filter(confirmed_on__gte=period.start,
                                                           confirmed_on__lt=period.end)
    insp = inspections.aggregate(n=Count("id", distinct=True), findings=Count("findings"))
    inv = Investigation.objects.for_user(user)
    opened = inv.filter(created_at__date__gte=period.start, created_at__date__lt=period.end).count()
    return {"reviewed": reviewed["n"], "non_compliant": reviewed["bad"], "not_payable": yuan(reviewed["not_payable"]),
            "inspections": insp["n"], "findings": insp["findings"], "investigations": opened}


def deduction_section(user: Any, period: Period) -> dict[str, Any]:
    """Confirmed deductions of the period by kind (the engine's figure) and what statements netted in it."""
    cells = breakdown(user, "deductions", period, ("deduction_kind",))
    names = dimension_names("deduction_kind", {c.key[0] for c in cells})
    by_kind = [{"kind": names.get(c.key[0], c.key[0]), "amount": c.value, "count": c.n} for c in cells]
    total = sum((c.value or Decimal("0.00") for c in cells), Decimal("0.00"))
    return {"by_kind": by_kind, "total": total}


def hospital_rows(user: Any, period: Period) -> list[dict[str, Any]]:
    """Per hospital: payout, episodes, admissions, cost per stay, deductions — each a link to its settlements."""
    out: dict[str, dict[str, Any]] = {}
    for ind_id in ("payout_amount", "payout_episodes", "admissions", "cost_per_stay", "total_cost"):
        for c in breakdown(user, ind_id, period, ("hospital",)):
            out.setdefault(c.key[0], {})[ind_id] = c.value
    names = dimension_names("hospital", set(out))
    rows = [{"hospital_id": k, "hospital": names.get(k, k), **v} for k, v in out.items()]
    return sorted(rows, key=lambda r: -(r.get("payout_amount") or 0))


def monthly_report(user: Any, period: Period) -> dict[str, Any]:
    """The 病历审核和费用支付月报表 (or its quarterly/annual form): key figures with comparisons, the fund,
    payments made and their progress, record reviews and inspections, deductions, and each hospital's figures."""
    with tables.pinned():
        return _monthly_report(user, period)


def _monthly_report(user: Any, period: Period) -> dict[str, Any]:
    key, version = figures(user, KEY_INDICATORS, period)
    finance, _v = figures(user, FINANCE_INDICATORS, period)
    return {"period": period, "version": version, "key": key, "finance": finance,
            "payments": payment_section(user, period), "reviews": review_section(user, period),
            "deductions": deduction_section(user, period), "hospitals": hospital_rows(user, period),
            "definitions": [r for r in engine.registry_rows() if r["id"] in (*KEY_INDICATORS, *FINANCE_INDICATORS)],
            "generated_at": timezone.now()}


def brief(user: Any, period: Period) -> dict[str, Any]:
    """统计简报: the key figures with arrows, and the last twelve months of payout and admissions for the charts."""
    with tables.pinned():
        key, version = figures(user, KEY_INDICATORS, period)
        months = _twelve_months(period)
        pay, adm = series(user, "payout_amount", months), series(user, "admissions", months)
    return {"period": period, "version": version, "key": key,
            "payout_series": pay, "admission_series": adm,
            "definitions": [r for r in engine.registry_rows() if r["id"] in KEY_INDICATORS]}


def _twelve_months(period: Period) -> list[Period]:
    end = period.end - dt.timedelta(days=1)
    out = []
    year, month = end.year, end.month
    for _ in range(12):
        out.append(Period.month(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(out))


def pivot(user: Any, ind_id: str, period: Period, dims: tuple[str, ...]) -> dict[str, Any]:
    """即席查询: one indicator by one or two dimensions, as rows × columns with names."""
    if ind_id not in engine.REGISTRY:
        raise InvalidInput(f"未知的统计指标: {ind_id}", code=Code.BAD_INDICATOR)
    if not 1 <= len(dims) <= 2:
        raise InvalidInput("请选择一个或两个分组维度", code=Code.BAD_DIMENSION)
    cells = breakdown(user, ind_id, period, dims)
    names = [dimension_names(d, {c.key[i] for c in cells}) for i, d in enumerate(dims)]
    row_keys = sorted({c.key[0] for c in cells})
    col_keys = sorted({c.key[1] for c in cells}) if len(dims) == 2 else [""]
    grid = {(c.key[0], c.key[1] if len(dims) == 2 else ""): c for c in cells}
    rows = [{"key": r, "name": names[0].get(r, r) or "—",
             "cells": [grid.get((r, k)) for k in col_keys]} for r in row_keys]
    ind = engine.REGISTRY[ind_id]
    return {"indicator": ind, "period": period, "dims": dims, "rows": rows,
            "columns": [{"key": k, "name": names[1].get(k, k) if len(dims) == 2 else ind.zh} for k in col_keys]}


def access_view_by_id(request: HttpRequest, pk: Any) -> SavedView:
    return access_by_id(SavedView, request, pk)


# --- the annual hospital evaluation (定点医疗机构年度考核) ---------------------------------------------------------


def answer_counts(regions: tuple[str, ...] | None, year: int) -> dict[str, tuple[int, int]]:
    """Per hospital (id as text): the findings whose answer by the hospital (认可 or 申诉) fell due in ``year``
    (the deadline set when the reviewer confirmed them), and how many of those were answered by that deadline
    (an answer step not marked 逾期办理). Unanswered findings past their deadline count as not on time.
    Two grouped queries."""
    from dae.auditing.models import FindingStep

    confirmed = FindingStep.objects.filter(kind=FindingStep.Kind.CONFIRMED, due_on__gte=dt.date(year, 1, 1),
                                           due_on__lt=dt.date(year + 1, 1, 1))
    if regions is not None:
        confirmed = confirmed.filter(finding__region_id__in=regions)
    due = {str(r["finding__hospital_id"]): r["n"] for r in confirmed.values("finding__hospital_id")
           .annotate(n=Count("finding_id", distinct=True)).order_by()}
    answered = FindingStep.objects.filter(kind__in=(FindingStep.Kind.ACCEPTED, FindingStep.Kind.APPEALED),
                                          late=False, finding_id__in=confirmed.values("finding_id"))
    on_time = {str(r["finding__hospital_id"]): r["n"] for r in answered.values("finding__hospital_id")
               .annotate(n=Count("finding_id", distinct=True)).order_by()}
    return {h: (n, on_time.get(h, 0)) for h, n in due.items()}


def evaluation_scores(scope: indicator_data.Scope, year: int,
                      sheet: tuple[Any, ...] | None = None) -> tuple[list[Any], str]:
    """Every hospital with figures in ``scope`` scored for ``year`` (its level's median from the same scope),
    and the data version the figures came from."""
    from . import evaluation as ev

    bound, version = tables.bound(scope)
    with tables.lock():
        rows = engine.hospital_profile(bound, Period("year", year, 0))
    answers = answer_counts(scope.regions, year)
    profiles = [ev.Profile(r["hospital"], r["level"], r["admissions"], r["cost_fen"], r["drug_fen"],
                           r["lines_fen"], r["readmissions"], r["deductions_fen"], r["payout_fen"],
                           *answers.get(r["hospital"], (0, 0))) for r in rows]
    return ev.score(profiles, sheet or ev.DEFAULT_SHEET), version


def evaluation(user: Any, year: int) -> dict[str, Any]:
    """Every hospital of the reader's regions scored for ``year`` on the default sheet (computed on read: the
    preview before an evaluation is computed and stored); a hospital reads its own sheet only (its level's
    median still comes from all its peers)."""
    from dae.catalog.models import Hospital

    from . import evaluation as sheet

    scope = scope_for(user)
    own = scope.hospital
    if own is not None:
        region = Hospital.objects.filter(pk=int(own)).values_list("region_id", flat=True).first()
        scope = indicator_data.Scope(regions=(region,) if region else ())
    scores, version = evaluation_scores(scope, year)
    if own is not None:
        scores = [s for s in scores if s.hospital == own]
    names = dimension_names("hospital", {s.hospital for s in scores})
    return {"year": year, "version": version, "sheet": sheet.DEFAULT_SHEET,
            "rows": [{"hospital": names.get(s.hospital, s.hospital), "score": s} for s in scores]}


def access_evaluation_by_id(request: HttpRequest, pk: Any) -> Any:
    from .models import Evaluation

    return access_by_id(Evaluation, request, pk)


def access_evaluation_score_by_id(request: HttpRequest, pk: Any) -> Any:
    from .models import EvaluationScore

    return access_by_id(EvaluationScore, request, pk)


def published_sheets(user: Any) -> Any:
    """The published sheets a reader may see: a hospital its own, staff their regions'."""
    from .models import Evaluation, EvaluationScore

    return (EvaluationScore.objects.for_user(user).filter(evaluation__status=Evaluation.Status.PUBLISHED)
            .select_related("evaluation", "evaluation__region", "hospital").order_by("-evaluation__year"))


#: Each post's dashboard: the indicators it watches (every one links to its detail list where it has one).
DASHBOARDS: dict[str, tuple[str, ...]] = {
    "manager": ("payout_amount", "payout_episodes", "claimants", "admissions", "cost_per_stay", "offsite_share",
                "deductions", "fund_balance", "profit_rate"),
    "supervisor": ("payout_amount", "claimants", "admissions", "admission_rate", "cost_per_stay", "avg_stay",
                   "offsite_share", "drug_share", "deductions", "fund_balance", "balance_rate"),
    "finance": ("funds_raised", "claims_expense", "payments_made", "operating_costs", "fund_balance",
                "profit_rate", "balance_rate", "payout_amount", "deductions"),
    "reviewer": ("admissions", "cost_per_stay", "avg_stay", "drug_share", "class_c_share", "offsite_share",
                 "special_outpatient", "deductions"),
}


# --- work statistics for the service-quality assessment (服务质量考核) -----------------------------------------

ERROR_TARGET = Decimal("0.1")  # seed 003: calculation errors ≤ 0.1%


def work_stats(user: Any, period: Period) -> list[dict[str, Any]]:
    """Per person, from the event log of the reader's regions in ``period`` (grouped in the database): actions
    handled by kind, claims computed, of those returned by the four-eyes check (the error rate against the
    ≤ 0.1% target) and manual claims past their 20-working-day date and not finished. For the manager only."""
    from dae.core.models import Event
    from dae.reimbursement.models import ManualClaim

    events = Event.objects.for_user(user).filter(at__date__gte=period.start, at__date__lt=period.end,
                                                 actor__isnull=False)
    people: dict[int, dict[str, Any]] = {}

    def person(pk: int, name: str) -> dict[str, Any]:
        return people.setdefault(pk, {"name": name, "actions": 0, "by_kind": {}, "computed": 0, "returned": 0,
                                      "overdue": 0})

    for row in events.values("actor_id", "actor__username", "action").annotate(n=Count("id")).order_by():
        p = person(row["actor_id"], row["actor__username"])
        p["by_kind"][row["action"]] = row["n"]  # shown by the event's name (web.names)
        p["actions"] += row["n"]
    computed = events.filter(action="claim.computed")
    for row in computed.values("actor_id", "actor__username").annotate(n=Count("object_id", distinct=True)):
        person(row["actor_id"], row["actor__username"])["computed"] = row["n"]
    returned_ids = events.filter(action="claim.returned").values("object_id")
    for row in (computed.filter(object_id__in=returned_ids).values("actor_id", "actor__username")
                .annotate(n=Count("object_id", distinct=True))):
        person(row["actor_id"], row["actor__username"])["returned"] = row["n"]
    today = timezone.localdate()
    late = (ManualClaim.objects.for_user(user).filter(due_date__lt=today, computed_by__isnull=False)
            .exclude(state__in=("paid", "rejected", "cancelled", "payable")))
    for row in late.values("computed_by_id", "computed_by__username").annotate(n=Count("id")):
        person(row["computed_by_id"], row["computed_by__username"])["overdue"] = row["n"]
    out = []
    for p in people.values():
        rate = _rate(p["returned"], p["computed"], "0.01")
        out.append({**p, "error_rate": rate, "over_target": rate is not None and rate > ERROR_TARGET})
    return sorted(out, key=lambda r: (-r["actions"], r["name"]))
