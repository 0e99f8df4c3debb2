"""Error codes of the claims app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_HEADER = "bad_header"  # 申报头缺少 fixmedins_code（医疗机构编码）
    BAD_SHAPE = "bad_shape"  # 申报文件须为含 settlements 列表的对象
    BAD_TRANSITION = "bad_transition"  # 状态“…”不能转为“…”
