"""``dae mask_copy --to DATABASE_URL``: a masked copy (漂白) of the database for testing or training."""

from __future__ import annotations

import time
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from dae.ops.actions import do_mask_copy


class Command(BaseCommand):
    help = "生成脱敏（漂白）数据库副本，用于测试或培训 (a masked copy of the database for testing or training)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", required=True, help="目标数据库地址（将被清空），如 sqlite:///var/masked.sqlite3")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        target = {**connections.databases["default"], **dj_database_url.parse(options["to"]), "TEST": {}}
        current = connections.databases["default"]
        if (target["ENGINE"], str(target["NAME"])) == (current["ENGINE"], str(current["NAME"])):
            raise CommandError("目标不能是正在使用的数据库 (the target must not be the database in use)")
        if target["ENGINE"] != current["ENGINE"]:
            raise CommandError("目标数据库须与当前数据库同类 (the target must be the same kind of database)")
        counts = do_mask_copy(target)
        self.stdout.write(f"脱敏副本已生成 (masked copy written) {target['NAME']} in {time.monotonic() - started:.1f}s: "
                          + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
