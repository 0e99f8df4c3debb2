"""The other doors to the imports: the import page states each kind's columns and offers an example file that
loads; ``dae import KIND FILE`` runs the same checks, all or nothing, with the same problem report; a file missing
a column is still checked row by row; ``dae --help`` lists every command."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from dae.enrollment.models import Person
from dae.imports.actions import do_start_import
from dae.imports.models import ImportBatch

from ..enrollment.roster import HEADER, roster_row, to_csv

pytestmark = pytest.mark.django_db


def test_the_import_page_states_columns_types_and_required_fields(client_for: Any, world: dict[str, Any]) -> None:
    html = client_for("settlement").get("/imports/new/").content.decode()
    assert "(; )" not in html
    assert html.count('data-testid="column-table"') == 3  # roster, roster_1101, code_mapping for 结算岗
    assert "<code>psn_no</code></td><td>人员编号</td>" in html
    assert "字典代码：<a" in html and "日期（YYYY-MM-DD）" in html
    assert 'href="/imports/examples/roster/"' in html


def test_the_roster_example_file_loads_as_it_is(client_for: Any, world: dict[str, Any]) -> None:
    response = client_for("settlement").get("/imports/examples/roster/")
    assert response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="roster-example.csv"'
    batch = do_start_import("roster", user=world["users"]["settlement"], file_name="example.csv",
                         chunks=iter([response.content]), region_id="220282")
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new) == (ImportBatch.Status.LOADED, 1), list(batch.problems.values_list(
        "column", "reason"))
    assert Person.objects.get(psn_no="22028200000001").psn_name == "王小明"


def test_a_file_missing_a_column_is_still_checked_row_by_row(world: dict[str, Any]) -> None:
    rows = [roster_row(1), roster_row(2, brdy="1999-02-30"), roster_row(3, gend="9")]
    content = to_csv(rows, header=[h for h in HEADER if h != "psn_name"])
    batch = do_start_import("roster", user=world["users"]["settlement"], file_name="r.csv", chunks=iter([content]),
                         region_id="220282")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert list(batch.problems.values_list("row_no", "column")) == [(1, "psn_name"), (3, "brdy"), (4, "gend")]


def test_dae_import_loads_a_roster_all_or_nothing(world: dict[str, Any], tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv([roster_row(i) for i in range(1, 4)]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "roster", str(good), user="settlement", region="220282", stdout=out, stderr=err)
    assert out.getvalue().startswith("已导入 (loaded) #")
    assert "共 3 行，新增 3，变更 0，无变化 0，忽略 0" in out.getvalue()
    assert "100%" in err.getvalue()  # the progress bar
    assert Person.objects.filter(psn_no__startswith="R220282").count() == 3

    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv([roster_row(10), roster_row(11, psn_type="9999")]))
    report = tmp_path / "errors.xlsx"
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("import", "roster", str(bad), user="settlement", region="220282", report=str(report),
                     stdout=io.StringIO(), stderr=err)
    assert stopped.value.code == 1
    assert "第 3 行 [psn_type] 9999" in err.getvalue()
    assert report.stat().st_size > 0
    assert not Person.objects.filter(psn_no=roster_row(10)["psn_no"]).exists()  # nothing of the bad file


def test_dae_import_checks_the_post_as_the_page_does(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(to_csv([roster_row(1)]))
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "roster", str(path), user="service", region="220282", stdout=io.StringIO(),
                     stderr=err)
    assert "当前岗位不能导入“参保人员名单”" in err.getvalue()


def test_dae_help_lists_every_command_and_explains_calc(capsys: Any) -> None:
    from dae.cli import main

    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    lines = {line.split()[0] for line in text.splitlines() if line.startswith("  ")}
    assert {"calc", "import", "demo", "serve", "migrate", "load_icd10"} <= lines
    assert main(["help", "calc"]) == 0
    assert "usage: dae calc" in capsys.readouterr().out
