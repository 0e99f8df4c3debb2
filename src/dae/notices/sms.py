"""The SMS gateway interface (短信通道) and the local outbox.

``settings.SMS_BACKEND`` (environment ``DAE_SMS_BACKEND``) names the class, e.g.
``dae.notices.sms.OutboxBackend`` (the default: messages are stored in the outbox and nothing leaves the
machine). A real gateway is a subclass of ``SmsBackend`` that implements ``send`` and keeps ``delivers = True``;
messages are then handed to it by the background task ``deliver_sms`` after the transaction that wrote them has
committed, so a rolled-back approval never sends a text. See docs/notices.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    """What the gateway answered for one message: accepted (with its reference) or refused (with the reason)."""

    ok: bool
    provider_ref: str = ""
    error: str = ""


class SmsBackend:
    """One SMS gateway. Subclasses implement ``send``; it is called once per message, outside any transaction.

    ``send`` returns a ``SendResult``; an exception it raises (network down …) marks the message failed with
    the exception's text, and the failure is logged.
    """

    #: False for a backend that only keeps messages in the outbox (nothing is handed to any gateway).
    delivers: ClassVar[bool] = True

    def send(self, phone: str, text: str) -> SendResult:
        raise NotImplementedError


class OutboxBackend(SmsBackend):
    """Stores only: messages stay 待发送 in the outbox page (/notices/outbox/) and are never sent anywhere."""

    delivers = False

    def send(self, phone: str, text: str) -> SendResult:
        return SendResult(ok=False, error="本地发件箱不发送短信")


def backend_path() -> str:
    return str(settings.SMS_BACKEND)


def get_backend() -> SmsBackend:
    backend = import_string(backend_path())()
    if not isinstance(backend, SmsBackend):
        raise TypeError(f"SMS_BACKEND {backend_path()} is not a dae.notices.sms.SmsBackend")
    return backend


def schedule_delivery(message_ids: list[int]) -> None:
    """After the current transaction commits, hand the messages to the gateway (no-op for the outbox)."""
    if not message_ids or not get_backend().delivers:
        return
    ids = list(message_ids)
    transaction.on_commit(lambda: deliver_sms.enqueue(ids))


@task()
def deliver_sms(message_ids: list[int]) -> int:
    """Send the queued messages among ``message_ids`` (retries included, see ``dispatch``); returns how many the
    gateway accepted."""
    # cycle: notices.sms ↔ notices.actions (the actions schedule delivery through this module)
    from .actions.dispatch import do_dispatch_sms

    return do_dispatch_sms(None, ids=message_ids).sent
