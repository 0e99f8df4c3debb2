"""Test factories: two regions (A 桦甸市, B 蛟河市), hospitals, persons, settlements and a user of every post."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from dae.accounts.models import User
from dae.catalog.models import Hospital
from dae.claims.models import FeeLine, Settlement
from dae.core.models import Region
from dae.enrollment.models import Enrolment, Person, Unit

REGION_A, REGION_B = "220282", "220281"


def region(code: str) -> Region:
    names = {REGION_A: "桦甸市", REGION_B: "蛟河市"}
    return Region.objects.get_or_create(admdvs=code, defaults={"name": names.get(code, code)})[0]


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    code = factory.Sequence(lambda n: f"H{REGION_A}{n:05d}")
    name = factory.Sequence(lambda n: f"测试医院{n}")
    level = "05"
    kind = "综合医院"
    region = factory.LazyFunction(lambda: region(REGION_A))
    bank_name = "中国工商银行桦甸支行"
    bank_account = factory.Sequence(lambda n: f"0811{n:012d}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    emp_no = factory.Sequence(lambda n: f"E{n:08d}")
    emp_name = factory.Sequence(lambda n: f"测试单位{n}")
    region = factory.LazyFunction(lambda: region(REGION_A))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    psn_no = factory.Sequence(lambda n: f"P{n:011d}")
    certno = factory.Sequence(lambda n: f"22028219800101{n % 1000:03d}X")
    psn_name = factory.Sequence(lambda n: f"测试{n}")
    gend = "1"
    brdy = dt.date(1980, 1, 1)
    region = factory.LazyFunction(lambda: region(REGION_A))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    person = factory.SubFactory(PersonFactory)
    psn_type = "1101"
    status = "1"
    begin_date = dt.date(2020, 1, 1)
    valid_from = factory.LazyAttribute(lambda o: o.begin_date)
    region = factory.LazyAttribute(lambda o: o.person.region)


class SettlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Settlement

    setl_id = factory.Sequence(lambda n: f"S{n:010d}")
    mdtrt_id = factory.Sequence(lambda n: f"M{n:010d}")
    person = factory.SubFactory(PersonFactory)
    psn_no = factory.LazyAttribute(lambda o: o.person.psn_no)
    hospital = factory.SubFactory(HospitalFactory)
    region = factory.LazyAttribute(lambda o: o.person.region)
    med_type = "21"
    adm_date = dt.date(2026, 3, 1)
    dscg_date = dt.date(2026, 3, 10)
    setl_time = factory.LazyFunction(lambda: timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0)))
    place_category = "local"
    settle_way = "direct"
    medfee_sumamt = Decimal("1000.00")
    fulamt_ownpay_amt = Decimal("100.00")
    overlmt_selfpay = Decimal("0.00")
    preselfpay_amt = Decimal("50.00")
    inscp_scp_amt = Decimal("850.00")


class FeeLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeLine

    settlement = factory.SubFactory(SettlementFactory)
    feedetl_sn = factory.Sequence(lambda n: f"F{n:08d}")
    fee_ocur_time = factory.LazyFunction(lambda: timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0)))
    med_list_codg = "001102000010000"
    medins_list_codg = "H-001"
    det_item_fee_sumamt = Decimal("100.00")
    cnt = Decimal("1")
    pric = Decimal("100")
    chrgitm_lv = "01"
    med_chrgitm_type = "05"
    inscp_scp_amt = Decimal("100.00")


def make_user(post: str, username: str | None = None, regions: tuple[str, ...] = (REGION_A,), **extra: Any) -> User:
    user = User.objects.create_user(username=username or post, password="pw-123456", post=post, **extra)
    if post not in ("hospital", "insured", "it"):
        user.regions.set([region(code) for code in regions])
    from dae.security.policy import two_factor_required

    if two_factor_required(post):  # its authenticator's secret is known to the tests (dae.security.testing)
        from dae.security.otp import enrol_known_secret
        from dae.security.testing import known_secret

        enrol_known_secret(user, known_secret(user.username))
    return user
