"""Error codes of the monitoring app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_ADMISSION_STATE = "bad_admission_state"  # discharge/cancel/visit of a stay no longer in hospital
    BAD_PHOTO = "bad_photo"  # not an image we take
    DISCHARGE_BEFORE_ADMISSION = "discharge_before_admission"  # 出院日期不能早于入院日期
    DUPLICATE_ADMISSION = "duplicate_admission"  # the hospital already reported this 就诊ID
    NOT_ASSIGNED = "not_assigned"  # a visit by an inspector not assigned to the hospital that day
    NO_SUCH_ADMISSION = "no_such_admission"  # 2402/2404 for a 就诊ID never reported
    PHOTO_MISSING = "photo_missing"  # 照片文件不存在
    ROTATION_LIMIT = "rotation_limit"  # the assignment would keep a person on one hospital too long
    VISIT_DATE = "visit_date"  # a visit before admission or in the future
