from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    PENDING = "approval_pending"
    SELF_APPROVAL = "approval_by_actor"
    WRONG_POST = "approval_wrong_post"
    DECIDED = "approval_decided"
    UNKNOWN_KIND = "approval_unknown_kind"
