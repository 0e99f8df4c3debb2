"""Roster imports: good, partly bad, re-imported, changed; 1101 JSON with several insutype rows."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from dae.core.models import Event
from dae.enrollment.coverage import coverage_on
from dae.enrollment.models import ContributionYear, Enrolment, Person, Unit
from dae.imports.actions import do_start_import
from dae.imports.models import ImportBatch

from .roster import HEADER, roster_row, to_csv


def run(user: Any, content: bytes, name: str = "roster.csv", kind: str = "roster",
        region: str = "220282") -> ImportBatch:
    batch = do_start_import(kind, user=user, file_name=name, chunks=iter([content]), region_id=region)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def clerk(world: dict[str, Any]) -> Any:
    return world["users"]["settlement"]


def test_good_file_loads_everything(clerk: Any) -> None:
    rows = [roster_row(i) for i in range(1, 51)]
    batch = run(clerk, to_csv(rows))
    assert batch.status == "loaded", batch.note
    assert (batch.rows_total, batch.rows_new, batch.rows_changed, batch.rows_same) == (50, 50, 0, 0)
    person = Person.objects.get(psn_no=rows[0]["psn_no"])
    assert person.psn_name == "测试人员1" and person.unit is not None and person.region_id == "220282"
    assert Enrolment.objects.filter(person=person).count() == 1
    assert ContributionYear.objects.get(person=person).status == "1"
    assert Unit.objects.filter(emp_no=rows[0]["emp_no"]).exists()
    assert batch.job is not None and batch.job.status == "succeeded"


def test_partly_bad_file_loads_nothing_and_reports_every_bad_row(clerk: Any) -> None:
    rows = [roster_row(i) for i in range(1, 11)]
    rows[2]["certno"] = rows[2]["certno"][:-1] + ("0" if rows[2]["certno"][-1] != "0" else "1")  # check digit
    rows[4]["brdy"] = "1999-02-30"
    rows[6]["psn_type"] = "9999"
    rows[7]["psn_insu_stas"] = "2"  # suspended without a pause date
    rows[8]["psn_no"] = rows[0]["psn_no"]  # duplicate
    batch = run(clerk, to_csv(rows))
    assert batch.status == "rejected"
    assert Person.objects.filter(psn_no__startswith="R").count() == 0
    assert Enrolment.objects.filter(person__psn_no__startswith="R").count() == 0 and Unit.objects.filter(emp_no__startswith="E220282").count() == 0
    problems = list(batch.problems.values_list("row_no", "column"))
    assert (4, "certno") in problems and (6, "brdy") in problems and (8, "psn_type") in problems
    assert (9, "paus_insu_date") in problems and (10, "psn_no") in problems
    assert batch.rows_bad == 5
    reasons = dict(((r, c), why) for r, c, why in batch.problems.values_list("row_no", "column", "reason"))
    assert reasons[(4, "certno")] == "身份证号码校验位错误"
    assert "第 2 行" in reasons[(10, "psn_no")]


def test_reimport_changes_nothing_and_changed_rows_grow_history_exactly(clerk: Any) -> None:
    rows = [roster_row(i) for i in range(1, 21)]
    first = run(clerk, to_csv(rows))
    assert first.status == "loaded"
    counts = (Person.objects.count(), Enrolment.objects.count(), Event.objects.count(),
              ContributionYear.objects.count())
    again = run(clerk, to_csv(rows))
    assert again.status == "loaded" and again.same_as_id == first.pk
    assert (again.rows_new, again.rows_changed, again.rows_same) == (0, 0, 20)
    # only the batch's own upload/load events are added
    assert (Person.objects.count(), Enrolment.objects.count(), ContributionYear.objects.count()) == (
        counts[0], counts[1], counts[3])
    assert Event.objects.count() == counts[2] + 2
    rows[0]["psn_insu_stas"], rows[0]["paus_insu_date"] = "2", "2026-03-01"  # enrolment change
    rows[1]["psn_name"] = "更名人员"  # person change
    rows[2]["contrib_stas"] = "2"  # contribution change
    changed = run(clerk, to_csv(rows))
    assert (changed.rows_new, changed.rows_changed, changed.rows_same) == (0, 3, 17)
    assert Enrolment.objects.count() == counts[1] + 1
    assert Event.objects.filter(action="person.changed").count() == 1
    assert Event.objects.filter(action="contribution.changed").count() == 1
    event = Event.objects.get(action="person.changed")
    assert event.before == {"psn_name": "测试人员2"} and event.after == {"psn_name": "更名人员"}
    person = Person.objects.get(psn_no=rows[0]["psn_no"])
    assert coverage_on(person.psn_no, date(2026, 2, 28)).covered
    assert not coverage_on(person.psn_no, date(2026, 3, 1)).covered


def test_region_a_clerk_cannot_import_region_b_rows(clerk: Any, world: dict[str, Any]) -> None:
    rows = [roster_row(1), roster_row(2, admdvs="220281")]
    batch = run(clerk, to_csv(rows))
    assert batch.status == "rejected"
    assert list(batch.problems.values_list("row_no", "column")) == [(3, "insuplc_admdvs")]
    from dae.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(clerk, to_csv([roster_row(2, admdvs="220281")]), region="220281")


def test_unknown_and_missing_columns_reject_the_file(clerk: Any) -> None:
    content = to_csv([roster_row(1)], header=[h for h in HEADER if h != "psn_name"])
    content = content.replace(b"psn_no,", b"psn_no,nickname,", 1).replace(b"\r\nR", b"\r\nR", 1)
    batch = run(clerk, content)
    assert batch.status == "rejected"
    columns = {c for c, in batch.problems.values_list("column")}
    assert {"psn_name", "nickname"} <= columns


def test_chinese_headers_and_gb18030_are_read(clerk: Any) -> None:
    from dae.enrollment.importers import COLUMNS

    labels = [c.label for c in COLUMNS]
    row = roster_row(1)
    text = ",".join(labels) + "\r\n" + ",".join(row[c.name] for c in COLUMNS) + "\r\n"
    batch = run(clerk, text.encode("gb18030"))
    assert batch.status == "loaded" and batch.rows_new == 1
    assert "GB18030" in batch.note


def test_excel_roster(clerk: Any) -> None:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in (1, 2):
        row = roster_row(i)
        ws.append([row[h] for h in HEADER])
    buf = io.BytesIO()
    wb.save(buf)
    batch = run(clerk, buf.getvalue(), name="roster.xlsx")
    assert batch.status == "loaded" and batch.rows_new == 2


SAMPLE_1101 = {
    "output": {
        "baseinfo": {"psn_no": "13030000000000001", "psn_cert_type": "01", "certno": "", "psn_name": "王五",
                     "gend": "1", "naty": "01", "brdy": "1975-06-15", "age": 51.4},
        "insuinfo": [
            {"balc": 1378.15, "insutype": "310", "psn_type": "1101", "psn_insu_stas": "1",
             "psn_insu_date": "2005-01-01", "paus_insu_date": None, "cvlserv_flag": "0",
             "insuplc_admdvs": "220282", "emp_name": "桦甸市第一中学"},
            {"balc": 0, "insutype": "330", "psn_type": "1101", "psn_insu_stas": "1",
             "psn_insu_date": "2006-07-01", "paus_insu_date": None, "cvlserv_flag": "0",
             "insuplc_admdvs": "220282", "emp_name": "桦甸市第一中学"},
            {"balc": 0, "insutype": "39999", "psn_type": "1101", "psn_insu_stas": "4",
             "psn_insu_date": "2005-01-01", "paus_insu_date": "2019-12-31", "cvlserv_flag": "0",
             "insuplc_admdvs": "220282", "emp_name": "桦甸市第一中学"},
            {"balc": 0, "insutype": "510", "psn_type": "1101", "psn_insu_stas": "1",
             "psn_insu_date": "2005-01-01", "paus_insu_date": None, "cvlserv_flag": "0",
             "insuplc_admdvs": "220282", "emp_name": "桦甸市第一中学"},
        ],
        "idetinfo": [],
    }
}


def test_1101_json_enrols_only_the_330_row(clerk: Any) -> None:
    from dae.core.idcard import make_certno

    sample = json.loads(json.dumps(SAMPLE_1101))
    sample["output"]["baseinfo"]["certno"] = make_certno("220282", date(1975, 6, 15), 7, "1")
    resident = {"baseinfo": {**sample["output"]["baseinfo"], "psn_no": "13030000000000002",
                             "certno": make_certno("220282", date(1975, 6, 15), 9, "1")},
                "insuinfo": [{"insutype": "390", "psn_type": "1501", "psn_insu_stas": "1",
                              "psn_insu_date": "2010-01-01", "insuplc_admdvs": "220282"}]}
    content = json.dumps([sample, resident], ensure_ascii=False).encode("utf-8")
    batch = run(clerk, content, name="persons.json", kind="roster_1101")
    assert batch.status == "loaded", list(batch.problems.values_list("row_no", "column", "reason"))
    assert (batch.rows_new, batch.rows_ignored) == (1, 1)
    person = Person.objects.get(psn_no="13030000000000001")
    records = list(Enrolment.objects.filter(person=person))
    assert [(r.insutype, r.begin_date, r.status) for r in records] == [("330", date(2006, 7, 1), "1")]
    assert person.unit is not None and person.unit.emp_name == "桦甸市第一中学"
    assert not Person.objects.filter(psn_no="13030000000000002").exists()
    assert coverage_on(person.psn_no, date(2006, 6, 30)).code == "before_begin"
    assert coverage_on(person.psn_no, date(2006, 7, 1)).covered


def test_rows_loaded_before_are_known_by_digest_and_a_manual_change_voids_it(clerk: Any, monkeypatch: Any,
                                                                              world: dict[str, Any]) -> None:
    from dae.enrollment import importers
    from dae.enrollment.actions import do_suspend
    from dae.enrollment.models import RosterRow

    rows = [roster_row(i) for i in range(1, 11)]
    first = run(clerk, to_csv(rows))
    assert first.status == "loaded" and RosterRow.objects.count() == 10
    checked: list[str] = []
    original = importers.RosterImporter.check

    def counting(self: Any, row_no: int, values: dict[str, Any], problems: Any) -> Any:
        checked.append(values["psn_no"])
        return original(self, row_no, values, problems)

    monkeypatch.setattr(importers.RosterImporter, "check", counting)
    again = run(clerk, to_csv(rows))
    assert (again.rows_new, again.rows_changed, again.rows_same) == (0, 0, 10)
    assert checked == []  # every row known by its digest: none read and checked again
    person = Person.objects.get(psn_no=rows[0]["psn_no"])
    do_suspend(world["users"]["manager"], person, date(2026, 3, 1), "暂停参保")  # a newer record voids the digest
    rows[1]["psn_name"] = "更名人员"
    restored = run(clerk, to_csv(rows))
    assert checked == [rows[0]["psn_no"], rows[1]["psn_no"]]  # only the changed and the voided row are read
    assert (restored.rows_new, restored.rows_changed, restored.rows_same) == (0, 2, 8)
    assert Enrolment.objects.filter(person=person).count() == 3  # imported, suspended, the file's again
    duplicated = run(clerk, to_csv([*rows, rows[5]]))  # a known row twice is still a duplicate
    assert duplicated.status == "rejected"
    assert "第 7 行" in duplicated.problems.get(row_no=12).reason
