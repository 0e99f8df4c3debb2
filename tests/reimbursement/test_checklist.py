"""Which materials are required, per case; completeness keeps a claim received and stops the clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.reimbursement import actions, checklist
from dae.reimbursement.checklist import CaseFacts
from dae.reimbursement.feefile import LineInput

from .helpers import BASE_MATERIALS, claim_input, totals

ALWAYS = set(BASE_MATERIALS)


def required(place: str = "local", med_type: str = "21", injury: bool = False, self_paid: bool = False) -> set[str]:
    return set(checklist.required_codes(CaseFacts(place, med_type, injury, self_paid)))


def test_every_item_has_a_label_a_rule_and_a_source() -> None:
    for code, spec in checklist.MATERIALS.items():
        assert str(spec["label"]) and spec["source"], code
        assert set(spec["required"]) <= {"always", "place_category", "med_type", "flag"}, code


def test_a_plain_local_stay_needs_the_basic_items_only() -> None:
    assert required() == ALWAYS


@pytest.mark.parametrize(("case", "extra"), [
    ({"place": "referred"}, {"referral_approval"}),
    ({"place": "emergency_away"}, {"emergency_record"}),
    ({"med_type": "24"}, {"emergency_record"}),
    ({"med_type": "13"}, {"emergency_record"}),
    ({"self_paid": True}, {"self_pay_consent"}),
    ({"injury": True}, {"injury_confirmation"}),
    ({"med_type": "19"}, {"injury_confirmation"}),
    ({"place": "long_term_offsite"}, {"offsite_registration"}),
    ({"place": "long_term_offsite_not_direct"}, {"offsite_registration"}),
    ({"place": "referred", "med_type": "24", "injury": True}, {"referral_approval", "emergency_record",
                                                                "injury_confirmation"}),
])
def test_the_case_adds_its_items(case: dict[str, Any], extra: set[str]) -> None:
    assert required(**case) == ALWAYS | extra


def test_optional_items_never_block() -> None:
    facts = CaseFacts("local", "21", False, False)
    assert checklist.missing(facts, BASE_MATERIALS) == []
    items = checklist.items(facts, BASE_MATERIALS)
    assert [i.code for i in items if not i.required][0] in checklist.MATERIALS
    assert all(i.received for i in items if i.required)


@pytest.mark.django_db
def test_self_paid_items_are_read_from_totals_and_from_class_c_lines(people: dict[str, Any]) -> None:
    clerk = people["settlement"]
    by_totals = actions.do_register(clerk, claim_input(totals=totals("120000.00", "110000.00", ownpay="3000.00")))
    assert by_totals.materials_complete is False
    assert actions.missing_materials(by_totals) == ["self_pay_consent"]
    lines = [LineInput("1", "01", "05", Decimal("100000.00")), LineInput("2", "03", "09", Decimal("20000.00"))]
    by_lines = actions.do_register(clerk, claim_input(totals=None, fee_lines=lines, invoices=[
        claim_input().invoices[0].__class__("INV-L1", dt.date(2026, 4, 20), Decimal("120000.00"))]))
    assert actions.missing_materials(by_lines) == ["self_pay_consent"]


@pytest.mark.django_db
def test_missing_items_keep_the_claim_received_and_the_clock_paused(people: dict[str, Any]) -> None:
    clerk = people["settlement"]
    claim = actions.do_register(clerk, claim_input(place_category="referred"))
    assert claim.state == "received" and not claim.materials_complete and claim.clock_paused
    assert claim.due_date is None and actions.missing_materials(claim) == ["referral_approval"]
    claim = actions.do_set_materials(clerk, claim, [*BASE_MATERIALS, "referral_approval"],
                                     day=dt.date(2026, 9, 25))
    assert claim.materials_complete and claim.due_date == dt.date(2026, 10, 29)


@pytest.mark.django_db
def test_unknown_material_codes_are_refused(people: dict[str, Any]) -> None:
    from dae.core.errors import InvalidInput

    claim = actions.do_register(people["settlement"], claim_input())
    with pytest.raises(InvalidInput) as info:
        actions.do_set_materials(people["settlement"], claim, ["invoice", "photo_of_cat"])
    assert "photo_of_cat" in info.value.message
