"""Hand-built monthly history: settlements put straight into the table with chosen payouts and costs."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dae.claims.models import Settlement
from tests.factories import REGION_A, HospitalFactory, PersonFactory, make_user, region

_ids = itertools.count(1)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class World:
    def __init__(self) -> None:
        self.region = region(REGION_A)
        self.person = PersonFactory()
        self.hospital = HospitalFactory(level="05")

    def put(self, month: dt.date, payout: str | int, *, n: int = 1, cost: str | int = 1000,
            hospital: Any = None) -> None:
        """``n`` settlements in ``month`` (the 10th), each paying ``payout`` / n and costing ``cost``."""
        each = Decimal(str(payout)) / n
        rows = []
        for _i in range(n):
            k = next(_ids)
            rows.append(Settlement(
                setl_id=f"FS{k:08d}", mdtrt_id=f"FM{k:08d}", psn_no=self.person.psn_no, person=self.person,
                hospital=hospital or self.hospital, region=self.region, med_type="21",
                adm_date=month.replace(day=1), dscg_date=month.replace(day=9),
                setl_time=timezone.make_aware(dt.datetime(month.year, month.month, 10, 10)),
                place_category="local", settle_way="direct", medfee_sumamt=Decimal(str(cost)),
                fulamt_ownpay_amt=0, overlmt_selfpay=0, preselfpay_amt=0, inscp_scp_amt=Decimal(str(cost)),
                hifob_pay=each.quantize(Decimal("0.01")), computed_pay=each.quantize(Decimal("0.01")),
                state="payable"))
        Settlement.objects.bulk_create(rows)

    def funds(self, year: int, amount: str | int) -> None:
        from dae.fund.models import FundYear

        FundYear.objects.create(region=self.region, year=year, funds_raised=Decimal(str(amount)))


@pytest.fixture
def world(db: Any) -> World:
    return World()


@pytest.fixture
def manager(db: Any) -> Any:
    return make_user("manager")
