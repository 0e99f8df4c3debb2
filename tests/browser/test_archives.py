"""Archives in the browser: a paid window claim is archived by its closing event; the archivist finds it in the
catalogue; a reviewer borrows it, the archivist approves, the reviewer reads every page with the watermark of
their name and the date, and returns it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dae.archives.models import Item, Loan
from dae.dictionaries import codes
from dae.dictionaries.models import Code, CodeList
from dae.dictionaries.seed import seed
from dae.reimbursement import actions
from tests.reimbursement.helpers import claim_input

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def logout(page: Any) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_selector("input[name=username]")


def test_archivist_finds_an_item_a_reviewer_borrows_reads_it_watermarked_and_returns_it(
        world: dict[str, Any], live_server: Any, page: Any, shot: Any) -> None:
    seed(CodeList, Code)
    codes.clear()
    users, base = world["users"], live_server.url
    claim = actions.do_register(users["settlement"], claim_input())
    claim = actions.do_compute(users["settlement"], claim)
    claim = actions.do_check(users["checker"], claim)
    claim = actions.do_approve(users["checker"], claim)
    actions.do_mark_paid(users["finance"], claim, paid_on=dt.date(2026, 10, 20))  # its commit archives it
    item = Item.objects.get(kind="manual_claim", object_id=str(claim.pk))
    assert (item.status, item.code) == ("archived", "D001-2026-D30-LP-0001")

    # 1. The archivist finds the item by words of its title.
    login(page, base, "archivist")
    page.goto(f"{base}/archives/")
    page.fill("[data-testid=search]", "张三 心肌梗死")
    page.press("[data-testid=search]", "Enter")
    page.wait_for_selector(f"a:has-text('{item.code}')")
    shot("archives-01-catalogue")
    page.click(f"a:has-text('{item.code}')")
    page.wait_for_selector("[data-testid=item-code]")
    assert page.locator("[data-testid=item-code]").inner_text() == item.code
    assert page.locator("[data-testid=item-checks]").inner_text().count("通过") == 4
    shot("archives-02-item")
    logout(page)

    # 2. A reviewer asks to borrow it.
    login(page, base, "reviewer")
    page.goto(f"{base}/archives/items/{item.pk}/")
    page.fill("[data-testid=borrow-form] input[name=purpose]", "复核疑点时核对原始材料")
    page.fill("[data-testid=borrow-form] input[name=days]", "5")
    page.click("[data-testid=borrow-form] button[type=submit]")
    page.wait_for_selector("text=借阅申请已提交")
    loan = Loan.objects.get()
    logout(page)

    # 3. The archivist approves the loan from the register.
    login(page, base, "archivist")
    page.goto(f"{base}/archives/loans/")
    page.click(f"a:has-text('{loan.number}')")
    page.click("[data-testid=approve]")
    page.wait_for_selector("text=已批准借阅")
    logout(page)

    # 4. The reviewer reads: every page carries their name and today's date.
    login(page, base, "reviewer")
    page.goto(f"{base}/archives/loans/mine/")
    page.click("[data-testid=list-table] a:has-text('阅读')")
    page.wait_for_selector("[data-testid=page-image]")
    today = timezone.localdate().isoformat()
    assert page.locator("[data-testid=watermark-text]").inner_text() == f"reviewer reviewer {today} 仅供查阅"
    # polled from the test: the page's Content-Security-Policy forbids the eval that wait_for_function needs
    images = page.locator("[data-testid=page-image]")
    for _ in range(100):
        if images.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the archive's page images did not load")
    assert page.locator("[data-testid=page-image]").count() >= 2  # the record and the receipt at least
    assert page.locator(".watermark span").first.is_visible()
    page.locator("[data-testid=page-image]").first.scroll_into_view_if_needed()
    shot("archives-03-reading-watermarked")

    # 5. The loan is returned; reading ends.
    page.goto(f"{base}/archives/loans/{loan.pk}/")
    page.click("[data-testid=loan-return]")
    page.wait_for_selector("text=已归还")
    assert page.locator("[data-testid=loan-status]").inner_text() == "已归还"
    loan.refresh_from_db()
    assert loan.status == "returned"
    page.goto(f"{base}/archives/items/{item.pk}/read/")
    page.wait_for_selector("text=没有有效的借阅")
    shot("archives-04-returned")
