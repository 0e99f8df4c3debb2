"""漂白: a copy of the database for testing or training with consistent fake names, ID numbers, phone numbers
and bank accounts — the same real value becomes the same fake value everywhere (a per-run secret keyed hash),
so every relation holds; no amount, date, code or key is touched, so the ledger's trial balance is unchanged.

The copy is made like a backup (``ops.backup.dump_database`` / ``load_database``) into the target database and
masked there (``ops.actions.do_mask_copy``, with this module's ``Faker``). The person's own name is replaced in the texts of notices and SMS; event payloads about persons
are emptied (they can carry the old values).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from dae.core.idcard import make_certno

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
