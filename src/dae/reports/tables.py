"""The engine's tables read from the database, and the data version they came from.

Every amount leaves the database as whole fen (``ROUND(x * 100)``, exact on SQLite and PostgreSQL); fee lines are
summed in the database per settlement × charge type × charge level before they leave it. The tables are read
once per data version and kept in a DuckDB connection per process (``bound()``); any new settlement, fee line,
enrolment, deduction or ledger leg makes a new version and the next figure reads again.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pyarrow as pa
from django.db.models import F, Max, Q
from django.db.models.functions import ExtractYear

from dae.claims.models import FeeLine, Settlement
from dae.core.sums import fen_sum
from dae.enrollment.models import Enrolment
from dae.ledger.models import Leg
from dae.payments.models import Deduction

from . import indicator_data

_lock = threading.RLock()
_cache: dict[str, Any] = {}
_pin: ContextVar[dict[str, str] | None] = ContextVar("reports_pin", default=None)


@contextmanager
def pinned() -> Iterator[None]:
    """One data version for everything computed inside (a report's figures all come from the same data, and the
    version is looked up once instead of per figure)."""
    token = _pin.set({})
    try:
        yield
    finally:
        _pin.reset(token)

#: The models whose rows make a data version, with the field whose maximum marks a change.
VERSION_SOURCES = ((Settlement, "id"), (FeeLine, "id"), (Enrolment, "id"), (Deduction, "id"), (Leg, "id"))


def data_version() -> str:
    """A short digest of the row counts and highest ids of the source tables (plus the count of cancelled
    settlements): what a stored report says its figures came from."""
    parts = []
    for model, fieldname in VERSION_SOURCES:
        agg = model._default_manager.aggregate(top=Max(fieldname))
        parts.append(f"{model._meta.label}:{agg['top'] or 0}")
    parts.append(f"cancelled:{Settlement.objects.filter(state='cancelled').count()}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _fen(expr: str) -> Any:
    from django.db.models import IntegerField
    from django.db.models.functions import Cast, Round

    return Cast(Round(F(expr) * 100), IntegerField())


def read_tables() -> dict[str, pa.Table]:
    """Every table of the engine from the database (no scope: the engine applies the reader's scope)."""
    setl = Settlement.objects.exclude(state__in=("received", "returned", "rejected")).annotate(
        medfee_fen=_fen("medfee_sumamt"), inscp_fen=_fen("inscp_scp_amt"),
        birth=ExtractYear("person__brdy"),
    ).values_list(
        "setl_id", "mdtrt_id", "psn_no", "region_id", "hospital_id", "hospital__level", "med_type",
        "place_category", "dise_codg", "person__gend", "birth", "adm_date", "dscg_date", "setl_time",
        "init_setl_id", "state", "medfee_fen", "inscp_fen", "hifob_pay",
    ).order_by()
    cols: dict[str, list[Any]] = {f.name: [] for f in indicator_data.SCHEMAS["settlements"]}
    for row in setl.iterator(chunk_size=20_000):
        (setl_id, mdtrt, psn, region, hospital, level, med_type, place, dise, sex, birth, adm, dscg, setl_time,
         init, state, medfee, inscp, pay) = row
        for name, value in (("setl_id", setl_id), ("mdtrt_id", mdtrt), ("psn_no", psn), ("region", region),
                            ("hospital", str(hospital)), ("hospital_level", level or ""), ("med_type", med_type),
                            ("place", place), ("dise_codg", dise or ""), ("sex", sex), ("birth_year", birth),
                            ("adm_date", adm), ("dscg_date", dscg), ("setl_date", setl_time.date()),
                            ("reversal", bool(init)), ("cancelled", state == "cancelled"),
                            ("medfee_fen", medfee), ("inscp_fen", inscp),
                            ("payout_fen", None if pay is None else int(round(pay * 100)))):
            cols[name].append(value)
    lines = (FeeLine.objects.values("settlement__setl_id", "med_chrgitm_type", "chrgitm_lv")
             .annotate(amount=fen_sum("det_item_fee_sumamt")).order_by())
    line_cols: dict[str, list[Any]] = {"setl_id": [], "chrg_type": [], "chrg_lv": [], "amount_fen": []}
    for r in lines.iterator(chunk_size=20_000):
        line_cols["setl_id"].append(r["settlement__setl_id"])
        line_cols["chrg_type"].append(r["med_chrgitm_type"])
        line_cols["chrg_lv"].append(r["chrgitm_lv"])
        line_cols["amount_fen"].append(int(r["amount"]))
    enrol_cols: dict[str, list[Any]] = {f.name: [] for f in indicator_data.SCHEMAS["enrolments"]}
    latest: dict[str, tuple[Any, ...]] = {}  # one span per person: their latest record not corrected by another
    for row in (Enrolment.objects.filter(superseded_by__isnull=True).annotate(birth=ExtractYear("person__brdy"))
                .order_by("person_id", "valid_from", "recorded_at", "id")
                .values_list("person__psn_no", "region_id", "person__gend", "birth", "begin_date", "end_date",
                             "pause_date", "status").iterator(chunk_size=20_000)):
        latest[row[0]] = row
    for psn, region, sex, birth, begin, end, pause, status in latest.values():
        ended = end if status == Enrolment.Status.ENDED else (pause if status != Enrolment.Status.NORMAL else None)
        for name, value in (("psn_no", psn), ("region", region), ("sex", sex), ("birth_year", birth),
                            ("begin_date", begin), ("end_date", ended)):
            enrol_cols[name].append(value)
    ded_cols: dict[str, list[Any]] = {f.name: [] for f in indicator_data.SCHEMAS["deductions"]}
    for region, hospital, level, kind, on, amount in Deduction.objects.annotate(fen=_fen("amount")).values_list(
            "region_id", "hospital_id", "hospital__level", "kind", "confirmed_on", "fen").order_by():
        for name, value in (("region", region), ("hospital", str(hospital)), ("hospital_level", level or ""),
                            ("kind", kind), ("confirmed_on", on), ("amount_fen", amount)):
            ded_cols[name].append(value)
    leg_cols: dict[str, list[Any]] = {f.name: [] for f in indicator_data.SCHEMAS["legs"]}
    legs = Leg.objects.filter(Q(account__code__in=("4001", "5001", "5101", "100201", "100202"))).annotate(
        dfen=_fen("debit"), cfen=_fen("credit"))
    for region, day, account, ref, debit, credit in legs.values_list(
            "transaction__region_id", "transaction__date", "account__code", "transaction__reference_type", "dfen",
            "cfen").order_by():
        for name, value in (("region", region), ("date", day), ("account", account), ("reference_type", ref),
                            ("debit_fen", debit), ("credit_fen", credit)):
            leg_cols[name].append(value)
    return {"settlements": indicator_data.conform("settlements", cols), "lines": indicator_data.conform("lines", line_cols),
            "enrolments": indicator_data.conform("enrolments", enrol_cols),
            "deductions": indicator_data.conform("deductions", ded_cols), "legs": indicator_data.conform("legs", leg_cols)}


def bound(scope: indicator_data.Scope) -> tuple[indicator_data.Bound, str]:
    """The engine's tables of the current data version under ``scope``, and that version. Callers hold
    ``lock()`` while they evaluate (one DuckDB connection per process)."""
    pin = _pin.get()
    version = pin.get("version") if pin is not None else None
    if version is None:
        version = data_version()
        if pin is not None:
            pin["version"] = version
    with _lock:
        if _cache.get("version") != version:
            _cache.clear()
            _cache["bound"] = indicator_data.bind_duckdb(read_tables())
            _cache["version"] = version
        return _cache["bound"].scoped(scope), version


def lock() -> threading.RLock:
    return _lock


def forget() -> None:
    """Drop the cached tables (tests that rebuild the database between cases)."""
    with _lock:
        _cache.clear()
