"""Error codes of the statistics system: one per meaning, stable values."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_PERIOD = "reports_bad_period"
    BAD_INDICATOR = "reports_bad_indicator"
    BAD_DIMENSION = "reports_bad_dimension"
    BAD_FORMAT = "reports_bad_format"
    TOO_MANY_VIEWS = "reports_too_many_views"
    WRONG_STEP = "reports_wrong_step"
    SAME_PERSON = "reports_same_person"
    FROZEN = "reports_frozen"
    NO_REGION = "reports_no_region"
