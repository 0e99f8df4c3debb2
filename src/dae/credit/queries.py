"""Reads of credit (诚信管理) for pages, the API and other apps: a region's parameters in force and their history,
an event's points, the score of a party over the rolling window and its level, the listed parties
(``listed_levels``, ``level_of``, ``priority_boost`` for the audit's review priority), a party looked up for
manual listing (``find_party``), and the check of typed parameters.

Scoring: score = 100 − the points of the party's events in the rolling window (default 24 months: an event of
10 March 2024 counts up to 9 March 2026), never below 0. An event's points are fixed when it is recorded:
base points + points per full 1,000 元, capped (defaults 5 + 1 per 1,000 元, at most 20). Level from the score:
below the watch line (80) 关注名单, below the black line (60) 黑名单 — a score equal to a line is above it. A
manager's manual listing holds until delisted and the level in force is the more severe of it and the score's;
a delisting (信用修复) needs a reason, and the events recorded before it no longer count."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from dae.catalog.models import Hospital
from dae.claims.models import FeeLine
from dae.core import inputs
from dae.core.errors import InvalidInput
from dae.core.models import Region
from dae.enrollment.models import Person

from .codes import Code
from .models import (
    DEFAULTS,
    PARAMETER_FIELDS,
    SEVERITY,
    CreditListChange,
    CreditParty,
    CreditSettings,
    Level,
    PartyKind,
)

Cause = CreditListChange.Cause


KINDS = tuple(PartyKind.values)


KIND_ZH = {"hospital": "医疗机构", "doctor": "医师", "person": "参保人"}


LEVEL_ZH = {"normal": "正常", "watch": "关注名单", "black": "黑名单"}


MAX_SCORE = 100


THOUSAND = Decimal(1000)


@dataclass(frozen=True)
class Params:
    """The parameters in force for a region (``version`` 0: the defaults, nothing saved yet)."""
    version: int
    window_months: int
    base_points: int
    points_per_thousand: int
    max_points: int
    watch_below: int
    black_below: int
    anomaly_threshold: Decimal
    min_peers: int
    min_volume: int
    readmit_days: int

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PARAMETER_FIELDS}


def region_code(region_id: Any) -> str:
    """A region's admdvs code from a ``Region``, its code as text, or the code as a number (220282)."""
    if isinstance(region_id, Region):
        return str(region_id.pk)
    code = str(region_id).strip()
    if not code:
        raise InvalidInput("请指定统筹区", code=inputs.InputCode.INVALID_REGION)
    return code


def params_for(region_id: Any) -> Params:
    """The latest saved version of the region's parameters, or the defaults (version 0)."""
    row = CreditSettings.objects.filter(region_id=region_code(region_id)).order_by("-version").first()
    if row is None:
        return Params(version=0, **DEFAULTS)
    return Params(version=row.version, **row.values())


