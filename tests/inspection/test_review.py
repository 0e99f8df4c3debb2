"""The review of a sampled settlement: the three comparisons stored, every bad input refused with a Chinese
message and nothing written, corrections until the sample is completed, the progress and the totals, and the
documents (scans) attached."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.inspection.actions import documents, samples
from dae.inspection.models import Document, Sample, SampleItem
from dae.inspection.queries import sample_progress
from tests.factories import REGION_A

pytestmark = pytest.mark.django_db
D = Decimal
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"

GOOD = {
    "system_vs_record": "consistent",
    "system_vs_record_note": "",
    "record_vs_bill": "consistent",
    "record_vs_bill_note": "",
    "system_vs_bill": "consistent",
    "system_vs_bill_note": "",
    "not_payable": "0",
    "conclusion": "compliant",
    "opinion": "",
}


@pytest.fixture
def sample(world: Any, users: Any, march: Any) -> Sample:
    return samples.do_draw_sample(users["reviewer"], REGION_A, "2025-03", seed=11, on=dt.date(2025, 4, 7))


def test_the_three_comparisons_are_stored(users: Any, sample: Sample) -> None:
    item = sample.items.order_by("seq").first()
    assert item is not None
    done = samples.do_review_item(
        users["reviewer"],
        item,
        system_vs_record="inconsistent",
        system_vs_record_note="CT 检查无医嘱",
        record_vs_bill="consistent",
        record_vs_bill_note="",
        system_vs_bill="inconsistent",
        system_vs_bill_note="清单耗材数量 3，系统 5",
        not_payable="356.80",
        conclusion="non_compliant",
        opinion="不予支付无医嘱检查及多收耗材费用",
    )
    stored = SampleItem.objects.get(pk=item.pk)
    assert stored.status == "reviewed" and stored.reviewer == users["reviewer"] and stored.reviewed_at is not None
    assert [(r, n) for _f, _l, r, n in stored.comparisons()] == [
        ("inconsistent", "CT 检查无医嘱"),
        ("consistent", ""),
        ("inconsistent", "清单耗材数量 3，系统 5"),
    ]
    assert (stored.not_payable, stored.conclusion, stored.opinion) == (
        D("356.80"),
        "non_compliant",
        "不予支付无医嘱检查及多收耗材费用",
    )
    assert done.pk == item.pk
    event = Event.objects.get(action="inspection.item_reviewed")
    assert event.object_id == str(item.pk) and event.region_id == REGION_A
    assert event.before["status"] == "pending" and event.after["not_payable"] == "356.80"
    progress = sample_progress(sample)
    assert (
        progress.total,
        progress.reviewed,
        progress.pending,
        progress.inconsistent,
        progress.non_compliant,
        progress.not_payable,
        progress.percent,
    ) == (3, 1, 2, 1, 1, D("356.80"), 33)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"system_vs_record": ""}, "system_vs_record", "请选择“系统明细与病历”的比对结果（一致或不一致）"),
        ({"record_vs_bill": "maybe"}, "record_vs_bill", "请选择“病历与费用清单”的比对结果（一致或不一致）"),
        ({"system_vs_bill": "inconsistent"}, "system_vs_bill_note", "“系统明细与费用清单”不一致时须填写说明"),
        ({"not_payable": "-1"}, "not_payable", "不予支付金额须为不小于 0 的金额，精确到分"),
        ({"not_payable": "12.345"}, "not_payable", "不予支付金额须为不小于 0 的金额，精确到分"),
        ({"not_payable": "abc"}, "not_payable", "不予支付金额格式错误，请填写如 1234.56 的数字"),
        ({"not_payable": ""}, "not_payable", "请填写不予支付金额"),
        (
            {"not_payable": "10000.01", "conclusion": "non_compliant", "opinion": "多收"},
            "not_payable",
            "不予支付金额不能超过该结算的医疗费总额 10000.00 元",
        ),
        ({"not_payable": "10.00"}, "conclusion", "有不予支付金额时审核结论不能为“合规”"),
        ({"conclusion": "non_compliant"}, "opinion", "审核结论为“存在违规”时须填写审核意见"),
        ({"conclusion": ""}, "conclusion", "请选择审核结论（合规或存在违规）"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    users: Any, sample: Sample, change: dict[str, str], path: str, message: str
) -> None:
    item = sample.items.order_by("seq").first()
    assert item is not None
    with pytest.raises(InvalidInput) as error:
        samples.do_review_item(users["reviewer"], item, **{**GOOD, **change})
    assert error.value.code == "invalid_review"
    assert error.value.message == f"复审记录有误：{message}"
    assert error.value.details == [{"path": path, "message": message}]
    stored = SampleItem.objects.get(pk=item.pk)
    assert (stored.status, stored.system_vs_record, stored.not_payable, stored.reviewer) == ("pending", "", None, None)
    assert not Event.objects.filter(action="inspection.item_reviewed").exists()


def test_every_problem_is_listed_at_once(users: Any, sample: Sample) -> None:
    item = sample.items.order_by("seq").first()
    assert item is not None
    with pytest.raises(InvalidInput) as error:
        samples.do_review_item(users["reviewer"], item, system_vs_record="inconsistent", not_payable="x")
    assert [p["path"] for p in error.value.details] == [
        "system_vs_record_note",
        "record_vs_bill",
        "system_vs_bill",
        "not_payable",
        "conclusion",
    ]
    with pytest.raises(InvalidInput) as error:
        samples.do_review_item(users["reviewer"], item, unknown="1")
    assert error.value.message == "未知的复审字段：unknown"


def test_corrections_until_completion_then_locked(users: Any, sample: Sample) -> None:
    reviewer = users["reviewer"]
    items = list(sample.items.order_by("seq"))
    samples.do_review_item(reviewer, items[0], **GOOD)
    with pytest.raises(Conflict) as conflict:
        samples.do_complete_sample(reviewer, sample)
    assert conflict.value.code == "items_pending" and conflict.value.message == "还有 2 份病历未复审，不能完成"
    samples.do_review_item(
        users["inspector"],
        items[0],
        **{**GOOD, "not_payable": "88.00", "conclusion": "non_compliant", "opinion": "复核发现重复收费"},
    )
    corrected = SampleItem.objects.get(pk=items[0].pk)
    assert corrected.reviewer == users["inspector"] and corrected.not_payable == D("88.00")
    event = Event.objects.filter(action="inspection.item_reviewed").latest("id")
    assert event.before["not_payable"] == "0.00" and event.after["not_payable"] == "88.00"
    for item in items[1:]:
        samples.do_review_item(reviewer, item, **GOOD)
    done = samples.do_complete_sample(reviewer, sample, on=dt.date(2025, 4, 20))
    assert (done.status, done.completed_on, done.completed_by) == ("completed", dt.date(2025, 4, 20), reviewer)
    assert not done.is_overdue()
    assert samples.do_complete_sample(reviewer, sample).completed_on == dt.date(2025, 4, 20)  # again: unchanged
    assert Event.objects.filter(action="inspection.sample_completed").count() == 1
    with pytest.raises(Conflict) as conflict:
        samples.do_review_item(reviewer, items[1], **GOOD)
    assert conflict.value.code == "sample_completed"
    assert sample_progress(sample).not_payable == D("88.00")


def test_documents_are_kept_checked_by_content_and_size(
    users: Any, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = sample.items.order_by("seq").first()
    assert item is not None
    reviewer = users["reviewer"]
    scan = documents.do_attach_document(
        reviewer, chunks=[PNG[:5], PNG[5:]], name="../病历首页.png", sample_item=item, note="首页"
    )
    pdf = documents.do_attach_document(reviewer, chunks=[PDF], name="费用清单.pdf", sample_item=item)
    assert (scan.name, scan.kind, scan.content_type, scan.size, scan.region_id) == (
        "病历首页.png",
        "image",
        "image/png",
        len(PNG),
        REGION_A,
    )
    assert Path(scan.path).read_bytes() == PNG and Path(scan.path).name == "document.png"
    assert (pdf.kind, pdf.content_type, Path(pdf.path).name) == ("pdf", "application/pdf", "document.pdf")
    assert Event.objects.filter(action="inspection.document_attached").count() == 2
    folder = Path(scan.path).parent.parent
    kept = sorted(p.name for p in folder.iterdir())
    with pytest.raises(InvalidInput) as error:
        documents.do_attach_document(reviewer, chunks=[b"MZ\x90\x00 not a scan"], name="scan.png", sample_item=item)
    assert error.value.message == "只能上传 JPG、PNG 图片或 PDF 文件"
    with pytest.raises(InvalidInput) as error:
        documents.do_attach_document(reviewer, chunks=[], name="empty.pdf", sample_item=item)
    assert error.value.message == "文件为空"
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 32)
    with pytest.raises(InvalidInput) as error:
        documents.do_attach_document(reviewer, chunks=[PNG], name="big.png", sample_item=item)
    assert error.value.message == "文件超过 10 MB"
    assert Document.objects.count() == 2
    assert sorted(p.name for p in folder.iterdir()) == kept  # nothing left of the refused files
