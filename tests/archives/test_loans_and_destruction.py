"""Borrowing (request → approval → reading → return or expiry) and destruction (two approvals, holds, the record
kept), and transfer packages verified with the standard library alone."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from dae.archives import actions, storage
from dae.archives.models import DestructionList, Item
from dae.core.errors import Conflict, PermissionDenied
from dae.core.models import Event

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "archives.md"


@pytest.fixture
def item(paid_claim: Any) -> Item:
    actions.do_archive_pending(["manual_claim"])
    return Item.objects.get(kind="manual_claim")


def test_a_loan_is_approved_read_and_returned(people: dict[str, Any], item: Item) -> None:
    loan = actions.do_request_loan(people["reviewer"], item, purpose="复核疑点时核对原始材料", days=3)
    assert (loan.status, loan.number[:2]) == ("requested", "JY")
    with pytest.raises(PermissionDenied):
        actions.do_decide_loan(people["reviewer"], loan, approve=True)
    loan = actions.do_decide_loan(people["archivist"], loan, approve=True, note="同意")
    today = dt.date.today()
    assert (loan.status, loan.starts_on, loan.due_on) == ("approved", loan.starts_on, loan.starts_on + dt.timedelta(2))
    assert loan.is_active(loan.due_on) and not loan.is_active(loan.due_on + dt.timedelta(1))
    loan = actions.do_return_loan(people["reviewer"], loan)
    assert loan.status == "returned" and not loan.is_active(today)
    assert list(Event.objects.filter(object_type="archives.loan").order_by("seq").values_list("action", flat=True)) == [
        "archives.loan_requested", "archives.loan_approved", "archives.loan_returned"]


def test_a_loan_expires_after_its_last_day_and_is_flagged_overdue(people: dict[str, Any], item: Item) -> None:
    loan = actions.do_decide_loan(people["archivist"], actions.do_request_loan(
        people["reviewer"], item, purpose="核对", days=2), approve=True)
    last_day = loan.due_on
    assert actions.do_expire_loans(today=last_day) == 0  # still readable on its last day
    assert actions.do_expire_loans(today=last_day + dt.timedelta(1)) == 1
    loan.refresh_from_db()
    assert loan.status == "expired" and loan.is_overdue() and not loan.is_active(last_day)
    with pytest.raises(Conflict):
        actions.do_return_loan(people["reviewer"], loan)


def test_a_refused_loan_needs_a_reason(people: dict[str, Any], item: Item) -> None:
    from dae.core.errors import InvalidInput

    loan = actions.do_request_loan(people["reviewer"], item, purpose="查阅", days=5)
    with pytest.raises(InvalidInput):
        actions.do_decide_loan(people["archivist"], loan, approve=False)
    loan = actions.do_decide_loan(people["archivist"], loan, approve=False, note="与审核任务无关")
    assert (loan.status, loan.due_on) == ("refused", None)


def _past_retention(item: Item) -> Item:
    """As if the item had been archived in 2014 with ten years' retention (ended on 1 January 2025)."""
    Item.objects.filter(pk=item.pk).update(year=2014, retention="D10", expires_on=dt.date(2025, 1, 1))
    item.refresh_from_db()
    return item


def test_destruction_needs_both_approvals_and_keeps_the_record(people: dict[str, Any], item: Item) -> None:
    item = _past_retention(item)
    paths = list(item.files.values_list("path", flat=True))
    dl = actions.do_propose_destruction(people["archivist"], [item], reason="保管期满，经鉴定无继续保存价值",
                                        region_id="220282")
    with pytest.raises(Conflict):
        actions.do_execute_destruction(people["archivist"], dl)  # no approval yet
    with pytest.raises(PermissionDenied):
        actions.do_approve_destruction(people["archivist"], dl, approve=True)
    dl = actions.do_approve_destruction(people["manager"], dl, approve=True, note="同意")
    assert dl.status == "proposed"
    with pytest.raises(Conflict):
        actions.do_execute_destruction(people["archivist"], dl)  # the supervisor has not approved
    with pytest.raises(Conflict):
        actions.do_approve_destruction(people["manager"], dl, approve=True)  # not twice by the same post
    dl = actions.do_approve_destruction(people["supervisor"], dl, approve=True, note="同意销毁")
    assert dl.status == "approved"
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        dl = actions.do_execute_destruction(people["archivist"], dl)
    item.refresh_from_db()
    assert (dl.status, item.status, item.destruction_id) == ("executed", "destroyed", dl.pk)
    assert all(storage.read(p) is None for p in paths)  # the files are gone
    assert item.code == "D001-2026-D30-LP-0001"  # the catalogue entry stays
    entry = dl.entries.get()
    assert (entry.code, entry.title) == (item.code, item.title)
    assert [f["name"] for f in entry.files][-1] == "metadata.json"
    assert (dl.manager_by, dl.supervisor_by, dl.executed_by) == (people["manager"], people["supervisor"],
                                                                 people["archivist"])


