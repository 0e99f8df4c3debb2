"""``dae restore ARCHIVE --to DATABASE_URL [--files DIR]``: check and restore an archive into an empty database
(never into the running one by accident: the target is named explicitly and refused when it is the current)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from dae.ops.backup import BackupError, file_roots, load_database, open_archive, restore_files


class Command(BaseCommand):
    help = "从加密归档恢复数据库与上传文件 (restore the database and documents from an archive)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive")
        parser.add_argument("--to", required=True, help="目标数据库地址，如 postgres://…/dae_restored 或 sqlite:///path")
        parser.add_argument("--files", default="", help="上传文件恢复到的目录（默认当前设置的目录）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        cfg = {**connections.databases["default"], **dj_database_url.parse(options["to"])}
        current = connections.databases["default"]
        if (cfg["ENGINE"], str(cfg["NAME"]), cfg.get("HOST", "")) == (current["ENGINE"], str(current["NAME"]),
                                                                      current.get("HOST", "")):
            raise CommandError("不能恢复到正在使用的数据库 (refusing to restore over the database in use)")
        try:
            with tempfile.TemporaryDirectory(prefix="dae-restore-") as tmp:
                opened = open_archive(Path(options["archive"]), Path(tmp))
                if (opened.manifest["vendor"] == "sqlite") != cfg["ENGINE"].endswith("sqlite3"):
                    raise CommandError("归档与目标数据库类型不同 (the archive and the target are different databases)")
                load_database(opened.dump, cfg)
                roots = file_roots()
                if options["files"]:
                    roots = {name: Path(options["files"]) / name for name in roots}
                files = restore_files(opened, roots)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"恢复完成 (restored): 数据库 {cfg['NAME']}，文件 {files} 个，{time.monotonic() - started:.1f}s")
