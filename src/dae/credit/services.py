"""Credit scores and lists (诚信管理): what other apps call, and the scoring every write of this app goes through.

Other apps call:

- ``record_violation(...)``: a confirmed violation of a hospital, doctor or insured person (the audit calls it
  when a finding is settled). Idempotent on (party kind, party code, source); the event, the new score, a level
  change with its history row and the event-log entries are written in one transaction.
- ``listed_levels(region_id)``: ``{(kind, code): "watch" | "black"}`` of the listed parties.
- ``priority_boost(level)``: 0 normal, 1 watch, 2 black (the review priority of a finding).

Scoring: score = 100 − the points of the party's events in the rolling window (default 24 months: an event of
10 March 2024 counts up to 9 March 2026), never below 0. An event's points are fixed when it is recorded:
base points + points per full 1,000 元, capped (defaults 5 + 1 per 1,000 元, at most 20). Level from the score:
below the watch line (80) 关注名单, below the black line (60) 黑名单 — a score equal to a line is above it. A
manager's manual listing holds until delisted and the level in force is the more severe of it and the score's;
a delisting (信用修复) needs a reason, and the events recorded before it no longer count.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region

from .models import (
    DEFAULTS,
    PARAMETER_FIELDS,
    SEVERITY,
    CreditEvent,
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
MAX_AMOUNT = Decimal("99999999999999.99")
THOUSAND = Decimal(1000)


# -- parameters ----------------------------------------------------------------------------------------------


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


# -- scoring -------------------------------------------------------------------------------------------------


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


def _reason(before: str, after: str, score: Score, params: Params, prefix: str) -> str:
    if after == Level.BLACK:
        text = f"信用分 {score.score} 低于黑名单线 {params.black_below}"
    elif after == Level.WATCH and before == Level.BLACK:
        text = f"信用分 {score.score} 回升至黑名单线 {params.black_below} 及以上，低于关注名单线 {params.watch_below}"
    elif after == Level.WATCH:
        text = f"信用分 {score.score} 低于关注名单线 {params.watch_below}"
    else:
        text = f"信用分 {score.score} 回升至关注名单线 {params.watch_below} 及以上"
    return f"{prefix}：{text}" if prefix else text


def rescore(
    party: CreditParty,
    *,
    today: dt.date,
    cause: str,
    actor: Any,
    prefix: str = "",
    event: CreditEvent | None = None,
    params: Params | None = None,
) -> CreditListChange | None:
    """Compute the party's score, save it, and when the level in force changes write the history row and the
    event. Runs inside the caller's transaction (the party row locked by the caller)."""
    params = params or params_for(party.region_id)
    result = compute(party, today, params)
    before, old_score = party.level, party.score
    after = more_severe(result.score_level, party.manual_level)
    party.score, party.points, party.events_count = result.score, result.points, result.events
    party.score_level, party.level, party.expires_on = result.score_level, after, result.expires_on
    if after != before:
        party.listed_on = today if after != Level.NORMAL else None
    party.updated_at = timezone.now()
    party.save()
    if after == before:
        return None
    reason = _reason(before, after, result, params, prefix)
    change = CreditListChange.objects.create(
        party=party,
        region_id=party.region_id,
        hospital_id=party.hospital_id,
        from_level=before,
        to_level=after,
        score=result.score,
        cause=cause,
        reason=reason[:300],
        event=event,
        on=today,
        actor=user_or_none(actor),
    )
    record_event(
        actor,
        "credit.level_changed",
        party,
        region_id=party.region_id,
        note=reason,
        before={"level": before, "score": old_score},
        after={"level": after, "score": result.score},
    )
    return change


# -- violations ----------------------------------------------------------------------------------------------


def _kind(party_kind: str) -> str:
    if party_kind not in KINDS:
        raise InvalidInput(
            f"对象类型应为 hospital、doctor 或 person：{party_kind}",
            code="invalid_party_kind",
            details=[{"path": "party_kind", "message": "对象类型有误"}],
        )
    return party_kind


