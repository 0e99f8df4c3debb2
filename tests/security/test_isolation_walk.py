"""The isolation walk, generated from the URL configuration: every route × every post, each URL naming an object
of region A (hospital HA0001, person PA0001 — ``tests/route_samples.py``), requested by users who must not see
it: staff of every post of region B, the hospital user of another hospital, another insured person.

A leak is a successful answer on a route that names a scoped object (not shared reference data), or a page or
answer that shows region A's person or settlement. Every refusal (403, 404) must be in the access log with the
user. New routes are covered as soon as they are in the URL configuration and have their samples registered."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dae.accounts.permissions import load_matrix
from dae.accounts.posts import Post
from dae.core.models import AccessRecord
from tests.accounts.test_permission_matrix import all_routes, concrete_url
from tests.factories import REGION_B, make_user

#: Routes whose URL argument names no object of a region, hospital or person: national or system-wide reference
#: data, the same for everyone who may read them — the catalogue and ICD-10, the data dictionary, the working-day
#: calendar, the chart of accounts (a statement shows the reader's own regions' legs), the audit rule library,
#: import templates, examples and entry kinds, user accounts and their password resets (administered system-wide by
#: IT and the manager), system jobs
#: (a job without a region, like the sample's, is visible to all staff), and the audit rule book's settings (one
#: rule book for the whole insurer, not per region).
SHARED = ("dictionaries:", "catalog:item", "catalog:diagnosis", "api:catalogue-item", "api:diagnosis",
          "workdays:", "api:workdays", "set_language", "accounts:", "api_schema", "api_docs", "api:me",
          "web:home", "web:job_detail", "imports:kind_template", "ledger:statement", "fund:entry_new",
          "auditing:rule_detail", "api:audit-rule", "imports:kind_example",
          "security:password_reset")
# 参保人服务 (issue 18): the knowledge base and the message templates are insurer-wide, like the audit rule book.
SHARED += ("service:knowledge_edit", "service:template_approve")
#: Region A's person and settlement as they appear on a page or in JSON (name, numbers, ID number).
MARKERS = ("PA0001", "SA0001", "张三", "220282198001011234")


def outsiders(world: dict[str, Any]) -> dict[str, Any]:
    """Who must not see region A's objects: region-B staff of every post, another hospital, another person."""
    users = {"hospital": world["users"]["hospital_b"], "insured": world["users"]["insured_b"]}
    for post in Post:
        if post.value not in users:
            users[post.value] = make_user(post.value, username=f"walk-{post.value}-b", regions=(REGION_B,))
    return users


def _leaks(body: str) -> list[str]:
    return [m for m in MARKERS if m in body]


@pytest.mark.route_walk  # ~5 minutes on PostgreSQL; scoping is the same ORM query on both, the SQLite run carries it
@pytest.mark.django_db
def test_no_route_shows_region_a_to_outsiders_and_every_refusal_is_logged(world: dict[str, Any]) -> None:
    matrix = load_matrix()
    users = outsiders(world)
    clients = {}
    for post, user in users.items():
        clients[post] = Client()
        clients[post].force_login(user)
    failures: list[str] = []
    unlogged: set[str] = set()
    requests = 0
    for name, params in all_routes():
        rule = matrix[name]
        url = concrete_url(name, params, world)
        for post, client in clients.items():
            methods = ["GET"] + (["POST"] if rule.allows(post, "POST") and params else [])
            for method in methods:
                before = AccessRecord.objects.filter(actor=users[post], why="denied").count()
                response = client.get(url) if method == "GET" else client.post(url, {})
                requests += 1
                status = response.status_code
                body = response.content.decode("utf-8", "replace") if not response.streaming else ""
                where = f"{method} {url} ({name}) as {post}-outsider"
                if status >= 500:
                    failures.append(f"{where}: {status}")
                if status == 200 and _leaks(body) and "download" not in response.get("Content-Disposition", ""):
                    failures.append(f"{where}: shows {_leaks(body)}")
                if params and not name.startswith(SHARED) and 200 <= status < 300:
                    failures.append(f"{where}: another region's object answered {status}")
                if status in (403, 404) and params and not name.startswith(SHARED):
                    after = AccessRecord.objects.filter(actor=users[post], why="denied").count()
                    if after != before + 1:
                        unlogged.add(name)
    assert requests > 1000
    assert failures == [], "\n".join(failures)
    # exactly one access-log row per refusal: written by ``access_by_id``, by the 403 paths, or — for a view that
    # fetched its object another way — by the error-page middleware for a 404 on a route that names an object
    assert sorted(unlogged) == []
