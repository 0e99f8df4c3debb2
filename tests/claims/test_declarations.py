"""Monthly declarations: the national sample nets to zero, one bad settlement does not spoil the rest, replays
change nothing, a March cancellation yields exact adjustments for April–December."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.benefits.engine.person_year import calculate
from dae.claims.actions import do_submit_declaration
from dae.claims.models import Adjustment, Declaration, DeclarationItem, FeeLine, Settlement
from dae.claims.payout import book_for_region, stored_inputs
from dae.core.models import Event
from dae.workdays.service import deadline

from ..factories import EnrolmentFactory, PersonFactory, SettlementFactory, region
from ..payments.flow import pay_month
from .builders import cancel_of, declaration, ndjson, sample_2304, settlement


def submit(user: Any, content: bytes, name: str = "d.json") -> tuple[Declaration, bool]:
    d, created = do_submit_declaration(user, file_name=name, chunks=iter([content]))
    d.refresh_from_db()
    return d, created


@pytest.fixture
def person(world: dict[str, Any]) -> Any:
    """A region-A person with 58,000.00 in scope earlier in 2026 (the payout documentation's example)."""
    p = PersonFactory(region=region("220282"), psn_no="PS0001", psn_name="王五", certno="220282197506150017")
    EnrolmentFactory(person=p, begin_date=dt.date(2010, 1, 1))
    SettlementFactory(person=p, hospital=world["hospitals"][0], setl_id="PRIOR1", medfee_sumamt=Decimal("58000.00"),
                      fulamt_ownpay_amt=Decimal("0.00"), preselfpay_amt=Decimal("0.00"),
                      inscp_scp_amt=Decimal("58000.00"), hifob_pay=Decimal("0.00"), computed_pay=Decimal("0.00"),
                      state="paid", setl_time=timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0)))
    return p


def test_national_sample_2304_and_2305_are_accepted_and_net_to_zero(world: dict[str, Any], person: Any) -> None:
    original = sample_2304("CQ2304", "PS0001", "2026-08-27 09:58:41", hifob="14286.94")
    cancel = cancel_of(original, "CQ2305", "2026-08-28 10:00:00")
    d, created = submit(world["users"]["hospital"], declaration("HA0001", "2026-08", [original, cancel]))
    assert created and d.status == "checked"
    assert (d.accepted, d.differing, d.rejected) == (2, 0, 0), list(d.items.values_list("reason", flat=True))
    assert d.declared_total == Decimal("0.00") and d.computed_total == Decimal("0.00")
    stored = Settlement.objects.get(setl_id="CQ2304")
    assert stored.computed_pay == Decimal("14286.94") and stored.state == "cancelled"
    reversal = Settlement.objects.get(setl_id="CQ2305")
    assert reversal.init_setl_id == "CQ2304" and reversal.hifob_pay == Decimal("-14286.94")
    assert reversal.state == "payable"
    assert d.pay_deadline == deadline(timezone.localdate(), 15).due


def test_one_inconsistent_settlement_is_rejected_and_the_others_accepted(world: dict[str, Any], person: Any) -> None:
    good1 = settlement("G1", "PS0001", "2026-09-01 10:00:00", medfee="1000.00", fulamt="100.00", lines=5)
    bad = settlement("B1", "PS0001", "2026-09-02 10:00:00", medfee="2000.00", fulamt="100.00")
    bad["setlinfo"]["inscp_scp_amt"] = "1800.00"  # 100 + 1800 ≠ 2000
    good2 = settlement("G2", "PS0001", "2026-09-03 10:00:00", medfee="3000.00", preself="150.00",
                       hifob=_payout_after(["900.00", "2850.00"], person))
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", [good1, bad, good2]))
    assert (d.accepted, d.rejected) == (2, 1)
    item = d.items.get(setl_id="B1")
    assert item.outcome == "rejected" and item.reason_code == "identity"
    assert "医疗费总额" in item.reason
    assert not Settlement.objects.filter(setl_id="B1").exists()
    assert FeeLine.objects.filter(settlement__setl_id="G1").count() == 5
    assert Event.objects.filter(action="claim.payable", object_type="claims.settlement").count() == 2


