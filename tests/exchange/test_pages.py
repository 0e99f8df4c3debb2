"""The exchange pages through HTTP: finance runs a month's reconciliation (a job), opens a run and resolves a
difference; the outbox shows status, attempts and the platform's answer; ``infcode`` −1 is shown with its message;
the person query compares the platform's 330 row with our enrolment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dae.auditing.actions.runs import do_start_run
from dae.claims.models import Settlement
from dae.exchange import delivery
from dae.exchange.client import PlatformClient
from dae.exchange.dataset import settlement_rows
from dae.exchange.models import Difference, Outbound, Reconciliation
from dae.exchange.simulator import PlatformSimulator
from tests.factories import SettlementFactory, make_user

from .conftest import PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(world: dict[str, Any], platform: PlatformClient, simulator: PlatformSimulator) -> dict[str, Any]:
    march = timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0))
    for n in (1, 2):
        SettlementFactory(person=world["persons"][0], hospital=world["hospitals"][0], setl_id=f"SM{n}", setl_time=march,
                          hifob_pay=Decimal("500.00"))
    for row in settlement_rows(Settlement.objects.all()):
        simulator.add(row)
    simulator.drop("SM2")
    return world


def test_finance_runs_the_month_opens_a_difference_and_resolves_it(month: dict[str, Any]) -> None:
    finance = make_user("finance", "cw")
    web = Client()
    web.force_login(finance)
    answer = web.post(reverse("exchange:reconciliation_run"), {"region": "220282", "month": "2026-03"})
    assert answer.status_code == 302
    record = Reconciliation.objects.get(hospital__code="HA0001", month="2026-03")
    assert record.status == "different" and record.open_count == 1
    page = web.get(reverse("exchange:reconciliation_list"))
    assert page.status_code == 200 and "differences-chart-data" in page.content.decode()
    detail = web.get(reverse("exchange:reconciliation_detail", args=[record.pk])).content.decode()
    assert "SM2" in detail and "本系统有、平台无" in detail
    difference = Difference.objects.get()
    done = web.post(reverse("exchange:difference_resolve", args=[difference.pk]), {"note": "医院未上传，已补传"})
    assert done.status_code == 302
    difference.refresh_from_db()
    assert difference.note == "医院未上传，已补传" and difference.resolved_by == finance


def test_a_reviewer_may_read_but_not_resolve(month: dict[str, Any], platform: PlatformClient) -> None:
    from dae.exchange import actions

    record = actions.do_run_reconciliation(None, month["hospitals"][0].region, month["hospitals"][0], "2026-03", client=platform)
    web = Client()
    web.force_login(make_user("reviewer", "sh"))
    assert web.get(reverse("exchange:reconciliation_detail", args=[record.pk])).status_code == 200
    difference = record.differences.get()
    assert web.post(reverse("exchange:difference_resolve", args=[difference.pk]), {"note": "x x"}).status_code == 403
    outside = Client()
    outside.force_login(make_user("finance", "cw2", ("220281",)))
    assert outside.get(reverse("exchange:reconciliation_detail", args=[record.pk])).status_code == 404


def test_the_outbox_page_shows_a_refusal_with_the_platforms_message(
        audit_world: dict[str, Any], simulator: PlatformSimulator, platform: PlatformClient) -> None:
    from dae.auditing import actions
    from dae.auditing.models import Finding

    users = audit_world["users"]
    do_start_run(region="220282", scope="month", month="2026-03", actor=users["reviewer"])
    f = Finding.objects.get(rule_id="R17_CROSS_PERIOD")
    f = actions.do_confirm(f, amount="80.00", note="跨期收费属实", actor=users["reviewer"])
    f = actions.do_accept(f, note="认可", actor=users["hospital"])
    actions.do_settle(f, amount="80.00", note="三方确认", actor=users["supervisor"])
    simulator.refuse_next(1, "就诊ID不存在")
    web = Client()
    web.force_login(users["finance"])
    assert web.post(reverse("exchange:deliver")).status_code == 302
    row = Outbound.objects.get()
    assert row.status == "refused" and row.attempts == 1
    listing = web.get(reverse("exchange:outbound_list")).content.decode()
    assert "平台拒收" in listing and "就诊ID不存在" in listing
    detail = web.get(reverse("exchange:outbound_detail", args=[row.pk])).content.decode()
    assert "医保平台返回错误（-1）：就诊ID不存在" in detail
    assert "/exchange/calls/" in detail  # finance may open the call log
    clerk = Client()
    clerk.force_login(users["settlement"])
    clerk_view = clerk.get(reverse("exchange:outbound_detail", args=[row.pk])).content.decode()
    assert "就诊ID不存在" in clerk_view and "/exchange/calls/" not in clerk_view  # no link it may not open
    assert web.post(reverse("exchange:outbound_detail", args=[row.pk])).status_code == 302
    delivery.deliver(client=platform)
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2


def test_person_query_shows_the_platforms_enrolment_against_ours(
        world: dict[str, Any], simulator: PlatformSimulator, platform: PlatformClient) -> None:
    paused = {**PERSON, "insuinfo": [{**PERSON["insuinfo"][1], "psn_insu_stas": "2",
                                      "paus_insu_date": "2026-02-01"}]}
    simulator.persons[PERSON["baseinfo"]["certno"]] = paused
    web = Client()
    web.force_login(world["users"]["settlement"])
    page = web.post(reverse("exchange:person_query"), {"region": "220282", "certno": "220282198001011234"})
    text = page.content.decode()
    assert page.status_code == 200 and "PA0001" in text and "暂停日期" in text and "2026-02-01" in text
    assert "220282198001011234" not in text
    missing = web.post(reverse("exchange:person_query"), {"region": "220282", "certno": "220282199001011111"})
    assert "未查询到该人员的参保信息" in missing.content.decode()