def _amount(value: Any) -> Decimal:
    try:
        return inputs.amount(value, field="amount", label="违规金额", maximum=inputs.FUND_MAX)
    except InvalidInput as exc:  # worded as the credit pages know it; too large keeps the input layer's words
        kind = inputs.refusal_kind(exc)
        if kind == "maximum":
            raise
        if kind == "format":
            raise InvalidInput("违规金额格式错误，请填写如 1234.56 的数字", code="invalid_amount",
                               details=[{"path": "amount", "message": "违规金额格式错误"}]) from None
        raise InvalidInput("违规金额须为不小于零、精确到分的金额", code="invalid_amount",
                           details=[{"path": "amount", "message": "违规金额须不小于零且精确到分"}]) from None


def _source(source: tuple[str, str | int]) -> tuple[str, str]:
    try:
        kind, ident = source
    except (TypeError, ValueError):
        raise InvalidInput("来源应为（类型, 编号）", code="invalid_source") from None
    kind, ident = str(kind).strip(), str(ident).strip()
    if not kind or not ident or len(kind) > 40 or len(ident) > 64:
        raise InvalidInput(
            "来源类型和编号不能为空",
            code="invalid_source",
            details=[{"path": "source", "message": "来源类型和编号不能为空"}],
        )
    return kind, ident


def _resolve(kind: str, code: str, region: str, party_name: str, hospital_code: str) -> tuple[str, int | None]:
    """(name, hospital id) of a party: a hospital must be in the catalogue, a person on the roster; a doctor
    takes the hospital named by ``hospital_code`` (which must exist when given)."""
    from dae.catalog.models import Hospital
    from dae.enrollment.models import Person

    if kind == PartyKind.HOSPITAL:
        hospital = Hospital.objects.filter(code=code).only("pk", "name").first()
        if hospital is None:
            raise InvalidInput(
                f"医疗机构 {code} 不存在",
                code="unknown_party",
                details=[{"path": "party_code", "message": "医疗机构不存在"}],
            )
        return party_name or hospital.name, hospital.pk
    if kind == PartyKind.PERSON:
        name = Person.objects.filter(psn_no=code).values_list("psn_name", flat=True).first()
        if name is None:
            raise InvalidInput(
                f"参保人 {code} 不存在",
                code="unknown_party",
                details=[{"path": "party_code", "message": "参保人不存在"}],
            )
        return party_name or name, None
    hospital_id = None
    if hospital_code:
        hospital_id = Hospital.objects.filter(code=hospital_code).values_list("pk", flat=True).first()
        if hospital_id is None:
            raise InvalidInput(
                f"医疗机构 {hospital_code} 不存在",
                code="unknown_hospital",
                details=[{"path": "hospital_code", "message": "医疗机构不存在"}],
            )
    return party_name, hospital_id


def _party(kind: str, code: str, region: str, name: str, hospital_id: int | None) -> CreditParty:
    """The party row, locked for this transaction (created when new)."""
    party = CreditParty.objects.select_for_update().filter(region_id=region, kind=kind, code=code).first()
    if party is None:
        try:
            with transaction.atomic():
                party = CreditParty.objects.create(
                    region_id=region, kind=kind, code=code, name=name[:100], hospital_id=hospital_id
                )
        except IntegrityError:  # created by a concurrent request: take that one
            party = CreditParty.objects.select_for_update().get(region_id=region, kind=kind, code=code)
    changed = []
    if name and party.name != name[:100]:
        party.name = name[:100]
        changed.append("name")
    if hospital_id is not None and party.hospital_id != hospital_id:
        party.hospital_id = hospital_id
        changed.append("hospital")
    if changed:
        party.save(update_fields=changed)
    return party


def _existing(kind: str, code: str, source: tuple[str, str]) -> CreditEvent | None:
    return CreditEvent.objects.filter(
        party_kind=kind, party_code=code, source_type=source[0], source_id=source[1]
    ).first()