def _payout_after(in_scope: list[str], person: Any) -> str:
    """What the engine pays for the last of further settlements of these in-scope amounts after the stored ones."""
    from dae.benefits.engine import model as em

    book = book_for_region("220282")
    inputs = stored_inputs([person.psn_no])[person.psn_no]
    extra = [em.Settlement(setl_id=f"X{n}", psn_no=person.psn_no,
                           setl_time=timezone.make_aware(dt.datetime(2026, 12, 1 + n)),
                           totals=em.NationalTotals(Decimal(v), Decimal(0), Decimal(0), Decimal(0), Decimal(v)))
             for n, v in enumerate(in_scope)]
    result = calculate([*inputs, *extra], book, trace=False).settlement(f"X{len(in_scope) - 1}")
    assert result is not None
    return str(result.payout)


def test_replaying_a_declaration_changes_nothing(world: dict[str, Any], person: Any) -> None:
    rows = [settlement("R1", "PS0001", "2026-09-01 10:00:00", medfee="500.00")]
    content = declaration("HA0001", "2026-09", rows, key="HA0001-2026-09-1")
    first, created = submit(world["users"]["hospital"], content)
    counts = (Settlement.objects.count(), DeclarationItem.objects.count(), Event.objects.count())
    again, created_again = submit(world["users"]["hospital"], content)
    assert created and not created_again and again.pk == first.pk
    assert (Settlement.objects.count(), DeclarationItem.objects.count(), Event.objects.count()) == counts
    # the same settlement inside another declaration is reported as a replay, not stored twice
    other, _ = submit(world["users"]["hospital"], ndjson("HA0001", "2026-09", rows, key="HA0001-2026-09-2"),
                      name="d.ndjson")
    assert (other.accepted, other.replayed) == (0, 1)
    assert Settlement.objects.filter(setl_id="R1").count() == 1
    # the same key with different content is refused
    from dae.core.errors import Conflict

    with pytest.raises(Conflict):
        submit(world["users"]["hospital"], declaration("HA0001", "2026-09", rows[:0], key="HA0001-2026-09-1"))


def test_rejections_have_stable_codes(world: dict[str, Any], person: Any) -> None:
    stranger = settlement("X1", "NOBODY", "2026-09-01 10:00:00", medfee="100.00")
    before = settlement("X2", "PS0001", "2009-06-01 10:00:00", medfee="100.00")
    b_person = settlement("X3", "PB0001", "2026-09-01 10:00:00", medfee="100.00")
    other_hospital = settlement("X4", "PS0001", "2026-09-01 10:00:00", medfee="100.00", fixmedins_code="HB0001")
    bad_code = settlement("X5", "PS0001", "2026-09-01 10:00:00", medfee="100.00", med_type="77")
    orphan = cancel_of(settlement("NOPE", "PS0001", "2026-09-01 10:00:00", medfee="100.00"), "X6",
                       "2026-09-02 10:00:00")
    dup = settlement("X7", "PS0001", "2026-09-01 10:00:00", medfee="100.00")
    float_like = settlement("X8", "PS0001", "2026-09-01 10:00:00", medfee="100.00")
    float_like["setlinfo"]["medfee_sumamt"] = "100.001"
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", [
        stranger, before, b_person, other_hospital, bad_code, orphan, dup, dict(dup), float_like]))
    codes = dict(d.items.values_list("seq", "reason_code"))
    assert codes == {1: "unknown_person", 2: "not_covered", 3: "region_mismatch", 4: "hospital_mismatch",
                     5: "unknown_code", 6: "bad_cancellation", 7: "", 8: "duplicate_in_declaration", 9: "bad_field"}


