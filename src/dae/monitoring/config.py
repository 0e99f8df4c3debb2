"""The settings of in-hospital monitoring, read from Django settings (``MONITORING`` dict) with these defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "first_visit_working_days": 2,  # the first bedside visit within N working days after admission (seed 001 §4.10)
    "repeat_visit_days": 7,  # a long stay is visited again every N calendar days
    "rotation_limit_days": 365,  # nobody stays on one hospital longer than this without a break (轮岗)
    "rotation_break_days": 90,  # a break shorter than this does not restart the count
    "long_stay_factor": "1.5",  # a stay longer than factor × the diagnosis group's median is listed
    "near_threshold_share": "0.9",  # year-to-date in-scope spending within 90% of the entry line or the maximum
}


def get(name: str) -> Any:
    return getattr(settings, "MONITORING", {}).get(name, DEFAULTS[name])
