"""Notices and the SMS outbox: written in the caller's transaction, idempotent, delivered after commit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from dae.core.models import Event
from dae.notices.actions import notify_claim, remember_phone
from dae.notices.models import Notice, SmsMessage
from dae.reimbursement import actions
from tests.reimbursement.helpers import claim_input

from .backends import RecordingBackend

BASIS = "结算 S1 (人员 PA0001, 2026 年度, 规则集 huadian-dae@2025.1): 大额支付 42,500.00 元, 个人负担 77,500.00 元.\n  1. …"


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def notify(actor: Any, **overrides: Any) -> Notice:
    kwargs: dict[str, Any] = {"psn_no": "PA0001", "claim_ref": "S1", "kind": "paid", "amount": Decimal("42500.00"),
                              "basis_text": BASIS, "region_id": "220282", "actor": actor}
    kwargs.update(overrides)
    with transaction.atomic():
        return notify_claim(**kwargs)


@pytest.mark.django_db
def test_notify_claim_writes_the_notice_the_sms_and_an_event(world: dict[str, Any]) -> None:
    with transaction.atomic():
        remember_phone(psn_no="PA0001", phone="13812345678", region_id="220282", source="test")
    notice = notify(world["users"]["finance"])
    assert (notice.kind, notice.amount, notice.basis_text, notice.is_read) == ("paid", Decimal("42500.00"), BASIS,
                                                                               False)
    sms = SmsMessage.objects.get(notice=notice)
    assert sms.phone == "13812345678" and sms.status == "queued" and sms.backend == "dae.notices.sms.OutboxBackend"
    assert "S1 已支付" in sms.text and "42,500.00 元" in sms.text and "计算依据" in sms.text
    assert Event.objects.filter(action="notice.paid", object_id=str(notice.pk)).exists()


@pytest.mark.django_db
def test_notify_claim_is_idempotent(world: dict[str, Any]) -> None:
    first = notify(world["users"]["finance"])
    assert notify(world["users"]["finance"]).pk == first.pk
    assert Notice.objects.count() == 1 and SmsMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_notify_claim_refuses_to_run_outside_a_transaction(world: dict[str, Any]) -> None:
    with pytest.raises(RuntimeError):
        notify_claim(psn_no="PA0001", claim_ref="S2", kind="paid", amount=Decimal("1.00"), basis_text="",
                     region_id="220282", actor=None)
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_without_a_phone_number_the_sms_is_stored_as_failed(world: dict[str, Any]) -> None:
    notice = notify(world["users"]["finance"])
    sms = SmsMessage.objects.get(notice=notice)
    assert sms.status == "failed" and sms.error == "未登记手机号码"


@pytest.mark.django_db
def test_a_rolled_back_approval_leaves_no_notice(world: dict[str, Any]) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        notify_claim(psn_no="PA0001", claim_ref="S1", kind="approved", amount=Decimal("1.00"), basis_text="x",
                     region_id="220282", actor=None, phone="13812345678")
        _ = 1 / 0
    assert not Notice.objects.exists() and not SmsMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notices.backends.RecordingBackend")
def test_a_real_gateway_gets_the_message_after_commit(world: dict[str, Any]) -> None:
    RecordingBackend.sent.clear()
    notice = notify(None, phone="13900001111")
    sms = SmsMessage.objects.get(notice=notice)
    assert RecordingBackend.sent == [("13900001111", sms.text)]
    assert sms.status == "sent" and sms.provider_ref == "GW-1" and sms.sent_at is not None


@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notices.backends.BrokenBackend")
def test_a_gateway_failure_queues_the_message_for_a_retry(world: dict[str, Any]) -> None:
    notice = notify(None, phone="13900001111")
    sms = SmsMessage.objects.get(notice=notice)
    assert (sms.status, sms.attempts) == ("queued", 1) and "gateway unreachable" in sms.error
    assert sms.next_attempt_at is not None  # tests/notices/test_retry.py follows it to the end


@pytest.mark.django_db
def test_approval_of_a_manual_claim_notifies_with_amount_and_basis(world: dict[str, Any]) -> None:
    users = world["users"]
    claim = actions.do_register(users["settlement"], claim_input())
    claim = actions.do_check(users["checker"], actions.do_compute(users["settlement"], claim))
    claim = actions.do_approve(users["checker"], claim)
    notice = Notice.objects.get(claim_ref=claim.number)
    assert (notice.kind, notice.amount, notice.psn_no) == ("approved", Decimal("43265.00"), "PA0001")
    # the notice is read by the insured person: the basis in plain Chinese, not the engine's trace
    assert notice.basis_text.startswith("这次就医的医疗费用共 120,000.00 元") and "[" not in notice.basis_text
    assert "这次大额补助支付 43,265.00 元" in notice.basis_text
    sms = SmsMessage.objects.get(notice=notice)
    assert sms.phone == "13812345678" and "43,265.00 元" in sms.text and "起付线 60,000.00 元" in sms.text
    assert len(sms.text) <= 200
    paid = actions.do_mark_paid(users["finance"], claim, paid_on=claim.received_on)
    assert Notice.objects.filter(claim_ref=paid.number).count() == 2


@pytest.mark.django_db
def test_outbox_for_service_and_manager_masked_and_notices_for_the_insured(world: dict[str, Any]) -> None:
    users = world["users"]
    notice = notify(users["finance"], phone="13812345678")
    outbox = client(users["service"]).get("/notices/outbox/").content.decode()
    assert "138****5678" in outbox and "13812345678" not in outbox
    assert client(users["insured"]).get("/notices/outbox/").status_code == 403
    assert client(users["settlement"]).get("/notices/outbox/").status_code == 403
    api = client(users["manager"]).get("/api/v1/sms-outbox/").json()
    assert api["results"][0]["phone"] == "138****5678"
    mine = client(users["insured"]).get("/notices/mine/").content.decode()
    assert "S1" in mine and "42,500.00" in mine and 'data-testid="mark-read"' in mine
    client(users["insured"]).post(f"/notices/mine/{notice.pk}/read/")
    notice.refresh_from_db()
    assert notice.is_read and notice.read_at is not None


@pytest.mark.django_db
def test_the_insured_sees_only_their_own_notices(world: dict[str, Any]) -> None:
    users = world["users"]
    notify(users["finance"])
    other = notify(users["finance"], psn_no="PB0001", region_id="220281", claim_ref="SOTHER9")
    insured = client(users["insured"])
    assert [n["claim_ref"] for n in insured.get("/api/v1/notices/").json()["results"]] == ["S1"]
    assert insured.get(f"/api/v1/notices/{other.pk}/").status_code == 404
    assert insured.post(f"/api/v1/notices/{other.pk}/read/").status_code == 404
    assert "SOTHER9" not in insured.get("/notices/mine/").content.decode()  # (not "S9": the CSRF token may hold it)
