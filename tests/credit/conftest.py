"""Credit fixtures: the shared world (two regions, a hospital in each, a user of every post) and a hand-built month
of inpatient stays in region A where one hospital's cost per stay and readmissions and another's drug share are
planted far above their peers (see ``screening_world``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import REGION_A, REGION_B, FeeLineFactory, HospitalFactory, PersonFactory, SettlementFactory

D = Decimal


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def when(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def stay(
    hospital: Any,
    person: Any,
    adm: dt.date,
    dscg: dt.date,
    dise: str,
    cost: str,
    drug_share: int,
    *,
    dept: str = "03",
    doctor: str = "",
    **extra: Any,
) -> Any:
    """One inpatient settlement of ``cost`` yuan with two fee lines: drugs (09 西药费) at ``drug_share`` percent
    and treatment (05) for the rest, billed by ``dept`` and ``doctor``."""
    total = D(cost)
    drug = (total * drug_share / 100).quantize(D("0.01"))
    settlement = SettlementFactory(
        person=person,
        hospital=hospital,
        region=hospital.region,
        adm_date=adm,
        dscg_date=dscg,
        setl_time=when(dscg),
        dise_codg=dise,
        medfee_sumamt=total,
        **extra,
    )
    doctor = doctor or f"DR{hospital.code}"
    for amount, kind in ((drug, "09"), (total - drug, "05")):
        FeeLineFactory(
            settlement=settlement,
            det_item_fee_sumamt=amount,
            pric=amount,
            med_chrgitm_type=kind,
            fee_ocur_time=when(adm),
            bilg_dept_codg=dept,
            bilg_dept_name="内科",
            bilg_dr_codg=doctor,
            bilg_dr_name=f"医师{hospital.code[-1]}",
        )
    return settlement


#: (I10 cost, J18 cost, drug share %) of hospitals H1…H6; H5's drug share and H6's costs are planted.
PLAN = {
    1: ("1000.00", "2000.00", 30),
    2: ("1100.00", "2100.00", 32),
    3: ("1200.00", "2200.00", 34),
    4: ("1300.00", "2300.00", 36),
    5: ("1400.00", "2400.00", 70),
    6: ("5000.00", "9000.00", 38),
}


@pytest.fixture
def screening_world(world: dict[str, Any]) -> dict[str, Any]:
    """March 2026 in region A: six 二级甲等 hospitals H1…H6 with two stays each (I10 and J18, 5 days on average).

    H6 costs four times its peers' medians and its second stay is a readmission 7 days after the first (the
    same person); H5's drug share is 70 % against 30–38 %. Not counted: a cancelled settlement, a 2305
    cancellation and its original, an outpatient visit, a stay in region B, a stay in February. A 三级 hospital
    H7 has no peers of its grade."""
    ra, rb = world["regions"]
    hospitals = {n: HospitalFactory(region=ra, code=f"HS{n}", name=f"测试医院{n}", level="05") for n in PLAN}
    persons = {n: PersonFactory(region=ra, psn_no=f"PS{n}00") for n in PLAN}
    others = {n: PersonFactory(region=ra, psn_no=f"PS{n}01") for n in PLAN}
    march = dt.date(2026, 3, 1)
    for n, (i10, j18, share) in PLAN.items():
        h = hospitals[n]
        stay(h, persons[n], march, march + dt.timedelta(days=4), "I10.x00", i10, share)
        if n == 6:  # the same person again 7 days after leaving
            stay(h, persons[n], dt.date(2026, 3, 12), dt.date(2026, 3, 18), "J18.900", j18, share)
        else:  # another person; and for H1 the same person only after 17 days
            who = persons[n] if n == 1 else others[n]
            stay(h, who, dt.date(2026, 3, 22), dt.date(2026, 3, 28), "J18.900", j18, share)
    h1 = hospitals[1]
    stay(h1, others[1], march, dt.date(2026, 3, 3), "I10.x00", "90000.00", 90, state="cancelled")
    original = stay(h1, others[1], march, dt.date(2026, 3, 6), "I10.x00", "80000.00", 90)
    stay(h1, others[1], march, dt.date(2026, 3, 6), "I10.x00", "-80000.00", 90, init_setl_id=original.setl_id)
    stay(h1, others[1], march, march, "I10.x00", "70000.00", 90, med_type="11")
    stay(h1, others[1], dt.date(2026, 2, 1), dt.date(2026, 2, 10), "I10.x00", "60000.00", 90)
    hb = HospitalFactory(region=rb, code="HSB", level="05")
    stay(hb, PersonFactory(region=rb, psn_no="PSB00"), march, dt.date(2026, 3, 5), "I10.x00", "50000.00", 90)
    h7 = HospitalFactory(region=ra, code="HS7", name="测试医院7", level="01")
    for k in range(2):
        stay(h7, PersonFactory(region=ra, psn_no=f"PS70{k}"), march, dt.date(2026, 3, 5), "I10.x00", "3000.00", 40)
    return {**world, "hospitals_s": hospitals, "h7": h7, "hb": hb}


PARAMS = {"threshold": "3.00", "min_peers": 5, "min_volume": 2, "readmit_days": 15}


@pytest.fixture
def regions(world: dict[str, Any]) -> tuple[str, str]:
    return REGION_A, REGION_B
