"""Audit runs: the exact findings of the small world, stored per settlement and line; a second run adds hits,
not findings; the rule versions and parameters are recorded and a replay reproduces the digest even after the
manager changed the parameters; a declaration is audited as it is stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dae.auditing.actions.rules import do_change_setting
from dae.auditing.actions.runs import do_rerun, do_start_run
from dae.auditing.models import AuditRun, Finding, FindingLine, FindingStep, RunHit
from dae.core.errors import InvalidInput
from dae.core.models import Event, Job

pytestmark = pytest.mark.django_db


def month_run(world: dict[str, Any], **kw: Any) -> AuditRun:
    run = do_start_run(region="220282", scope="month", month="2026-03", actor=world["users"]["reviewer"], **kw)
    run.refresh_from_db()
    return run


def test_a_month_run_stores_exactly_the_two_cases(audit_world: dict[str, Any]) -> None:
    run = month_run(audit_world)
    assert run.status == "done" and run.job.status == Job.Status.SUCCEEDED
    assert run.settlements_count == 2 and run.lines_count == 3
    # R14 (挂床) also fires on both stays: treatment on one day of ten, no bed line to price the idle days (0.00)
    assert run.counts == {"R14_IDLE_BED": 2, "R15_OVERLAP": 1, "R17_CROSS_PERIOD": 1}
    assert (run.findings_count, run.new_findings_count, run.amount_total) == (4, 4, Decimal("900.00"))
    assert set(Finding.objects.filter(rule_id="R14_IDLE_BED").values_list("amount_at_issue", flat=True)) == {
        Decimal("0.00")
    }
    cross = Finding.objects.get(rule_id="R17_CROSS_PERIOD")
    assert (cross.settlement.setl_id, cross.hospital.code, cross.amount_at_issue) == (
        "SA0001",
        "HA0001",
        Decimal("100.00"),
    )
    assert list(cross.lines.values_list("settlement__setl_id", "feedetl_sn", "role", "fee_line__feedetl_sn")) == [
        ("SA0001", "F-OUT", "violation", "F-OUT")
    ]
    overlap = Finding.objects.get(rule_id="R15_OVERLAP")
    assert (overlap.settlement.setl_id, overlap.hospital.code, overlap.amount_at_issue) == (
        "ST0002",
        "HA0002",
        Decimal("800.00"),
    )
    assert sorted(overlap.lines.values_list("settlement__setl_id", "role", "fee_line")) == [
        ("SA0001", "involved", None),
        ("ST0002", "violation", None),
    ]
    assert all(f.status == "open" and f.due_on is not None for f in (cross, overlap))
    assert FindingStep.objects.filter(kind="detected").count() == 4
    assert Event.objects.filter(action="audit.finding_detected").count() == 4
    assert Event.objects.filter(action="audit.run_done", object_id=str(run.pk)).exists()
    # every rule ran, each recorded with its (default) version, parameters and compiled-SQL digest
    assert len(run.rules) == 18 and run.rules["R17_CROSS_PERIOD"]["version"] == 0
    assert run.rules["R17_CROSS_PERIOD"]["params"] == {"min_amount": "0", "days": 1}
    assert len(run.rules["R17_CROSS_PERIOD"]["sql"]) == 64


def test_a_second_run_adds_hits_not_findings(audit_world: dict[str, Any]) -> None:
    first, second = month_run(audit_world), month_run(audit_world)
    assert second.findings_count == 4 and second.new_findings_count == 0
    assert Finding.objects.count() == 4 and RunHit.objects.count() == 8
    assert first.digest == second.digest and len(first.digest) == 64
    assert FindingLine.objects.exclude(finding__rule_id="R14_IDLE_BED").count() == 3


def test_a_selection_keeps_only_findings_on_its_settlements(audit_world: dict[str, Any]) -> None:
    run = do_start_run(
        region="220282", scope="selection", setl_ids=["SA0001"], actor=audit_world["users"]["reviewer"]
    )
    run.refresh_from_db()
    # the overlap belongs to the later stay ST0002, outside the selection, although ST0002 was read as context
    assert run.counts == {"R14_IDLE_BED": 1, "R17_CROSS_PERIOD": 1} and run.settlements_count == 1


def test_replay_uses_the_recorded_versions_after_a_parameter_change(audit_world: dict[str, Any]) -> None:
    manager = audit_world["users"]["manager"]
    original = month_run(audit_world)
    setting = do_change_setting(
        "R17_CROSS_PERIOD", enabled=True, params={"days": 10}, tables={}, reason="放宽跨期天数", actor=manager
    )
    assert setting.version == 1
    changed = month_run(audit_world)
    assert "R17_CROSS_PERIOD" not in changed.counts and changed.rules["R17_CROSS_PERIOD"]["version"] == 1
    assert changed.rules["R17_CROSS_PERIOD"]["sql"] != original.rules["R17_CROSS_PERIOD"]["sql"]
    replay = do_rerun(original, manager)
    replay.refresh_from_db()
    assert replay.replay_of_id == original.pk and replay.rules == original.rules
    assert replay.digest == original.digest and replay.counts == original.counts
    assert changed.digest != original.digest


def test_a_disabled_rule_does_not_run(audit_world: dict[str, Any]) -> None:
    do_change_setting(
        "R15_OVERLAP", enabled=False, params={}, tables={}, reason="暂停此规则", actor=audit_world["users"]["manager"]
    )
    run = month_run(audit_world)
    assert "R15_OVERLAP" not in run.rules and "R15_OVERLAP" not in run.counts and run.counts["R17_CROSS_PERIOD"] == 1


def test_bad_run_requests_are_refused_in_chinese(audit_world: dict[str, Any]) -> None:
    user = audit_world["users"]["reviewer"]
    with pytest.raises(InvalidInput, match="月份格式"):
        do_start_run(region="220282", scope="month", month="2026-3", actor=user)
    with pytest.raises(InvalidInput, match="结算ID"):
        do_start_run(region="220282", scope="selection", setl_ids=[" "], actor=user)
    with pytest.raises(InvalidInput, match="未知的规则"):
        do_start_run(region="220282", scope="month", month="2026-03", rule_ids=["R99"], actor=user)
    assert not AuditRun.objects.exists()


def test_a_declaration_is_audited_when_it_is_stored(world: dict[str, Any]) -> None:
    from ..claims.builders import declaration, settlement
    from ..claims.test_declarations import submit
    from ..factories import EnrolmentFactory, PersonFactory, region

    p = PersonFactory(region=region("220282"), psn_no="PS0001", psn_name="王五", certno="220282197506150017")
    EnrolmentFactory(person=p)
    one = settlement("G1", "PS0001", "2026-09-10 10:00:00", medfee="1000.00", lines=3, begndate="2026-09-01")
    one["feedetail"][0]["fee_ocur_time"] = "2026-08-20 09:00:00"  # ten days before admission: 收费跨期
    d, _ = submit(world["users"]["hospital"], declaration("HA0001", "2026-09", [one]))
    assert d.accepted == 1, list(d.items.values_list("reason", flat=True))
    run = AuditRun.objects.get(declaration=d)
    assert (run.scope, run.status, run.settlements_count) == ("declaration", "done", 1)
    f = Finding.objects.get(run=run, rule_id="R17_CROSS_PERIOD")
    assert f.rule_id == "R17_CROSS_PERIOD" and f.settlement.setl_id == "G1"
    assert f.lines.get().feedetl_sn == one["feedetail"][0]["feedetl_sn"]


def test_a_listed_hospital_and_doctor_raise_the_review_priority(audit_world: dict[str, Any]) -> None:
    from dae.credit.actions import watchlists as credit

    manager = audit_world["users"]["manager"]
    credit.do_list(manager, kind="hospital", code="HA0001", region="220282", level="black", reason="多次违规")
    credit.do_list(manager, kind="doctor", code="D002", region="220282", level="watch", reason="重点关注",
                   name="钱医生", hospital_id=audit_world["hospitals"][0].pk)
    month_run(audit_world)
    cross = Finding.objects.get(rule_id="R17_CROSS_PERIOD")  # 100.00 at HA0001, violating line billed by D002
    assert cross.priority == 1 + 1 + 2 + 1
    assert cross.priority_reasons == ["疑点金额≥100元 +1", "违规类规则 +1", "医疗机构 HA0001 在黑名单 +2",
                                      "医师 D002 在关注名单 +1"]
    overlap = Finding.objects.get(rule_id="R15_OVERLAP")  # 800.00 at HA0002, suspicious, nobody listed
    assert (overlap.priority, overlap.priority_reasons) == (1, ["疑点金额≥100元 +1"])
    assert list(Finding.objects.values_list("rule_id", flat=True)[:1]) == ["R17_CROSS_PERIOD"]  # listed first
