"""The manager edits a rule-set version through the form, not the YAML: a wrong ratio is refused beside its field,
then a segment ratio and the threshold are changed, the diff is previewed and the version is published."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from dae.benefits.models import RuleSetVersion

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_changes_a_segment_ratio_and_the_threshold_through_the_form_and_publishes(
        world: dict[str, Any], live_server: Any, page: Any, shot: Any) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, base, "manager")
    page.goto(f"{base}/benefits/rulesets/huadian-dae/")
    page.click("[data-testid=new-version]")
    ratios = page.locator("[data-testid=segment-ratio]")
    assert [ratios.nth(i).input_value() for i in range(ratios.count())] == ["85", "90", "95"]
    assert page.locator("[data-testid=param-entry_threshold]").input_value() == "60000.00"

    # A wrong value: its message stands beside the field, and nothing is saved.
    ratios.nth(1).fill("120")
    page.fill("[data-testid=param-entry_threshold]", "6万")
    page.click("[data-testid=save-params]")
    second = page.locator("[data-testid=segment-row]").nth(1)
    assert second.locator("[data-testid=field-error-ratio]").inner_text() == "应在 0 到 100 之间"
    assert "格式错误" in page.locator("[data-testid=field-error-entry_threshold]").inner_text()
    shot("ruleset-form-error")
    draft = RuleSetVersion.objects.get(status=RuleSetVersion.Status.DRAFT)
    assert draft.document["segments"][1]["ratio"] == "0.90"

    # The right values: saved, and the diff names exactly what changed, in Chinese.
    page.locator("[data-testid=segment-ratio]").nth(0).fill("88")
    page.locator("[data-testid=segment-ratio]").nth(1).fill("90")
    page.fill("[data-testid=param-entry_threshold]", "65000")
    page.click("[data-testid=save-params]")
    rows = page.locator("[data-testid=diff] tbody tr")
    lines = [rows.nth(i).inner_text().split("\n")[0] for i in range(rows.count())]
    assert lines == ["版本号", "起付线（进入大额的门槛）", "第 1 段 · 赔付比例"]
    diff = page.locator("[data-testid=diff]").inner_text()
    assert "65000.00" in diff and "0.88" in diff
    shot("ruleset-form-diff")

    effective = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    page.fill("input[name=effective]", effective.isoformat())
    page.click("[data-testid=publish]")
    assert page.locator("[data-testid=version-status]").inner_text() == "已发布"
    published = RuleSetVersion.objects.get(pk=draft.pk)
    assert (published.status, published.valid_from) == (RuleSetVersion.Status.PUBLISHED, effective)
    assert published.document["entry_threshold"] == "65000.00"
    assert [s["ratio"] for s in published.document["segments"]] == ["0.88", "0.90", "0.95"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
