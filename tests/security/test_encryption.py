"""Sensitive fields are ciphertext in the database (a key outside it), read back as plain text, searchable by a
keyed hash, written the same way by the bulk path, and re-encrypted by a key rotation."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from dae.catalog.models import Hospital
from dae.core import crypto
from dae.core.bulk import insert_rows
from dae.core.sealing import reseal_table
from dae.enrollment.models import Person
from tests.factories import region

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_an_id_number_and_a_bank_account_are_ciphertext_in_the_database(world: dict[str, Any]) -> None:
    person, hospital = world["persons"][0], world["hospitals"][0]
    stored = _raw("enrollment_person", "certno", person.pk)
    assert stored.startswith("enc1:t1:") and "220282198001011234" not in stored
    assert crypto.decrypt(stored) == "220282198001011234"
    account = _raw("catalog_hospital", "bank_account", hospital.pk)
    assert account.startswith("enc1:t1:") and hospital.bank_account not in account
    assert Person.objects.get(pk=person.pk).certno == "220282198001011234"
    assert _raw("enrollment_person", "certno_hash", person.pk) == crypto.blind_index("220282198001011234")


def test_the_same_number_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("13800138000") != crypto.encrypt("13800138000")


def test_search_by_id_number_works_through_the_keyed_hash(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["settlement"])
    page = client.get("/enrollment/persons/?q=220282198001011234").content.decode()
    assert "PA0001" in page
    assert "PA0001" not in client.get("/enrollment/persons/?q=220282198001011235").content.decode()
    assert list(Person.objects.filter(certno_hash=crypto.blind_index("220282198001011234"))) == [world["persons"][0]]


def test_a_lookup_on_the_ciphertext_is_refused_not_silently_empty(world: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        Person.objects.filter(certno="220282198001011234").count()


def test_the_bulk_insert_path_encrypts_and_fills_the_keyed_hash(world: dict[str, Any]) -> None:
    ra = region("220282")
    insert_rows(Person, ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "region"),
                [("PX0001", "01", "220282199001011238", "王五", "1", "1990-01-01", ra.pk)])
    person = Person.objects.get(psn_no="PX0001")
    assert _raw("enrollment_person", "certno", person.pk).startswith("enc1:")
    assert person.certno == "220282199001011238"
    assert person.certno_hash == crypto.blind_index("220282199001011238")


def test_a_key_rotation_re_encrypts_under_the_new_key(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    hospital = world["hospitals"][0]
    account = Hospital.objects.get(pk=hospital.pk).bank_account
    old = crypto.ring()
    new = "t2:" + "bmV3LWtleS1mb3ItdGhlLXJvdGF0aW9uLXRlc3QtMDE="
    keys = ",".join([new, *(f"{k}:{__import__('base64').b64encode(v).decode()}" for k, v in old.keys.items()),
                     f"index:{__import__('base64').b64encode(old.index_key).decode()}"])
    monkeypatch.setenv("DAE_FIELD_KEYS", keys)
    crypto.reset()
    try:
        assert reseal_table(connection, "catalog_hospital", ("bank_account",)) == 2
        assert _raw("catalog_hospital", "bank_account", hospital.pk).startswith("enc1:t2:")
        assert Hospital.objects.get(pk=hospital.pk).bank_account == account
        assert reseal_table(connection, "catalog_hospital", ("bank_account",)) == 0  # already under t2
    finally:
        monkeypatch.undo()
        crypto.reset()
