"""The window's whole flow in the browser: the clerk registers a manual claim, ticks the checklist, downloads the
receipt PDF and computes; a second person (the checker) checks and approves; the insured person logs in and sees
the claim in self-service with the explanation of the payout and the notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dae.dictionaries import codes
from dae.dictionaries.models import Code, CodeList
from dae.dictionaries.seed import seed
from dae.reimbursement.models import ManualClaim
from tests.reimbursement.pdfs import pdf_contains

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

REQUIRED = ["application_form", "identity", "invoice", "fee_list", "discharge_summary", "diagnosis_certificate",
            "bank_card"]


def logout(page: Any) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_selector("input[name=username]")


def test_register_checklist_receipt_compute_approve_and_self_service(
        world: dict[str, Any], live_server: Any, page: Any, shot: Any, tmp_path: Path) -> None:
    seed(CodeList, Code)  # a transactional test may start after another one flushed the migration's dictionary
    codes.clear()
    base = live_server.url

    # 1. The settlement clerk registers the claim; only three items are at hand.
    login(page, base, "settlement")
    page.goto(f"{base}/reimbursement/")
    page.click("[data-testid=new-claim]")
    page.fill("input[name=psn_no]", "PA0001")
    page.fill("input[name=phone]", "13812345678")
    page.select_option("select[name=hospital]", "HA0001")
    page.select_option("select[name=place_category]", "local")
    page.select_option("select[name=med_type]", "21")
    page.fill("input[name=adm_date]", "2026-04-01")
    page.fill("input[name=dscg_date]", "2026-04-20")
    page.fill("input[name=dise_codg]", "I21.9")
    page.fill("input[name=dise_name]", "急性心肌梗死")
    page.check("input[name=entry_mode][value=totals]")
    for name, value in (("medfee_sumamt", "120000.00"), ("fulamt_ownpay_amt", "0.00"), ("overlmt_selfpay", "0.00"),
                        ("preselfpay_amt", "10000.00"), ("inscp_scp_amt", "110000.00")):
        page.fill(f"input[name={name}]", value)
    page.fill("input[name=inv-0-number]", "INV-20260420-01")
    page.fill("input[name=inv-0-date]", "2026-04-20")
    page.fill("input[name=inv-0-amount]", "120000.00")
    page.fill("input[name=bank_name]", "中国工商银行桦甸支行")
    page.fill("input[name=bank_account]", "6222020700001234567")
    page.fill("input[name=account_name]", "张三")
    for code in REQUIRED[:3]:
        page.check(f"input[name=materials][value={code}]")
    shot("window-01-register")
    page.click("[data-testid=save-claim]")
    page.wait_for_selector("[data-testid=claim-number]")
    number = page.locator("[data-testid=claim-number]").inner_text()
    assert number.startswith("MR-220282-")
    assert page.locator("[data-testid=paused]").inner_text() == "材料不全，时限暂停"
    shot("window-02-materials-missing")

    # 2. The checklist: the rest of the required items arrive; the clock starts.
    for code in REQUIRED[3:]:
        page.check(f"[data-testid=material][data-code={code}]")
    page.click("[data-testid=save-materials]")
    page.wait_for_selector("[data-testid=materials-complete]")
    claim = ManualClaim.objects.get(number=number)
    assert claim.due_date is not None
    assert page.locator("[data-testid=due-date]").inner_text() == claim.due_date.isoformat()
    shot("window-03-materials-complete")

    # 3. The receipt PDF: downloaded, a PDF, with the application number.
    with page.expect_download() as info:
        page.click("[data-testid=receipt]")
    target = tmp_path / "receipt.pdf"
    info.value.save_as(target)
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF") and pdf_contains(pdf, number)

    # 4. Compute.
    page.click("[data-testid=compute]")
    page.wait_for_selector("[data-testid=explanation]")
    assert page.locator("[data-testid=claim-state]").get_attribute("data-state") == "computed"
    assert page.locator("[data-testid=payout]").inner_text() == "43265.00"
    assert page.locator("[data-testid=check]").count() == 0  # the clerk cannot check
    shot("window-04-computed")
    logout(page)

    # 5. A second person, of the 复核 post, checks and approves.
    login(page, base, "checker")
    page.goto(f"{base}/reimbursement/?state=mine")
    assert page.locator("[data-testid=days-left]").count() == 1
    shot("window-05-queue")
    page.click(f"text={number}")
    page.click("[data-testid=check]")
    page.wait_for_selector("[data-testid=approve]")
    shot("window-06-checked")
    page.click("[data-testid=approve]")
    page.wait_for_selector("[data-testid=claim-state][data-state=payable]")
    shot("window-07-approved")
    claim.refresh_from_db()
    assert claim.settlement is not None and claim.settlement.hifob_pay == claim.computed_pay
    assert {claim.computed_by_id} != {claim.approved_by_id}
    logout(page)

    # 6. The insured person sees the claim, the expected date, the explanation and the notice.
    login(page, base, "insured")
    page.goto(f"{base}/reimbursement/mine/")
    item = page.locator(f"[data-testid=my-claim][data-number='{number}']")
    assert item.locator("[data-testid=my-claim-state]").inner_text() == "待支付"
    assert item.locator("[data-testid=my-claim-pay]").inner_text() == "43,265.00"
    explanation = item.locator("[data-testid=my-claim-explanation]").inner_text()
    assert "ENTRY_THRESHOLD" not in explanation and "这次大额补助支付 43,265.00 元" in explanation
    notice = page.locator(f"[data-testid=notice][data-ref='{number}']")
    assert notice.locator("[data-testid=notice-amount]").inner_text() == "43,265.00"
    shot("window-08-self-service")
