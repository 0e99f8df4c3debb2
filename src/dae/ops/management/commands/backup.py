"""``dae backup [--out DIR]``: one encrypted archive of the database and the uploaded documents."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from dae.ops.backup import backup_dir, make_backup


class Command(BaseCommand):
    help = "备份数据库与上传文件为一个加密归档 (back up the database and documents into one encrypted archive)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", default="", help="备份目录，默认 $DAE_BACKUP_DIR 或 var/backups")
        parser.add_argument("--keep", type=int, default=0, help="只保留最近 N 个归档 (keep the newest N archives)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        folder = Path(options["out"]) if options["out"] else backup_dir()
        path = make_backup(folder)
        self.stdout.write(f"备份完成 (backup written): {path} ({path.stat().st_size:,} 字节 bytes, "
                          f"{time.monotonic() - started:.1f}s)")
        if options["keep"] > 0:
            for old in sorted(folder.glob("dae-backup-*.daebak"))[: -options["keep"]]:
                old.unlink()
                self.stdout.write(f"  删除旧备份 (removed): {old.name}")
