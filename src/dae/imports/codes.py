"""Error codes of the imports app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    REGION_REQUIRED = "region_required"  # 请选择统筹区
    UNKNOWN_IMPORT_KIND = "unknown_import_kind"  # 未知的导入类型：…