def record_violation(
    *,
    party_kind: str,
    party_code: str,
    region_id: Any,
    amount: Decimal,
    source: tuple[str, str | int],
    on: dt.date,
    actor: Any,
    note: str = "",
    party_name: str = "",
    hospital_code: str = "",
    points: int | None = None,
) -> CreditEvent:
    """Record a confirmed violation of a party and score it again, in one transaction.

    ``party_kind``: "hospital" (``party_code`` = catalog.Hospital code), "doctor" (bilg_dr_codg; ``hospital_code``
    names the doctor's hospital) or "person" (psn_no). ``region_id``: the region's admdvs code (a number is
    taken as the code). ``source``: (type, id) of what established the violation, e.g. ("audit.finding", 17).
    Recording the same (kind, code, source) again returns the first event and changes nothing. ``points``: a
    source that fixes its own points (a poor annual evaluation, ``reports.evaluation``) instead of the amount's."""
    kind = _kind(party_kind)
    code = str(party_code or "").strip()
    if not code or len(code) > 30:
        raise InvalidInput(
            "对象编码不能为空",
            code="invalid_party_code",
            details=[{"path": "party_code", "message": "对象编码不能为空"}],
        )
    region = region_code(region_id)
    if not Region.objects.filter(pk=region).exists():
        raise InvalidInput(f"统筹区 {region} 不存在", code=inputs.InputCode.INVALID_REGION)
    value = _amount(amount)
    src = _source(source)
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise InvalidInput("认定日期格式有误", code="invalid_date")
    today = timezone.localdate()
    if on > today:
        raise InvalidInput(
            "认定日期不能晚于今天", code="invalid_date", details=[{"path": "on", "message": "日期晚于今天"}]
        )
    existing = _existing(kind, code, src)
    if existing is not None:
        return existing
    name, hospital_id = _resolve(kind, code, region, party_name.strip(), hospital_code.strip())
    with transaction.atomic():
        party = _party(kind, code, region, name, hospital_id)
        existing = _existing(kind, code, src)
        if existing is not None:
            return existing
        params = params_for(region)
        fixed = points is not None
        if points is None:
            points = points_for(value, params)
        elif not 0 <= points <= MAX_SCORE:
            raise InvalidInput("扣分须在 0 至 100 之间", code="invalid_points")
        before = compute(party, today, params)
        counted = points if today < expiry_of(on, params) else 0
        event = CreditEvent.objects.create(
            party=party,
            party_kind=kind,
            party_code=code,
            region_id=region,
            hospital_id=party.hospital_id,
            amount=value,
            points=points,
            score_after=max(0, MAX_SCORE - before.points - counted),
            source_type=src[0],
            source_id=src[1],
            on=on,
            note=note.strip()[:300],
            actor=user_or_none(actor),
        )
        prefix = (f"{on.isoformat()} 违规金额 {value:,.2f} 元扣 {points} 分（{src[0]} {src[1]}）" if not fixed
                  else f"{on.isoformat()} 扣 {points} 分（{note.strip()[:60] or src[0]}）")
        rescore(party, today=today, cause=Cause.VIOLATION, actor=actor, prefix=prefix, event=event, params=params)
        record_event(
            actor,
            "credit.violation_recorded",
            event,
            region_id=region,
            note=note.strip(),
            after={
                "party": f"{kind}:{code}",
                "amount": value,
                "points": points,
                "on": on,
                "source": f"{src[0]}:{src[1]}",
                "score": party.score,
                "level": party.level,
            },
        )
    return event


# -- reads for other apps ------------------------------------------------------------------------------------


