"""Archiving a closed business object: the archival code, retention, documents with digests, the four checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.db import transaction

from dae.archives import storage
from dae.archives.actions import do_archive, do_archive_pending, do_change_retention, do_retry
from dae.archives.models import Item, ItemCheck
from dae.core.models import Event

pytestmark = pytest.mark.django_db


def test_a_paid_manual_claim_becomes_an_item_with_code_retention_and_documents(paid_claim: Any) -> None:
    counts = do_archive_pending(["manual_claim"])
    assert counts == {"archived": 1, "failed": 0}
    item = Item.objects.get(kind="manual_claim", object_id=str(paid_claim.pk))
    assert item.status == "archived"
    assert item.code == "D001-2026-D30-LP-0001"
    assert (item.year, item.retention, item.category, item.item_no) == (2026, "D30", "LP", 1)
    assert item.expires_on == dt.date(2057, 1, 1)
    assert item.title == f"张三手工报销申请 {paid_claim.number}（急性心肌梗死，已支付）"
    assert (item.date_from, item.date_to, item.region_id, item.psn_no) == (
        dt.date(2026, 9, 25), dt.date(2026, 10, 20), "220282", "PA0001")
    files = list(item.files.order_by("seq").values_list("doc_code", "media_type"))
    assert files == [("record", "application/pdf"), ("receipt", "application/pdf"),
                     ("computation", "application/json"), ("review", "application/json"),
                     ("metadata", "application/json")]
    for f in item.files.all():
        content = storage.read(f.path)
        assert content is not None and hashlib.sha256(content).hexdigest() == f.sha256 and len(content) == f.size
    metadata = json.loads(storage.read(item.files.get(doc_code="metadata").path) or b"")
    assert metadata["code"] == item.code and metadata["retention"] == "D30"
    assert [e["action"] for e in metadata["events"]] == ["claim.received", "claim.computed", "claim.checked",
                                                         "claim.approved", "claim.payable", "claim.paid"]
    assert sorted(ItemCheck.objects.filter(item=item).values_list("name", "passed")) == [
        ("authenticity", True), ("integrity", True), ("safety", True), ("usability", True)]
    review = json.loads(storage.read(item.files.get(doc_code="review").path) or b"")
    assert review["checked_by"] == "checker" and review["computed_by"] == "settlement"
    assert Event.objects.filter(action="archives.item_archived", object_id=str(item.pk)).count() == 1
    assert do_archive_pending(["manual_claim"]) == {"archived": 0, "failed": 0}  # nothing twice


def test_the_closing_event_archives_the_claim_after_commit(people: dict[str, Any],
                                                          django_capture_on_commit_callbacks: Any) -> None:
    from dae.reimbursement import actions
    from tests.reimbursement.helpers import claim_input

    claim = actions.do_register(people["settlement"], claim_input())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rejected = actions.do_reject(people["checker"], claim, "美容项目，不属于报销范围")
    assert len(callbacks) == 1
    item = Item.objects.get(kind="manual_claim", object_id=str(rejected.pk))
    assert item.status == "archived" and item.title.endswith("（急性心肌梗死，已拒付）")
    assert list(item.files.order_by("seq").values_list("doc_code", flat=True)) == ["record", "receipt", "metadata"]


def test_an_item_missing_a_required_document_fails_integrity_and_is_not_archived(paid_claim: Any) -> None:
    from dae.reimbursement.models import ManualClaim

    ManualClaim.objects.filter(pk=paid_claim.pk).update(explanation_text="")  # the computation was lost
    claim = ManualClaim.objects.get(pk=paid_claim.pk)
    item = do_archive("manual_claim", claim)
    assert item.status == "failed" and item.code is None and item.item_no is None
    assert item.failed_reason == "完整性：缺少必需的材料：计算书"
    assert ItemCheck.objects.get(item=item, name="integrity").passed is False
    assert item.files.count() == 0 and item.storage_key == ""
    # completed later, the archivist checks again: archived with the first number of its series
    ManualClaim.objects.filter(pk=paid_claim.pk).update(explanation_text="按规则计算")
    item = do_retry(item, actor=None)
    assert (item.status, item.code, item.attempts) == ("archived", "D001-2026-D30-LP-0001", 2)


def test_the_retention_schedule_is_data_with_history(people: dict[str, Any], paid_claim: Any) -> None:
    do_change_retention(people["archivist"], "manual_claim", "D10", "依据局发文件调整")
    rule = do_change_retention(people["archivist"], "manual_claim", "Y", "改为永久保存")
    assert rule.version == 2
    item = do_archive("manual_claim", paid_claim)
    assert (item.retention, item.code, item.expires_on) == ("Y", "D001-2026-Y-LP-0001", None)


def test_an_event_changed_behind_the_application_fails_authenticity(paid_claim: Any) -> None:
    from django.db import connection

    event = Event.objects.filter(object_type="reimbursement.manualclaim", action="claim.paid").get()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_event DISABLE TRIGGER core_event_append_only")
        cursor.execute("UPDATE core_event SET note = 'x' WHERE id = %s", [event.pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_event ENABLE TRIGGER core_event_append_only")
    with transaction.atomic():
        item = do_archive("manual_claim", paid_claim)
    assert item.status == "failed"
    assert item.failed_reason.startswith(f"真实性：形成该记录的事件（序号 {event.seq}）与其哈希不符")


@pytest.mark.parametrize(
    ("data", "opens"),
    [
        (b'{"a": 1}', True),  # one document
        (b'{\n  "a": [1,\n 2]\n}\n', True),  # one document over several lines
        (b'{"header": 1}\n{"setl_id": "S1"}\n\n{"setl_id": "S2"}\n', True),  # newline-delimited (a declaration)
        (b'{"header": 1}\n{"setl_id": \n', False),  # a broken line
        (b"\xff\xfe not json", False),
    ],
)
def test_usability_reads_json_and_newline_delimited_json(data: bytes, opens: bool) -> None:
    from dae.archives.checks import Content, usability

    result = usability([Content("file", "申报文件", "x.json", "application/json", data)])
    assert result.passed is opens
    assert ("JSON 无法解析" in result.detail) is not opens
