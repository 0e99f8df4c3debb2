"""Violations and scores (违规记录与计分): ``do_record_violation`` — a confirmed violation of a hospital, doctor or
insured person (the audit calls it when a finding is settled, ``reports`` for a poor annual evaluation);
idempotent on (party kind, party code, source); the event, the new score, a level change with its history row and
the event-log entries are written in one transaction. ``do_refresh_expired`` scores again the parties whose
oldest event has left the window; ``rescore`` is the step every write of this app goes through.
``listed_levels`` and ``level_of`` read the lists after taking expired points off (that write first)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput
from dae.core.events import record_event, user_or_none
from dae.enrollment.models import Person

from ..codes import Code
from ..models import (
    CreditEvent,
    CreditListChange,
    CreditParty,
    Level,
    PartyKind,
)
from ..queries import (
    MAX_SCORE,
    Cause,
    Params,
    Score,
    check_party_kind,
    compute,
    expiry_of,
    more_severe,
    params_for,
    points_for,
    region_code,
)


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


def _source(source: tuple[str, str | int]) -> tuple[str, str]:
    try:
        kind, ident = source
    except (TypeError, ValueError):
        raise InvalidInput("来源应为（类型, 编号）", code=Code.INVALID_SOURCE) from None
    kind, ident = str(kind).strip(), str(ident).strip()
    if not kind or not ident or len(kind) > 40 or len(ident) > 64:
        raise InvalidInput(
            "来源类型和编号不能为空",
            code=Code.INVALID_SOURCE,
            details=[{"path": "source", "message": "来源类型和编号不能为空"}],
        )
    return kind, ident


def _resolve(kind: str, code: str, region: str, party_name: str, hospital_code: str) -> tuple[str, int | None]:
    """(name, hospital id) of a party: a hospital must be in the catalogue, a person on the roster; a doctor
    takes the hospital named by ``hospital_code`` (which must exist when given)."""
    if kind == PartyKind.HOSPITAL:
        hospital = Hospital.objects.filter(code=code).only("pk", "name").first()
        if hospital is None:
            raise InvalidInput(
                f"医疗机构 {code} 不存在",
                code=Code.UNKNOWN_PARTY,
                details=[{"path": "party_code", "message": "医疗机构不存在"}],
            )
        return party_name or hospital.name, hospital.pk
    if kind == PartyKind.PERSON:
        name = Person.objects.filter(psn_no=code).values_list("psn_name", flat=True).first()
        if name is None:
            raise InvalidInput(
                f"参保人 {code} 不存在",
                code=Code.UNKNOWN_PARTY,
                details=[{"path": "party_code", "message": "参保人不存在"}],
            )
        return party_name or name, None
    hospital_id = None
    if hospital_code:
        hospital_id = Hospital.objects.filter(code=hospital_code).values_list("pk", flat=True).first()
        if hospital_id is None:
            raise InvalidInput(
                f"医疗机构 {hospital_code} 不存在",
                code=CoreCode.UNKNOWN_HOSPITAL,
                details=[{"path": "hospital_code", "message": "医疗机构不存在"}],
            )
    return party_name, hospital_id


def locked_party(kind: str, code: str, region: str, name: str, hospital_id: int | None) -> CreditParty:
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


def do_record_violation(
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
    kind = check_party_kind(party_kind)
    code = str(party_code or "").strip()
    if not code or len(code) > 30:
        raise InvalidInput(
            "对象编码不能为空",
            code=Code.INVALID_PARTY_CODE,
            details=[{"path": "party_code", "message": "对象编码不能为空"}],
        )
    region = inputs.actor_region(None, region_code(region_id))  # an existing region (the system may name any)
    value = inputs.clerk_amount(
        amount, field="amount", label="违规金额", rule=("须为不小于零、精确到分的金额", "须不小于零且精确到分")
    )
    src = _source(source)
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise InvalidInput("认定日期格式有误", code=inputs.InputCode.INVALID_DATE)
    today = timezone.localdate()
    if on > today:
        raise InvalidInput(
            "认定日期不能晚于今天", code=inputs.InputCode.INVALID_DATE, details=[{"path": "on", "message": "日期晚于今天"}]
        )
    existing = _existing(kind, code, src)
    if existing is not None:
        return existing
    name, hospital_id = _resolve(kind, code, region, party_name.strip(), hospital_code.strip())
    with transaction.atomic():
        party = locked_party(kind, code, region, name, hospital_id)
        existing = _existing(kind, code, src)
        if existing is not None:
            return existing
        params = params_for(region)
        fixed = points is not None
        if points is None:
            points = points_for(value, params)
        elif not 0 <= points <= MAX_SCORE:
            raise InvalidInput("扣分须在 0 至 100 之间", code=Code.INVALID_POINTS)
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


def do_refresh_expired(today: dt.date | None = None, *, region_id: Any = None, actor: Any = None) -> int:
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
    do_refresh_expired(region_id=region_id)
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
