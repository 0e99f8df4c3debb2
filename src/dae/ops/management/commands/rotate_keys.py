"""``dae rotate_keys``: a new current field key; every encrypted column is re-encrypted under it in one
transaction. Older keys stay in the ring (backups made under them must still open); ``--drop-old`` removes them
once nothing needs them."""

from __future__ import annotations

import base64
import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from dae.core import crypto
from dae.core.sealing import SEALED, reseal_table


class Command(BaseCommand):
    help = "轮换字段加密密钥并重新加密所有敏感字段 (rotate the field key and re-encrypt every sensitive column)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--drop-old", action="store_true", help="重新加密后删除旧密钥 (drop the old keys)")

    def handle(self, *args: Any, **options: Any) -> None:
        if os.environ.get("DAE_FIELD_KEYS"):
            raise CommandError("密钥来自环境变量 DAE_FIELD_KEYS：请改用密钥文件 DAE_KEY_FILE 轮换 "
                               "(keys come from the environment: rotate them in the key file DAE_KEY_FILE instead)")
        path = crypto.key_file()
        old = crypto.ring()
        kid = secrets.token_hex(3)
        parts = [f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"]
        if not options["drop_old"]:
            parts += [f"{k}:{base64.b64encode(v).decode()}" for k, v in old.keys.items()]
        parts.append(f"index:{base64.b64encode(old.index_key).decode()}")
        new_text = ",".join(parts)
        all_keys = ",".join([parts[0], *(f"{k}:{base64.b64encode(v).decode()}" for k, v in old.keys.items()),
                             parts[-1]])
        os.environ["DAE_FIELD_KEYS"] = all_keys  # this process reads old values and writes new ones
        crypto.reset()
        try:
            changed = 0
            with transaction.atomic():
                for label, model, columns, hashes in SEALED:
                    from django.apps import apps

                    table = apps.get_model(label, model)._meta.db_table
                    changed += reseal_table(connection, table, columns, hashes)
        finally:
            del os.environ["DAE_FIELD_KEYS"]
        tmp = path.with_suffix(".tmp")
        tmp.write_text(new_text + "\n", encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
        crypto.reset()
        self.stdout.write(f"新密钥 (new key) {kid}，已重新加密 (re-encrypted) {changed} 行 (rows)")
