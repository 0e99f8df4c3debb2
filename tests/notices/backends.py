"""SMS gateways for the tests: one that accepts and remembers, one that fails."""

from __future__ import annotations

from typing import ClassVar

from dae.notices.sms import SendResult, SmsBackend


class RecordingBackend(SmsBackend):
    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, phone: str, text: str) -> SendResult:
        self.sent.append((phone, text))
        return SendResult(ok=True, provider_ref=f"GW-{len(self.sent)}")


class BrokenBackend(SmsBackend):
    def send(self, phone: str, text: str) -> SendResult:
        raise ConnectionError("gateway unreachable")