def test_march_cancellation_yields_exact_adjustments_for_april_to_december(world: dict[str, Any]) -> None:
    p = PersonFactory(region=region("220282"), psn_no="PM0001", certno="220282198001010011")
    EnrolmentFactory(person=p, begin_date=dt.date(2015, 1, 1))
    months = list(range(3, 13))
    rows = []
    book = book_for_region("220282")
    from dae.benefits.engine import model as em

    def inputs(skip_march: bool) -> list[em.Settlement]:
        return [em.Settlement(setl_id=f"M{m:02d}", psn_no="PM0001",
                              setl_time=timezone.make_aware(dt.datetime(2026, m, 15, 10, 0)),
                              totals=em.NationalTotals(Decimal("20000.00"), Decimal(0), Decimal(0), Decimal(0),
                                                       Decimal("20000.00")))
                for m in months if not (skip_march and m == 3)]

    old = calculate(inputs(False), book, trace=False)
    new = calculate(inputs(True), book, trace=False)
    for m in months:
        result = old.settlement(f"M{m:02d}")
        assert result is not None
        rows.append(settlement(f"M{m:02d}", "PM0001", f"2026-{m:02d}-15 10:00:00", medfee="20000.00",
                               hifob=str(result.payout)))
    first, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-12", rows))
    assert first.accepted == 10, list(first.items.values_list("reason", flat=True))
    pay_month("220282", "2026-12", world["users"]["finance"], dt.date(2027, 1, 10))
    march = rows[0]
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2027-01", [
        cancel_of(march, "M03C", "2027-01-05 10:00:00")]))
    assert d.accepted == 1
    adjustments = {a.settlement.setl_id: a for a in Adjustment.objects.select_related("settlement")}
    expected = {}
    for m in months[1:]:
        before, after = old.settlement(f"M{m:02d}"), new.settlement(f"M{m:02d}")
        assert before is not None and after is not None
        if after.payout != before.payout:
            expected[f"M{m:02d}"] = after.payout - before.payout
    assert expected, "the cancellation must move later payouts"
    assert {k: a.amount for k, a in adjustments.items()} == expected
    for a in adjustments.values():
        assert a.amount == a.new_payout - a.old_payout
        assert a.kind == ("supplement" if a.amount > 0 else "recovery")
        assert a.cause_setl_id == "M03C" and a.statement_month == "2027-01"
    paid = Settlement.objects.get(setl_id="M04")
    assert paid.state == "paid" and paid.computed_pay == old.settlement("M04").payout  # never edited
    assert Settlement.objects.get(setl_id="M03").state == "cancelled"


def test_hospital_user_cannot_declare_for_another_hospital(world: dict[str, Any], person: Any) -> None:
    from dae.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        submit(world["users"]["hospital"], declaration("HB0001", "2026-09", []))


