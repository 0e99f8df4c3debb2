"""The service desk's time limits, in working days (settings, with the seeds' promises as defaults).

Seed 000 第四篇 promises a consultation needing a check is answered within 1 working day, a complaint or tip-off
decided within 10, extended to 25 only with a manager's approval. The insurer's own rule (银保监会令 2020 年第 3 号)
allows 15 / 30, so the numbers are settings (``DAE_SERVICE_*``), not constants in the code.
"""

from __future__ import annotations

from django.conf import settings


def consult_days() -> int:
    return int(getattr(settings, "DAE_SERVICE_CONSULT_DAYS", 1))


def decide_days() -> int:
    return int(getattr(settings, "DAE_SERVICE_DECIDE_DAYS", 10))


def extended_days() -> int:
    return int(getattr(settings, "DAE_SERVICE_EXTENDED_DAYS", 25))


def reminder_days() -> int:
    """A case is ``due soon`` this many working days before its deadline (the reminder on the dashboard)."""
    return int(getattr(settings, "DAE_SERVICE_REMINDER_DAYS", 2))
