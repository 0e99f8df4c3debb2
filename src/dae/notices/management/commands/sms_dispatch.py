"""``dae sms_dispatch``: hand the queued SMS that are due to the gateway, retrying failures with back-off (run it
from cron every minute when a real gateway is configured)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dae.core import inputs
from dae.notices.actions.dispatch import do_dispatch_sms


class Command(BaseCommand):
    help = "发送到期的短信并按间隔重试失败的短信 (send due SMS, retrying failures with back-off)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", default="1000", help="本次最多发送条数 (most messages this run)")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = inputs.whole(options["limit"], field="limit", label="条数", minimum=1, maximum=100000)
        result = do_dispatch_sms(None, limit=limit)
        self.stdout.write(f"已发送 (sent) {result.sent}；待重试 (retrying) {result.retrying}；"
                          f"最终失败 (failed) {result.failed}")
