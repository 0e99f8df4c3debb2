"""PostgreSQL refuses what the Python checks refuse, even when the ORM is bypassed: an unbalanced transaction
at commit (deferred constraint trigger), a leg with no or two sides (CHECK), an UPDATE or DELETE of a posted
leg or transaction (triggers). Raw SQL through ``connection.cursor()`` throughout."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from dae.ledger.actions import Cr, Dr, do_post, do_reverse
from dae.ledger.models import Account, Leg, Transaction
from tests.factories import REGION_A

from .conftest import DAY

pytestmark = pytest.mark.postgres_only


def insert_transaction(cursor: Any, key: str) -> int:
    cursor.execute(
        "INSERT INTO ledger_transaction (date, description, reference_type, reference_id, idempotency_key, "
        "fingerprint, posted_at, region_id) VALUES (%s, 'raw', 'test', '', %s, '', now(), %s) RETURNING id",
        [DAY, key, REGION_A])
    return int(cursor.fetchone()[0])


def insert_leg(cursor: Any, txn: int, code: str, debit: str, credit: str) -> None:
    cursor.execute("INSERT INTO ledger_leg (transaction_id, account_id, debit, credit) "
                   "SELECT %s, id, %s, %s FROM ledger_account WHERE code = %s", [txn, debit, credit, code])


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_an_unbalanced_transaction_at_commit(chart: None) -> None:
    assert connection.vendor == "postgresql"
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        with connection.cursor() as cursor:
            txn = insert_transaction(cursor, "raw-unbalanced")
            insert_leg(cursor, txn, "5001", "100.00", "0")
            insert_leg(cursor, txn, "2201", "0", "99.99")
        # nothing is refused until the commit: the legs of a transaction arrive one by one
    assert not Transaction.objects.filter(idempotency_key="raw-unbalanced").exists()
    assert Leg.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_a_transaction_with_a_single_leg_or_none(chart: None) -> None:
    for legs in ([("5001", "0", "0")][:0], [("5001", "100.00", "0")]):
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            with connection.cursor() as cursor:
                txn = insert_transaction(cursor, f"raw-{len(legs)}")
                for code, debit, credit in legs:
                    insert_leg(cursor, txn, code, debit, credit)
    assert Transaction.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_postgresql_commits_a_balanced_raw_transaction_and_refuses_a_leg_added_later(chart: None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        txn = insert_transaction(cursor, "raw-balanced")
        insert_leg(cursor, txn, "5001", "100.00", "0")
        insert_leg(cursor, txn, "2201", "0", "60.00")
        insert_leg(cursor, txn, "2202", "0", "40.00")
    assert Leg.objects.filter(transaction_id=txn).count() == 3
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        with connection.cursor() as cursor:
            insert_leg(cursor, txn, "5001", "1.00", "0")
    assert Leg.objects.filter(transaction_id=txn).count() == 3


@pytest.mark.django_db(transaction=True)
def test_what_post_and_reverse_write_passes_the_commit_check(chart: None) -> None:
    from tests.factories import make_user

    clerk = make_user("finance", username="pg-commit")
    txn = do_post([Dr("5001", "100.00"), Cr("2201", "60.00"), Cr("2202", "40.00")], date=DAY, description="补助支出",
                  reference=("t", "1"), key="pg-commit", actor=clerk, region=REGION_A)
    do_reverse(txn, date=DAY, reason="测试冲正", actor=clerk)
    assert Transaction.objects.count() == 2 and Leg.objects.count() == 6


@pytest.mark.django_db
@pytest.mark.parametrize(("debit", "credit"), [("10.00", "10.00"), ("0", "0"), ("-10.00", "0")])
def test_postgresql_refuses_a_leg_without_exactly_one_positive_side(chart: None, debit: str, credit: str) -> None:
    with pytest.raises(IntegrityError, match="ledger_leg_one_positive_side"), transaction.atomic():
        with connection.cursor() as cursor:
            insert_leg(cursor, insert_transaction(cursor, "raw-sides"), "5001", debit, credit)


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE ledger_leg SET debit = debit + 1 WHERE debit > 0",
    "UPDATE ledger_leg SET account_id = (SELECT id FROM ledger_account WHERE code = '5101')",
    "DELETE FROM ledger_leg",
    "UPDATE ledger_transaction SET date = date + 1",
    "UPDATE ledger_transaction SET description = 'changed'",
    "DELETE FROM ledger_transaction",
])
def test_postgresql_refuses_update_and_delete_of_posted_rows(clerk: Any, sql: str) -> None:
    txn = do_post([Dr("5001", "100.00"), Cr("2201", "100.00")], date=DAY, description="补助支出", reference=("t", "1"),
                  key="pg-append-only", actor=clerk, region=REGION_A)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert sorted(Leg.objects.filter(transaction=txn).values_list("debit", "credit")) == sorted(
        txn.legs.values_list("debit", "credit"))
    assert Account.objects.get(code="5001").legs.get().debit == 100
