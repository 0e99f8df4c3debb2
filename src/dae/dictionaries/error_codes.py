"""Error codes of the dictionaries app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_CODE = "bad_code"  # 请填写代码（不超过20个字符）和名称
    CODE_EXISTS = "code_exists"  # 代码“…”已存在
