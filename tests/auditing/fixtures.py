"""A small audit world: one person with two overlapping stays at two hospitals of region A and one fee line charged
nine days before admission, so that exactly two rules fire with amounts worked out by hand:

- R17_CROSS_PERIOD (收费跨期) on SA0001: line F-OUT (100.00, 2026-02-20, admission 2026-03-01) — 100.00 at issue;
- R15_OVERLAP (住院时间重叠) on ST0002 (admitted 2026-03-05 at HA0002 while in HA0001 until 2026-03-10) — its total
  medical fee, 800.00, at issue; ST0002 is 违规项, SA0001 涉及项.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from ..factories import FeeLineFactory, HospitalFactory, SettlementFactory, make_user


def aware(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def audit_world(world: dict[str, Any]) -> dict[str, Any]:
    ra = world["regions"][0]
    hosp_c = HospitalFactory(region=ra, code="HA0002", name="桦甸市中医院")
    person = world["persons"][0]
    first = world["settlements"][0]  # SA0001: 2026-03-01 … 2026-03-10 at HA0001, medfee 1000.00
    FeeLineFactory(
        settlement=first,
        feedetl_sn="F-IN",
        fee_ocur_time=aware(2026, 3, 2, 9),
        det_item_fee_sumamt=Decimal("900.00"),
        cnt=Decimal("1"),
        pric=Decimal("900"),
        bilg_dr_codg="D001",
        bilg_dr_name="赵医生",
    )
    FeeLineFactory(
        settlement=first,
        feedetl_sn="F-OUT",
        fee_ocur_time=aware(2026, 2, 20, 9),
        det_item_fee_sumamt=Decimal("100.00"),
        cnt=Decimal("1"),
        pric=Decimal("100"),
        bilg_dr_codg="D002",
        bilg_dr_name="钱医生",
    )
    second = SettlementFactory(
        person=person,
        hospital=hosp_c,
        setl_id="ST0002",
        mdtrt_id="MT0002",
        adm_date=dt.date(2026, 3, 5),
        dscg_date=dt.date(2026, 3, 12),
        setl_time=aware(2026, 3, 12, 10),
        medfee_sumamt=Decimal("800.00"),
        fulamt_ownpay_amt=Decimal("0.00"),
        preselfpay_amt=Decimal("0.00"),
        inscp_scp_amt=Decimal("800.00"),
    )
    FeeLineFactory(
        settlement=second,
        feedetl_sn="G-1",
        fee_ocur_time=aware(2026, 3, 6, 9),
        det_item_fee_sumamt=Decimal("800.00"),
        cnt=Decimal("2"),
        pric=Decimal("400"),
    )
    users = dict(world["users"])
    users["hospital_c"] = make_user("hospital", username="hospital_c", hospital=hosp_c)
    return {**world, "hospital_c": hosp_c, "first": first, "second": second, "users": users}
