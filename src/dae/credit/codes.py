"""Error codes of the credit app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_LISTED = "already_listed"  # 该对象已人工列入…
    INVALID_PARAMETER = "invalid_parameter"  # …须为 … 到 … 之间的整数
    INVALID_PARTY_CODE = "invalid_party_code"  # 对象编码不能为空
    INVALID_PARTY_KIND = "invalid_party_kind"  # 对象类型应为 hospital、doctor 或 perso…
    INVALID_PERIOD_KIND = "invalid_period_kind"  # 期间类型有误：…
    INVALID_POINTS = "invalid_points"  # 扣分须在 0 至 100 之间
    INVALID_SOURCE = "invalid_source"  # 来源应为（类型, 编号）
    NOT_LISTED = "not_listed"  # 该对象不在关注名单或黑名单中
    UNCHANGED = "unchanged"  # 参数没有变化
    UNKNOWN_PARTY = "unknown_party"  # 医疗机构 … 不存在
