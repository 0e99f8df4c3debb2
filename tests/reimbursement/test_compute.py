"""Compute = the engine's payout within the person-year; approval stores a payable manual settlement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.benefits.engine import calculate
from dae.benefits.engine import model as em
from dae.claims.models import FeeLine, Settlement
from dae.claims.payout import book_for_region
from dae.core.errors import Conflict, InvalidInput
from dae.reimbursement import actions
from dae.reimbursement.feefile import LineInput
from dae.reimbursement.inputs import InvoiceInput

from .helpers import BASE_MATERIALS, claim_input, totals

D = dt.date


def approve(people: dict[str, Any], claim: Any) -> Any:
    claim = actions.do_compute(people["settlement"], claim)
    claim = actions.do_check(people["checker"], claim)
    return actions.do_approve(people["checker"], claim)


def engine_payout(settlements: list[em.Settlement], setl_id: str) -> Decimal:
    result = calculate(settlements, book_for_region("220282")).settlement(setl_id)
    assert result is not None
    return result.payout


def sa0001() -> em.Settlement:
    return em.Settlement("SA0001", "PA0001", timezone.make_aware(dt.datetime(2026, 3, 10, 10, 0)),
                         totals=em.NationalTotals(Decimal("1000.00"), Decimal("100.00"), Decimal("0.00"),
                                                  Decimal("50.00"), Decimal("850.00")))


def manual(setl_id: str, day: dt.date, t: dict[str, Decimal]) -> em.Settlement:
    return em.Settlement(setl_id, "PA0001", timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59))),
                         settle_way=em.SettleWay.MANUAL, adm_date=day, dscg_date=day,
                         totals=em.NationalTotals(*(t[k] for k in ("medfee_sumamt", "fulamt_ownpay_amt",
                                                                   "overlmt_selfpay", "preselfpay_amt",
                                                                   "inscp_scp_amt"))))


@pytest.mark.django_db
def test_compute_equals_the_engine_within_the_person_year(people: dict[str, Any]) -> None:
    claim = actions.do_register(people["settlement"], claim_input())
    claim = actions.do_compute(people["settlement"], claim)
    # S = 850 (SA0001 in March), E = 110,000, T = 60,000 → base 50,850: 50,000 × 85% + 850 × 90%
    assert claim.computed_pay == Decimal("43265.00")
    assert claim.computed_pay == engine_payout([sa0001(), manual(claim.number, D(2026, 4, 20), claim_input().totals)],
                                               claim.number)
    assert claim.state == "computed" and claim.version_id == "huadian-dae@2025.1" and claim.policy_year == 2026
    assert claim.explanation["result"]["hifob_pay"] == "43265.00"
    assert "ENTRY_THRESHOLD" in claim.explanation_text and claim.number in claim.explanation_text


@pytest.mark.django_db
def test_a_second_claim_of_the_year_gets_the_cumulative_effect(people: dict[str, Any]) -> None:
    first = approve(people, actions.do_register(people["settlement"], claim_input()))
    assert first.state == "payable"
    second_input = claim_input(adm_date=D(2026, 6, 1), dscg_date=D(2026, 6, 10), totals=totals("22000.00", "20000.00"),
                               invoices=[InvoiceInput("INV-0002", D(2026, 6, 10), Decimal("22000.00"))])
    second = actions.do_compute(people["settlement"], actions.do_register(people["settlement"], second_input))
    # S = 110,850 ≥ T, B = 50,850: the 20,000 lies wholly in (50,000, 100,000] at 90%
    assert second.computed_pay == Decimal("18000.00")
    assert second.computed_pay == engine_payout(
        [sa0001(), manual(first.number, D(2026, 4, 20), claim_input().totals),
         manual(second.number, D(2026, 6, 10), totals("22000.00", "20000.00"))], second.number)
    # alone in the year (the first not counted) the same stay would be below the threshold
    assert engine_payout([sa0001(), manual("X", D(2026, 6, 10), totals("22000.00", "20000.00"))], "X") == 0


@pytest.mark.django_db
def test_approval_stores_a_payable_manual_settlement_that_counts(people: dict[str, Any]) -> None:
    claim = approve(people, actions.do_register(people["settlement"], claim_input()))
    s = Settlement.objects.get(setl_id=claim.number)
    assert claim.settlement_id == s.pk
    assert (s.settle_way, s.state, s.hifob_pay, s.computed_pay) == ("manual", "payable", Decimal("43265.00"),
                                                                    Decimal("43265.00"))
    assert (s.medfee_sumamt, s.inscp_scp_amt, s.place_category, s.psn_no) == (
        Decimal("120000.00"), Decimal("110000.00"), "local", "PA0001")
    assert s.setl_time == timezone.make_aware(dt.datetime(2026, 4, 20, 23, 59, 59))


@pytest.mark.django_db
def test_fee_lines_are_computed_by_the_engine_and_stored_with_the_settlement(people: dict[str, Any]) -> None:
    lines = [LineInput("1", "01", "05", Decimal("100000.00")),
             LineInput("2", "02", "09", Decimal("20000.00"), cnt=Decimal("10"), pric=Decimal("2000")),
             LineInput("3", "03", "14", Decimal("5000.00")),
             LineInput("4", "02", "09", Decimal("-2000.00"), cnt=Decimal("-1"), pric=Decimal("2000"),
                       init_feedetl_sn="2")]
    data = claim_input(totals=None, fee_lines=lines, materials=[*BASE_MATERIALS, "self_pay_consent"],
                       invoices=[InvoiceInput("INV-L", D(2026, 4, 20), Decimal("123000.00"))])
    claim = actions.do_register(people["settlement"], data)
    assert claim.entry_mode == "lines" and claim.medfee_sumamt == Decimal("123000.00")
    assert claim.inscp_scp_amt is None  # known after computing
    claim = approve(people, claim)
    # line 2 nets to 18,000: 10% first self-pay 1,800; class C 5,000 wholly self-paid
    assert (claim.fulamt_ownpay_amt, claim.preselfpay_amt, claim.inscp_scp_amt) == (
        Decimal("5000.00"), Decimal("1800.00"), Decimal("116200.00"))
    assert claim.computed_pay == Decimal("48845.00")  # base 57,050: 42,500 + 7,050 × 90%
    stored = FeeLine.objects.filter(settlement__setl_id=claim.number)
    assert stored.count() == 4
    assert sum(x.inscp_scp_amt for x in stored) == Decimal("116200.00")


@pytest.mark.django_db
def test_a_late_claim_reports_the_later_payouts_it_changes(people: dict[str, Any]) -> None:
    april = approve(people, actions.do_register(people["settlement"], claim_input()))
    february = claim_input(adm_date=D(2026, 2, 1), dscg_date=D(2026, 2, 10), totals=totals("31000.00", "30000.00"),
                           invoices=[InvoiceInput("INV-F", D(2026, 2, 10), Decimal("31000.00"))])
    claim = actions.do_compute(people["settlement"], actions.do_register(people["settlement"], february))
    assert claim.computed_pay == Decimal("0.00")
    effects = claim.explanation["later_effects"]
    # April: S = 30,850 → base 80,850 → 42,500 + 30,850 × 90% = 70,265.00 instead of 43,265.00
    assert effects == [{"setl_id": april.number, "stored": "43265.00", "recomputed": "70265.00",
                        "difference": "27000.00"}]


@pytest.mark.django_db
def test_the_amount_is_computed_again_at_approval(people: dict[str, Any]) -> None:
    clerk, checker = people["settlement"], people["checker"]
    a = actions.do_compute(clerk, actions.do_register(clerk, claim_input()))
    b_input = claim_input(adm_date=D(2026, 6, 1), dscg_date=D(2026, 6, 10), totals=totals("22000.00", "20000.00"),
                          invoices=[InvoiceInput("INV-B", D(2026, 6, 10), Decimal("22000.00"))])
    b = actions.do_check(checker, actions.do_compute(clerk, actions.do_register(clerk, b_input)))
    assert b.computed_pay == Decimal("0.00")  # computed while the April claim was not yet approved
    actions.do_approve(checker, actions.do_check(checker, a))
    with pytest.raises(Conflict) as info:
        actions.do_approve(checker, b)
    assert info.value.code == "payout_changed"
    b = actions.do_compute(clerk, actions.do_return(checker, b, "年度累计已变化，请重新计算"))
    assert b.computed_pay == Decimal("18000.00")


@pytest.mark.django_db
def test_a_claim_without_complete_materials_is_not_computed(people: dict[str, Any]) -> None:
    claim = actions.do_register(people["settlement"], claim_input(materials=["invoice"]))
    with pytest.raises(Conflict) as info:
        actions.do_compute(people["settlement"], claim)
    assert info.value.code == "materials_incomplete" and "材料不全" in info.value.message


@pytest.mark.django_db
def test_a_stay_without_a_rule_set_version_is_refused_in_chinese(people: dict[str, Any]) -> None:
    data = claim_input(adm_date=D(2019, 3, 1), dscg_date=D(2019, 3, 10),
                       invoices=[InvoiceInput("INV-2019", D(2019, 3, 10), Decimal("120000.00"))])
    from dae.enrollment.models import Enrolment

    Enrolment.objects.filter(person__psn_no="PA0001").update(begin_date=D(2018, 1, 1), valid_from=D(2018, 1, 1))
    claim = actions.do_register(people["settlement"], data)
    with pytest.raises(InvalidInput) as info:
        actions.do_compute(people["settlement"], claim)
    assert info.value.code == "claim_not_computable" and info.value.details
