"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DAE_DATABASE_URL points there."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from dae.accounts.posts import Post

from .factories import (
    REGION_A,
    REGION_B,
    EnrolmentFactory,
    HospitalFactory,
    PersonFactory,
    SettlementFactory,
    make_user,
    region,
)

#: audit_world, for the audit tests and the browser walk
pytest_plugins = ["tests.auditing.fixtures"]

#: What a test that reaches the database asks for (pytest-django refuses database access to any other test).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                               "live_server", "_django_db_helper"})


def uses_database(item: Any) -> bool:
    return bool(item.get_closest_marker("django_db")) or not DATABASE_FIXTURES.isdisjoint(
        getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """On SQLite the PostgreSQL-only tests are deselected, and reported as such (never skipped). On PostgreSQL
    with ``DAE_DATABASE_TESTS_ONLY=1`` (``scripts/test --postgres``: the second run of CI) the tests that cannot
    reach the database are deselected — they ran in the SQLite run, and their result does not depend on it."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        if os.environ.get("DAE_DATABASE_TESTS_ONLY") == "1":
            deselected = [i for i in items if not uses_database(i)]
            if deselected:
                config.hook.pytest_deselected(items=deselected)
                items[:] = [i for i in items if uses_database(i)]
        return
    deselected = [i for i in items if i.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if i not in deselected]


@pytest.fixture(autouse=True)
def _force_login_is_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """``force_login`` skips the sign-in pages, so its session counts as verified by the second factor
    (dae.security.testing); the sign-in tests go through the real pages."""
    from dae.security.testing import force_login_verified

    monkeypatch.setattr(Client, "force_login", force_login_verified)


def _seed_chart() -> None:
    """The ledger's chart of accounts (a transactional test flushes what the data migration wrote)."""
    from dae.ledger.models import Account
    from dae.ledger.seed import seed_chart

    seed_chart(Account)


@pytest.fixture
def chart(db: Any) -> None:
    """The chart of accounts and both regions, for ledger, bank and fund tests."""
    _seed_chart()
    region(REGION_A)
    region(REGION_B)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """Two regions, a hospital and a person with a settlement in each, and a user of every post in region A."""
    from dae.dictionaries import codes
    from dae.dictionaries.models import Code, CodeList
    from dae.dictionaries.seed import seed

    seed(CodeList, Code)  # a transactional test (browser) flushes what the data migrations seeded
    codes.clear()
    _seed_chart()
    ra, rb = region(REGION_A), region(REGION_B)
    hosp_a = HospitalFactory(region=ra, code="HA0001", name="桦甸市人民医院")
    hosp_b = HospitalFactory(region=rb, code="HB0001", name="蛟河市人民医院")
    person_a = PersonFactory(region=ra, psn_no="PA0001", psn_name="张三", certno="220282198001011234")
    person_b = PersonFactory(region=rb, psn_no="PB0001", psn_name="李四", certno="220281198502021238")
    EnrolmentFactory(person=person_a)
    EnrolmentFactory(person=person_b)
    setl_a = SettlementFactory(person=person_a, hospital=hosp_a, setl_id="SA0001")
    setl_b = SettlementFactory(person=person_b, hospital=hosp_b, setl_id="SB0001")
    users = {}
    for post in Post:
        extra: dict[str, Any] = {}
        if post == Post.HOSPITAL:
            extra["hospital"] = hosp_a
        if post == Post.INSURED:
            extra["psn_no"] = person_a.psn_no
        users[post.value] = make_user(post.value, **extra)
    users["clerk_b"] = make_user("settlement", username="clerk_b", regions=(REGION_B,))
    # another hospital and another insured person (the isolation walk requests region A's objects as them)
    users["hospital_b"] = make_user("hospital", username="hospital_b", hospital=hosp_b)
    users["insured_b"] = make_user("insured", username="insured_b", psn_no=person_b.psn_no)
    from dae.benefits.actions import do_install_default

    do_install_default(ra)
    return {"regions": (ra, rb), "hospitals": (hosp_a, hosp_b), "persons": (person_a, person_b),
            "settlements": (setl_a, setl_b), "users": users}


@pytest.fixture
def client_for(world: dict[str, Any]) -> Any:
    def make(name: str) -> Client:
        client = Client()
        client.force_login(world["users"][name])
        return client

    return make


# --- No test is skipped silently: a skipped test fails the run, with its reason printed. ---
_skipped: list[str] = []


def pytest_runtest_logreport(report: Any) -> None:
    if report.skipped:
        _skipped.append(f"{report.nodeid}: {report.longrepr}")


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_line(f"错误: {len(_skipped)} 个测试被跳过，视为失败 (skipped tests fail the run):", red=True)
        for line in _skipped:
            terminalreporter.write_line("  " + line, red=True)
