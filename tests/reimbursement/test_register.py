"""Registering: every check at once in Chinese, uncovered days refused, numbers, invoices claimed once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import InvalidInput, NotFound
from dae.core.models import Event
from dae.enrollment import actions as enrolment_actions
from dae.enrollment.models import Person
from dae.notices.models import Contact
from dae.reimbursement import actions
from dae.reimbursement.inputs import InvoiceInput

from .helpers import claim_input, totals

D = dt.date


@pytest.mark.django_db
def test_a_claim_for_days_the_person_was_not_covered_is_refused(people: dict[str, Any]) -> None:
    person = Person.objects.get(psn_no="PA0001")
    enrolment_actions.do_suspend(people["manager"], person, D(2026, 4, 15), "欠缴保费")
    with pytest.raises(InvalidInput) as info:
        actions.do_register(people["settlement"], claim_input())
    error = info.value
    assert error.code == "not_covered"
    assert "2026-04-15 至 2026-04-20" in error.message and "暂停参保期间" in error.message and "共 6 天" in error.message
    assert not Event.objects.filter(action="claim.received").exists()


@pytest.mark.django_db
def test_every_input_problem_is_reported_at_once(people: dict[str, Any]) -> None:
    bad = claim_input(dscg_date=D(2026, 3, 25), totals=totals("120000.00", "110000.00") | {
        "medfee_sumamt": Decimal("120000.01")}, bank_account="12ab", phone="12345",
        invoices=[InvoiceInput("A1", D(2026, 4, 1), Decimal("100.00")), InvoiceInput("A1", D(2026, 4, 2),
                                                                                      Decimal("0"))])
    with pytest.raises(InvalidInput) as info:
        actions.do_register(people["settlement"], bad)
    paths = {d["path"] for d in info.value.details}
    assert {"dscg_date", "medfee_sumamt", "bank_account", "phone", "invoices[1].number",
            "invoices[1].amount"} <= paths
    messages = " ".join(d["message"] for d in info.value.details)
    assert "不等于全自费、超限价自费、先行自付、符合政策范围四项之和" in messages and "出院日期不能早于入院日期" in messages


@pytest.mark.django_db
def test_invoices_must_add_up_to_the_fee_total_and_are_claimed_once(people: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as info:
        actions.do_register(people["settlement"], claim_input(
            invoices=[InvoiceInput("INV-X", D(2026, 4, 20), Decimal("119999.99"))]))
    assert "发票金额合计 119999.99 与医疗费总额 120000.00 不一致" in info.value.details[0]["message"]
    first = actions.do_register(people["settlement"], claim_input())
    with pytest.raises(InvalidInput) as again:
        actions.do_register(people["settlement"], claim_input())
    assert f"发票号码 INV-0001 已在申请 {first.number} 中报销或在办" in again.value.details[0]["message"]
    actions.do_cancel(people["settlement"], first, "参保人撤回申请")
    assert actions.do_register(people["settlement"], claim_input()).number != first.number


@pytest.mark.django_db
def test_application_numbers_are_readable_and_sequential_per_region_and_day(people: dict[str, Any]) -> None:
    a = actions.do_register(people["settlement"], claim_input())
    b = actions.do_register(people["settlement"], claim_input(
        invoices=[InvoiceInput("INV-0002", D(2026, 4, 20), Decimal("120000.00"))]))
    assert (a.number, b.number) == ("MR-220282-20260925-0001", "MR-220282-20260925-0002")


@pytest.mark.django_db
def test_a_person_of_another_region_is_not_found(people: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        actions.do_register(people["settlement"], claim_input(psn_no="PB0001"))


@pytest.mark.django_db
def test_registration_records_the_event_and_the_phone_for_notices(people: dict[str, Any]) -> None:
    claim = actions.do_register(people["settlement"], claim_input())
    event = Event.objects.get(action="claim.received")
    assert event.object_id == str(claim.pk) and event.after["number"] == claim.number
    assert event.region_id == "220282" and event.actor == people["settlement"]
    assert Contact.objects.get(psn_no="PA0001").phone == "13812345678"


@pytest.mark.django_db
def test_update_keeps_the_person_and_replaces_the_invoices(people: dict[str, Any]) -> None:
    claim = actions.do_register(people["settlement"], claim_input())
    with pytest.raises(InvalidInput):
        actions.do_update(people["settlement"], claim, claim_input(psn_no="PB0001"))
    fixed = actions.do_update(people["settlement"], claim, claim_input(
        totals=totals("121000.00", "110000.00"), invoices=[InvoiceInput("INV-0001", D(2026, 4, 20),
                                                                        Decimal("121000.00"))]))
    assert fixed.medfee_sumamt == Decimal("121000.00") and fixed.invoices.count() == 1
    assert Event.objects.filter(action="claim.updated", object_id=str(claim.pk)).exists()
