"""Inspection fixtures: the ``world`` (two regions, a user of every post in region A) plus a second inspector, a
hospital in another province and in another city of the same province, and ``stay`` to make inpatient
settlements of a month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dae.claims.models import Settlement
from dae.core.models import Region
from tests.factories import HospitalFactory, PersonFactory, SettlementFactory, make_user

BEIJING, JILIN_CITY = "110105", "220202"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def users(world: dict[str, Any]) -> dict[str, Any]:
    found = dict(world["users"])
    found["inspector2"] = make_user("inspector", username="inspector2")
    found["manager2"] = make_user("manager", username="manager2")
    found["inspector_b"] = make_user("inspector", username="inspector_b", regions=("220281",))
    return found


@pytest.fixture
def far(world: dict[str, Any]) -> dict[str, Any]:
    """A hospital in Beijing (another province) and one in 吉林市 (same province, another city)."""
    beijing = Region.objects.get_or_create(admdvs=BEIJING, defaults={"name": "北京市朝阳区"})[0]
    jilin = Region.objects.get_or_create(admdvs=JILIN_CITY, defaults={"name": "吉林市昌邑区"})[0]
    return {
        "beijing": HospitalFactory(region=beijing, code="H11010500001", name="北京协和医院"),
        "jilin": HospitalFactory(region=jilin, code="H22020200001", name="吉林市中心医院"),
    }


@pytest.fixture
def stay(world: dict[str, Any]) -> Callable[..., Settlement]:
    """``stay(setl_id, day, at=10:00, **fields)``: an inpatient settlement (``med_type`` 21 unless given) of
    张三 (PA0001, region A) at 桦甸市人民医院 unless ``person``/``hospital`` are given, settled on ``day``."""
    person = world["persons"][0]
    hospital = world["hospitals"][0]

    def make(setl_id: str, day: dt.date, *, at: dt.time = dt.time(10, 0), **fields: Any) -> Settlement:
        fields.setdefault("person", person)
        fields.setdefault("hospital", hospital)
        fields.setdefault("medfee_sumamt", Decimal("10000.00"))
        return SettlementFactory(
            setl_id=setl_id,
            setl_time=timezone.make_aware(dt.datetime.combine(day, at)),
            adm_date=day - dt.timedelta(days=5),
            dscg_date=day,
            **fields,
        )

    return make


@pytest.fixture
def march(world: dict[str, Any], far: dict[str, Any], stay: Callable[..., Settlement]) -> dict[str, Any]:
    """Region A, 2025-03: 41 valid inpatient settlements — 10 in Beijing (cross-province), 3 at 吉林市 (off-site,
    same province), 28 local — and the settlements that must stay out of the population."""
    day = dt.date(2025, 3, 10)
    cross = [stay(f"SX{n:03d}", day, hospital=far["beijing"], place_category="referred") for n in range(10)]
    province = [stay(f"SP{n:03d}", day, hospital=far["jilin"], place_category="referred") for n in range(3)]
    local = [stay(f"SL{n:03d}", day) for n in range(26)]
    local.append(stay("SL900", dt.date(2025, 3, 31), at=dt.time(23, 59), med_type="52"))  # 生育住院, last minute
    local.append(stay("SL901", dt.date(2025, 3, 1), at=dt.time(0, 0), med_type="2101"))
    out = [
        stay("SO001", day, med_type="11"),  # outpatient
        stay("SO002", day, med_type="14"),
        stay("SO003", day, state="cancelled"),
        stay("SO004", day),  # cancelled by SO005 (a 2305 cancellation)
        stay("SO005", day, init_setl_id="SO004", medfee_sumamt=Decimal("-10000.00")),
        stay("SO006", dt.date(2025, 4, 1), at=dt.time(0, 0)),  # next month (local time)
        stay("SO007", dt.date(2025, 2, 28), at=dt.time(23, 59, 59)),
        stay("SO008", day, person=world["persons"][1], hospital=world["hospitals"][1]),  # region B
    ]
    return {"cross": cross, "province": province, "local": local, "out": out}


@pytest.fixture
def person_b(world: dict[str, Any]) -> Any:
    return PersonFactory(region=world["regions"][1], psn_no="PB0002", psn_name="王五")
