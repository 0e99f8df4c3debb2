"""The pages of the load test (bench/load.py) read a fixed number of queries, whatever the number of rows they
show: a query per row (N+1) would make the busiest pages slower with every row. Each test counts the queries of
one page with a few rows and with more rows, and pins that the count does not grow (and stays under a ceiling)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dae.reimbursement import actions
from tests.factories import EnrolmentFactory, PersonFactory, SettlementFactory
from tests.reimbursement.helpers import claim_input

pytestmark = pytest.mark.django_db


def _count(client: Client, path: str) -> int:
    client.get(path)  # warm: the first request of a session may write it
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def _steady(client: Client, path: str, add_rows: Callable[[int], None], ceiling: int) -> None:
    add_rows(2)
    few = _count(client, path)
    add_rows(6)
    more = _count(client, path)
    assert more == few, f"{path}: {few} queries with a few rows, {more} with more (a query per row)"
    assert more <= ceiling, f"{path}: {more} queries (ceiling {ceiling})"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _settlements(world: dict[str, Any]) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            person = PersonFactory(region=world["regions"][0])
            EnrolmentFactory(person=person)
            SettlementFactory(person=person, hospital=world["hospitals"][0])
    return add


def test_manual_claims_queue_reads_the_calendar_stamp_once(world: dict[str, Any]) -> None:
    clerk = world["users"]["settlement"]
    made = [0]

    def add(n: int) -> None:
        invoice = claim_input().invoices[0]
        for _ in range(n):
            made[0] += 1
            claim = actions.do_register(clerk, claim_input(invoices=[invoice.__class__(
                f"INV-QC{made[0]}", invoice.date, Decimal(invoice.amount))]))
            if made[0] % 2:
                actions.do_compute(clerk, claim)

    _steady(_signed_in(clerk), "/reimbursement/", add, ceiling=20)


@pytest.mark.parametrize("path", ["/claims/settlements/", "/enrollment/persons/", "/"])
def test_clerk_pages_of_the_load_test(world: dict[str, Any], path: str) -> None:
    _steady(_signed_in(world["users"]["settlement"]), path, _settlements(world), ceiling=20)


def test_manual_claims_search_by_invoice_shows_a_claim_once(world: dict[str, Any]) -> None:
    clerk = world["users"]["settlement"]
    invoice = claim_input().invoices[0]
    half = Decimal(invoice.amount) / 2
    claim = actions.do_register(clerk, claim_input(invoices=[invoice.__class__("INV-TWICE-1", invoice.date, half),
                                                             invoice.__class__("INV-TWICE-2", invoice.date, half)]))
    response = _signed_in(clerk).get("/reimbursement/?q=INV-TWICE-2")
    assert [row.number for row in response.context["object_list"]] == [claim.number]
