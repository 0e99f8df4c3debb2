"""The roster CSV read by columns (issue 21): the same rows, row numbers and problems as the row reader, the
rows loaded before found in one step, and certificate numbers compared without decrypting every stored one."""

from __future__ import annotations

from typing import Any

import pytest

from dae.core import crypto
from dae.enrollment import importers
from dae.enrollment.models import Person
from dae.imports import framework
from dae.imports.actions import do_start_import
from dae.imports.models import ImportBatch

from .roster import HEADER, roster_row, to_csv


def run(user: Any, content: bytes) -> ImportBatch:
    batch = do_start_import("roster", user=user, file_name="roster.csv", chunks=iter([content]), region_id="220282")
    batch.refresh_from_db()
    return batch


@pytest.fixture
def clerk(world: dict[str, Any]) -> Any:
    return world["users"]["settlement"]


def problems_of(batch: ImportBatch) -> list[tuple[int, str, str, str]]:
    return list(batch.problems.order_by("id").values_list("row_no", "column", "value", "reason"))


def awkward_file() -> bytes:
    """Quoted cells (a comma, a doubled quote, a line break), CRLF line ends, blank lines, bad rows."""
    rows = [roster_row(i) for i in range(1, 9)]
    rows[1]["emp_name"] = '单位,"甲"'
    rows[2]["psn_name"] = "换行\n姓名"
    rows[3]["gend"] = "9"
    rows[4]["brdy"] = "1999-02-30"
    rows[5]["psn_no"] = rows[0]["psn_no"]
    rows[6]["certno"] = rows[0]["certno"]
    lines = to_csv(rows).decode("utf-8").replace("\r\n", "\n").split("\n")
    lines.insert(2, "")  # a blank line is a row of the file: the later row numbers count it
    lines.insert(7, ",".join([""] * len(HEADER)))  # a row of empty cells: skipped, counted
    return "\r\n".join(lines).encode("utf-8")


def test_a_csv_read_by_columns_reports_what_the_row_reader_reports(clerk: Any, monkeypatch: Any) -> None:
    content = awkward_file()

    def no_rows(text: str) -> Any:
        raise AssertionError("this file is read by columns")

    with monkeypatch.context() as patch:
        patch.setattr(framework, "csv_rows", no_rows)
        by_columns = run(clerk, content)
    monkeypatch.setattr(importers.RosterImporter, "columnar", False)
    by_rows = run(clerk, content)
    assert by_columns.status == by_rows.status == "rejected"
    assert problems_of(by_columns) == problems_of(by_rows)
    assert by_columns.rows_bad == by_rows.rows_bad == 4
    assert {row_no for row_no, *_ in problems_of(by_columns)} == {6, 8, 9, 10}


def test_cells_with_quotes_and_line_breaks_load_the_same_by_columns(clerk: Any) -> None:
    rows = [roster_row(i) for i in range(1, 4)]
    rows[0]["emp_name"], rows[1]["psn_name"] = '单位,"甲"', "换行\r\n姓名"
    batch = run(clerk, to_csv(rows))
    assert batch.status == "loaded", batch.note
    assert Person.objects.get(psn_no=rows[1]["psn_no"]).psn_name == "换行\r\n姓名"
    assert Person.objects.get(psn_no=rows[0]["psn_no"]).unit.emp_name == '单位,"甲"'  # type: ignore[union-attr]
    again = run(clerk, to_csv(rows))  # the same cells, the same digests
    assert (again.rows_new, again.rows_changed, again.rows_same) == (0, 0, 3)


def test_a_file_loaded_again_is_looked_up_at_once_not_row_by_row(clerk: Any, monkeypatch: Any) -> None:
    rows = [roster_row(i) for i in range(1, 21)]
    assert run(clerk, to_csv(rows)).status == "loaded"

    def per_row(self: Any, row_no: int, raw: dict[str, Any]) -> Any:
        raise AssertionError("a CSV read by columns is looked up in one step")

    monkeypatch.setattr(importers.RosterImporter, "unchanged", per_row)
    rows[3]["psn_name"] = "更名人员"
    again = run(clerk, to_csv(rows))
    assert (again.rows_new, again.rows_changed, again.rows_same) == (0, 1, 19)


def test_a_ragged_file_is_read_row_by_row_with_its_messages(clerk: Any) -> None:
    content = to_csv([roster_row(1), roster_row(2)]) + b"R220282000000003,01\r\n"
    batch = run(clerk, content)
    assert batch.status == "rejected"
    assert (4, "certno", "", "证件号码不能为空") in problems_of(batch)


def test_certificate_numbers_are_decrypted_only_where_they_may_clash(clerk: Any, monkeypatch: Any) -> None:
    rows = [roster_row(i) for i in range(1, 31)]
    assert run(clerk, to_csv(rows)).status == "loaded"
    decrypted: list[str] = []
    original = crypto.decrypt

    def counting(value: str) -> str:
        decrypted.append(value)
        return original(value)

    monkeypatch.setattr(importers, "decrypt", counting)
    again = run(clerk, to_csv(rows))
    assert (again.rows_same, decrypted) == (30, [])  # nothing compared: nothing decrypted
    for column in ("certno", "brdy", "gend"):  # a changed row takes the number of a row known unchanged
        rows[5][column] = rows[0][column]
    clash = run(clerk, to_csv(rows))
    assert clash.status == "rejected"
    assert [(r, c, why) for r, c, _v, why in problems_of(clash)] == [
        (7, "certno", "证件号码与第 2 行（另一人员编号）重复"),
        (7, "certno", f"证件号码已属于人员 {rows[0]['psn_no']}"),
    ]
    assert len(decrypted) == 1  # the stored owner's number, not all thirty


def test_rows_whose_cells_all_parse_are_parsed_a_column_at_a_time(clerk: Any, monkeypatch: Any) -> None:
    rows = [roster_row(i) for i in range(1, 41)]
    rows[7]["psn_name"] = " 有空格 "  # stripped by ``parse``, on the row: the same value as before
    rows[9]["psn_type"] = "9999"  # a code not in the dictionary: reported on the row
    kinds: list[str] = []
    original = framework.Importer.parse

    def recording(self: Any, row_no: int, raw: Any, problems: Any) -> Any:
        kinds.append(type(raw).__name__)
        return original(self, row_no, raw, problems)

    monkeypatch.setattr(framework.Importer, "parse", recording)
    batch = run(clerk, to_csv(rows))
    assert kinds.count("Parsed") == 38 and kinds.count("dict") == 2
    assert [(r, c) for r, c, _v, _w in problems_of(batch)] == [(11, "psn_type")]
    rows[9]["psn_type"] = "1101"
    assert run(clerk, to_csv(rows)).status == "loaded"
    assert Person.objects.get(psn_no=rows[7]["psn_no"]).psn_name == "有空格"
