"""Error codes of the accounts app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    OWN_POST = "own_post"  # 不能修改自己的岗位或数据范围
