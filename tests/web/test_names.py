"""Names instead of codes: event names, object kinds, deduction sources, fee lines with their catalogue items,
ICD-10 in Chinese; a hospital never reads another hospital in a finding; the fund page opens on a year with data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.auditing.actions.runs import do_start_run
from dae.web.changes import changes_text
from dae.web.names import event_name, object_links, object_name, source_link

from ..factories import FeeLineFactory

pytestmark = pytest.mark.django_db


def test_event_names_are_chinese_and_never_the_dotted_name(world: dict[str, Any]) -> None:
    assert event_name("claim.received") == "报销申请·已受理"
    assert event_name("benefits.version_published") == "发布规则版本"
    assert event_name("fund.interest") == "基金管理·利息收入"
    assert event_name("payments.something_new") == "其他事件"
    assert event_name("claim.unheard_of") == "报销申请·其他操作"


def test_objects_by_name_and_linked_only_where_the_reader_may_go(world: dict[str, Any]) -> None:
    assert object_name("claims.settlement") == "结算记录"
    assert source_link("audit.finding", 4854) == "审核疑点 #4854"
    person = world["persons"][0]
    refs = [("enrollment.person", str(person.pk)), ("accounts.user", "1")]
    assert object_links(world["users"]["settlement"], refs) == {("enrollment.person", str(person.pk)):
                                                                "/enrollment/persons/PA0001/"}
    assert object_links(world["users"]["hospital"], refs) == {}


def test_the_event_log_reads_as_a_table_of_names(client_for: Any, world: dict[str, Any]) -> None:
    html = client_for("manager").get("/events/").content.decode()
    assert "安装默认规则集" in html and '<small class="text-body-secondary code">benefits.ruleset_installed</small>' \
        in html
    assert changes_text({"hifob_pay": "12.00", "rows": 3}) == "大额医疗费用补助基金支出：12.00；行数：3"


def test_fee_lines_show_the_catalogue_items_name(client_for: Any, world: dict[str, Any]) -> None:
    from dae.catalog.models import CatalogueItem

    CatalogueItem.objects.create(med_list_codg="001102000010000", name="床位费（三人间）", list_type="201",
                                 chrgitm_lv="01", med_chrgitm_type="05", begin_date=dt.date(2020, 1, 1))
    FeeLineFactory(settlement=world["settlements"][0], det_item_fee_sumamt=Decimal("100.00"))
    html = client_for("settlement").get("/claims/settlements/SA0001/").content.decode()
    assert '床位费（三人间） <small class="code text-body-secondary">001102000010000</small>' in html
    assert "普通住院 <small" in html  # 医疗类别 21 by its name


def test_icd10_loads_with_chinese_chapter_and_category_names(world: dict[str, Any]) -> None:
    from dae.catalog.actions import load_who
    from dae.catalog.models import Diagnosis

    load_who()
    names = dict(Diagnosis.objects.filter(code__in=["IX", "I20-I25", "I21", "I21.0"]).values_list("code", "name"))
    assert names == {"IX": "循环系统疾病", "I20-I25": "缺血性心脏病", "I21": "急性心肌梗死",
                     "I21.0": "前壁急性透壁性心肌梗死"}
    Diagnosis.objects.filter(code="I21").update(name="急性心肌梗死（医保版）")
    assert load_who()["changed"] == 0
    assert Diagnosis.objects.get(code="I21").name == "急性心肌梗死（医保版）"  # a stored name is kept


def test_a_hospital_reads_no_other_hospital_in_a_finding(audit_world: dict[str, Any]) -> None:
    from django.test import Client

    from dae.accounts.models import User
    from dae.auditing.models import Finding

    do_start_run(region="220282", scope="month", month="2026-03", actor=audit_world["users"]["reviewer"])
    overlap = Finding.objects.get(rule_id="R15_OVERLAP")  # ST0002 at HA0002, overlapping SA0001 at HA0001
    assert "HA0001" in overlap.detail or "桦甸市人民医院" in overlap.detail
    client = Client()
    client.force_login(User.objects.get(username="hospital_c"))
    html = client.get(f"/audit/findings/{overlap.pk}/").content.decode()
    detail = html.split('data-testid="finding-detail">', 1)[1].split("</dd>", 1)[0]
    assert "他院" in detail and "HA0001" not in detail and "桦甸市人民医院" not in detail
    assert "HA0001" not in html and "/audit/runs/" not in html  # no other hospital, no link to a run page


def test_the_event_logs_before_and_after_name_codes(client_for: Any, world: dict[str, Any]) -> None:
    """Status codes by the label of the object's model, dictionary codes with their names, other values as they
    are — on the page and in the export."""
    from dae.core.events import record_event
    from dae.web.changes import render_changes
    from dae.web.names import value_name

    settlement = world["settlements"][0]
    assert value_name("status", "approved", "archives.loan") == "借阅中"
    assert value_name("med_type", "21") == "21 普通住院"
    assert value_name("psn_type", "1101", "enrollment.person") is not None
    assert value_name("hifob_pay", "12.00") is None and value_name("status", True) is None
    assert changes_text({"status": "approved", "med_type": "21", "rows": 3}, "archives.loan") == \
        "状态：借阅中；医疗类别：21 普通住院；行数：3"
    html = str(render_changes({"status": "requested"}, {"status": "refused"}, "archives.loan"))
    assert "待审批" in html and "已拒绝" in html and "requested" not in html

    record_event(world["users"]["settlement"], "claims.test_changed", settlement,
                 before={"med_type": "21", "state": "received"}, after={"med_type": "14", "state": "computed"})
    client = client_for("manager")
    page = client.get("/events/?q=test_changed").content.decode()
    assert "21 普通住院" in page and ">received<" not in page and ">21<" not in page
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/events/?q=test_changed&export=xlsx").content)).worksheets[0]
    row = list(sheet.iter_rows(values_only=True))[5]
    assert "医疗类别：21 普通住院" in row[5] and "received" not in row[5]
