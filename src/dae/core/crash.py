"""Crash points: places where a test may kill the process the way a power cut would.

``crash_point("export.written")`` does nothing unless the environment variable ``DAE_CRASH_AT`` names that
point; then the process ends at once with ``os._exit`` — no ``finally``, no rollback handler, no flush — so a
test can show that every step of a multi-step operation can be repeated after a crash without doing it twice
or losing it (``tests/payments/test_crash.py``). Production never sets the variable.
"""

from __future__ import annotations

import os

CRASH_EXIT_CODE = 70


def crash_point(name: str) -> None:
    if os.environ.get("DAE_CRASH_AT") == name:
        os._exit(CRASH_EXIT_CODE)
