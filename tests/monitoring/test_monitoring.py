"""In-hospital monitoring: admissions checked against enrolment, visit deadlines in working days, bedside visits
raising 挂床 / 冒名 findings, rotation limits, hospital scoping, the 2401/2402/2404 API and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dae.auditing import actions as auditing
from dae.auditing.models import Finding, FindingLine
from dae.core.errors import Conflict, InvalidInput
from dae.monitoring import actions, queries
from dae.monitoring.codes import Code
from dae.monitoring.models import Admission, Assignment, Visit
from dae.workdays import service as workdays
from tests.factories import EnrolmentFactory, HospitalFactory, PersonFactory, SettlementFactory

TODAY = timezone.localdate()
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture(autouse=True)
def _assigned(world: dict[str, Any]) -> None:
    """The inspector is the resident representative of hospital A this month."""
    hosp = world["hospitals"][0]
    actions.do_create_assignment(kind="resident", user=world["users"]["inspector"], region_id=hosp.region_id,
                                 hospitals=[hosp], start_date=TODAY - dt.timedelta(days=30),
                                 end_date=TODAY + dt.timedelta(days=30), actor=world["users"]["manager"])


def admit(world: dict[str, Any], *, psn_no: str = "PA0001", mdtrt_id: str = "MD0001", adm_date: dt.date | None = None,
          hospital: Any = None) -> Admission:
    return actions.do_report_admission(
        hospital=hospital or world["hospitals"][0], mdtrt_id=mdtrt_id, psn_no=psn_no, dept_name="心内科",
        bed_no="12", adm_date=adm_date or TODAY - dt.timedelta(days=3), dise_codg="I20.0", dise_name="不稳定型心绞痛",
        actor=world["users"]["hospital"],
    )


def visit(admission: Admission, user: Any, **kw: Any) -> Visit:
    values = {"visit_date": TODAY, "presence": "present", "identity": "match", "plausible": True, "notes": ""}
    values.update(kw)
    return actions.do_record_visit(admission, visitor=user, **values)


# -- admissions in -----------------------------------------------------------------------------------------------


def test_admission_of_person_not_covered_on_the_admission_date_is_flagged(world: dict[str, Any]) -> None:
    ra = world["regions"][0]
    ended = PersonFactory(region=ra, psn_no="PA0002", psn_name="王五")
    EnrolmentFactory(person=ended, begin_date=dt.date(2020, 1, 1), end_date=TODAY - dt.timedelta(days=30),
                     status="4")
    a = admit(world, psn_no="PA0002")
    assert (a.covered, a.coverage_code, a.psn_name) == (False, "ended", "王五")
    covered = admit(world, mdtrt_id="MD0002")
    assert (covered.covered, covered.coverage_code) == (True, "covered")
    unknown = admit(world, psn_no="NOBODY", mdtrt_id="MD0003")
    assert (unknown.covered, unknown.coverage_code) == (False, "no_person")


def test_the_same_admission_twice_is_refused_and_discharge_closes_cancel_withdraws(world: dict[str, Any]) -> None:
    a = admit(world)
    with pytest.raises(Conflict) as err:
        admit(world)
    assert err.value.code == Code.DUPLICATE_ADMISSION
    hosp = world["hospitals"][0]
    with pytest.raises(InvalidInput):
        actions.do_discharge_admission(hospital=hosp, mdtrt_id="MD0001", dscg_date=a.adm_date - dt.timedelta(days=1),
                                       actor=None)
    done = actions.do_discharge_admission(hospital=hosp, mdtrt_id="MD0001", dscg_date=TODAY, actor=None)
    assert (done.status, done.dscg_date, done.next_visit_due) == ("discharged", TODAY, None)
    b = admit(world, mdtrt_id="MD0009")
    gone = actions.do_cancel_admission(hospital=hosp, mdtrt_id=b.mdtrt_id, reason="录入错误", actor=None)
    assert (gone.status, gone.cancel_reason) == ("cancelled", "录入错误")
    with pytest.raises(Conflict):
        actions.do_cancel_admission(hospital=hosp, mdtrt_id=b.mdtrt_id, reason="再撤销", actor=None)


# -- visit deadlines ---------------------------------------------------------------------------------------------


def test_first_visit_due_in_two_working_days_across_the_national_day_holiday(db: Any) -> None:
    # admitted Wednesday 30 September 2026; 1–7 October are the National Day holiday: the two working days
    # after admission are Thursday 8 and Friday 9 October
    assert queries.first_visit_due(dt.date(2026, 9, 30)) == dt.date(2026, 10, 9)
    assert workdays.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    # an ordinary week: Monday → Wednesday
    assert queries.first_visit_due(dt.date(2026, 3, 9)) == dt.date(2026, 3, 11)


def test_a_late_visit_is_marked_and_the_next_one_falls_due_seven_days_later(world: dict[str, Any]) -> None:
    a = admit(world, adm_date=TODAY - dt.timedelta(days=20))
    assert a.visit_overdue
    v = visit(a, world["users"]["inspector"])
    assert (v.seq, v.late, v.due_on) == (1, True, a.next_visit_due)
    a.refresh_from_db()
    assert (a.next_visit_due, a.visits_count, a.visit_overdue) == (TODAY + dt.timedelta(days=7), 1, False)


# -- bedside findings --------------------------------------------------------------------------------------------


def test_an_absent_patient_becomes_an_idle_bed_finding_with_the_visit_as_evidence(world: dict[str, Any]) -> None:
    a = admit(world)
    v = visit(a, world["users"]["inspector"], presence="absent", identity="match", notes="护士称回家过夜")
    f = Finding.objects.get(pk=v.finding_id)
    assert (f.rule_id, f.rule_name, f.status, f.settlement_id, f.run_id) == ("R14_IDLE_BED", "挂床住院", "open", None, None)
    assert (f.source_kind, f.source_id, f.psn_no, f.hospital_id) == ("monitoring.visit", v.pk, "PA0001", a.hospital_id)
    assert "不在床" in f.detail and "护士称回家过夜" in f.detail
    assert v.identity == Visit.Identity.NOT_SEEN  # nobody in the bed: no identity was checked
    assert list(f.steps.values_list("kind", flat=True)) == ["detected"]


def test_an_identity_mismatch_becomes_an_impostor_finding(world: dict[str, Any]) -> None:
    a = admit(world)
    v = visit(a, world["users"]["inspector"], identity="mismatch")
    f = Finding.objects.get(pk=v.finding_id)
    assert (f.rule_id, f.rule_name, f.source_id) == ("R15_OVERLAP", "冒名顶替", v.pk)
    plain = visit(a, world["users"]["inspector"])
    assert plain.finding_id is None


def test_a_bedside_finding_waits_for_the_settlement_and_is_linked_at_discharge(world: dict[str, Any]) -> None:
    a = admit(world)
    v = visit(a, world["users"]["inspector"], presence="absent")
    f = Finding.objects.get(pk=v.finding_id)
    with pytest.raises(Conflict) as err:
        auditing.do_confirm(f, amount="100.00", note="查床不在床", actor=world["users"]["reviewer"])
    assert err.value.code == "stay_not_settled"
    person = world["persons"][0]
    setl = SettlementFactory(person=person, hospital=a.hospital, mdtrt_id=a.mdtrt_id, setl_id="SMON01",
                             medfee_sumamt=Decimal("8800.00"))
    actions.do_discharge_admission(hospital=a.hospital, mdtrt_id=a.mdtrt_id, dscg_date=TODAY, actor=None)
    f.refresh_from_db()
    assert (f.settlement_id, f.amount_at_issue) == (setl.pk, Decimal("8800.00"))
    assert list(FindingLine.objects.filter(finding=f).values_list("settlement_id", "role")) == [(setl.pk, "involved")]
    confirmed = auditing.do_confirm(f, amount="1200.00", note="挂床 4 天床位费", actor=world["users"]["reviewer"])
    assert (confirmed.status, confirmed.reviewed_amount) == ("confirmed", Decimal("1200.00"))


def test_a_visit_with_a_photo_keeps_it_and_a_bad_photo_writes_nothing(world: dict[str, Any]) -> None:
    a = admit(world)
    v = visit(a, world["users"]["inspector"], photos=[("bed.png", [PNG])])
    photo = v.photos.get()
    assert (photo.name, photo.size) == ("bed.png", len(PNG))
    with pytest.raises(InvalidInput) as err:
        visit(a, world["users"]["inspector"], presence="absent", photos=[("x.exe", [b"MZ"])])
    assert err.value.code == Code.BAD_PHOTO
    assert (Visit.objects.count(), Finding.objects.count()) == (1, 0)


def test_only_the_representative_assigned_to_the_hospital_visits(world: dict[str, Any]) -> None:
    other = HospitalFactory(region=world["regions"][0], code="HA0009", name="桦甸市第九医院")
    a = admit(world, hospital=other)
    with pytest.raises(Conflict) as err:
        visit(a, world["users"]["inspector"])
    assert err.value.code == Code.NOT_ASSIGNED
    assert visit(a, world["users"]["manager"]).seq == 1  # the manager may visit any stay in scope


def test_a_visit_after_discharge_is_refused(world: dict[str, Any]) -> None:
    a = admit(world)
    actions.do_discharge_admission(hospital=a.hospital, mdtrt_id=a.mdtrt_id, dscg_date=TODAY, actor=None)
    with pytest.raises(Conflict):
        visit(a, world["users"]["inspector"])


# -- assignments and rotation -------------------------------------------------------------------------------------


def test_a_rotation_limit_stops_an_overlong_assignment(world: dict[str, Any]) -> None:
    hosp, rep, manager = world["hospitals"][0], world["users"]["inspector"], world["users"]["manager"]
    first = actions.do_create_assignment(kind="resident", user=rep, region_id=hosp.region_id, hospitals=[hosp],
                                         start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 9, 30), actor=manager)
    # a break of a month does not restart the count: 1 Jan 2026 – 31 Mar 2027 is more than 365 days
    with pytest.raises(Conflict) as err:
        actions.do_create_assignment(kind="resident", user=rep, region_id=hosp.region_id, hospitals=[hosp],
                                     start_date=dt.date(2026, 11, 1), end_date=dt.date(2027, 3, 31), actor=manager)
    assert err.value.code == Code.ROTATION_LIMIT
    # within the limit it is taken, and so is another hospital, and the first after a real break
    actions.do_create_assignment(kind="resident", user=rep, region_id=hosp.region_id, hospitals=[hosp],
                                 start_date=dt.date(2026, 11, 1), end_date=dt.date(2026, 12, 31), actor=manager)
    other = HospitalFactory(region=world["regions"][0], code="HA0002", name="桦甸市中医院")
    actions.do_create_assignment(kind="patrol", user=rep, region_id=hosp.region_id, hospitals=[other],
                                 start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31), actor=manager)
    actions.do_create_assignment(kind="resident", user=rep, region_id=hosp.region_id, hospitals=[hosp],
                                 start_date=dt.date(2027, 6, 1), end_date=dt.date(2028, 5, 30), actor=manager)
    assert Assignment.objects.filter(user=rep).count() == 5  # with this month's (the fixture's)
    ended = actions.do_end_assignment(first, ended_on=dt.date(2026, 6, 30), actor=manager)
    assert ended.last_day == dt.date(2026, 6, 30)
    with pytest.raises(InvalidInput):
        actions.do_create_assignment(kind="resident", user=rep, region_id=hosp.region_id, hospitals=[hosp, other],
                                     start_date=dt.date(2029, 1, 1), end_date=dt.date(2029, 2, 1), actor=manager)


def test_the_admissions_of_my_hospitals_land_in_my_work_list(world: dict[str, Any]) -> None:
    hosp, rep = world["hospitals"][0], world["users"]["inspector"]
    other = HospitalFactory(region=world["regions"][0], code="HA0003", name="桦甸市妇幼保健院")
    actions.do_create_assignment(kind="resident", user=rep, region_id=hosp.region_id, hospitals=[hosp],
                                 start_date=TODAY - dt.timedelta(days=10), end_date=TODAY + dt.timedelta(days=100),
                                 actor=world["users"]["manager"])
    mine = admit(world)
    admit(world, mdtrt_id="MD0100", hospital=other)
    assert [a.pk for a in queries.work_list(rep, TODAY)] == [mine.pk]


# -- scoping, API and pages --------------------------------------------------------------------------------------


def test_a_hospital_sees_only_its_own_admissions(world: dict[str, Any], client_for: Any) -> None:
    mine = admit(world)
    hb = world["hospitals"][1]
    theirs = actions.do_report_admission(hospital=hb, mdtrt_id="MB0001", psn_no="PB0001", dept_name="外科",
                                         adm_date=TODAY, dise_codg="K35.8", dise_name="急性阑尾炎", actor=None)
    client = client_for("hospital")
    page = client.get("/monitoring/admissions/").content.decode()
    assert "张三" in page and "李四" not in page
    assert client.get(f"/monitoring/admissions/{mine.pk}/").status_code == 200
    assert client.get(f"/monitoring/admissions/{theirs.pk}/").status_code == 404
    body = client.get("/api/v1/monitoring/admissions").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["mdtrt_id"] for r in rows] == ["MD0001"]


def test_api_2401_2402_2404(world: dict[str, Any], client_for: Any) -> None:
    client = client_for("hospital")
    body = {"mdtrt_id": "API001", "psn_no": "PA0001", "adm_dept_name": "呼吸科", "adm_bed": "3",
            "begntime": TODAY.isoformat(), "dise_codg": "J18.9", "dise_name": "肺炎"}
    answer = client.post("/api/v1/monitoring/admissions", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert (answer.json()["covered"], answer.json()["fixmedins_code"]) == (True, "HA0001")
    again = client.post("/api/v1/monitoring/admissions", body, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_admission")
    out = client.post("/api/v1/monitoring/discharges", {"mdtrt_id": "API001", "endtime": TODAY.isoformat()},
                      content_type="application/json")
    assert (out.status_code, out.json()["status"]) == (200, "discharged")
    body["mdtrt_id"] = "API002"
    client.post("/api/v1/monitoring/admissions", body, content_type="application/json")
    gone = client.post("/api/v1/monitoring/cancellations", {"mdtrt_id": "API002", "memo": "重复登记"},
                       content_type="application/json")
    assert (gone.status_code, gone.json()["status"]) == (200, "cancelled")
    missing = client.post("/api/v1/monitoring/discharges", {"mdtrt_id": "NONE", "endtime": TODAY.isoformat()},
                          content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (404, "no_such_admission")


def test_the_pages_answer_for_their_posts(world: dict[str, Any], client_for: Any) -> None:
    a = admit(world)
    rep = world["users"]["inspector"]
    actions.do_create_assignment(kind="resident", user=rep, region_id=a.region_id, hospitals=[a.hospital],
                                 start_date=TODAY - dt.timedelta(days=1), end_date=TODAY + dt.timedelta(days=30),
                                 actor=world["users"]["manager"])
    v = visit(a, rep, presence="absent", photos=[("bed.png", [PNG])])
    actions.do_record_handover(hospital=a.hospital, direction="from_hospital", department="医务科", items="病历复印件 1 份",
                               handed_by="刘护士", received_by="驻院代表", handed_on=TODAY, actor=rep)
    actions.do_record_opinion(hospital=a.hospital, source="patient", content="希望加快报销", actor=rep, admission=a)
    manager = client_for("manager")
    for url in ("/monitoring/", "/monitoring/overview/", "/monitoring/admissions/", f"/monitoring/admissions/{a.pk}/",
                "/monitoring/admissions/new/", f"/monitoring/visits/{v.pk}/", "/monitoring/assignments/",
                "/monitoring/assignments/new/", "/monitoring/handovers/", "/monitoring/handovers/new/",
                "/monitoring/opinions/", "/monitoring/opinions/new/", "/monitoring/statistics/",
                f"/monitoring/photos/{v.photos.get().pk}/", f"/audit/findings/{v.finding_id}/"):
        assert manager.get(url).status_code == 200, url
    rep_client = client_for("inspector")
    work = rep_client.get("/monitoring/").content.decode()
    assert "张三" in work
    api = manager.get("/api/v1/monitoring/statistics").json()
    assert [(r["hospital__code"], r["visits"], r["absent"], r["findings"], r["confirmed"])
            for r in api["by_hospital"]] == [("HA0001", 1, 1, 1, None)]
    stats = queries.visit_statistics(Visit.objects.all())
    assert [(r["hospital__code"], r["visits"], r["absent"], r["findings"]) for r in stats["by_hospital"]] == \
        [("HA0001", 1, 1, 1)]


def test_page_forms_record_an_admission_and_a_visit(world: dict[str, Any], client_for: Any) -> None:
    hospital = client_for("hospital")
    answer = hospital.post("/monitoring/admissions/new/", {
        "mdtrt_id": "PG001", "psn_no": "PA0001", "dept_name": "骨科", "bed_no": "8", "adm_date": TODAY.isoformat(),
        "dise_codg": "S72.0", "dise_name": "股骨颈骨折"})
    a = Admission.objects.get(mdtrt_id="PG001")
    assert answer.status_code == 302 and a.source == "page"
    rep = client_for("inspector")
    photo = SimpleUploadedFile("bed.png", PNG, content_type="image/png")
    answer = rep.post(f"/monitoring/admissions/{a.pk}/visit/", {
        "presence": "present", "identity": "mismatch", "plausible": "yes", "notes": "床上为其弟", "photos": photo})
    assert answer.status_code == 302
    v = a.visits.get()
    assert (v.identity, v.photos.count(), Finding.objects.get(pk=v.finding_id).rule_id) == ("mismatch", 1,
                                                                                             "R15_OVERLAP")
    bad = rep.post(f"/monitoring/admissions/{a.pk}/visit/", {"presence": "nowhere", "identity": "match"})
    assert bad.status_code == 200 and a.visits.count() == 1



def test_long_stays_and_persons_near_the_entry_line(world: dict[str, Any]) -> None:
    person, hospital = world["persons"][0], world["hospitals"][0]
    for n in range(5):  # settled I20 stays of 8 days: the median is 8
        SettlementFactory(person=person, hospital=hospital, dise_codg="I20.0", adm_date=dt.date(2026, 3, 1),
                          dscg_date=dt.date(2026, 3, 9), setl_id=f"SL{n}")
    long = admit(world, adm_date=TODAY - dt.timedelta(days=13))  # 13 > 1.5 × 8
    admit(world, mdtrt_id="MD0002", adm_date=TODAY - dt.timedelta(days=11))  # 11 < 12: not listed
    found = queries.long_stays(Admission.objects.all(), TODAY)
    assert [(r["admission"].pk, r["days"], r["median"], r["cases"]) for r in found] == [(long.pk, 13, 8, 5)]
    # this year's in-scope spending 55,000 of the 60,000 entry line (≥ 90 %): listed as near the entry line
    near_person = PersonFactory(region=world["regions"][0], psn_no="PNEAR", psn_name="赵六")
    EnrolmentFactory(person=near_person)
    admit(world, psn_no="PNEAR", mdtrt_id="MD0003")
    SettlementFactory(person=near_person, hospital=hospital, setl_id="SNEAR", state="payable",
                      setl_time=timezone.make_aware(dt.datetime(TODAY.year, 1, 5, 9)),
                      inscp_scp_amt=Decimal("55000.00"), medfee_sumamt=Decimal("60000.00"))
    near = queries.near_thresholds(Admission.objects.all(), TODAY)
    assert [(r["admission"].psn_no, r["what"], r["amount"], r["line"]) for r in near] == [
        ("PNEAR", "起付线", Decimal("55000.00"), Decimal("60000.00"))]
