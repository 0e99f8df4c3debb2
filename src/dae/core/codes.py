"""Error codes of core, and codes several apps answer: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class CoreCode(StrEnum):
    APPEND_ONLY = "append_only"
    BAD_CSV = "bad_csv"
    BAD_FORMAT = "bad_format"
    BAD_KEY = "bad_key"
    CONFLICT = "conflict"
    CORRUPT_WORKBOOK = "corrupt_workbook"
    EMPTY_BODY = "empty_body"
    EMPTY_FILE = "empty_file"
    EMPTY_POPULATION = "empty_population"
    ERROR = "error"
    FIELD_TOO_LONG = "field_too_long"
    FUTURE_DATE = "future_date"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    INVALID_CHOICE = "invalid_choice"
    INVALID_DAYS = "invalid_days"
    INVALID_FILE_TYPE = "invalid_file_type"
    INVALID_INPUT = "invalid_input"
    INVALID_KIND = "invalid_kind"
    INVALID_LEVEL = "invalid_level"
    INVALID_OUTCOME = "invalid_outcome"
    MONTH_NOT_OVER = "month_not_over"
    NOT_A_WORKBOOK = "not_a_workbook"
    NOT_DRAFT = "not_draft"
    NOT_FOUND = "not_found"
    NO_CHANGE = "no_change"
    NO_FILE = "no_file"
    NO_LINES = "no_lines"
    NO_REGION = "no_region"
    NO_RULESET = "no_ruleset"
    PERMISSION_DENIED = "permission_denied"
    REASON_REQUIRED = "reason_required"
    REGION_NOT_ALLOWED = "region_not_allowed"
    REQUIRED = "required"
    UNKNOWN_HOSPITAL = "unknown_hospital"
    UNKNOWN_PERSON = "unknown_person"


class InputCode(StrEnum):
    """Error codes of the input layer (``dae.core.inputs``)."""

    INVALID_AMOUNT = "invalid_amount"
    INVALID_DATE = "invalid_date"
    INVALID_ENCODING = "invalid_encoding"
    INVALID_JSON = "invalid_json"
    INVALID_MONTH = "invalid_month"
    INVALID_NUMBER = "invalid_number"
    INVALID_PERIOD = "invalid_period"
    INVALID_REGION = "invalid_region"
    INVALID_TEXT = "invalid_text"
    INVALID_YEAR = "invalid_year"
    JSON_TOO_DEEP = "json_too_deep"
    TOO_LARGE = "too_large"
