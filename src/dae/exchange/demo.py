"""The exchange for the demo city: the platform simulator serves the city's own settlements — with three
differences planted in one hospital's month — every month of every hospital is reconciled with it, and the outbox
(payment results of the paid statements, audit feedback) is delivered.

    from dae.exchange.demo import seed_demo
    summary = seed_demo(2025, manager)

The simulator's data set is also written to ``$DAE_VAR_DIR/demo/platform.json`` so that ``scripts/demo`` starts
the same platform beside dae (``python -m dae.exchange.simulator``) for the pages' own runs. A second run changes
nothing (each part is skipped when its records exist).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from dae.accounts.models import User
from dae.accounts.posts import Post
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core.events import record_event
from dae.core.models import Event, Region

from . import actions, delivery, queries
from .client import PlatformClient
from .dataset import settlement_rows
from .models import Outbound, Reconciliation
from .simulator import PlatformSimulator

#: Messages the demo delivers itself; the rest wait in the outbox for 立即发送 with the simulator beside dae.
DEMO_DELIVERIES = 50


def data_path() -> Path:
    return Path(settings.VAR_DIR) / "demo" / "platform.json"


def _planted_target(year: int) -> tuple[str, str, list[str]] | None:
    """The busiest hospital-month of the demo year (the month whose reconciliation shows the planted
    differences), and three of its settlements."""
    direct = Settlement.objects.filter(settle_way=Settlement.SettleWay.DIRECT, init_setl_id="", setl_time__year=year)
    busiest = (direct.annotate(month=TruncMonth("setl_time")).values("region_id", "hospital_id", "month")
               .annotate(n=Count("id")).order_by("-n", "month", "hospital_id").first())
    if busiest is None or busiest["n"] < 3:
        return None
    month = f"{busiest['month']:%Y-%m}"
    first, last = queries.period(month)
    ids = list(direct.filter(region_id=busiest["region_id"], hospital_id=busiest["hospital_id"],
                             setl_time__date__gte=first, setl_time__date__lte=last)
               .order_by("setl_id").values_list("setl_id", flat=True)[:3])
    return Hospital.objects.get(pk=busiest["hospital_id"]).code, month, ids


def platform_data(year: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The platform's copy of the city with the planted differences, and what was planted."""
    rows = {r["setl_id"]: r for r in settlement_rows(Settlement.objects.all())}
    planted: dict[str, Any] = {}
    target = _planted_target(year)
    if target is not None:
        code, month, (missing, differing, model) = target
        rows.pop(missing)  # the platform never received it
        rows[differing] = {**rows[differing], "hifob_pay": _plus_100(rows[differing]["hifob_pay"])}
        extra = {**rows[model], "setl_id": f"{model}X", "mdtrt_id": f"{rows[model]['mdtrt_id']}X"}
        rows[extra["setl_id"]] = extra  # a settlement only the platform has
        planted = {"hospital": code, "month": month, "missing_platform": missing,
                   "amount": differing, "missing_here": extra["setl_id"]}
    return {"persons": {}, "settlements": list(rows.values())}, planted


def _plus_100(amount: str) -> str:
    """``amount`` (yuan, text) plus 100.00, in text arithmetic on whole fen."""
    fen = int((Decimal(amount) * 100).to_integral_value()) + 10000
    return f"{Decimal(fen) / 100:.2f}"


def seed_demo(year: int, actor: Any = None) -> dict[str, Any]:
    data, planted = platform_data(year)
    path = data_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    summary: dict[str, Any] = {"planted": planted, "runs": 0, "different": 0, "delivered": 0}
    with PlatformSimulator(data) as simulator:
        client = PlatformClient(url=simulator.url, TIMEOUT=10.0)
        if not Reconciliation.objects.exists():
            for region in Region.objects.order_by("admdvs"):
                for month in range(1, 13):
                    text = f"{year}-{month:02d}"
                    for hospital in Hospital.objects.filter(pk__in=queries.hospitals_with_settlements(region.pk,
                                                                                                      text)):
                        record = actions.do_run_reconciliation(actor, region, hospital, text, client=client)
                        summary["runs"] += 1
                        summary["different"] += record.status != Reconciliation.Status.CLEAN
        if not Outbound.objects.exists():
            delivery.collect(actor)
            summary["delivered"] = delivery.deliver(actor, client=client, limit=DEMO_DELIVERIES).delivered
    return summary


def run_in_demo(out: Any) -> None:
    """``dae demo``'s step: seed the exchange once, record it, and print the figures."""

    loaded = Event.objects.filter(action="demo.loaded").order_by("-id").first()
    if loaded is None:
        return
    started = time.monotonic()
    finance = User.objects.filter(post=Post.FINANCE).order_by("pk").first()
    result = seed_demo(int(loaded.after["year"]), finance)
    with transaction.atomic():
        record_event(None, "demo.exchange", object_type="demo.city", object_id=str(loaded.after.get("seed")),
                     after=result)
    out.write(f"平台对账 (platform reconciliation): {result['runs']} 次, 有差异 {result['different']} 次, "
              f"送达反馈 {result['delivered']} 条, in {time.monotonic() - started:.1f}s")
    if result["planted"]:
        out.write(f"  埋入差异 (planted differences): {result['planted']}")
