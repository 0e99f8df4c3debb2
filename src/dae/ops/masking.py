"""漂白: a copy of the database for testing or training with consistent fake names, ID numbers, phone numbers
and bank accounts — the same real value becomes the same fake value everywhere (a per-run secret keyed hash),
so every relation holds; no amount, date, code or key is touched, so the ledger's trial balance is unchanged.

The copy is made like a backup (``ops.backup.dump_database`` / ``load_database``) into the target database and
masked there. The person's own name is replaced in the texts of notices and SMS; event payloads about persons
are emptied (they can carry the old values).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections, transaction

from dae.core.crypto import blind_index
from dae.core.idcard import make_certno

from .backup import close_alias, dump_database, load_database, open_alias

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建文辉力林宇浩然欣怡子涵梓轩雨泽晨阳思佳嘉琪凯鹏飞"


@dataclass
class Faker:
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    names: dict[str, str] = field(default_factory=dict)

    def _h(self, kind: str, value: str, salt: int = 0) -> int:
        digest = hmac.new(self.secret, f"{kind}:{salt}:{value}".encode(), hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big")

    def name(self, real: str) -> str:
        if not real:
            return real
        if real not in self.names:
            salt = 0
            while True:
                h = self._h("name", real, salt)
                given = GIVEN[h // 7 % len(GIVEN)] + (GIVEN[h // 997 % len(GIVEN)] if h % 3 else "")
                fake = SURNAMES[h % len(SURNAMES)] + given
                if fake != real:
                    break
                salt += 1
            self.names[real] = fake
        return self.names[real]

    def digits(self, real: str, kind: str = "account") -> str:
        if not real:
            return real
        salt = 0
        while True:
            h = self._h(kind, real, salt)
            text = "".join(str((h >> (4 * i)) % 10) for i in range(len(real)))
            fake = (text if not real[0].isdigit() or real[0] == "0" else str(h % 9 + 1) + text[1:])
            if fake != real:
                return fake
            salt += 1

    def phone(self, real: str) -> str:
        return "1" + self.digits(real, "phone")[1:] if real else real

    def certno(self, real: str, brdy: Any, gend: str) -> str:
        area = real[:6] if real[:6].isdigit() and len(real) >= 6 else "220282"
        gend = gend if gend in ("1", "2") else "1"
        salt = 0
        while True:
            fake = make_certno(area, brdy, self._h("certno", real, salt) % 500, gend)
            if fake != real:
                return fake
            salt += 1


def _bulk(model: Any, alias: str, objects: list[Any], fields: list[str]) -> None:
    if objects:
        model.objects.using(alias).bulk_update(objects, fields, batch_size=2000)


def mask(alias: str, faker: Faker | None = None) -> dict[str, int]:
    """Mask the copy in database ``alias`` in one transaction. Returns the rows changed per table."""
    from dae.accounts.models import User
    from dae.bank.models import BankLine
    from dae.catalog.models import Hospital
    from dae.core.models import Event
    from dae.enrollment.models import Person
    from dae.inspection.models import Investigation
    from dae.notices.models import Contact, Notice, SmsMessage
    from dae.payments.models import PaymentOrder
    from dae.reimbursement.models import ManualClaim

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


def masked_copy(target: dict[str, Any], *, alias: str = "default") -> dict[str, int]:
    """Copy database ``alias`` into the database ``target`` (a settings dict) and mask it there."""
    with tempfile.TemporaryDirectory(prefix="dae-mask-") as tmp:
        dump = Path(tmp) / dump_database(alias, Path(tmp))
        load_database(dump, target)
    open_alias("masked", target)
    try:
        return mask("masked")
    finally:
        close_alias("masked")


