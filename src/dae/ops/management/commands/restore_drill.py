"""``dae restore_drill [ARCHIVE] [--backup]``: restore an archive (the newest, or a fresh one with --backup)
into a scratch database, run the ledger's trial balance and the log-chain check there, and report the time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dae.ops.backup import BackupError, backup_dir, latest_archive, make_backup, restore_drill


class Command(BaseCommand):
    help = "恢复演练：把备份恢复到临时数据库并核对试算平衡 (restore drill into a scratch database)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", nargs="?", default="")
        parser.add_argument("--backup", action="store_true", help="先做一次备份再演练 (back up first)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["backup"]:
                archive = make_backup(backup_dir())
            else:
                archive = Path(options["archive"]) if options["archive"] else latest_archive(backup_dir())
            report = restore_drill(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"恢复演练 (restore drill) {report.archive} [{report.vendor}]: 恢复 (restore) {report.restore_seconds:.2f}s, "
            f"合计 (total) {report.seconds:.2f}s; 试算平衡 (trial balance) {report.accounts} 个科目, "
            f"借 {report.debit_fen / 100:.2f} 贷 {report.credit_fen / 100:.2f} — "
            f"{'平衡' if report.balanced else '不平衡'} (balanced: {report.balanced}), "
            f"与备份时一致 (matches the backup): {report.matches_backup}; 日志链 (log chain): {report.log_chain}")
        if not report.passed:
            raise CommandError("恢复演练未通过 (the restore drill failed)")
