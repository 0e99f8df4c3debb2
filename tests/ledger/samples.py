"""URL samples for the permission-matrix walk: an account code and a posted transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dae.ledger.actions import Cr, Dr, do_post
from dae.ledger.models import Account, Transaction
from dae.ledger.seed import seed_chart


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    seed_chart(Account)
    txn = Transaction.objects.filter(idempotency_key="matrix-walk").first() or do_post(
        [Dr("5101", "10.00"), Cr("100202", "10.00")], date=dt.date(2026, 3, 2), description="经办费用（权限测试）",
        reference=("ledger.manual", "matrix"), key="matrix-walk", actor=world["users"]["finance"],
        region=world["regions"][0])
    return {"code": "5101", "pk": str(txn.pk)}
