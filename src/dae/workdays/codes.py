"""Error codes of the workdays app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    CALENDAR_YEAR_UNKNOWN = "calendar_year_unknown"
    INVALID_RANGE = "invalid_range"  # 结束日期不能早于开始日期
    NOTE_TOO_LONG = "note_too_long"  # 说明不能超过 … 个字
    OVERRIDE_NOT_FOUND = "override_not_found"  # … 没有录入调整
    RANGE_TOO_LONG = "range_too_long"  # 一次最多录入 … 天
    YEAR_ALREADY_CONFIRMED = "year_already_confirmed"  # … 年度已确认
    YEAR_INCOMPLETE = "year_incomplete"  # … 年的法定节假日尚未全部录入为休息日（缺 …），请按国务院…
    YEAR_IN_PACKAGE = "year_in_package"  # … 年的节假日安排已包含在节假日数据包中，无需确认