def test_an_item_under_an_open_investigation_cannot_be_destroyed(people: dict[str, Any], item: Item) -> None:
    from dae.inspection.actions.investigations import do_create_investigation

    item = _past_retention(item)
    dl = actions.do_propose_destruction(people["archivist"], [item], reason="保管期满", region_id="220282")
    actions.do_approve_destruction(people["manager"], dl, approve=True)
    actions.do_approve_destruction(people["supervisor"], dl, approve=True)
    inv = do_create_investigation(people["inspector"], region=item.region, psn_no="PA0001",
                                  subject="核实异地住院真实性", hospital_name="北京某医院", hospital_place="北京市")
    with pytest.raises(Conflict) as refused:
        actions.do_execute_destruction(people["archivist"], dl)
    assert refused.value.code == "archive_item_held"
    assert f"异地协查 {inv.number} 尚未办结" in refused.value.message
    item.refresh_from_db()
    assert item.status == "archived" and all(storage.read(f.path) is not None for f in item.files.all())
    with pytest.raises(Conflict):
        actions.do_propose_destruction(people["archivist"], [item], reason="保管期满", region_id="220282")


def test_an_archivists_hold_stops_destruction_until_released(people: dict[str, Any], item: Item) -> None:
    item = _past_retention(item)
    hold = actions.do_place_hold(people["archivist"], item, reason="参保人申诉待处理", reference="SS-2026-001")
    with pytest.raises(Conflict) as refused:
        actions.do_propose_destruction(people["archivist"], [item], reason="保管期满", region_id="220282")
    assert "冻结：参保人申诉待处理（SS-2026-001）" in refused.value.message
    actions.do_release_hold(people["archivist"], hold, reason="申诉已办结")
    dl = actions.do_propose_destruction(people["archivist"], [item], reason="保管期满", region_id="220282")
    assert dl.entries.count() == 1


def test_an_item_not_yet_due_cannot_be_listed(people: dict[str, Any], item: Item) -> None:
    with pytest.raises(Conflict) as refused:
        actions.do_propose_destruction(people["archivist"], [item], reason="保管期满", region_id="220282")
    assert refused.value.code == "archive_not_due_for_destruction"
    assert DestructionList.objects.count() == 0


def _snippet() -> str:
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- verify-package -->\n```python\n(.*?)```", text, re.S)
    assert found is not None
    return found.group(1)


def test_a_transfer_package_verifies_with_the_standard_library_alone(people: dict[str, Any], item: Item,
                                                                     tmp_path: Path) -> None:
    content = actions.do_export_package(people["archivist"], [item])
    bag = zipfile.ZipFile(io.BytesIO(content))
    names = set(bag.namelist())
    assert {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", "data/items.json",
            "data/index.html", f"data/{item.code}/metadata.json", f"data/{item.code}/01-record.pdf"} <= names
    assert item.title in bag.read("data/index.html").decode("utf-8")
    package, script = tmp_path / "package.zip", tmp_path / "verify.py"
    package.write_bytes(content)
    script.write_text(_snippet(), encoding="utf-8")
    ok = subprocess.run([sys.executable, "-I", "-S", str(script), str(package)], capture_output=True, text=True,
                        cwd=tmp_path, check=False)
    assert ok.returncode == 0 and ok.stdout.strip() == "移交包完整 (package verified): 7 个文件"
    # one byte changed in a document: the same lines name it
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(tampered, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("03-computation.json"):
                data = data.replace(b"computed_pay", b"computed_paX")
            out.writestr(info, data)
    bad = subprocess.run([sys.executable, "-I", "-S", str(script), str(tampered)], capture_output=True, text=True,
                         cwd=tmp_path, check=False)
    assert bad.returncode == 1 and bad.stderr.strip() == f"摘要不符 (digest mismatch): data/{item.code}/03-computation.json"
