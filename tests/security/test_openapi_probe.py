"""Schemathesis over the whole OpenAPI schema as three posts (a clerk, a hospital, an insured person): every
operation, a bounded number of generated requests with a fixed seed, checked for server errors and for answers
that do not match the schema (status codes, content types, bodies). Operations of apps added later are in the
schema, so they are probed as soon as they are routed."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.errors import FailureGroup

#: Generated requests per operation and post (a fixed seed: ``derandomize``); the CI budget is four minutes.
EXAMPLES = 3
POSTS = ("settlement", "hospital", "insured")


def _schema() -> Any:
    from django.core.wsgi import get_wsgi_application
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


@contextmanager
def _connection_kept() -> Iterator[None]:
    """Keep the test's database connection open across the WSGI calls, as Django's own test client does: at the
    end of each request Django closes a connection that is inside a transaction (the test's), which on PostgreSQL
    would end the test's transaction and leave every later request without a database."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _basic(username: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:pw-123456".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _probe(strategy: Any, headers: dict[str, str], post: str, failures: dict[str, str]) -> int:
    """Run the bounded examples of one operation as one post; failed checks go into ``failures``."""
    calls = 0

    @hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @hypothesis.given(case=strategy)
    def probe(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response)
        except (FailureGroup, AssertionError) as exc:  # a check failed: collected and asserted below
            failures.setdefault(f"{case.method} {case.path} as {post}", f"{response.status_code}: {str(exc)[:600]}")

    probe()
    return calls


@pytest.mark.django_db
def test_every_operation_answers_within_its_schema_as_three_posts(world: dict[str, Any]) -> None:
    schema = _schema()
    failures: dict[str, str] = {}
    calls = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    with _connection_kept():
        for operation in operations:
            strategy = operation.as_strategy()
            for post in POSTS:
                calls += _probe(strategy, _basic(world["users"][post].username), post, failures)
    assert len(operations) > 150 and calls > len(operations) * len(POSTS)
    assert failures == {}, json.dumps(failures, ensure_ascii=False, indent=1)
