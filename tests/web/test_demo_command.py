"""`dae demo` loads a (small) city once, installs the rules, and every demo log-in reaches its dashboard."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dae.benefits.models import RuleSetVersion
from dae.claims.models import FeeLine, Settlement
from dae.core.models import Event
from dae.demo.users import DEMO_LOGINS, DEMO_PASSWORD
from dae.enrollment.models import Person
from dae.security.testing import sign_in

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_every_demo_login_sees_its_dashboard() -> None:
    out = StringIO()
    call_command("demo", persons=400, hospitals=20, stdout=out)
    # the generator's 400; the archives' demo adds three persons of its own (psn_no "AR…") for its example files
    assert Person.objects.exclude(psn_no__startswith="AR").count() == 400
    settlements = Settlement.objects.count()
    # the demo year carries fee lines; the three earlier years of history (setl_id "H…", for the statistics and
    # the forecasts) are settlements only
    demo_year = Settlement.objects.exclude(setl_id__startswith="H").count()
    assert demo_year > 20 and FeeLine.objects.count() > demo_year * 10
    assert sorted(Person.objects.order_by().values_list("region_id", flat=True).distinct()) == ["220281", "220282"]
    assert sorted(v.version_id for v in RuleSetVersion.objects.all()) == ["huadian-dae@2025.1", "jiaohe-dae@2025.1"]
    assert "dae-demo-2026" in out.getvalue()

    call_command("demo", persons=400, hospitals=20, stdout=StringIO())  # a second run loads nothing more
    assert Settlement.objects.count() == settlements
    assert Event.objects.filter(action="demo.loaded").count() == 1

    for login in DEMO_LOGINS:
        client = Client()
        assert sign_in(client, login.username, DEMO_PASSWORD).status_code == 302, login.username
        response = client.get("/")
        assert response.status_code == 200, login.username
        assert 'data-testid="work-counters"' in response.content.decode()


def test_a_failing_load_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from dae.demo import loader

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_fee_line", broken)
    with pytest.raises(RuntimeError):
        call_command("demo", persons=100, hospitals=12, stdout=StringIO())
    assert Person.objects.count() == 0 and Settlement.objects.count() == 0


def test_loaded_amounts_read_back_exactly() -> None:
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city

    city = generate_city(persons=300, hospitals=12)
    load_city(city)
    for generated in city.settlements[:40]:
        stored = Settlement.objects.get(setl_id=generated.setl_id)
        assert (stored.medfee_sumamt, stored.inscp_scp_amt, stored.preselfpay_amt) == (
            generated.medfee_sumamt, generated.inscp_scp_amt, generated.preselfpay_amt)
        assert timezone.localtime(stored.setl_time).replace(tzinfo=None) == generated.setl_time  # Asia/Shanghai
    line = city.fee_lines[7]
    stored_line = FeeLine.objects.get(feedetl_sn=line.feedetl_sn, settlement__setl_id=line.setl_id)
    assert (stored_line.cnt, stored_line.pric, stored_line.det_item_fee_sumamt) == (line.cnt, line.pric,
                                                                                    line.det_item_fee_sumamt)


def test_demo_payouts_are_the_engines_and_cancellations_negate_them() -> None:
    call_command("demo", persons=3000, hospitals=20, stdout=StringIO())
    assert not Settlement.objects.filter(hifob_pay__isnull=True).exists()
    paid = Settlement.objects.filter(hifob_pay__gt=0)
    assert paid.count() > 0
    for cancel in Settlement.objects.exclude(init_setl_id=""):
        original = Settlement.objects.get(setl_id=cancel.init_setl_id)
        assert cancel.hifob_pay == -original.hifob_pay
    # Re-derive one paid person's year through the trial calculation: the same payouts.
    from dae.benefits.engine.trial_io import calculate_from_json
    from dae.benefits.queries import book_documents, ruleset_for_region

    awkward = set(Settlement.objects.filter(med_type="14").values_list("psn_no", flat=True)) | set(
        Settlement.objects.exclude(init_setl_id="").values_list("psn_no", flat=True))
    person = next(s for s in paid.order_by("psn_no") if s.psn_no not in awkward)  # totals path only
    rows = Settlement.objects.filter(psn_no=person.psn_no).exclude(setl_id__startswith="H")  # the demo year only
    doc = {"format_version": "1", "persons": [{"psn_no": person.psn_no}], "settlements": [
        {"setl_id": s.setl_id, "psn_no": s.psn_no,
         "setl_time": timezone.localtime(s.setl_time).strftime("%Y-%m-%d %H:%M:%S"),
         "adm_date": s.adm_date.isoformat(), "dscg_date": s.dscg_date.isoformat(),
         "place_category": s.place_category, "settle_way": s.settle_way,
         **{f: str(getattr(s, f)) for f in ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
                                             "preselfpay_amt", "inscp_scp_amt")}} for s in rows]}
    output = calculate_from_json(book_documents(ruleset_for_region(person.region_id)), doc)
    assert {o["setl_id"]: o["hifob_pay"] for o in output["settlements"]} == {s.setl_id: str(s.hifob_pay) for s in rows}
