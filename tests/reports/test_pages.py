"""Pages, API, scope and the analysis report's sign-off: figures in the reader's scope only, a drill-down whose
total is the figure clicked, saved views capped, the chain prepared → checked → approved → submitted with a frozen
report and a correction as a new version, and the PDF holding the page's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.claims.models import Settlement
from dae.core.errors import Conflict
from dae.core.models import Event
from dae.reports.actions import MAX_VIEWS, do_save_view, signoff
from dae.reports.models import AnalysisReport, SavedView
from dae.reports.periods import Period

from ..factories import SettlementFactory

A, B = "220282", "220281"


def paid(world: dict[str, Any], setl_id: str, amount: str, *, region: int = 0, day: int = 10) -> Settlement:
    return SettlementFactory(setl_id=setl_id, person=world["persons"][region], hospital=world["hospitals"][region],
                             hifob_pay=Decimal(amount), computed_pay=Decimal(amount), medfee_sumamt=Decimal("5000.00"),
                             med_type="21", adm_date=dt.date(2026, 3, 1), dscg_date=dt.date(2026, 3, day),
                             setl_time=timezone.make_aware(dt.datetime(2026, 3, day, 9)))


@pytest.fixture
def march(world: dict[str, Any]) -> None:
    Settlement.objects.filter(setl_id__in=("SA0001", "SB0001")).update(hifob_pay=Decimal("0.00"),
                                                                       setl_time=timezone.make_aware(dt.datetime(2020, 1, 1)))
    paid(world, "X1", "1000.10")
    paid(world, "X2", "234.56", day=20)
    paid(world, "Y1", "777.77", region=1)


def test_each_reader_sees_its_own_figures(march: None, client_for: Any, world: dict[str, Any]) -> None:
    def payout(name: str) -> Any:
        answer = client_for(name).get("/api/v1/reports/brief?period=2026-03").json()
        return {f["indicator"]: f for f in answer["figures"]}["payout_amount"]["value"]

    assert payout("supervisor") == "1234.66"  # region A only (the world's users are of region A)
    assert payout("clerk_b") == "777.77"
    assert payout("hospital") == "1234.66"  # its own hospital
    assert payout("hospital_b") == "777.77"
    assert client_for("insured").get("/api/v1/reports/brief?period=2026-03").status_code == 403


def test_pages_render_and_drill_down_to_the_figure(march: None, client_for: Any, world: dict[str, Any]) -> None:
    client = client_for("supervisor")
    for url in ("/reports/?period=2026-03", "/reports/monthly/?period=2026-03", "/reports/monthly/?period=2026Q1",
                "/reports/pivot/?indicator=admissions&period=2026&dim1=hospital&dim2=sex", "/reports/definitions/",
                "/reports/publication/", "/reports/analysis/", "/reports/dashboard/?period=2026-03",
                "/reports/evaluation/?year=2026"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/reports/monthly/?period=2026-03").content.decode()
    hospital = world["hospitals"][0]
    link = f"/reports/details/?indicator=payout_amount&amp;period=2026-03&amp;d_hospital={hospital.pk}"
    assert link in page and "1,234.66" in page
    details = client.get(link.replace("&amp;", "&"))
    assert details.status_code == 200
    body = details.content.decode()
    assert "X1" in body and "X2" in body and "Y1" not in body and "1,234.66" in body  # the totals row
    board = client.get(f"/reports/dashboard/?period=2026-03&hospital={hospital.pk}").content.decode()
    assert "1,234.66" in board and f"d_hospital={hospital.pk}" in board  # filtered, and linked to its details
    empty = client.get("/api/v1/reports/pivot?indicator=cost_per_stay&period=2019-01&dims=hospital").json()
    assert empty["rows"] == []
    assert client.get("/reports/monthly/?period=2026-13").status_code == 400
    assert client.get("/api/v1/reports/pivot?indicator=funds_raised&period=2026&dims=hospital").status_code == 400


def test_saved_views_are_personal_and_capped(march: None, world: dict[str, Any], client_for: Any) -> None:
    user = world["users"]["manager"]
    for n in range(MAX_VIEWS):
        do_save_view(user, name=f"v{n}", indicator="admissions", dims=("hospital", ""), period="2026")
    with pytest.raises(Exception, match="最多保存"):
        do_save_view(user, name="one more", indicator="admissions", dims=("hospital",), period="2026")
    assert SavedView.objects.count() == MAX_VIEWS
    assert Event.objects.filter(action="reports.view_saved").count() == MAX_VIEWS
    other = SavedView.objects.first()
    assert client_for("supervisor").post(f"/reports/pivot/views/{other.pk}/delete/").status_code == 404


def test_sign_off_chain_freezes_and_corrections_are_new_versions(march: None, world: dict[str, Any],
                                                                  client_for: Any) -> None:
    users = world["users"]
    report = signoff.do_prepare_report(users["manager"], region=A, period=Period.parse("2026-03"))
    assert report.status == "prepared" and report.figures["by_indicator"]["payout_amount"]["value"] == "1234.66"
    assert "1234.66" in report.findings
    with pytest.raises(Conflict):
        signoff.do_approve_report(users["supervisor"], report)  # not checked yet
    with pytest.raises(Conflict, match="同一人"):
        signoff.do_check_report(users["manager"], report)  # the preparer never checks
    signoff.do_check_report(users["checker"], report)
    with pytest.raises(Conflict):
        signoff.do_edit_report(users["manager"], report, findings_text="x", problems="", suggestions="")
    response = client_for("supervisor").post(f"/reports/analysis/{report.pk}/approve/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "approved" and report.frozen and report.approved_by == users["supervisor"]
    frozen = dict(report.figures)

    paid(world, "X3", "100.00", day=25)  # a late correction of March's data
    assert AnalysisReport.objects.get(pk=report.pk).figures == frozen  # the approved report never changes
    new = signoff.do_correct_report(users["manager"], report, reason="补录一笔结算")
    assert new.version == 2 and new.supersedes == report and new.status == "prepared"
    assert "大额赔付金额: 1234.66 → 1334.66" in new.changes and "补录一笔结算" in new.changes
    assert new.data_version != report.data_version
    pdf = client_for("supervisor").get(f"/reports/analysis/{report.pk}/?export=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client_for("clerk_b").get(f"/reports/analysis/{report.pk}/").status_code == 404  # other region
    actions = list(Event.objects.filter(action__startswith="reports.report").values_list("action", flat=True))
    assert sorted(actions) == sorted(["reports.report_prepared", "reports.report_checked",
                                      "reports.report_approved", "reports.report_corrected"])


def test_work_statistics_are_the_managers_and_count_returns(world: dict[str, Any], client_for: Any) -> None:
    from django.db import transaction

    from dae.core.events import record_event

    clerk, checker = world["users"]["settlement"], world["users"]["checker"]
    with transaction.atomic():
        for n in range(4):
            record_event(clerk, "claim.computed", object_type="reimbursement.manualclaim", object_id=str(n),
                         region_id=A)
        record_event(checker, "claim.returned", object_type="reimbursement.manualclaim", object_id="2", region_id=A)
        record_event(checker, "claim.checked", object_type="reimbursement.manualclaim", object_id="3", region_id=A)
    rows = {r["name"]: r for r in __import__("dae.reports.queries", fromlist=["work_stats"]).work_stats(
        world["users"]["manager"], Period.parse(timezone.localdate().strftime("%Y-%m")))}
    assert rows[clerk.username]["computed"] == 4 and rows[clerk.username]["returned"] == 1
    assert rows[clerk.username]["error_rate"] == Decimal("25.00") and rows[clerk.username]["over_target"]
    assert rows[checker.username]["actions"] == 2 and rows[checker.username]["computed"] == 0
    assert client_for("manager").get("/reports/work/").status_code == 200
    assert client_for("checker").get("/reports/work/").status_code == 403  # never shown to peers


def test_the_analysis_reports_are_a_list_filtered_and_exported(march: None, world: dict[str, Any],
                                                              client_for: Any) -> None:
    """运行分析报告 is the list component: filters by status and period, the export of the filtered rows read back
    with names (报告类型, 状态), the prepare form above the list for the posts that may write."""
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back

    users = world["users"]
    march_report = signoff.do_prepare_report(users["manager"], region=A, period=Period.parse("2026-03"))
    signoff.do_prepare_report(users["manager"], region=A, period=Period.parse("2026-02"))
    signoff.do_check_report(users["checker"], march_report)
    supervisor = client_for("supervisor")
    body = assert_read_back(supervisor, "/reports/analysis/?status=checked", 1)
    assert body[0][2:5] == ("2026-03", "v1", "已复核")
    body = assert_read_back(supervisor, "/reports/analysis/?q=2026-02", 1)
    assert body[0][2] == "2026-02" and body[0][0] == march_report.get_kind_display()
    assert 'data-testid="report-prepare"' not in supervisor.get("/reports/analysis/").content.decode()
    assert 'data-testid="report-prepare"' in client_for("finance").get("/reports/analysis/").content.decode()
    assert AccessRecord.objects.filter(why="export", object_type="list:reports:report_list").count() == 4
