"""A separate process for the delivery crash test: ``python -m tests.exchange.delivery_driver setup|deliver``.

``setup`` makes the payment crash test's three statements and pays them (``tests.payments.crash_driver``), so
three paid statements wait for their payment results to go to the platform. ``deliver`` is the outbox job's work
— queue what is new, send what is due — and prints each message's msgid and status as JSON. With
``DAE_CRASH_AT=exchange.sent`` it dies after the platform took the first message and before it was marked. The
platform's address comes from ``DAE_PLATFORM_URL`` (the simulator in the test process).
"""

from __future__ import annotations

import json
import sys

from tests.payments import crash_driver


def setup() -> None:
    crash_driver.setup()
    crash_driver.pay()


def deliver() -> None:
    from dae.exchange import delivery
    from dae.exchange.models import Outbound

    queued = delivery.collect()
    run = delivery.deliver()
    print(json.dumps({"queued": queued, "run": run.as_dict(),
                      "outbound": {o.msgid: [o.status, o.attempts] for o in Outbound.objects.order_by("id")}}))


if __name__ == "__main__":
    crash_driver._django()
    {"setup": setup, "deliver": deliver}[sys.argv[1]]()