def test_api_declaration_and_feedback(world: dict[str, Any], person: Any, client_for: Any) -> None:
    rows = [settlement("A1", "PS0001", "2026-09-01 10:00:00", medfee="800.00"),
            settlement("A2", "NOBODY", "2026-09-01 10:00:00", medfee="800.00")]
    hospital = client_for("hospital")
    response = hospital.post("/api/v1/declarations/", declaration("HA0001", "2026-09", rows, key="k1"),
                             content_type="application/json")
    assert response.status_code == 202, response.content
    pk = response.json()["id"]
    again = hospital.post("/api/v1/declarations/", declaration("HA0001", "2026-09", rows, key="k1"),
                          content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == pk
    detail = hospital.get(f"/api/v1/declarations/{pk}/").json()
    assert [i["outcome"] for i in detail["items"]] == ["accepted", "rejected"]
    pay_month("220282", "2026-09", world["users"]["finance"], dt.date(2026, 10, 20))
    feedback = client_for("settlement").get("/api/v1/payment-feedback").json()
    results = {(r["setl_id"], r["result"]) for r in feedback}
    assert ("A1", "paid") in results and ("A2", "rejected") in results
    row = next(r for r in feedback if r["setl_id"] == "A1")
    assert row["pay_date"] == "2026-10-20" and row["fund_pay_type"] == "330100"
    page = client_for("settlement").get("/claims/feedback.csv")
    assert page.status_code == 200 and b"A1" in page.content


def test_catalogue_codes_are_checked_and_unmapped_hospital_codes_reported(world: dict[str, Any], person: Any) -> None:
    from dae.catalog.models import CatalogueItem, CodeMapping

    for n in range(3):
        CatalogueItem.objects.create(med_list_codg=f"XA01AAA{n:04d}", name=f"药品{n}", list_type="101",
                                     chrgitm_lv="01", med_chrgitm_type="09", begin_date=dt.date(2020, 1, 1))
    CodeMapping.objects.create(hospital=world["hospitals"][0], medins_list_codg="H00000",
                               med_list_codg="XA01AAA0000", begin_date=dt.date(2020, 1, 1))
    known = settlement("K1", "PS0001", "2026-09-01 10:00:00", medfee="300.00", lines=3)
    unknown = settlement("K2", "PS0001", "2026-09-02 10:00:00", medfee="400.00", lines=4)  # XA01AAA0003 unknown
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", [known, unknown]))
    assert d.items.get(setl_id="K2").reason_code == "unknown_catalogue_code"
    accepted = d.items.get(setl_id="K1")
    assert accepted.outcome == "accepted"
    assert "H00001" in accepted.reason and "H00002" in accepted.reason and "H00000" not in accepted.reason
    assert "XA01AAA0003" in d.items.get(setl_id="K2").reason


def test_declaration_list_shows_working_days_left_while_payable(world: dict[str, Any], person: Any,
                                                               client_for: Any) -> None:
    rows = [settlement("W1", "PS0001", "2026-09-01 10:00:00", medfee="500.00")]
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", rows))
    page = client_for("finance").get("/claims/declarations/").content.decode()
    assert 'data-testid="days-left"' in page
    pay_month("220282", "2026-09", world["users"]["finance"], dt.date(2026, 10, 20))
    page = client_for("finance").get("/claims/declarations/").content.decode()
    assert 'data-testid="days-left"' not in page


def test_fee_lines_are_parked_not_held_and_every_form_is_read_the_same(world: dict[str, Any], person: Any,
                                                                       monkeypatch: Any) -> None:
    from dae.claims import declare

    plain = settlement("L1", "PS0001", "2026-09-03 10:00:00", medfee="300.00", lines=3)
    other = settlement("L2", "PS0001", "2026-09-03 10:00:00", medfee="300.00", lines=3)
    for line in other["feedetail"]:
        line["feedetl_sn"] = line["feedetl_sn"].replace("L2", "L1")  # the same serials as the plain lines
        line["cnt"] = 1  # a JSON number
        line["pric"] = f" {line['pric']} "  # spaces: read by the field-by-field reading, which strips them
        line["fee_ocur_time"] = "2026-09-03T10:00:00"
    held: list[int] = []
    compute = declare.Check._compute

    def spy(self: Any) -> None:
        held.extend(len(i.lines) for i in self.items)
        compute(self)

    monkeypatch.setattr(declare.Check, "_compute", spy)
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", [plain, other]))
    assert d.status == "checked" and d.rejected == 0 and d.lines_count == 6
    assert held == [0, 0]  # the lines wait in the spool: none held in memory after reading

    def stored(setl_id: str) -> list[tuple[Any, ...]]:
        return list(FeeLine.objects.filter(settlement__setl_id=setl_id).order_by("feedetl_sn").values_list(
            "feedetl_sn", "cnt", "pric", "det_item_fee_sumamt", "fee_ocur_time", "med_list_codg"))

    assert len(stored("L1")) == 3 and stored("L1") == stored("L2")
