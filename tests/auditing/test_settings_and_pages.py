"""The manager's rule settings: versions with history, bad values refused with nothing written, parameter tables
checked by the engine's schemas and used by the next run; the audit pages as each post sees them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dae.auditing import rulebook
from dae.auditing.actions.rules import do_change_setting
from dae.auditing.actions.runs import do_start_run
from dae.auditing.models import AuditRun, Finding, RuleSetting
from dae.core.errors import AppendOnlyViolation, InvalidInput
from dae.core.models import Event

pytestmark = pytest.mark.django_db


def test_settings_are_versions_with_history(audit_world: dict[str, Any]) -> None:
    manager = audit_world["users"]["manager"]
    one = do_change_setting(
        "R13_SPLIT_STAY", enabled=True, params={"days": 10}, tables={}, reason="按本市口径调整为10天", actor=manager
    )
    two = do_change_setting(
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
    with pytest.raises(AppendOnlyViolation, match="不能修改"):
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
            do_change_setting(
                rule_id, enabled=True, params=params, tables=tables, reason="测试修改", actor=manager
            )
    with pytest.raises(InvalidInput, match="修改原因"):
        do_change_setting("R13_SPLIT_STAY", enabled=True, params={}, tables={}, reason="", actor=manager)
    assert not RuleSetting.objects.exists() and not Event.objects.filter(action="audit.rule_setting").exists()


def test_a_parameter_table_set_by_the_manager_is_used_by_the_next_run(audit_world: dict[str, Any]) -> None:
    from ..factories import FeeLineFactory
    from .fixtures import aware

    # the same once-a-day item twice on 2026-03-03 in SA0001
    for sn in ("D-1", "D-2"):
        FeeLineFactory(
            settlement=audit_world["first"],
            feedetl_sn=sn,
            med_list_codg="ONCE01",
            fee_ocur_time=aware(2026, 3, 3, 9 if sn == "D-1" else 15),
        )
    user = audit_world["users"]["reviewer"]
    do_start_run(region="220282", scope="month", month="2026-03", actor=user)
    assert not Finding.objects.filter(rule_id="R01_DUP_SAME_DAY").exists()
    do_change_setting(
        "R01_DUP_SAME_DAY",
        enabled=True,
        params={},
        tables={"once_daily_item": [{"med_list_codg": "ONCE01"}]},
        reason="诊查费每日一次",
        actor=audit_world["users"]["manager"],
    )
    run = do_start_run(region="220282", scope="month", month="2026-03", actor=user)
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


def test_parameters_survive_switching_a_rule_off_and_on(audit_world: dict[str, Any], client_for: Any) -> None:
    manager = audit_world["users"]["manager"]
    do_change_setting("R13_SPLIT_STAY", enabled=True, params={"days": 30}, tables={}, reason="三十天",
                               actor=manager)
    do_change_setting("R13_SPLIT_STAY", enabled=False, params={}, tables={}, reason="暂停", actor=manager)
    again = do_change_setting("R13_SPLIT_STAY", enabled=None, params={"dise_chars": 4}, tables={},
                                       reason="改为四位", actor=manager)
    assert (again.enabled, again.params) == (False, {"days": 30, "dise_chars": 4})
    page = client_for("manager").get("/audit/rules/R13_SPLIT_STAY/").content.decode()
    assert 'name="param_days" value="30"' in page


def test_a_checkbox_parameter_is_kept_when_the_page_is_saved(audit_world: dict[str, Any], client_for: Any) -> None:
    manager = client_for("manager")
    page = manager.get("/audit/rules/R10_DIAGNOSIS/").content.decode()
    assert 'type="checkbox" id="param-use_secondary" name="param_use_secondary" checked' in page
    manager.post("/audit/rules/R10_DIAGNOSIS/", {"enabled": "on", "param_min_amount": "1",
                                                  "param_use_secondary": "on", "reason": "起报金额"})
    manager.post("/audit/rules/R10_DIAGNOSIS/", {"enabled": "on", "param_min_amount": "1", "reason": "只看主诊断"})
    assert [s.params["use_secondary"] for s in RuleSetting.objects.filter(rule_id="R10_DIAGNOSIS")] == [False, True]


def test_a_declaration_stays_stored_when_no_rule_is_enabled(world: dict[str, Any]) -> None:
    from dae.audit import RULES

    from ..claims.builders import declaration, settlement
    from ..claims.test_declarations import submit
    from ..factories import EnrolmentFactory, PersonFactory, region

    for rule_id in RULES:
        do_change_setting(rule_id, enabled=False, params={}, tables={}, reason="全部停用",
                                   actor=world["users"]["manager"])
    p = PersonFactory(region=region("220282"), psn_no="PS0001", psn_name="王五", certno="220282197506150017")
    EnrolmentFactory(person=p)
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", [
        settlement("G1", "PS0001", "2026-09-10 10:00:00", medfee="1000.00", lines=2)]))
    assert d.status == "checked" and d.accepted == 1
    assert not AuditRun.objects.exists()
    assert Event.objects.filter(action="audit.declaration_not_audited", object_id=str(d.pk)).exists()