def points_for(amount: Decimal, params: Params) -> int:
    """The points an event of ``amount`` yuan costs: base + per full 1,000 元, at most ``max_points``."""
    thousands = int(amount // THOUSAND) if amount > 0 else 0
    return min(params.max_points, params.base_points + thousands * params.points_per_thousand)


def level_for(score: int, params: Params) -> str:
    """黑名单 below the black line, 关注名单 below the watch line, else normal (a score on a line is above it)."""
    if score < params.black_below:
        return Level.BLACK
    if score < params.watch_below:
        return Level.WATCH
    return Level.NORMAL


def more_severe(a: str, b: str) -> str:
    return a if SEVERITY[Level(a or Level.NORMAL)] >= SEVERITY[Level(b or Level.NORMAL)] else b


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_of(on: dt.date, params: Params) -> dt.date:
    """The first day an event of ``on`` no longer counts."""
    return add_months(on, params.window_months)


def priority_boost(level: str | None) -> int:
    """How much a listed party raises a finding's review priority: 0 normal (or not listed), 1 watch, 2 black."""
    if not level:
        return 0
    return SEVERITY.get(Level(level), 0) if level in Level.values else 0


@dataclass(frozen=True)
class Score:
    score: int
    points: int
    events: int
    score_level: str
    expires_on: dt.date | None


def compute(party: CreditParty, today: dt.date, params: Params) -> Score:
    """The party's score on ``today`` from its events in the window (those after its last delisting)."""
    points = events = 0
    expiries: list[dt.date] = []
    rows = party.events.filter(id__gt=party.repair_floor, on__lte=today).values_list("on", "points")
    for on, pts in rows:
        ends = expiry_of(on, params)
        if today < ends:
            points += pts
            events += 1
            expiries.append(ends)
    score = max(0, MAX_SCORE - points)
    return Score(score, points, events, level_for(score, params), min(expiries) if expiries else None)


def score_history(party: CreditParty, today: dt.date, params: Params) -> list[tuple[dt.date, int]]:
    """The party's score by date as the rules give it now: on each violation's date, on each expiry up to
    today, on the day of the last delisting (the violations before it stop counting) and today."""
    rows = list(party.events.order_by("on", "pk").values_list("pk", "on", "points"))
    repaired = timezone.localdate(party.repaired_at) if party.repaired_at else None
    days = {today} | {on for _pk, on, _p in rows if on <= today}
    days |= {ends for _pk, on, _p in rows if (ends := expiry_of(on, params)) <= today}
    if repaired is not None:
        days.add(repaired)
    out = []
    for day in sorted(days):
        repair_applies = repaired is not None and day >= repaired
        points = sum(
            p
            for pk, on, p in rows
            if on <= day < expiry_of(on, params) and not (repair_applies and pk <= party.repair_floor)
        )
        out.append((day, max(0, MAX_SCORE - points)))
    return out


def check_party_kind(party_kind: str) -> str:
    if party_kind not in KINDS:
        raise InvalidInput(
            f"对象类型应为 hospital、doctor 或 person：{party_kind}",
            code=Code.INVALID_PARTY_KIND,
            details=[{"path": "party_kind", "message": "对象类型有误"}],
        )
    return party_kind


def worst_first(rows: Any) -> Any:
    """Parties ordered 黑名单, 关注名单, 正常, then by score, kind and code."""
    severity = Case(
        When(level=Level.BLACK, then=Value(0)),
        When(level=Level.WATCH, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return rows.order_by(severity, "score", "kind", "code")


def find_party(kind: str, code: str, region: Any, user: Any = None) -> tuple[str, int | None]:
    """(name, hospital id) of a party the manager wants to list by hand, looked up in the user's scope: a
    hospital of the catalogue, a person of the roster, a doctor seen on fee lines (the latest line's hospital),
    else a party already on the lists (a doctor the audit recorded)."""
    kind, region = check_party_kind(kind), region_code(region)
    code = str(code or "").strip()
    missing = InvalidInput(
        f"在统筹区 {region} 找不到{KIND_ZH[kind]} {code}",
        code=Code.UNKNOWN_PARTY,
        details=[{"path": "code", "message": "对象不存在"}],
    )
    if not code:
        raise missing
    known = CreditParty.objects.for_user(user) if user is not None else CreditParty.objects.all()
    party = known.filter(region_id=region, kind=kind, code=code).only("name", "hospital_id").first()
    found: tuple[str, int | None] | None = None
    if kind == PartyKind.HOSPITAL:
        rows = Hospital.objects.for_user(user) if user is not None else Hospital.objects.all()
        hospital = rows.filter(code=code, region_id=region).only("pk", "name").first()
        found = (hospital.name, hospital.pk) if hospital is not None else None
    elif kind == PartyKind.PERSON:
        persons = Person.objects.for_user(user) if user is not None else Person.objects.all()
        name = persons.filter(psn_no=code, region_id=region).values_list("psn_name", flat=True).first()
        found = (name, None) if name is not None else None
    else:
        lines = FeeLine.objects.for_user(user) if user is not None else FeeLine.objects.all()
        line = (
            lines.filter(bilg_dr_codg=code, settlement__region_id=region)
            .order_by("-fee_ocur_time", "-pk")
            .values_list("bilg_dr_name", "settlement__hospital_id")
            .first()
        )
        found = (line[0], line[1]) if line is not None else None
    if found is not None:
        return found
    if party is not None:  # e.g. a doctor recorded by the audit whose lines are not in the user's scope any more
        return party.name, party.hospital_id
    raise missing


LIMITS: dict[str, tuple[int, int]] = {
    "window_months": (1, 120),
    "base_points": (0, 100),
    "points_per_thousand": (0, 100),
    "max_points": (1, 100),
    "watch_below": (1, 100),
    "black_below": (0, 100),
    "min_peers": (3, 1000),
    "min_volume": (1, 100000),
    "readmit_days": (1, 90),
}


LABELS = {
    "window_months": "计分周期（月）",
    "base_points": "每次违规基础扣分",
    "points_per_thousand": "每千元加扣分",
    "max_points": "单次违规扣分上限",
    "watch_below": "关注名单线",
    "black_below": "黑名单线",
    "anomaly_threshold": "异常阈值",
    "min_peers": "最少同类单位数",
    "min_volume": "最少住院人次",
    "readmit_days": "再入院间隔（天）",
}


def check_params(values: dict[str, Any]) -> dict[str, Any]:
    """The parameters as typed values, or ``InvalidInput`` naming what is wrong."""
    out: dict[str, Any] = {}
    for name, (low, high) in LIMITS.items():
        raw = values.get(name)
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high or str(raw).strip() != str(number):
            raise InvalidInput(
                f"{LABELS[name]}须为 {low} 到 {high} 之间的整数",
                code=Code.INVALID_PARAMETER,
                details=[{"path": name, "message": f"须为 {low}–{high} 的整数"}],
            )
        out[name] = number
    try:
        threshold = Decimal(str(values.get("anomaly_threshold")).strip())
    except ArithmeticError:
        threshold = Decimal("NaN")
    if (
        not threshold.is_finite()
        or not Decimal("1") <= threshold <= Decimal("99")
        or threshold != threshold.quantize(Decimal("0.01"))
    ):
        raise InvalidInput(
            "异常阈值须为 1 到 99 之间的数（最多两位小数）",
            code=Code.INVALID_PARAMETER,
            details=[{"path": "anomaly_threshold", "message": "须为 1–99"}],
        )
    out["anomaly_threshold"] = threshold.quantize(Decimal("0.01"))
    if out["black_below"] > out["watch_below"]:
        raise InvalidInput(
            "黑名单线不能高于关注名单线",
            code=Code.INVALID_PARAMETER,
            details=[{"path": "black_below", "message": "黑名单线不能高于关注名单线"}],
        )
    if out["base_points"] > out["max_points"]:
        raise InvalidInput(
            "基础扣分不能高于单次扣分上限",
            code=Code.INVALID_PARAMETER,
            details=[{"path": "base_points", "message": "基础扣分不能高于上限"}],
        )
    return out


def history(region: Any) -> Iterable[CreditSettings]:
    return CreditSettings.objects.filter(region_id=region_code(region)).select_related("actor").order_by("-version")
