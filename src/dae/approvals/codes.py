"""Error codes of the approvals app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    DECIDED = "approval_decided"  # 该事项已审批
    PENDING = "approval_pending"
    SELF_APPROVAL = "approval_by_actor"  # 经办人不能审批自己提交的事项
    UNKNOWN_KIND = "approval_unknown_kind"  # 未知的审批事项：…
    WRONG_POST = "approval_wrong_post"  # 该事项须由…审批
