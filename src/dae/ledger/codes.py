"""Error codes of the ledger app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_REVERSED = "already_reversed"
    BAD_REFERENCE = "bad_reference"  # 业务类型须填写，业务类型和业务编号均不超过 64 个字符
    DAY_CLOSED = "day_closed"
    DESCRIPTION_TOO_LONG = "description_too_long"  # 摘要不能超过 300 字
    GROUP_ACCOUNT = "group_account"
    INACTIVE_ACCOUNT = "inactive_account"
    INVALID_ENTRY = "invalid_entry"
    NEGATIVE_AMOUNT = "negative_amount"
    NOT_FEN = "not_fen"
    NOT_REVERSIBLE = "not_reversible"
    NO_ACCOUNT = "no_account"
    NO_DESCRIPTION = "no_description"  # 请填写摘要
    ONE_SIDE = "one_side"
    OTHER_REGION = "other_region"
    TOO_FEW_LEGS = "too_few_legs"  # 记账凭证至少需要两条分录（一借一贷）
    UNBALANCED = "unbalanced"
    UNKNOWN_ACCOUNT = "unknown_account"