def refresh_expired(today: dt.date | None = None, *, region_id: Any = None, actor: Any = None) -> int:
    """Score again every party whose oldest counting event has left the window (``expires_on`` ≤ today);
    the level changes are written with their history. Returns the number of parties scored again."""
    today = today or timezone.localdate()
    due = CreditParty.objects.filter(expires_on__lte=today)
    if region_id is not None:
        due = due.filter(region_id=region_code(region_id))
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        params: dict[str, Params] = {}
        for party in CreditParty.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if party.expires_on is None or party.expires_on > today:
                continue
            p = params.setdefault(party.region_id, params_for(party.region_id))
            rescore(party, today=today, cause=Cause.EXPIRY, actor=actor, prefix="扣分到期", params=p)
    return len(ids)


def listed_levels(region_id: Any = None) -> dict[tuple[str, str], str]:
    """``{(party_kind, party_code): "watch" | "black"}`` of the parties on a list, of one region or of all
    (a party listed in several regions gets its most severe level). Expired points are taken off first."""
    refresh_expired(region_id=region_id)
    rows = CreditParty.objects.exclude(level=Level.NORMAL)
    if region_id is not None:
        rows = rows.filter(region_id=region_code(region_id))
    out: dict[tuple[str, str], str] = {}
    for kind, code, level in rows.values_list("kind", "code", "level"):
        key = (kind, code)
        out[key] = more_severe(out.get(key, Level.NORMAL), level)
    return out


def level_of(party_kind: str, party_code: str, region_id: Any = None) -> str:
    """The level in force of one party ("normal" when not on any list)."""
    return listed_levels(region_id).get((party_kind, party_code), Level.NORMAL)


# -- manager's decisions -------------------------------------------------------------------------------------


