"""``dae archive_daily``: the archives' daily work — verify both log chains and keep each chain's final hash of
the day as an archival item, end expired loans, archive what was missed. Run it once a day (cron) after midnight."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dae.archives.actions import do_archive_daily
from dae.core import inputs


class Command(BaseCommand):
    help = "档案每日任务：日志链校验与存证、借阅到期、补归档 (daily: verify and anchor the log chains, expire loans, sweep)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", help="存证日期 YYYY-MM-DD（默认昨日）")

    def handle(self, *args: Any, **options: Any) -> None:
        day = inputs.optional_date(options.get("day"), field="day", label="日期")
        summary = do_archive_daily(day)
        for chain in summary["chains"].values():
            self.stdout.write(f"{chain['message']}" + (f" → {chain['item']}" if chain.get("item") else ""))
        self.stdout.write(f"到期借阅 (loans expired) {summary['loans_expired']}；补归档 (swept) {summary['swept']}")
        if not all(c["ok"] for c in summary["chains"].values()):
            raise CommandError("日志哈希链校验未通过 (a log chain does not verify)")
