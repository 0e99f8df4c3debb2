"""The manager edits a parameter, publishes a new version effective next month, and a trial calculation
before and after that date shows the old and the new payout with their version ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def first_of_next_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def trial(page: Any, base: str, setl_id: str, day: dt.date) -> tuple[str, str]:
    page.goto(f"{base}/benefits/trial/")
    page.fill("#id_s-0-setl_id", setl_id)
    page.fill("#id_s-0-setl_time", f"{day.isoformat()}T10:00")
    page.fill("#id_s-0-adm_date", day.isoformat())
    page.fill("#id_s-0-dscg_date", day.isoformat())
    page.click("[data-testid=calculate]")
    result = page.locator(f"[data-testid=trial-result][data-setl={setl_id}]")
    return result.locator("[data-testid=version-id]").inner_text(), result.locator("[data-testid=payout]").inner_text()


def test_manager_publishes_next_month_and_trial_shows_old_and_new(world: dict[str, Any], live_server: Any,
                                                                  page: Any, shot: Any) -> None:
    effective = first_of_next_month(timezone.localdate())
    base = live_server.url
    login(page, base, "manager")
    page.goto(f"{base}/benefits/rulesets/huadian-dae/")
    page.click("[data-testid=new-version]")
    page.click("[data-testid=tab-yaml]")  # the YAML stays available as the advanced view
    editor = page.locator("textarea[name=source_text]")
    text = editor.input_value()
    assert "0.85" in text
    editor.fill(text.replace("ratio: '0.85'", "ratio: '0.88'").replace('ratio: "0.85"', 'ratio: "0.88"'))
    page.click("[data-testid=save-draft]")
    diff = page.locator("[data-testid=diff]").inner_text()
    assert "segments[0].ratio" in diff and "0.88" in diff
    page.fill("input[name=effective]", effective.isoformat())
    page.click("[data-testid=publish]")
    assert page.locator("[data-testid=version-status]").inner_text() == "已发布"
    shot("ruleset-published")

    # The default example: 120,000 total, 110,000 in scope, entry threshold 60,000 → base 50,000.
    old = trial(page, base, "S-BEFORE", effective - dt.timedelta(days=1))
    new = trial(page, base, "S-AFTER", effective)
    shot("trial-after")
    assert old == ("huadian-dae@2025.1", "42500.00")
    assert new == ("huadian-dae@2025.2", "44000.00")
