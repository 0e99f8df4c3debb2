"""The error codes of the service desk, one per meaning; values are stable (the API answers them)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_OWNER = "service_not_owner"  # 首问负责: only the first responder answers
    ALREADY_ANSWERED = "service_already_answered"
    WRONG_STATE = "service_wrong_state"
    NOT_ASSIGNEE = "service_not_assignee"
    UNKNOWN_ASSIGNEE = "service_unknown_assignee"
    EXTENSION_TWICE = "service_extension_twice"
    NOT_RATABLE = "service_not_ratable"
    ALREADY_LINKED = "service_already_linked"
    NOT_TIPOFF = "service_not_tipoff"
    SURVEY_STATE = "service_survey_state"
    NOT_RESPONDENT = "service_not_respondent"
    TEMPLATE_NOT_APPROVED = "service_template_not_approved"
    SELF_APPROVAL = "service_template_self_approval"
    UNKNOWN_VARIABLE = "service_unknown_variable"
    UNKNOWN_AUDIENCE = "service_unknown_audience"
