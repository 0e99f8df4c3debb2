"""Every post logs in, sees its dashboard, navigates the shell in Chinese and English; isolation holds."""

from __future__ import annotations

from typing import Any

import pytest

from dae.accounts.posts import Post
from dae.core.models import AccessRecord

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("post", [p.value for p in Post])
def test_each_post_logs_in_and_sees_its_dashboard_and_navigation(
    post: str, world: dict[str, Any], live_server: Any, page: Any, shot: Any
) -> None:
    login(page, live_server.url, post)
    heading = page.locator("h1").first.inner_text()
    assert heading == f"{Post(post).label}工作台"
    links = page.locator("[data-testid=sidenav] a.nav-link")
    assert links.count() >= 1
    shot(f"home-{post}")
    # Every navigation link opens without an error page.
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:
        response = page.goto(live_server.url + href)
        assert response.status == 200, href
        assert page.locator("[data-testid=error]").count() == 0, href
        assert page.locator("[data-testid=breadcrumbs]").count() == 1


def test_shell_switches_to_english_and_back(world: dict[str, Any], live_server: Any, page: Any, shot: Any) -> None:
    login(page, live_server.url, "settlement")
    page.select_option("[data-testid=language-select]", "en")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").first.inner_text() == "Settlement clerk workbench"
    page.goto(live_server.url + "/enrollment/persons/")
    assert page.locator("h1").first.inner_text() == "Insured persons"
    assert page.locator("th").first.inner_text() == "Person no."
    shot("persons-en")
    page.select_option("[data-testid=language-select]", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("h1").first.inner_text() == "参保人"
    shot("persons-zh")


def test_list_search_and_detail(world: dict[str, Any], live_server: Any, page: Any, shot: Any) -> None:
    login(page, live_server.url, "settlement")
    page.goto(live_server.url + "/claims/settlements/")
    page.fill("[data-testid=search]", "SA0001")
    page.press("[data-testid=search]", "Enter")
    page.wait_for_url("**q=SA0001**")
    rows = page.locator("[data-testid=list-table] tbody tr")
    assert rows.count() == 1
    page.click("text=SA0001")
    page.wait_for_selector("[data-testid=settlement-amounts]")
    shot("settlement-detail")


def test_region_a_clerk_cannot_open_region_b_person(world: dict[str, Any], live_server: Any, page: Any,
                                                   shot: Any) -> None:
    login(page, live_server.url, "settlement")
    response = page.goto(live_server.url + "/enrollment/persons/PB0001/")
    assert response.status == 404
    assert "记录不存在或无权访问" in page.locator("[data-testid=error]").inner_text()
    shot("region-isolation-404")
    denied = AccessRecord.objects.get(why="denied")
    assert (denied.actor.username, denied.psn_no) == ("settlement", "PB0001")
    page.goto(live_server.url + "/enrollment/persons/?q=PB0001")
    assert page.locator("[data-testid=list-table] tbody tr").first.inner_text().strip() == \
        "没有符合条件的记录，可放宽或重置筛选条件。"
