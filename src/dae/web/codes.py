"""Error codes of the web app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_EXPORT_FORMAT = "bad_export_format"
    EXPORT_TOO_LARGE = "export_too_large"
