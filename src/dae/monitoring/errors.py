"""Error codes of in-hospital monitoring (stable values, one per meaning)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE_ADMISSION = "duplicate_admission"  # the hospital already reported this 就诊ID
    NO_SUCH_ADMISSION = "no_such_admission"  # 2402/2404 for a 就诊ID never reported
    BAD_ADMISSION_STATE = "bad_admission_state"  # discharge/cancel/visit of a stay no longer in hospital
    DISCHARGE_BEFORE_ADMISSION = "discharge_before_admission"
    UNKNOWN_HOSPITAL = "unknown_hospital"
    BAD_CHOICE = "bad_choice"  # a value outside its list (presence, identity, kind …)
    ROTATION_LIMIT = "rotation_limit"  # the assignment would keep a person on one hospital too long
    BAD_PERIOD = "bad_period"  # an assignment ending before it starts
    NOT_ASSIGNED = "not_assigned"  # a visit by an inspector not assigned to the hospital that day
    VISIT_DATE = "visit_date"  # a visit before admission or in the future
    BAD_PHOTO = "bad_photo"  # not an image we take