def worst_first(rows: Any) -> Any:
    """Parties ordered 黑名单, 关注名单, 正常, then by score, kind and code."""
    from django.db.models import Case, IntegerField, Value, When

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
    from dae.catalog.models import Hospital
    from dae.claims.models import FeeLine
    from dae.enrollment.models import Person

    kind, region = _kind(kind), region_code(region)
    code = str(code or "").strip()
    missing = InvalidInput(
        f"在统筹区 {region} 找不到{KIND_ZH[kind]} {code}",
        code="unknown_party",
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


def do_list(
    actor: Any,
    *,
    kind: str,
    code: str,
    region: Any,
    level: str,
    reason: str,
    name: str = "",
    hospital_id: int | None = None,
) -> CreditParty:
    """人工列入: a manager puts a party on the watch or black list with a reason. The listing holds until it
    is delisted; the level in force is the more severe of it and the score's."""
    if level not in (Level.WATCH, Level.BLACK):
        raise InvalidInput(
            "人工列入只能选择关注名单或黑名单", code="invalid_level", details=[{"path": "level", "message": "名单有误"}]
        )
    text = require_reason(reason, "列入原因")
    kind, region = _kind(kind), region_code(region)
    today = timezone.localdate()
    with transaction.atomic():
        party = _party(kind, code, region, name, hospital_id)
        if party.manual_level == level:
            raise Conflict(f"该对象已人工列入{LEVEL_ZH[level]}", code="already_listed")
        before = party.level
        party.manual_level, party.manual_reason = level, text
        params = params_for(region)
        result = compute(party, today, params)
        after = more_severe(result.score_level, level)
        party.score, party.points, party.events_count = result.score, result.points, result.events
        party.score_level, party.level, party.expires_on = result.score_level, after, result.expires_on
        if after != before:
            party.listed_on = today
        party.updated_at = timezone.now()
        party.save()
        note = f"人工列入{LEVEL_ZH[level]}：{text}"
        CreditListChange.objects.create(
            party=party,
            region_id=region,
            hospital_id=party.hospital_id,
            from_level=before,
            to_level=after,
            score=party.score,
            cause=Cause.MANUAL_LIST,
            reason=note[:300],
            on=today,
            actor=user_or_none(actor),
        )
        record_event(
            actor,
            "credit.listed",
            party,
            region_id=region,
            note=text,
            before={"level": before},
            after={"level": after, "manual_level": level},
        )
    return party


def do_delist(actor: Any, party: CreditParty, *, reason: str) -> CreditParty:
    """人工移出 (信用修复): a manager takes a party off its list with a reason. The manual listing ends and the
    events recorded so far no longer count, so the party starts again at 100 points."""
    text = require_reason(reason, "移出原因")
    today = timezone.localdate()
    with transaction.atomic():
        party = CreditParty.objects.select_for_update().get(pk=party.pk)
        if party.level == Level.NORMAL and not party.manual_level:
            raise Conflict("该对象不在关注名单或黑名单中", code="not_listed")
        before = party.level
        last = party.events.order_by("-pk").values_list("pk", flat=True).first()
        party.manual_level, party.manual_reason = "", ""
        party.repaired_at, party.repair_floor = timezone.now(), int(last or 0)
        params = params_for(party.region_id)
        result = compute(party, today, params)
        party.score, party.points, party.events_count = result.score, result.points, result.events
        party.score_level, party.level, party.expires_on = result.score_level, result.score_level, result.expires_on
        party.listed_on = None if party.level == Level.NORMAL else party.listed_on
        party.updated_at = timezone.now()
        party.save()
        note = f"人工移出{LEVEL_ZH[before]}：{text}"
        CreditListChange.objects.create(
            party=party,
            region_id=party.region_id,
            hospital_id=party.hospital_id,
            from_level=before,
            to_level=party.level,
            score=party.score,
            cause=Cause.MANUAL_DELIST,
            reason=note[:300],
            on=today,
            actor=user_or_none(actor),
        )
        record_event(
            actor,
            "credit.delisted",
            party,
            region_id=party.region_id,
            note=text,
            before={"level": before},
            after={"level": party.level, "score": party.score},
        )
    return party


# -- parameters ----------------------------------------------------------------------------------------------

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
                code="invalid_parameter",
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
            code="invalid_parameter",
            details=[{"path": "anomaly_threshold", "message": "须为 1–99"}],
        )
    out["anomaly_threshold"] = threshold.quantize(Decimal("0.01"))
    if out["black_below"] > out["watch_below"]:
        raise InvalidInput(
            "黑名单线不能高于关注名单线",
            code="invalid_parameter",
            details=[{"path": "black_below", "message": "黑名单线不能高于关注名单线"}],
        )
    if out["base_points"] > out["max_points"]:
        raise InvalidInput(
            "基础扣分不能高于单次扣分上限",
            code="invalid_parameter",
            details=[{"path": "base_points", "message": "基础扣分不能高于上限"}],
        )
    return out


def do_change_settings(actor: Any, region: Any, values: dict[str, Any], *, reason: str) -> CreditSettings:
    """Save a new version of the region's parameters with a reason, and score every party of the region again
    with them (the window and the lines apply at once; the points of recorded events stay as recorded)."""
    code = region_code(region)
    if not Region.objects.filter(pk=code).exists():
        raise InvalidInput(f"统筹区 {code} 不存在", code=inputs.InputCode.INVALID_REGION)
    text = require_reason(reason, "变更原因")
    new = check_params(values)
    today = timezone.localdate()
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=code).first()
        current = params_for(code)
        if new == current.values():
            raise Conflict("参数没有变化", code="unchanged")
        row = CreditSettings.objects.create(
            region_id=code, version=current.version + 1, reason=text, actor=user_or_none(actor), **new
        )
        params = params_for(code)
        for party in CreditParty.objects.select_for_update().filter(region_id=code).order_by("pk"):
            rescore(
                party,
                today=today,
                cause=Cause.SETTINGS,
                actor=actor,
                prefix=f"参数变更（第 {row.version} 版）",
                params=params,
            )
        record_event(
            actor, "credit.settings_changed", row, region_id=code, note=text, before=current.values(), after=new
        )
    return row


def history(region: Any) -> Iterable[CreditSettings]:
    return CreditSettings.objects.filter(region_id=region_code(region)).select_related("actor").order_by("-version")
