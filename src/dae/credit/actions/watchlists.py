"""The manager's decisions on the lists: ``do_list`` (人工列入 the watch or black list) and ``do_delist``
(人工移出, 信用修复), each with a reason, its history row and its event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import record_event, user_or_none

from ..codes import Code
from ..models import (
    CreditListChange,
    CreditParty,
    Level,
)
from ..queries import (
    LEVEL_ZH,
    Cause,
    check_party_kind,
    compute,
    more_severe,
    params_for,
    region_code,
)
from .violations import locked_party


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
            "人工列入只能选择关注名单或黑名单", code=CoreCode.INVALID_LEVEL, details=[{"path": "level", "message": "名单有误"}]
        )
    text = require_reason(reason, "列入原因")
    kind, region = check_party_kind(kind), region_code(region)
    today = timezone.localdate()
    with transaction.atomic():
        party = locked_party(kind, code, region, name, hospital_id)
        if party.manual_level == level:
            raise Conflict(f"该对象已人工列入{LEVEL_ZH[level]}", code=Code.ALREADY_LISTED)
        before = party.level
        party.manual_level, party.manual_reason = level, text
        _score(party, today)
        if party.level != before:
            party.listed_on = today
        party.save()
        _history(actor, party, before, Cause.MANUAL_LIST, f"人工列入{LEVEL_ZH[level]}：{text}", today)
        record_event(
            actor,
            "credit.listed",
            party,
            region_id=region,
            note=text,
            before={"level": before},
            after={"level": party.level, "manual_level": level},
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
            raise Conflict("该对象不在关注名单或黑名单中", code=Code.NOT_LISTED)
        before = party.level
        last = party.events.order_by("-pk").values_list("pk", flat=True).first()
        party.manual_level, party.manual_reason = "", ""
        party.repaired_at, party.repair_floor = timezone.now(), int(last or 0)
        _score(party, today)
        party.listed_on = None if party.level == Level.NORMAL else party.listed_on
        party.save()
        _history(actor, party, before, Cause.MANUAL_DELIST, f"人工移出{LEVEL_ZH[before]}：{text}", today)
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


def _score(party: CreditParty, today: dt.date) -> None:
    """Score the locked party again after a manual decision (the caller saves it): the level in force is the more
    severe of the score's and the manual listing (none after a delisting)."""
    result = compute(party, today, params_for(party.region_id))
    party.score, party.points, party.events_count = result.score, result.points, result.events
    party.score_level, party.expires_on = result.score_level, result.expires_on
    party.level = more_severe(result.score_level, party.manual_level)
    party.updated_at = timezone.now()


def _history(actor: Any, party: CreditParty, before: str, cause: str, note: str, today: dt.date) -> None:
    """The history row of a manual decision (from ``before`` to the party's level in force)."""
    CreditListChange.objects.create(
        party=party,
        region_id=party.region_id,
        hospital_id=party.hospital_id,
        from_level=before,
        to_level=party.level,
        score=party.score,
        cause=cause,
        reason=note[:300],
        on=today,
        actor=user_or_none(actor),
    )
