"""Error codes of the enrollment app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_CORRECTED = "already_corrected"  # 该记录已被更正过，请更正最新的记录
    ALREADY_ENDED = "already_ended"  # 该人员已终止参保
    BAD_CORRECTION = "bad_correction"  # 更正内容有误
    BAD_FIELD = "bad_field"  # 不能更正的字段：…
    NOT_ENROLLED = "not_enrolled"  # 该人员没有大额医疗费用补助参保记录
    NOT_NORMAL = "not_normal"  # 只有正常参保的人员可以暂停
    NOT_SUSPENDED = "not_suspended"  # 只有暂停参保的人员可以恢复
