"""``dae verify_logs``: walk the hash chains of the event log and the access log and name the first row that
does not match (changed, or missing: a gap), then check the day-end hashes the archives kept."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dae.core.logchain import CHAINS, describe, verify_all


class Command(BaseCommand):
    help = "校验事件日志与访问日志的哈希链，指出第一处不符的行 (verify the hash-chained logs; names the first bad row)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chain", choices=sorted(CHAINS), action="append",
                            help="只校验该日志（event 事件日志 / access 访问日志），可重复；默认全部")
        parser.add_argument("--no-anchors", action="store_true", dest="no_anchors",
                            help="不与档案中保存的每日末行摘要比对")
        parser.add_argument("--database", default="default",
                            help="校验该数据库连接（如恢复演练的临时库；不比对每日末行摘要）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        results = verify_all(options.get("chain") or None, with_anchors=not options.get("no_anchors"),
                             using=options.get("database") or "default")
        bad = []
        for verification in results:
            line = describe(verification)
            self.stdout.write(line)
            if not verification.ok:
                bad.append(line)
        self.stdout.write(f"用时 (took) {time.monotonic() - started:.1f}s")
        if bad:
            raise CommandError("日志哈希链校验未通过 (log chain verification failed): " + "；".join(bad))
