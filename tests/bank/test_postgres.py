"""PostgreSQL keeps a day close final and orders a close against postings in flight, whatever client writes:
a trigger refuses UPDATE and DELETE of a close; a posting holds its region's row with KEY SHARE until commit and
a close takes the row FOR UPDATE, so neither slips past the other's check. Raw SQL on a second connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, OperationalError, connection, transaction

from dae.bank.actions import do_close_day
from dae.ledger import actions as posting
from dae.ledger.actions import Cr, Dr, do_post
from tests.factories import REGION_A

from .books import day

pytestmark = pytest.mark.postgres_only
LOCK = "SELECT 1 FROM core_region WHERE admdvs = %s FOR UPDATE NOWAIT"


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_to_change_or_remove_a_close(clerk: Any) -> None:
    assert connection.vendor == "postgresql"
    do_close_day(REGION_A, day(2), actor=clerk)
    for sql in ("UPDATE ledger_dayclose SET day = '2026-03-01'", "DELETE FROM ledger_dayclose"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT day::text FROM ledger_dayclose")
        assert cursor.fetchall() == [("2026-03-02",)]


@pytest.mark.django_db(transaction=True)
def test_a_posting_in_flight_makes_a_close_wait(clerk: Any) -> None:
    other = connection.copy()
    try:
        with transaction.atomic():
            assert posting._lock_regions({REGION_A}) == {REGION_A}  # what do_post() does before its closed-day check
            with other.cursor() as cursor, pytest.raises(OperationalError, match="could not obtain lock"):
                cursor.execute(LOCK, [REGION_A])
        with other.cursor() as cursor:  # committed: the row is free again
            cursor.execute(LOCK, [REGION_A])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_close_in_flight_makes_a_posting_wait(clerk: Any) -> None:
    other = connection.copy()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM core_region WHERE admdvs = %s FOR UPDATE", [REGION_A])  # as close_days
            with other.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                with pytest.raises(OperationalError, match="lock timeout"):
                    cursor.execute("SELECT 1 FROM core_region WHERE admdvs = %s FOR KEY SHARE", [REGION_A])
        do_post([Dr("5101", "1.00"), Cr("100202", "1.00")], date=day(5), description="费用", reference=("x", 1),
                key="after-close", actor=clerk, region=REGION_A)
    finally:
        other.close()
