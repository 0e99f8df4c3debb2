"""Walks every URL pattern and API route as every post and checks allow/deny against the permission matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY

from dae.accounts.permissions import load_matrix
from dae.accounts.posts import Post
from dae.core.models import Event, Job


def all_routes() -> list[tuple[str, tuple[str, ...]]]:
    """(view name, names of its URL arguments) of every named URL in the project."""
    found: list[tuple[str, tuple[str, ...]]] = []

    def walk(patterns: list[Any], namespace: str, params: tuple[str, ...]) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                walk(p.url_patterns, ns, params + tuple(p.pattern.regex.groupindex))
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                found.append((name, params + tuple(p.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, "", ())
    return found


def test_every_route_is_in_the_matrix_and_every_entry_is_a_route() -> None:
    names = {name for name, _ in all_routes()}
    matrix = set(load_matrix())
    assert sorted(names - matrix) == [], "routes missing from permission_matrix.yaml"
    assert sorted(matrix - names) == [], "matrix entries that are no longer routes"


def concrete_url(name: str, params: tuple[str, ...], world: dict[str, Any]) -> str:
    samples = {"psn_no": "PA0001", "code": "HA0001", "setl_id": "SA0001", "pk": str(world["users"]["settlement"].pk)}
    if name.startswith("web:job"):
        samples["pk"] = str(Job.objects.create(kind="test", title="t", created_by=world["users"]["it"]).pk)
    if name.startswith("benefits:"):
        from dae.benefits.models import RuleSetVersion

        version = RuleSetVersion.objects.first()
        assert version is not None
        samples.update(code=version.ruleset.code, pk=str(version.pk))
    if name.startswith("api:workdays"):
        samples["day"] = "2026-10-08"
    if name.startswith(("enrollment:enrolment", "api:enrolment")):
        from dae.enrollment.models import Enrolment

        samples["pk"] = str(Enrolment.objects.filter(person__psn_no="PA0001").values_list("pk", flat=True)[0])
    if name.startswith("api:unit"):
        from tests.factories import UnitFactory

        samples["emp_no"] = UnitFactory(emp_no=f"EMX{len(params)}{name[-6:]}").emp_no
    if name.startswith(("imports:", "api:import")):
        from dae.imports.models import ImportBatch

        samples["kind"] = "roster"
        samples["pk"] = str(
            ImportBatch.objects.create(
                kind="roster", file_name="x.csv", fmt="csv", sha256="0" * 64, path="/nonexistent", region_id="220282"
            ).pk
        )
    if name.startswith(
        (
            "catalog:item",
            "catalog:mapping",
            "catalog:diagnosis",
            "api:catalogue-item",
            "api:code-mapping",
            "api:diagnosis",
        )
    ):
        from tests.catalog.samples import samples_for

        samples.update(samples_for(name, world))
    if name.startswith("dictionaries:"):
        samples["key"] = "med_type"
    if name.startswith("api:event"):
        # an event of region A (a regionless event, such as a system job's, is visible to all staff)
        events = Event.objects.order_by("pk").values_list("pk", flat=True)
        samples["pk"] = str(events.filter(region_id="220282").first() or events.first())
    if name.startswith(("reimbursement:", "api:manual-claim", "notices:", "api:notice")):
        from tests.reimbursement.samples import samples_for as reimbursement_samples

        samples.update(reimbursement_samples(name, world))
    if name.startswith(("ledger:", "api:ledger")):
        from tests.ledger.samples import samples_for as ledger_samples

        samples.update(ledger_samples(name, world))
    if name.startswith(("fund:", "api:fund")):
        from tests.fund.samples import samples_for as fund_samples

        samples.update(fund_samples(name, world))
    if name.startswith(("bank:", "api:bank")):
        from tests.bank.samples import samples_for as bank_samples

        samples.update(bank_samples(name, world))
    if name.startswith(("auditing:", "api:audit-")):
        from tests.auditing.samples import samples_for as auditing_samples

        samples.update(auditing_samples(name, world))
    from tests.route_samples import registered_samples  # new apps register their samples there

    samples.update(registered_samples(name, world))
    if name.startswith(("archives:", "api:archive")):
        from tests.archives.samples import samples_for as archives_samples

        samples.update(archives_samples(name, world))
    return reverse(name, kwargs={p: samples[p] for p in params})


@pytest.mark.route_walk  # ~5 minutes; authorisation does not depend on the database, so the SQLite run carries it
@pytest.mark.django_db
def test_every_post_gets_exactly_what_the_matrix_says(world: dict[str, Any]) -> None:
    from django.db import transaction

    from dae.core.events import record_event

    with transaction.atomic():
        record_event(world["users"]["manager"], "test.seed", world["persons"][0], region_id="220282")
    matrix = load_matrix()
    failures: list[str] = []
    # One signed-in client per post, signed in again whenever a request ended its session (a sign-out, a password
    # change): a new client per request loads the whole middleware stack again (a third of the walk's time).
    clients = {post.value: Client() for post in Post}
    for post in Post:
        clients[post.value].force_login(world["users"][post.value])
    for name, params in all_routes():
        rule = matrix[name]
        url = concrete_url(name, params, world)
        for post in Post:
            for method in ("GET", "POST"):
                client = clients[post.value]
                user = world["users"][post.value]
                session = client.session
                if session.get(SESSION_KEY) != str(user.pk) or not session.get(DEVICE_ID_SESSION_KEY):
                    client.force_login(user)
                response = client.get(url) if method == "GET" else client.post(url, {})
                allowed = rule.allows(post.value, method)
                denied = response.status_code == 403
                if allowed and denied:
                    failures.append(f"{method} {url} ({name}) as {post.value}: expected allowed, got 403")
                if not allowed and not denied:
                    failures.append(
                        f"{method} {url} ({name}) as {post.value}: expected 403, got {response.status_code}"
                    )
    assert failures == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_for_pages_and_gets_401_json_for_api(world: dict[str, Any]) -> None:
    client = Client()
    page = client.get("/enrollment/persons/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    api = client.get("/api/v1/persons/")
    assert api.status_code == 401
    assert api.json() == {"code": "not_authenticated", "message": "请先登录", "details": None}


def test_it_post_has_no_write_on_business_routes() -> None:
    """IT administers users and sign-in (accounts, password resets, lockouts, API tokens) but cannot change
    business data: its only writes are on accounts and security routes."""
    writes = [name for name, rule in load_matrix().items() if not rule.public and "it" in rule.write]
    assert all(name.startswith(("accounts:", "security:")) for name in writes), writes


def test_supervisor_writes_only_the_bureaus_own_step() -> None:
    """The bureau's supervisor reads; its writes are the bureau's own steps: its decision in the audit workflow
    (三方确认), its approval of an archive destruction list, of a fund-operation report and of a use of the
    risk-adjustment fund, its sign-off of the annual hospital evaluation, borrowing archives to
    read them, its own saved analysis views and report exports, and its own sign-in (second factor, password)."""
    writes = {
        name
        for name, rule in load_matrix().items()
        if not rule.public and "supervisor" in rule.write and name != "accounts:logout"
    }
    assert writes == {
        "auditing:finding_settle",
        "api:audit-finding-settle",
        "archives:destruction_approve",
        "api:archive-destruction-approve",
        "archives:loan_request",
        "archives:loan_return",
        "api:archive-loans",
        "api:archive-loan-return",
        "reports:report_approve",
        "reports:view_save",
        "reports:view_delete",
        "fund:risk_use_decide",  # the second approval of a use of the risk-adjustment fund
        "reports:evaluation_sign",
        "api:reports-evaluation-sign",  # the sign-off of the annual evaluation
        "reports:export_start",  # its own long report exports, run as jobs
        "security:two_factor",
        "security:password_change",
    }
