"""The permission walk over the credit routes, with real objects behind them: every post, GET and POST, gets
exactly what the matrix says (the project-wide walk requests them with missing objects)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dae.accounts.permissions import load_matrix
from dae.accounts.posts import Post
from dae.credit.actions import screening as screening_actions
from dae.credit.actions import violations
from dae.credit.models import ScreeningResult
from tests.accounts.test_permission_matrix import all_routes
from tests.factories import REGION_A

from .conftest import PARAMS


def credit_routes() -> list[tuple[str, tuple[str, ...]]]:
    return [(name, params) for name, params in all_routes() if name.startswith(("credit:", "api:credit-"))]


def test_every_credit_route_is_in_the_matrix() -> None:
    matrix = load_matrix()
    routes = credit_routes()
    assert len(routes) == 20
    assert [name for name, _ in routes if name not in matrix] == []


@pytest.mark.route_walk  # the SQLite run carries the route walks
@pytest.mark.django_db
def test_every_post_gets_exactly_what_the_matrix_says_on_credit_routes(screening_world: dict[str, Any]) -> None:
    event = violations.do_record_violation(
        party_kind="hospital",
        party_code="HA0001",
        region_id=REGION_A,
        amount=Decimal("100.00"),
        source=("test", 1),
        on=timezone.localdate(),
        actor=None,
    )
    run = screening_actions.do_start_screening(region=REGION_A, period_kind="month", period="2026-03", actor=None, params=PARAMS)
    result = ScreeningResult.objects.filter(run=run, hospital=screening_world["hospitals"][0]).first()
    assert result is not None  # HA0001, the hospital user's own
    samples = {
        "credit:party": event.party_id,
        "api:credit-party": event.party_id,
        "credit:screening_result": result.pk,
        "api:credit-screening-result": result.pk,
        "credit:screening": run.pk,
        "api:credit-screening": run.pk,
    }
    matrix = load_matrix()
    failures: list[str] = []
    for name, params in credit_routes():
        pk = next((v for prefix, v in samples.items() if name.startswith(prefix)), 0)
        url = reverse(name, kwargs={p: pk for p in params})
        rule = matrix[name]
        for post in Post:
            for method in ("GET", "POST"):
                client = Client()
                client.force_login(screening_world["users"][post.value])
                response = client.get(url) if method == "GET" else client.post(url, {})
                allowed = rule.allows(post.value, method)
                if allowed and response.status_code in (403, 500):
                    failures.append(f"{method} {url} as {post.value}: expected allowed, got {response.status_code}")
                if not allowed and response.status_code != 403:
                    failures.append(f"{method} {url} as {post.value}: expected 403, got {response.status_code}")
    assert failures == []
