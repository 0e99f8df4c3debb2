"""The archivist's and the borrowers' pages and the API: search, item view, borrowing with watermarked reading,
region isolation, the register, destruction approval through the API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from dae.archives import actions
from dae.archives.models import Item, Loan
from dae.core.models import AccessRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(paid_claim: Any) -> Item:
    actions.do_archive_pending(["manual_claim"])
    return Item.objects.get(kind="manual_claim")


def test_the_catalogue_finds_an_item_by_words_of_its_title_and_metadata(client_for: Any, item: Item) -> None:
    client = client_for("archivist")
    page = client.get("/archives/", {"q": "张三 急性心肌梗死"}).content.decode()
    assert item.code in page and item.title in page
    assert item.code not in client.get("/archives/", {"q": "张三 白内障"}).content.decode()
    assert item.code in client.get("/archives/", {"q": "PA0001", "kind": "manual_claim", "status": "archived"}
                                   ).content.decode()
    detail = client.get(f"/archives/items/{item.pk}/").content.decode()
    assert "D001-2026-D30-LP-0001" in detail and "定期30年" in detail and "真实性" in detail


def test_a_reviewer_borrows_reads_watermarked_pages_and_returns(client_for: Any, world: dict[str, Any],
                                                               item: Item) -> None:
    reviewer, archivist = client_for("reviewer"), client_for("archivist")
    assert reviewer.get(f"/archives/items/{item.pk}/read/").status_code == 302  # no loan yet
    assert reviewer.get(f"/archives/items/{item.pk}/files/1/pages/0.png").status_code == 404
    reviewer.post(f"/archives/items/{item.pk}/borrow/", {"purpose": "复核时核对原始材料", "days": "5"})
    loan = Loan.objects.get()
    assert (loan.borrower, loan.status) == (world["users"]["reviewer"], "requested")
    assert reviewer.post(f"/archives/loans/{loan.pk}/decide/", {"decision": "approve"}).status_code == 403
    archivist.post(f"/archives/loans/{loan.pk}/decide/", {"decision": "approve", "note": "同意"})
    loan.refresh_from_db()
    assert loan.status == "approved"
    reading = reviewer.get(f"/archives/items/{item.pk}/read/").content.decode()
    assert "data-testid=\"page-image\"" in reading and "审核岗" not in reading.split("watermark-text")[0][-5:]
    assert f"reviewer {loan.starts_on:%Y-%m-%d} 仅供查阅" in reading
    png = reviewer.get(f"/archives/items/{item.pk}/files/1/pages/0.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(png.content)).convert("RGB")
    reds = sum(1 for r, g, b in image.get_flattened_data() if r > g + 25 and r > b + 25)
    assert reds > 500  # the watermark is drawn into the page
    assert AccessRecord.objects.filter(actor=world["users"]["reviewer"], object_type="archives.item",
                                       psn_no="PA0001").count() >= 1
    reviewer.post(f"/archives/loans/{loan.pk}/return/")
    loan.refresh_from_db()
    assert loan.status == "returned"
    assert reviewer.get(f"/archives/items/{item.pk}/files/1/pages/0.png").status_code == 404


def test_another_regions_clerk_gets_404_and_the_attempt_is_logged(client_for: Any, item: Item) -> None:
    clerk_b = client_for("clerk_b")
    assert clerk_b.get(f"/archives/items/{item.pk}/").status_code == 404
    assert AccessRecord.objects.filter(why="denied", object_type="archives.item").count() == 1
    assert item.code not in clerk_b.get("/archives/").content.decode()


def test_it_and_hospital_cannot_open_the_catalogue(client_for: Any, item: Item) -> None:
    assert client_for("it").get("/archives/").status_code == 403
    assert client_for("hospital").get("/archives/").status_code == 403
    assert client_for("insured").get(f"/archives/items/{item.pk}/").status_code == 403


def test_the_register_shows_statistics_and_overdue_loans(client_for: Any, people: dict[str, Any], item: Item) -> None:
    import datetime as dt

    loan = actions.do_decide_loan(people["archivist"], actions.do_request_loan(
        people["reviewer"], item, purpose="核对", days=1), approve=True)
    actions.do_expire_loans(today=loan.due_on + dt.timedelta(days=1))
    page = client_for("archivist").get("/archives/loans/", {"overdue": "yes"}).content.decode()
    assert loan.number in page and 'data-testid="overdue-count">1<' in page


def test_the_api_searches_and_borrows(client_for: Any, item: Item) -> None:
    reviewer, archivist = client_for("reviewer"), client_for("archivist")
    found = reviewer.get("/api/v1/archives/items", {"q": "急性心肌梗死"}).json()
    assert [i["code"] for i in found] == [item.code]
    detail = reviewer.get(f"/api/v1/archives/items/{item.pk}").json()
    assert [c["name"] for c in detail["checks"]] == ["authenticity", "integrity", "usability", "safety"]
    created = reviewer.post("/api/v1/archives/loans", {"item": item.pk, "purpose": "核对", "days": 3},
                            content_type="application/json")
    assert created.status_code == 201
    loan_id = created.json()["id"]
    refused = archivist.post(f"/api/v1/archives/loans/{loan_id}/decide", {"approve": False},
                             content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    decided = archivist.post(f"/api/v1/archives/loans/{loan_id}/decide", {"approve": True},
                             content_type="application/json").json()
    assert decided["status"] == "approved" and decided["overdue"] is False
    assert [loan["number"] for loan in reviewer.get("/api/v1/archives/loans").json()] == [decided["number"]]
    assert reviewer.post(f"/api/v1/archives/loans/{loan_id}/return").json()["status"] == "returned"


def test_destruction_is_approved_through_pages_and_api(client_for: Any, people: dict[str, Any], item: Item) -> None:
    import datetime as dt

    Item.objects.filter(pk=item.pk).update(expires_on=dt.date(2025, 1, 1))
    archivist = client_for("archivist")
    assert item.code in archivist.get("/archives/appraisal/").content.decode()
    response = archivist.post("/archives/appraisal/", {"items": [item.pk], "region": "220282",
                                                        "reason": "保管期满，经鉴定无继续保存价值"})
    assert response.status_code == 302
    from dae.archives.models import DestructionList

    dl = DestructionList.objects.get()
    assert client_for("manager").post(f"/api/v1/archives/destructions/{dl.pk}/approve", {"approve": True},
                                      content_type="application/json").json()["status"] == "proposed"
    client_for("supervisor").post(f"/archives/destructions/{dl.pk}/approve/", {"decision": "approve"})
    dl.refresh_from_db()
    assert dl.status == "approved"
    archivist.post(f"/archives/destructions/{dl.pk}/execute/")
    item.refresh_from_db()
    assert item.status == "destroyed"
    assert "已销毁" in archivist.get(f"/archives/items/{item.pk}/").content.decode()


def test_the_appraisal_is_a_list_filtered_and_exported(client_for: Any, world: dict[str, Any]) -> None:
    """到期鉴定 is the list component: only archived items past their retention; filters by expiry date and
    retention; a held item shows its hold and has no tick box; the export of the filtered rows read back."""
    import datetime as dt

    from dae.archives.models import Hold
    from tests.web.test_converted_lists import assert_read_back

    def archived(n: int, expires: dt.date | None, retention: str = "D10", region: str | None = "220282") -> Item:
        return Item.objects.create(
            kind="manual_claim", object_type="test", object_id=str(n), region_id=region, year=2010,
            retention=retention, category="BX", item_no=n, code=f"T-2010-{retention}-BX-{n:04d}",
            title=f"测试档案 {n}", date_from=dt.date(2010, 1, 1), date_to=dt.date(2010, 12, 31),
            responsible_post="settlement", status="archived", expires_on=expires)

    old = archived(1, dt.date(2021, 1, 1))
    held = archived(2, dt.date(2023, 1, 1))
    archived(3, dt.date(2024, 6, 1), retention="D30", region=None)
    archived(4, None, retention="Y")  # permanent: never appraised
    archived(5, dt.date(2099, 1, 1))  # not yet due
    Hold.objects.create(item=held, reason="争议未结", reference="TS-1")
    archivist = client_for("archivist")
    html = archivist.get("/archives/appraisal/").content.decode()
    assert f'value="{old.pk}" form="appraisal-form"' in html and f'value="{held.pk}"' not in html
    assert "冻结：争议未结（TS-1）" in html and 'id="appraisal-form"' in html
    body = assert_read_back(archivist, "/archives/appraisal/?retention=D10", 2)
    assert [(r[0], r[2]) for r in body] == [(old.code, "定期10年"), (held.code, "定期10年")]
    assert body[1][5] == "冻结：争议未结（TS-1）" and body[0][5] == ""
    body = assert_read_back(archivist, "/archives/appraisal/?expires_from=2022-01-01", 2)
    assert {r[4] for r in body} == {"全系统", world["regions"][0].name}
    assert AccessRecord.objects.filter(why="export", object_type="list:archives:appraisal").count() == 4
    assert 'id="appraisal-form"' not in client_for("supervisor").get("/archives/appraisal/").content.decode()
