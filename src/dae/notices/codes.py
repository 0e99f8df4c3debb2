"""Error codes of the notices app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_NOTICE_KIND = "bad_notice_kind"  # 未知的通知类型：…
    BAD_PHONE = "bad_phone"  # 手机号码应为 11 位数字，以 1 开头
