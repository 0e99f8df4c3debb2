"""The manager's rule settings: versions with history, bad values refused with nothing written, parameter tables
checked by the engine's schemas and used by the next run; the audit pages as each post sees them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dae.auditing import rulebook, runs
from dae.auditing.models import AuditRun, Finding, RuleSetting
from dae.core.errors import InvalidInput
from dae.core.models import Event

pytestmark = pytest.mark.django_db


def test_settings_are_versions_with_history(audit_world: dict[str, Any]) -> None:
    manager = audit_world["users"]["manager"]
    one = rulebook.do_change_setting(
        "R13_SPLIT_STAY", enabled=True, params={"days": 10}, tables={}, reason="按本市口径调整为10天", actor=manager
    )
    two = rulebook.do_change_setting(
        "R13_SPLIT_STAY", enabled=False, params={"days": 12}, tables={}, reason="暂停核查", actor=manager
    )
    assert (one.version, two.version) == (1, 2)
    assert list(RuleSetting.objects.filter(rule_id="R13_SPLIT_STAY").values_list("version", "enabled", "params")) == [
        (2, False, {"days": 12}),
        (1, True, {"days": 10}),
    ]
    assert rulebook.current()["R13_SPLIT_STAY"].version == 2
    event = Event.objects.filter(action="audit.rule_setting").latest("id")
    assert event.before["params"] == {"days": 10} and event.after["params"] == {"days": 12}
    with pytest.raises(RuntimeError, match="不可修改"):
        one.save()


def test_bad_settings_are_refused_and_nothing_is_written(audit_world: dict[str, Any]) -> None:
    manager = audit_world["users"]["manager"]
    cases = [
        ("R13_SPLIT_STAY", {"days": 400}, {}, "不能大于 365"),
        ("R13_SPLIT_STAY", {"dayz": 3}, {}, "没有参数 dayz"),
        ("R11_PRICE_CAP", {"tolerance": 0.5}, {}, "不能是浮点数"),
        ("R01_DUP_SAME_DAY", {}, {"bundle_pair": []}, "没有参数表 bundle_pair"),
        ("R01_DUP_SAME_DAY", {}, {"once_daily_item": [{"code": "X"}]}, "未知的列：code"),
        ("R01_DUP_SAME_DAY", {}, {"once_daily_item": [{"med_list_codg": None}]}, "med_list_codg 不能为空"),
        (
            "R05_FREQ_PERIOD",
            {},
            {"period_limit": [{"med_list_codg": "A", "window_days": 7, "max_cnt": 1.5}]},
            "不能是浮点数",
        ),
        ("R99", {}, {}, "未知的规则"),
    ]
    for rule_id, params, tables, message in cases:
        with pytest.raises(InvalidInput, match=message):
            rulebook.do_change_setting(
                rule_id, enabled=True, params=params, tables=tables, reason="测试修改", actor=manager
            )
    with pytest.raises(InvalidInput, match="修改原因"):
        rulebook.do_change_setting("R13_SPLIT_STAY", enabled=True, params={}, tables={}, reason="", actor=manager)
    assert not RuleSetting.objects.exists() and not Event.objects.filter(action="audit.rule_setting").exists()


def test_a_parameter_table_set_by_the_manager_is_used_by_the_next_run(audit_world: dict[str, Any]) -> None:
    from ..factories import FeeLineFactory
    from .conftest import aware

    # the same once-a-day item twice on 2026-03-03 in SA0001
    for sn in ("D-1", "D-2"):
        FeeLineFactory(
            settlement=audit_world["first"],
            feedetl_sn=sn,
            med_list_codg="ONCE01",
            fee_ocur_time=aware(2026, 3, 3, 9 if sn == "D-1" else 15),
        )
    user = audit_world["users"]["reviewer"]
    runs.start_run(region="220282", scope="month", month="2026-03", actor=user)
    assert not Finding.objects.filter(rule_id="R01_DUP_SAME_DAY").exists()
    rulebook.do_change_setting(
        "R01_DUP_SAME_DAY",
        enabled=True,
        params={},
        tables={"once_daily_item": [{"med_list_codg": "ONCE01"}]},
        reason="诊查费每日一次",
        actor=audit_world["users"]["manager"],
    )
    run = runs.start_run(region="220282", scope="month", month="2026-03", actor=user)
    run.refresh_from_db()
    f = Finding.objects.get(rule_id="R01_DUP_SAME_DAY")
    assert sorted(f.lines.values_list("feedetl_sn", "role")) == [("D-1", "involved"), ("D-2", "violation")]
    assert run.rules["R01_DUP_SAME_DAY"]["version"] == 1
    assert run.rules["R01_DUP_SAME_DAY"]["tables"]["once_daily_item"] == rulebook.digest([{"med_list_codg": "ONCE01"}])


def test_pages(audit_world: dict[str, Any], client_for: Any) -> None:
    reviewer, manager = client_for("reviewer"), client_for("manager")
    response = reviewer.post("/audit/runs/start/", {"region": "220282", "month": "2026-03"})
    run = AuditRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/audit/runs/{run.pk}/"
    page = reviewer.get(f"/audit/runs/{run.pk}/").content.decode()
    assert "R17_CROSS_PERIOD" in page and run.digest in page and 'data-testid="run-chart"' in page
    listing = reviewer.get("/audit/findings/").content.decode()
    assert "收费跨期" in listing and 'data-testid="finding-chart"' in listing
    assert "SA0001" in reviewer.get("/audit/findings/?overdue=").content.decode()
    assert reviewer.get("/audit/check/?setl_id=SA0001").content.decode().count("收费跨期") >= 1
    assert "不在本人负责的范围" in reviewer.get("/audit/check/?setl_id=SB0001").content.decode()
    assert "R18_SUBSTITUTE" in reviewer.get("/audit/rules/").content.decode()
    # the manager saves a new version from the page; a bad JSON table is refused in Chinese
    bad = manager.post(
        "/audit/rules/R01_DUP_SAME_DAY/",
        {"enabled": "on", "param_min_amount": "0", "table_once_daily_item": "[{", "reason": "新增项目"},
        follow=True,
    )
    assert "不是有效的 JSON" in bad.content.decode() and not RuleSetting.objects.exists()
    manager.post(
        "/audit/rules/R01_DUP_SAME_DAY/",
        {
            "enabled": "on",
            "param_min_amount": "5",
            "table_once_daily_item": json.dumps([{"med_list_codg": "ONCE01"}]),
            "reason": "新增项目",
        },
    )
    setting = RuleSetting.objects.get()
    assert setting.params == {"min_amount": "5"} and setting.tables == {
        "once_daily_item": [{"med_list_codg": "ONCE01"}]
    }
    assert "新增项目" in manager.get("/audit/rules/R01_DUP_SAME_DAY/").content.decode()
    # a reviewer may read the rule but not change it
    assert reviewer.post("/audit/rules/R01_DUP_SAME_DAY/", {"reason": "x"}).status_code == 403
