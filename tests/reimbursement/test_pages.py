"""The window's pages: register (totals and a fee-list file), the queue with days left, the receipt, the
claim page's buttons, and the insured person's self-service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from dae.reimbursement import actions
from dae.reimbursement.models import ManualClaim

from .helpers import BASE_MATERIALS, claim_input
from .pdfs import pdf_contains


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "psn_no": "PA0001", "received_on": "2026-09-25", "phone": "13812345678", "hospital": "HA0001",
        "place_category": "local", "med_type": "21", "adm_date": "2026-04-01", "dscg_date": "2026-04-20",
        "dise_codg": "I21.9", "dise_name": "急性心肌梗死", "entry_mode": "totals", "medfee_sumamt": "120000.00",
        "fulamt_ownpay_amt": "0.00", "overlmt_selfpay": "0.00", "preselfpay_amt": "10000.00",
        "inscp_scp_amt": "110000.00", "bank_name": "工商银行", "bank_account": "6222020700001234567",
        "account_name": "张三", "materials": BASE_MATERIALS[:3],
        "inv-TOTAL_FORMS": "2", "inv-INITIAL_FORMS": "0", "inv-MIN_NUM_FORMS": "1", "inv-MAX_NUM_FORMS": "100",
        "inv-0-number": "INV-P1", "inv-0-date": "2026-04-20", "inv-0-amount": "120000.00",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_through_the_page_then_tick_the_rest(people: dict[str, Any]) -> None:
    clerk = client(people["settlement"])
    assert clerk.get("/reimbursement/new/").status_code == 200
    response = clerk.post("/reimbursement/new/", form())
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = ManualClaim.objects.get()
    assert response["Location"] == f"/reimbursement/{claim.number}/"
    page = clerk.get(response["Location"]).content.decode()
    assert "材料不全，时限暂停" in page and 'data-testid="materials-missing"' in page
    clerk.post(f"/reimbursement/{claim.number}/materials/", {"materials": BASE_MATERIALS})
    claim.refresh_from_db()
    assert claim.materials_complete and claim.due_date is not None


@pytest.mark.django_db
def test_the_form_shows_the_actions_refusal_next_to_the_field(people: dict[str, Any]) -> None:
    html = client(people["settlement"]).post("/reimbursement/new/", form(medfee_sumamt="120000.01",
                                                                         **{"inv-0-amount": "120000.01"})
                                             ).content.decode()
    assert "四项之和" in html and not ManualClaim.objects.exists()


@pytest.mark.django_db
def test_register_with_a_fee_list_file(people: dict[str, Any]) -> None:
    csv = ("费用明细流水号,收费项目等级,医疗收费项目类别,明细项目费用总额,项目名称\n"
           "1,01,05,100000.00,手术\n2,02,09,20000.00,乙类药\n").encode("gb18030")
    data = form(entry_mode="lines", **{"inv-0-amount": "120000.00"})
    for name in ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"):
        data.pop(name)
    data["fee_file"] = SimpleUploadedFile("fees.csv", csv, content_type="text/csv")
    response = client(people["settlement"]).post("/reimbursement/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = ManualClaim.objects.get()
    assert claim.entry_mode == "lines" and [x.item_name for x in claim.fee_lines.all()] == ["手术", "乙类药"]
    bad = form(entry_mode="lines", **{"inv-0-number": "INV-P2"})
    bad["fee_file"] = SimpleUploadedFile("fees.csv", b"feedetl_sn,colour\n1,red\n", content_type="text/csv")
    html = client(people["settlement"]).post("/reimbursement/new/", bad).content.decode()
    assert "未知的列：colour" in html and "缺少必填列" in html


@pytest.mark.django_db
def test_queue_counts_states_and_shows_days_left_red_when_overdue(people: dict[str, Any]) -> None:
    clerk = people["settlement"]
    today = timezone.localdate()
    late = actions.do_register(clerk, claim_input())
    ManualClaim.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=30))
    fine = actions.do_register(clerk, claim_input(invoices=[claim_input().invoices[0].__class__(
        "INV-Q2", dt.date(2026, 4, 20), claim_input().invoices[0].amount)]))
    ManualClaim.objects.filter(pk=fine.pk).update(due_date=today + dt.timedelta(days=40))
    paused = actions.do_register(clerk, claim_input(materials=[], invoices=[claim_input().invoices[0].__class__(
        "INV-Q3", dt.date(2026, 4, 20), claim_input().invoices[0].amount)]))
    actions.do_compute(clerk, fine)
    html = client(clerk).get("/reimbursement/").content.decode()
    assert late.number in html and fine.number in html and paused.number in html
    assert 'class="badge text-bg-danger" data-testid="days-left">超期' in html
    assert 'text-bg-success" data-testid="days-left"' in html and "材料不全，时限暂停" in html
    assert 'data-state="received"' in html and 'data-state="computed"' in html
    received_tab = html.split('data-state="received"')[1].split("</a>")[0]
    assert 'data-testid="state-count">2<' in received_tab
    only_computed = client(clerk).get("/reimbursement/?state=computed").content.decode()
    assert fine.number in only_computed and late.number not in only_computed
    mine = client(people["checker"]).get("/reimbursement/?state=mine").content.decode()
    assert fine.number in mine


@pytest.mark.django_db
def test_receipt_pdf_page(people: dict[str, Any]) -> None:
    claim = actions.do_register(people["settlement"], claim_input(materials=["invoice"]))
    response = client(people["settlement"]).get(f"/reimbursement/{claim.number}/receipt.pdf")
    assert response["Content-Type"] == "application/pdf" and pdf_contains(response.content, claim.number)


@pytest.mark.django_db
def test_self_service_shows_only_own_claims_with_the_explanation(people: dict[str, Any]) -> None:
    clerk, checker = people["settlement"], people["checker"]
    mine = actions.do_approve(checker, actions.do_check(checker, actions.do_compute(
        clerk, actions.do_register(clerk, claim_input()))))
    other = actions.do_register(people["clerk_b"], claim_input(psn_no="PB0001", hospital_code="HB0001"))
    insured = client(people["insured"])
    html = insured.get("/reimbursement/mine/").content.decode()
    assert mine.number in html and other.number not in html
    # the insured person reads plain Chinese with their own figures, never the engine's trace codes
    assert 'data-testid="my-claim-explanation"' in html and "ENTRY_THRESHOLD" not in html and "43,265.00" in html
    assert "这次大额补助支付 43,265.00 元" in html
    assert 'data-testid="notice"' in html and "SA0001" in html
    assert insured.get(f"/reimbursement/{other.number}/").status_code == 404
    assert insured.get(f"/reimbursement/{mine.number}/").status_code == 200
    explained = insured.get("/reimbursement/settlements/SA0001/explanation/").content.decode()
    assert "这次就医的医疗费用共" in explained and "结算 SA0001" not in explained
    assert insured.get("/reimbursement/settlements/SB0001/explanation/").status_code == 404


@pytest.mark.django_db
def test_edit_page_and_return_with_a_reason(people: dict[str, Any]) -> None:
    clerk = client(people["settlement"])
    claim = actions.do_register(people["settlement"], claim_input())
    page = clerk.get(f"/reimbursement/{claim.number}/edit/").content.decode()
    assert 'value="INV-0001"' in page and 'value="2026-04-01"' in page
    changed = form(dise_name="急性前壁心肌梗死", received_on="2026-09-25", **{"inv-0-number": "INV-0001"})
    assert clerk.post(f"/reimbursement/{claim.number}/edit/", changed).status_code == 302
    claim.refresh_from_db()
    assert claim.dise_name == "急性前壁心肌梗死" and claim.materials_complete  # the ticked items were kept
    clerk.post(f"/reimbursement/{claim.number}/compute/")
    checker = client(people["checker"])
    missing = checker.post(f"/reimbursement/{claim.number}/return/", {"reason": ""})
    assert missing.status_code == 400 and "请填写原因" in missing.content.decode()
    checker.post(f"/reimbursement/{claim.number}/return/", {"reason": "发票与清单金额不符"})
    claim.refresh_from_db()
    assert claim.state == "returned" and claim.return_reason == "发票与清单金额不符"
    assert "发票与清单金额不符" in clerk.get(f"/reimbursement/{claim.number}/").content.decode()
