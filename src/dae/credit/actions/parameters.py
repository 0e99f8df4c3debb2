"""The region's credit parameters as versions: ``do_change_settings`` saves a new version with a reason and scores
every party of the region again with it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.errors import Conflict, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.models import Region

from ..codes import Code
from ..models import (
    CreditParty,
    CreditSettings,
)
from ..queries import (
    Cause,
    check_params,
    params_for,
    region_code,
)
from .violations import rescore


def do_change_settings(actor: Any, region: Any, values: dict[str, Any], *, reason: str) -> CreditSettings:
    """Save a new version of the region's parameters with a reason, and score every party of the region again
    with them (the window and the lines apply at once; the points of recorded events stay as recorded)."""
    code = inputs.actor_region(None, region_code(region))  # an existing region (the system may name any)
    text = require_reason(reason, "变更原因")
    new = check_params(values)
    today = timezone.localdate()
    with transaction.atomic():
        Region.objects.select_for_update().filter(pk=code).first()
        current = params_for(code)
        if new == current.values():
            raise Conflict("参数没有变化", code=Code.UNCHANGED)
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
