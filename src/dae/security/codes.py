"""Error codes of the security app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    LOCKED_OUT = "locked_out"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    PASSWORD_REJECTED = "password_rejected"
    SESSION_EXPIRED = "session_expired"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_INVALID = "token_invalid"
    TOKEN_SCOPE = "token_scope"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    WRONG_CODE = "wrong_otp_code"
    WRONG_PASSWORD = "wrong_password"
