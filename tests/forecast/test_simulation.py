"""Policy simulation on a hand-built year: a draft that differs only by the entry threshold gives per-person
differences equal to the reference engine's; the current-rule totals equal what was computed and stored; a
re-run reproduces the digest; a dialysis person goes through the fee-line path."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.benefits import actions as rule_actions
from dae.benefits.engine.person_year import calculate
from dae.claims.models import FeeLine, Settlement
from dae.forecast import simulation
from tests.factories import REGION_A, HospitalFactory, PersonFactory

D = Decimal
YEAR = 2025


_numbers = itertools.count(1)


def stay(person: Any, hospital: Any, when: dt.date, amount: str, place: str = "local") -> Settlement:
    n = next(_numbers)
    value = D(amount)
    return Settlement.objects.create(
        setl_id=f"SIM{n:06d}", mdtrt_id=f"SIMM{n:06d}", psn_no=person.psn_no, person=person,
        hospital=hospital, region=hospital.region, med_type="21", adm_date=when - dt.timedelta(days=5),
        dscg_date=when, setl_time=timezone.make_aware(dt.datetime(when.year, when.month, when.day, 10)),
        place_category=place, settle_way="direct", medfee_sumamt=value, fulamt_ownpay_amt=0, overlmt_selfpay=0,
        preselfpay_amt=0, inscp_scp_amt=value, state="payable")


@pytest.fixture
def year(db: Any) -> dict[str, Any]:
    from tests.factories import region

    published = rule_actions.do_install_default(region(REGION_A))
    level3, level1 = HospitalFactory(level="01"), HospitalFactory(level="03")
    people = [PersonFactory() for _i in range(6)]
    stay(people[0], level3, dt.date(YEAR, 2, 1), "30000.00")
    stay(people[1], level3, dt.date(YEAR, 3, 1), "70000.00")
    stay(people[2], level1, dt.date(YEAR, 3, 5), "40000.00")
    stay(people[2], level1, dt.date(YEAR, 9, 5), "45000.00")
    stay(people[3], level3, dt.date(YEAR, 5, 1), "160000.00", place="self_referred")
    stay(people[4], level3, dt.date(YEAR, 6, 1), "600000.00")
    dialysis = stay(people[5], level1, dt.date(YEAR, 7, 1), "900.00")
    for i, session in enumerate(("d1", "d2")):
        FeeLine.objects.create(settlement=dialysis, feedetl_sn=f"DL{i}", fee_ocur_time=dialysis.setl_time,
                               med_list_codg="001", medins_list_codg="H-1", det_item_fee_sumamt=D("450.00"),
                               cnt=D(1), pric=D("450.00"), chrgitm_lv="01", med_chrgitm_type="05",
                               inscp_scp_amt=D("450.00"), dialysis_session=session)
    stay(people[5], level1, dt.date(YEAR, 8, 1), "65000.00")
    # the payouts as the declaration check stores them: the engine under the published rules
    book, _versions = simulation.current_book(REGION_A)
    inputs = simulation.period_inputs(REGION_A, YEAR, book)
    for py in calculate(inputs.settlements, book, trace=False).person_years:
        for r in py.settlements:
            Settlement.objects.filter(setl_id=r.setl_id).update(hifob_pay=r.payout, computed_pay=r.payout)
    return {"published": published, "people": people}


def test_threshold_only_draft_matches_reference_engine(year: dict[str, Any]) -> None:
    document = simulation.with_changes(year["published"].document, {"entry_threshold": "50000.00"})
    results = simulation.simulate(REGION_A, YEAR, document)
    assert results["settlements"] == 8 and results["fee_line_settlements"] == 1 and results["persons"] == 6
    totals = results["totals"]
    assert totals["current"] == totals["stored"]  # reconciles with what was computed for the period
    assert totals["draft"] > totals["current"]
    book_now, _v = simulation.current_book(REGION_A)
    book_draft = simulation.draft_book(document, YEAR)
    inputs = simulation.period_inputs(REGION_A, YEAR, book_now)
    for row in results["top"]:
        assert row["change"] == simulation.person_delta_reference(row["psn_no"], inputs.settlements, book_now,
                                                                  book_draft)
    # a lower threshold: 10,000 more base for everyone above it, at the first segment's 85%
    by_person = {r["psn_no"]: r["change"] for r in results["top"]}
    assert by_person[year["people"][1].psn_no] == 850_000  # 70,000 stay: base 10,000 → 20,000
    assert by_person[year["people"][0].psn_no] == 0        # below both thresholds
    assert results["gainers"] >= 4 and results["losers"] == 0
    assert sum(b["persons"] for b in results["bands"]) == 6
    assert sum(g["change"] for g in results["by_level"]) == totals["change"]
    assert sum(g["change"] for g in results["by_place"]) == totals["change"]
    assert {g["key"] for g in results["by_place"]} == {"local", "self_referred"}
    assert results["explanations"] and all("draft" in e for e in results["explanations"].values())


def test_rerun_reproduces_digest(year: dict[str, Any]) -> None:
    document = simulation.with_changes(year["published"].document, {"entry_threshold": "50000.00"})
    first = simulation.simulate(REGION_A, YEAR, document)
    second = simulation.simulate(REGION_A, YEAR, document)
    assert first["digest"] == second["digest"] and first["data_version"] == second["data_version"]
    same = simulation.simulate(REGION_A, YEAR, year["published"].document)
    assert same["totals"]["change"] == 0 and same["digest"] != first["digest"]


def test_pages_run_export_save_rerun_compare(year: dict[str, Any]) -> None:
    from dae.core.models import AccessRecord
    from dae.forecast.models import Scenario
    from tests.factories import make_user

    from .conftest import login

    client = login(make_user("manager"))
    query = f"?region={REGION_A}&year={YEAR}&entry_threshold=50000"
    page = client.get("/forecast/simulation/" + query).content.decode()
    assert 'data-testid="sim-impact"' in page and "现行规则复算与入库支付一致" in page
    exported = client.get("/forecast/simulation/export/" + query)
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/vnd.openxml")
    assert AccessRecord.objects.filter(object_type="list:forecast:simulation_export").exists()
    saved = client.post("/forecast/simulation/", {"region": REGION_A, "year": str(YEAR),
                                                  "entry_threshold": "50000", "name": "起付线降至5万"})
    assert saved.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.changes == {"entry_threshold": "50000.00"} and scenario.results["totals"]["change"] > 0
    client.post(f"/forecast/scenarios/{scenario.pk}/")
    scenario.refresh_from_db()
    assert scenario.last_rerun_same is True
    listing = client.get("/forecast/scenarios/").content.decode()
    assert "起付线降至5万" in listing and "一致" in listing
    bad = client.get(f"/forecast/simulation/?region={REGION_A}&year={YEAR}&entry_threshold=1e5").content.decode()
    assert 'data-testid="sim-error"' in bad


def _pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_pdf_export_of_simulation_and_scenario(year: dict[str, Any]) -> None:
    from dae.core.models import AccessRecord
    from dae.forecast.models import Scenario
    from dae.forecast.views import yuan as _yuan
    from tests.factories import make_user

    from .conftest import login

    client = login(make_user("manager"))
    query = f"?region={REGION_A}&year={YEAR}&entry_threshold=50000"
    page = client.get("/forecast/simulation/" + query).content.decode()
    assert "/forecast/simulation/pdf/" + query.replace("&", "&amp;") in page
    results = simulation.simulate(REGION_A, YEAR, simulation.with_changes(year["published"].document,
                                                                          {"entry_threshold": "50000.00"}))
    current, draft, change = (str(_yuan(results["totals"][k])) for k in ("current", "draft", "change"))
    assert current in page and draft in page and change in page  # the page's figures, as the PDF must show
    exported = client.get("/forecast/simulation/pdf/" + query)
    assert exported.status_code == 200 and exported["Content-Type"] == "application/pdf"
    text = _pdf_text(exported.content)
    assert "政策测算报告" in text and "起付线（元）" in text and "50000.00" in text
    old = str(year["published"].document["entry_threshold"])
    assert old != "50000.00" and old in text
    assert current in text and draft in text and change in text and current != draft
    assert results["digest"] in text and "按医院等级" in text and "导出人" in text
    import re

    assert "按统筹区" in text and re.search(rf"(^|\s){REGION_A}(\s|$)", text) is None  # regions by name, not code
    assert AccessRecord.objects.filter(object_type="list:forecast:simulation_pdf").exists()
    # a saved scenario: its stored figures and digest
    client.post("/forecast/simulation/", {"region": REGION_A, "year": str(YEAR), "entry_threshold": "50000",
                                          "name": "起付线降至5万"})
    scenario = Scenario.objects.get()
    assert f"/forecast/scenarios/{scenario.pk}/pdf/" in client.get(f"/forecast/scenarios/{scenario.pk}/").content.decode()
    saved = _pdf_text(client.get(f"/forecast/scenarios/{scenario.pk}/pdf/").content)
    assert "起付线降至5万" in saved and scenario.digest in saved and change in saved
    # a post that may not export the simulation is refused
    other = login(make_user("settlement"))
    assert other.get("/forecast/simulation/pdf/" + query).status_code == 403
    assert other.get(f"/forecast/scenarios/{scenario.pk}/pdf/").status_code == 403


def test_by_region_shows_the_region_name_on_the_page_and_in_the_workbook(year: dict[str, Any]) -> None:
    import io

    from openpyxl import load_workbook

    from dae.core.models import Region
    from tests.factories import make_user

    from .conftest import login

    name = Region.objects.get(pk=REGION_A).name
    client = login(make_user("manager"))
    query = f"?region={REGION_A}&year={YEAR}&entry_threshold=50000"
    page = client.get("/forecast/simulation/" + query).content.decode()
    assert f"<td>{name} <small" in page  # the name first, the code only as a hint beside it
    book = load_workbook(io.BytesIO(client.get("/forecast/simulation/export/" + query).content))
    cells = [c.value for row in book["按统筹区"].iter_rows() for c in row]
    assert name in cells and REGION_A not in cells


def test_totals_reconcile_with_what_the_system_computed_and_say_why_not(year: dict[str, Any]) -> None:
    """Demo-like: a person's March stay is cancelled after the September one was computed counting it. The
    current rules (the March stay no longer counts) differ from the stored 核定 payout, by the amount and for the
    reason shown; once the system books the 补付 for September the simulation reconciles to the fen."""
    from dae.claims.models import Adjustment

    document = year["published"].document
    assert simulation.simulate(REGION_A, YEAR, document)["reconciliation"]["differing"] == 0
    person = year["people"][2]
    march, september = Settlement.objects.filter(psn_no=person.psn_no).order_by("setl_time")
    Settlement.objects.filter(pk=march.pk).update(state="cancelled")
    results = simulation.simulate(REGION_A, YEAR, document)
    rec, totals = results["reconciliation"], results["totals"]
    book, _v = simulation.current_book(REGION_A)
    inputs = simulation.period_inputs(REGION_A, YEAR, book)
    recomputed = {r.setl_id: r.payout for py in calculate(inputs.settlements, book, trace=False).person_years
                  for r in py.settlements}
    september.refresh_from_db()
    assert recomputed[september.setl_id] != september.computed_pay
    expected = int((recomputed[september.setl_id] - september.computed_pay) * 100)
    assert rec["differing"] == 1 and rec["difference"] == expected == totals["current"] - totals["stored"]
    [row] = rec["rows"]
    assert row["setl_id"] == september.setl_id and row["reason"] == simulation.CANCELLED_LATER
    assert row["causes"] == [march.setl_id] and row["hospital"] == september.hospital.name

    from tests.factories import make_user

    from .conftest import login

    page = login(make_user("manager")).get(f"/forecast/simulation/?region={REGION_A}&year={YEAR}").content.decode()
    assert 'data-testid="sim-stored-differs"' in page and 'data-testid="sim-differences"' in page
    from dae.forecast.views import yuan

    assert "已撤销或不再计入" in page and march.setl_id in page and str(yuan(expected)) in page
    # the system books the 补付 of September: what it computed now equals the current rules
    Adjustment.objects.create(
        settlement=september, kind="supplement", old_payout=september.computed_pay,
        new_payout=recomputed[september.setl_id], amount=recomputed[september.setl_id] - september.computed_pay,
        reason="cancelled_related", cause_setl_id=march.setl_id, statement_month=f"{YEAR}-10",
        region_id=REGION_A, hospital=september.hospital, psn_no=person.psn_no)
    after = simulation.simulate(REGION_A, YEAR, document)
    assert after["reconciliation"]["differing"] == 0 and after["totals"]["current"] == after["totals"]["stored"]
