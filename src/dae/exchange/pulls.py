"""Pulls of a hospital-month's settlements from the platform (2304/2305 data, where the region offers them) as an
alternative to an uploaded declaration. The answer becomes a declaration document and goes through the one
declaration path (``claims.actions.do_submit_declaration``: the same checks, the same job, the same idempotency) —
nothing of the declaration logic is repeated here. The idempotency key is derived from the pulled content, so
pulling the same month twice is a replay that changes nothing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dae.catalog.models import Hospital
from dae.claims.actions import do_submit_declaration
from dae.claims.models import Declaration
from dae.core.events import jsonable

from . import queries
from .client import PlatformClient, config
from .codes import Code
from .errors import PlatformError


def pull_settlements(user: Any, hospital: Hospital, month: str, *,
                     client: PlatformClient | None = None) -> tuple[Declaration, bool]:
    first, last = queries.period(month)
    answer = (client or PlatformClient()).call(
        str(config()["INFNO_SETTLEMENT_PULL"]),
        {"data": {"setl_optins": hospital.region_id, "fixmedins_code": hospital.code,
                  "stmt_begndate": first.isoformat(), "stmt_enddate": last.isoformat()}},
        purpose="settlement_pull", admdvs=hospital.region_id, hospital_id=hospital.pk, actor=user)
    rows = answer.output.get("settlements") if isinstance(answer.output, dict) else None
    if not isinstance(rows, list):
        raise PlatformError("医保平台结算数据应答缺少 settlements", code=Code.BAD_ANSWER)
    settlements = jsonable(rows)  # amounts stay exact decimal text
    digest = hashlib.sha256(json.dumps(settlements, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    document = {"fixmedins_code": hospital.code, "month": month, "idempotency_key": f"platform:{month}:{digest[:32]}",
                "settlements": settlements}
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return do_submit_declaration(user, file_name=f"platform-{hospital.code}-{month}.json", chunks=iter([body]))
