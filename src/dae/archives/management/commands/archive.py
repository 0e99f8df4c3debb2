"""``dae archive``: archive every closed business object that has no archival item yet (the sweep)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from dae.archives.actions import do_archive_pending
from dae.archives.registry import kinds


class Command(BaseCommand):
    help = "补归档：归档所有已办结但尚未归档的业务对象 (archive every closed object not archived yet)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", action="append", choices=[k.key for k in kinds()], help="只归档该类型，可重复")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        counts = do_archive_pending(options.get("kind") or None)
        self.stdout.write(f"已归档 (archived) {counts['archived']} 件，检测未通过 (failed) {counts['failed']} 件，"
                          f"用时 {time.monotonic() - started:.1f}s")
