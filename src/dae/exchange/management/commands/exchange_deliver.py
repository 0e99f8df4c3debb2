"""``dae exchange_deliver``: queue what waits for the platform and send what is due (the outbox job, in this
process) — for cron, every few minutes. A platform that is down opens the circuit; the next run resumes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dae.core.jobs import jobs_inline
from dae.exchange import actions


class Command(BaseCommand):
    help = "向医保平台发送支付结果和审核结果反馈 (deliver the outbox to the platform)"

    def handle(self, *args: Any, **options: Any) -> None:
        with jobs_inline(lambda done, total, message: None):
            job = actions.do_start_delivery(None)
        self.stdout.write(f"{job.get_status_display()}：{job.message}")
