"""Error codes of sign-in, passwords, two-factor and API tokens."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    PASSWORD_REJECTED = "password_rejected"
    WRONG_PASSWORD = "wrong_password"
    WRONG_CODE = "wrong_otp_code"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    PASSWORD_CHANGE_REQUIRED = "password_change_required"
    SESSION_EXPIRED = "session_expired"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_SCOPE = "token_scope"
    LOCKED_OUT = "locked_out"
