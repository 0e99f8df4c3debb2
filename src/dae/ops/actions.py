"""The operations' writes: the masked copy (漂白) of the database — copied like a backup into the target and
scrubbed there in one transaction with consistent fake values (``masking.Faker``). It writes no event: the copy
is a new database for testing or training, and the scrub empties the events about persons."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.db import connections, transaction

from dae.accounts.models import User
from dae.bank.models import BankLine
from dae.catalog.models import Hospital
from dae.core.crypto import blind_index
from dae.core.models import Event
from dae.enrollment.models import Person
from dae.inspection.models import Investigation
from dae.notices.models import Contact, Notice, SmsMessage
from dae.payments.models import PaymentOrder
from dae.reimbursement.models import ManualClaim

from .backup import close_alias, dump_database, load_database, open_alias
from .masking import Faker


def _bulk(model: Any, alias: str, objects: list[Any], fields: list[str]) -> None:
    if objects:
        model.objects.using(alias).bulk_update(objects, fields, batch_size=2000)


def _mask(alias: str, faker: Faker | None = None) -> dict[str, int]:
    """Mask the copy in database ``alias`` in one transaction. Returns the rows changed per table."""

    faker = faker or Faker()
    counts: dict[str, int] = {}
    connection = connections[alias]
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the copy's own append-only triggers would refuse the scrub
                cursor.execute("SET LOCAL session_replication_role = replica")
        persons = list(Person.objects.using(alias).only("id", "psn_no", "psn_name", "certno", "brdy", "gend"))
        real_name = {p.psn_no: p.psn_name for p in persons}
        for p in persons:
            p.psn_name, p.certno = faker.name(p.psn_name), faker.certno(p.certno, p.brdy, p.gend)
            p.certno_hash = blind_index(p.certno)
        _bulk(Person, alias, persons, ["psn_name", "certno", "certno_hash"])
        counts["persons"] = len(persons)

        claims = list(ManualClaim.objects.using(alias).only("id", "account_name", "bank_account", "phone"))
        for c in claims:
            c.account_name, c.bank_account, c.phone = (faker.name(c.account_name), faker.digits(c.bank_account),
                                                       faker.phone(c.phone))
        _bulk(ManualClaim, alias, claims, ["account_name", "bank_account", "phone"])
        counts["manual_claims"] = len(claims)

        hospitals = list(Hospital.objects.using(alias).only("id", "bank_account"))
        for h in hospitals:
            h.bank_account = faker.digits(h.bank_account)
        _bulk(Hospital, alias, hospitals, ["bank_account"])

        orders = list(PaymentOrder.objects.using(alias).only("id", "payee_name", "bank_account"))
        for o in orders:
            o.bank_account = faker.digits(o.bank_account)
            if o.payee_name in faker.names:
                o.payee_name = faker.names[o.payee_name]
        _bulk(PaymentOrder, alias, orders, ["payee_name", "bank_account"])
        counts["payment_orders"] = len(orders)

        lines = list(BankLine.objects.using(alias).exclude(counterparty_account="")
                     .only("id", "counterparty", "counterparty_account"))
        for line in lines:
            line.counterparty_account = faker.digits(line.counterparty_account)
            if line.counterparty in faker.names:
                line.counterparty = faker.names[line.counterparty]
        _bulk(BankLine, alias, lines, ["counterparty", "counterparty_account"])

        investigations = list(Investigation.objects.using(alias).exclude(psn_name="").only("id", "psn_name"))
        for i in investigations:
            i.psn_name = faker.name(i.psn_name)
        _bulk(Investigation, alias, investigations, ["psn_name"])

        contacts = list(Contact.objects.using(alias).only("id", "phone"))
        for ct in contacts:
            ct.phone = faker.phone(ct.phone)
        _bulk(Contact, alias, contacts, ["phone"])
        messages = list(SmsMessage.objects.using(alias).only("id", "psn_no", "phone", "text"))
        for m in messages:
            m.phone = faker.phone(m.phone)
            own = real_name.get(m.psn_no, "")
            if own:
                m.text = m.text.replace(own, faker.name(own))
        _bulk(SmsMessage, alias, messages, ["phone", "text"])
        notices = [n for n in Notice.objects.using(alias).only("id", "psn_no", "basis_text")
                   if real_name.get(n.psn_no) and real_name[n.psn_no] in n.basis_text]
        for n in notices:
            n.basis_text = n.basis_text.replace(real_name[n.psn_no], faker.name(real_name[n.psn_no]))
        _bulk(Notice, alias, notices, ["basis_text"])

        users = [u for u in User.objects.using(alias).only("id", "display_name") if u.display_name in faker.names]
        for u in users:
            u.display_name = faker.names[u.display_name]
        _bulk(User, alias, users, ["display_name"])

        counts["events_emptied"] = Event.objects.using(alias).filter(object_type="enrollment.person").update(
            before={}, after={}, note="")
    return counts


def do_mask_copy(target: dict[str, Any], *, alias: str = "default") -> dict[str, int]:
    """Copy database ``alias`` into the database ``target`` (a settings dict) and mask it there."""
    with tempfile.TemporaryDirectory(prefix="dae-mask-") as tmp:
        dump = Path(tmp) / dump_database(alias, Path(tmp))
        load_database(dump, target)
    open_alias("masked", target)
    try:
        return _mask("masked")
    finally:
        close_alias("masked")


