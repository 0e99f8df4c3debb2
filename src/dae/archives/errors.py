"""Error codes of the archives (stable: API clients match on them)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_CLOSED = "archive_not_closed"
    ALREADY_ARCHIVED = "archive_already_archived"
    CHECKS_FAILED = "archive_checks_failed"
    NOT_ARCHIVED = "archive_not_archived"
    LOAN_STATE = "archive_loan_state"
    LOAN_NOT_ACTIVE = "archive_loan_not_active"
    LOAN_PERIOD = "archive_loan_period"
    LOAN_OWN = "archive_loan_own_request"
    HELD = "archive_item_held"
    NOT_DUE = "archive_not_due_for_destruction"
    LIST_STATE = "archive_destruction_state"
    LIST_EMPTY = "archive_destruction_empty"
    LIST_REGION = "archive_destruction_region"
    APPROVER_POST = "archive_approver_post"
    UNKNOWN_KIND = "archive_unknown_kind"
    RETENTION = "archive_retention"
    PACKAGE_EMPTY = "archive_package_empty"
