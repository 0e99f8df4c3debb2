"""Credit scores and lists: exact points, levels at the lines (a score on a line is above it), idempotency, the
history rows and events, manual black-listing and delisting with a reason, the window's expiry, the parameters
with their history, and what the audit reads (``listed_levels``, ``priority_boost``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dae.core.errors import Conflict, InvalidInput
from dae.core.models import Event
from dae.credit import queries
from dae.credit.actions import parameters, violations, watchlists
from dae.credit.models import CreditEvent, CreditListChange, CreditParty, CreditSettings, Level
from tests.factories import REGION_A, REGION_B, HospitalFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate


def violate(
    user: Any,
    amount: str = "0.00",
    *,
    n: int = 1,
    code: str = "HA0001",
    kind: str = "hospital",
    region: str = REGION_A,
    on: dt.date | None = None,
    source: str = "test",
    **extra: Any,
) -> CreditEvent:
    event = None
    for i in range(n):
        event = violations.do_record_violation(
            party_kind=kind,
            party_code=code,
            region_id=region,
            amount=D(amount),
            source=(source, f"{code}-{amount}-{i}-{on}"),
            on=on or TODAY(),
            actor=user,
            **extra,
        )
    assert event is not None
    return event


def party(code: str = "HA0001", kind: str = "hospital", region: str = REGION_A) -> CreditParty:
    return CreditParty.objects.get(kind=kind, code=code, region_id=region)


@pytest.mark.parametrize(
    ("amount", "points"),
    [("0.00", 5), ("999.99", 5), ("1000.00", 6), ("2999.99", 7), ("15000.00", 20), ("15000.01", 20), ("250000.00", 20)],
)
def test_points_per_event(amount: str, points: int) -> None:
    assert queries.points_for(D(amount), queries.Params(version=0, **queries.DEFAULTS)) == points


@pytest.mark.parametrize(
    ("score", "level"), [(100, "normal"), (80, "normal"), (79, "watch"), (60, "watch"), (59, "black"), (0, "black")]
)
def test_level_at_the_lines(score: int, level: str) -> None:
    assert queries.level_for(score, queries.Params(version=0, **queries.DEFAULTS)) == level


def test_the_score_reaches_the_watch_line_without_listing_and_lists_below_it(world: dict[str, Any]) -> None:
    reviewer = world["users"]["reviewer"]
    violate(reviewer, n=4)  # 4 × 5 points = 20 → 80: on the line, not below it
    p = party()
    assert (p.score, p.points, p.events_count, p.level, p.name, p.hospital_id) == (
        80,
        20,
        4,
        "normal",
        "桦甸市人民医院",
        world["hospitals"][0].pk,
    )
    assert not CreditListChange.objects.exists()
    event = violate(reviewer, "1000.00")  # 6 points → 74
    p.refresh_from_db()
    assert (p.score, p.level, p.listed_on, event.points, event.score_after) == (74, "watch", TODAY(), 6, 74)
    change = CreditListChange.objects.get()
    assert (change.from_level, change.to_level, change.score, change.cause, change.event_id, change.actor) == (
        "normal",
        "watch",
        74,
        "violation",
        event.pk,
        reviewer,
    )
    assert (
        change.reason
        == f"{TODAY().isoformat()} 违规金额 1,000.00 元扣 6 分（test HA0001-1000.00-0-None）：信用分 74 低于关注名单线 80"
    )
    assert Event.objects.filter(action="credit.violation_recorded").count() == 5
    level_event = Event.objects.get(action="credit.level_changed")
    assert (level_event.before, level_event.after, level_event.region_id) == (
        {"level": "normal", "score": 80},
        {"level": "watch", "score": 74},
        REGION_A,
    )


def test_the_black_line_itself_is_watch_and_below_it_black(world: dict[str, Any]) -> None:
    reviewer = world["users"]["reviewer"]
    violate(reviewer, "15000.00", n=2)  # 20 + 20 → 60: on the black line
    assert (party().score, party().level) == (60, "watch")
    violate(reviewer, "0.01")  # 5 → 55
    p = party()
    assert (p.score, p.level) == (55, "black")
    assert list(p.changes.order_by("pk").values_list("from_level", "to_level", "score")) == [
        ("normal", "watch", 60),
        ("watch", "black", 55),
    ]
    assert p.changes.order_by("pk").last().reason.endswith("信用分 55 低于黑名单线 60")


def test_the_score_never_goes_below_zero(world: dict[str, Any]) -> None:
    violate(world["users"]["reviewer"], "99999.00", n=6)
    assert (party().score, party().points) == (0, 120)


def test_recording_the_same_source_again_changes_nothing(world: dict[str, Any]) -> None:
    reviewer = world["users"]["reviewer"]
    kwargs: dict[str, Any] = {
        "party_kind": "hospital",
        "party_code": "HA0001",
        "region_id": REGION_A,
        "amount": D("5000.00"),
        "source": ("audit.finding", 17),
        "on": TODAY(),
        "actor": reviewer,
    }
    first = violations.do_record_violation(**kwargs)
    again = violations.do_record_violation(**{**kwargs, "amount": D("9000.00"), "source": ("audit.finding", "17")})
    assert again.pk == first.pk and CreditEvent.objects.count() == 1
    assert (party().score, first.points) == (90, 10)
    assert Event.objects.filter(action="credit.violation_recorded").count() == 1
    # the same source for another party (the finding's doctor) is another event
    doctor = violations.do_record_violation(
        **{**kwargs, "party_kind": "doctor", "party_code": "D001", "hospital_code": "HA0001", "party_name": "王医生"}
    )
    assert doctor.pk != first.pk and party("D001", "doctor").hospital_id == world["hospitals"][0].pk


def test_a_region_given_as_a_number_is_its_code(world: dict[str, Any]) -> None:
    event = violations.do_record_violation(
        party_kind="person",
        party_code="PA0001",
        region_id=int(REGION_A),
        amount=D("0"),
        source=("test", 1),
        on=TODAY(),
        actor=None,
    )
    assert (event.region_id, event.party.name, event.party.hospital_id, event.actor) == (REGION_A, "张三", None, None)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"party_kind": "clinic"}, "invalid_party_kind"),
        ({"party_code": "NOPE"}, "unknown_party"),
        ({"party_kind": "person", "party_code": "NOPE"}, "unknown_party"),
        ({"party_kind": "doctor", "party_code": "D1", "hospital_code": "NOPE"}, "unknown_hospital"),
        ({"amount": D("-1.00")}, "invalid_amount"),
        ({"amount": D("1.001")}, "invalid_amount"),
        ({"amount": 1.5}, "invalid_amount"),
        ({"source": ("", 1)}, "invalid_source"),
        ({"region_id": "999999"}, "invalid_region"),
        ({"on": dt.date(2999, 1, 1)}, "invalid_date"),
    ],
)
def test_refused_violations(world: dict[str, Any], change: dict[str, Any], code: str) -> None:
    kwargs: dict[str, Any] = {
        "party_kind": "hospital",
        "party_code": "HA0001",
        "region_id": REGION_A,
        "amount": D("100.00"),
        "source": ("test", 1),
        "on": TODAY(),
        "actor": None,
    }
    with pytest.raises(InvalidInput) as err:
        violations.do_record_violation(**{**kwargs, **change})
    assert err.value.code == code
    assert not CreditEvent.objects.exists() and not CreditParty.objects.exists()


def test_events_leave_the_window(world: dict[str, Any]) -> None:
    reviewer = world["users"]["reviewer"]
    today = TODAY()
    two_years_ago = queries.add_months(today, -24)
    violate(reviewer, "15000.00", on=two_years_ago)  # expires today: never counts
    assert (party().score, party().events_count, party().expires_on) == (100, 0, None)
    violate(reviewer, "15000.00", n=2, on=two_years_ago + dt.timedelta(days=1))  # counts until tomorrow
    p = party()
    assert (p.score, p.level, p.expires_on) == (60, "watch", today + dt.timedelta(days=1))
    assert violations.do_refresh_expired(today) == 0  # nothing due yet
    assert violations.do_refresh_expired(today + dt.timedelta(days=1)) == 1
    p.refresh_from_db()
    assert (p.score, p.level, p.expires_on, p.listed_on) == (100, "normal", None, None)
    change = p.changes.order_by("pk").last()
    assert (change.from_level, change.to_level, change.cause, change.on, change.actor) == (
        "watch",
        "normal",
        "expiry",
        today + dt.timedelta(days=1),
        None,
    )
    assert change.reason == "扣分到期：信用分 100 回升至关注名单线 80 及以上"


def test_the_score_history_by_date(world: dict[str, Any]) -> None:
    today = TODAY()
    old = queries.add_months(today, -24) - dt.timedelta(days=10)  # left the window 10 days ago
    gone = queries.add_months(old, 24)
    violate(None, "0.00", on=old)
    violate(None, "15000.00", on=today - dt.timedelta(days=100))
    violate(None, "1000.00", on=today - dt.timedelta(days=50))
    p = party()
    params = queries.params_for(REGION_A)
    assert queries.score_history(p, today, params) == [
        (old, 95),
        (today - dt.timedelta(days=100), 75),
        (today - dt.timedelta(days=50), 69),
        (gone, 74),
        (today, 74),
    ]
    assert p.level == "watch"
    p = watchlists.do_delist(world["users"]["manager"], p, reason="整改完毕")  # today: the earlier ones stop counting
    assert queries.score_history(p, today, params)[-1] == (today, 100)
    assert queries.score_history(p, today, params)[:-1] == [
        (old, 95),
        (today - dt.timedelta(days=100), 75),
        (today - dt.timedelta(days=50), 69),
        (gone, 74),
    ]


def test_add_months_keeps_the_day_or_the_month_end() -> None:
    assert queries.add_months(dt.date(2024, 3, 10), 24) == dt.date(2026, 3, 10)
    assert queries.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert queries.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert queries.add_months(dt.date(2026, 1, 15), -24) == dt.date(2024, 1, 15)


def test_manual_black_listing_needs_a_reason_and_holds_over_the_score(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    with pytest.raises(InvalidInput) as err:
        watchlists.do_list(manager, kind="hospital", code="HA0001", region=REGION_A, level="black", reason=" ")
    assert (err.value.code, err.value.message) == ("reason_required", "请填写列入原因")
    assert not CreditParty.objects.exists()
    p = watchlists.do_list(
        manager,
        kind="hospital",
        code="HA0001",
        region=REGION_A,
        level="black",
        reason="骗取医保基金，移送公安",
        name="桦甸市人民医院",
        hospital_id=world["hospitals"][0].pk,
    )
    assert (p.level, p.manual_level, p.score, p.score_level, p.manual_reason) == (
        "black",
        "black",
        100,
        "normal",
        "骗取医保基金，移送公安",
    )
    change = p.changes.get()
    assert (change.from_level, change.to_level, change.cause, change.actor, change.reason) == (
        "normal",
        "black",
        "manual_list",
        manager,
        "人工列入黑名单：骗取医保基金，移送公安",
    )
    violate(world["users"]["reviewer"], "0.00")  # 95: the score says normal, the listing keeps it black
    p.refresh_from_db()
    assert (p.level, p.score, p.score_level) == (Level.BLACK, 95, "normal") and p.changes.count() == 1
    with pytest.raises(Conflict):
        watchlists.do_list(manager, kind="hospital", code="HA0001", region=REGION_A, level="black", reason="再次")
    with pytest.raises(InvalidInput):
        watchlists.do_list(manager, kind="hospital", code="HA0001", region=REGION_A, level="normal", reason="原因")


def test_delisting_needs_a_reason_is_recorded_and_restarts_the_score(world: dict[str, Any]) -> None:
    manager, reviewer = world["users"]["manager"], world["users"]["reviewer"]
    violate(reviewer, "15000.00", n=3)  # 40 → black by score
    p = party()
    assert p.level == "black"
    with pytest.raises(InvalidInput) as err:
        watchlists.do_delist(manager, p, reason="")
    assert err.value.message == "请填写移出原因"
    p.refresh_from_db()
    assert p.level == "black"
    p = watchlists.do_delist(manager, p, reason="已全额退回违规费用并完成整改")
    assert (p.level, p.score, p.points, p.events_count, p.listed_on) == ("normal", 100, 0, 0, None)
    assert p.repaired_at is not None and p.repair_floor == CreditEvent.objects.order_by("-pk").first().pk
    change = p.changes.order_by("pk").last()
    assert (change.from_level, change.to_level, change.score, change.cause, change.actor, change.reason) == (
        "black",
        "normal",
        100,
        "manual_delist",
        manager,
        "人工移出黑名单：已全额退回违规费用并完成整改",
    )
    assert (
        Event.objects.filter(action="credit.delisted", object_id=str(p.pk)).get().note == "已全额退回违规费用并完成整改"
    )
    with pytest.raises(Conflict):
        watchlists.do_delist(manager, p, reason="再次移出")
    violate(reviewer, "1000.00")  # counts from 100 again: 94
    p.refresh_from_db()
    assert (p.score, p.level) == (94, "normal")


def test_a_manual_watch_listing_does_not_lower_a_black_score(world: dict[str, Any]) -> None:
    violate(world["users"]["reviewer"], "15000.00", n=3)
    p = watchlists.do_list(
        world["users"]["manager"], kind="hospital", code="HA0001", region=REGION_A, level="watch", reason="关注"
    )
    assert (p.level, p.manual_level) == ("black", "watch")


def test_listed_levels_and_priority_boost(world: dict[str, Any]) -> None:
    manager, reviewer = world["users"]["manager"], world["users"]["reviewer"]
    HospitalFactory(region=world["regions"][1], code="HB0002")
    violate(reviewer, "15000.00", n=2)  # HA0001 → 60 watch
    watchlists.do_list(manager, kind="person", code="PA0001", region=REGION_A, level="black", reason="冒名就医")
    watchlists.do_list(manager, kind="doctor", code="D9", region=REGION_A, level="watch", reason="关注")
    watchlists.do_list(manager, kind="doctor", code="D9", region=REGION_B, level="black", reason="异地也有违规")
    violate(reviewer, "0.00", code="HB0001", region=REGION_B)  # 95: not listed
    assert violations.listed_levels(REGION_A) == {
        ("hospital", "HA0001"): "watch",
        ("person", "PA0001"): "black",
        ("doctor", "D9"): "watch",
    }
    assert violations.listed_levels(REGION_B) == {("doctor", "D9"): "black"}
    assert violations.listed_levels(None) == {
        ("hospital", "HA0001"): "watch",
        ("person", "PA0001"): "black",
        ("doctor", "D9"): "black",
    }
    assert [queries.priority_boost(x) for x in (None, "", "normal", "watch", "black")] == [0, 0, 0, 1, 2]
    assert violations.level_of("hospital", "HB0001") == "normal"


def test_listed_levels_takes_expired_points_off_first(world: dict[str, Any]) -> None:
    on = queries.add_months(TODAY(), -24) + dt.timedelta(days=1)
    violate(world["users"]["reviewer"], "15000.00", n=2, on=on)
    assert violations.listed_levels(REGION_A) == {("hospital", "HA0001"): "watch"}
    # as if a day had passed: the events now lie two years back and are due today
    CreditEvent.objects.update(on=on - dt.timedelta(days=1))
    CreditParty.objects.filter(kind="hospital").update(expires_on=TODAY())
    assert violations.listed_levels(REGION_A) == {}


def test_settings_have_versions_with_history_and_rescore_every_party(world: dict[str, Any]) -> None:
    manager = world["users"]["manager"]
    violate(world["users"]["reviewer"], "0.00", n=3)  # 85
    values = {**queries.DEFAULTS, "watch_below": 90, "base_points": 4}
    row = parameters.do_change_settings(manager, REGION_A, values, reason="从严管理")
    assert (row.version, row.watch_below, row.base_points, row.actor, row.reason) == (1, 90, 4, manager, "从严管理")
    p = party()
    assert (p.score, p.level) == (85, "watch")  # recorded points stay; the new line lists it
    change = p.changes.get()
    assert (change.cause, change.reason) == ("settings", "参数变更（第 1 版）：信用分 85 低于关注名单线 90")
    assert queries.params_for(REGION_A).version == 1 and queries.params_for(REGION_B).version == 0
    assert violate(world["users"]["reviewer"], "0.00", source="later").points == 4
    second = parameters.do_change_settings(manager, REGION_A, {**values, "window_months": 12}, reason="缩短周期")
    assert (
        list(
            CreditSettings.objects.filter(region_id=REGION_A)
            .order_by("version")
            .values_list("version", "window_months")
        )
        == [(1, 24), (2, 12)]
        and second.version == 2
    )
    event = Event.objects.get(action="credit.settings_changed", object_id=str(second.pk))
    assert (event.before, event.after) == ({"window_months": 24}, {"window_months": 12})
    with pytest.raises(Conflict):
        parameters.do_change_settings(manager, REGION_A, {**values, "window_months": 12}, reason="无变化")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"watch_below": 50, "black_below": 60}, "black_below"),
        ({"base_points": 30, "max_points": 20}, "base_points"),
        ({"window_months": 0}, "window_months"),
        ({"min_peers": "5.5"}, "min_peers"),
        ({"anomaly_threshold": "0.5"}, "anomaly_threshold"),
        ({"anomaly_threshold": "3.005"}, "anomaly_threshold"),
    ],
)
def test_bad_settings_are_refused(world: dict[str, Any], change: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidInput) as err:
        parameters.do_change_settings(world["users"]["manager"], REGION_A, {**queries.DEFAULTS, **change}, reason="测试")
    assert err.value.details[0]["path"] == path
    assert not CreditSettings.objects.exists()
    with pytest.raises(InvalidInput) as missing:
        parameters.do_change_settings(
            world["users"]["manager"], REGION_A, {**queries.DEFAULTS, "window_months": 6}, reason=""
        )
    assert missing.value.code == "reason_required"


def test_credit_records_are_append_only(world: dict[str, Any]) -> None:
    from dae.core.errors import AppendOnlyViolation

    event = violate(world["users"]["reviewer"], "15000.00", n=2)
    with pytest.raises(AppendOnlyViolation):
        event.save()
    with pytest.raises(AppendOnlyViolation):
        CreditListChange.objects.first().delete()
