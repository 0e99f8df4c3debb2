"""Error codes of the catalog app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    CATALOGUE_CONFLICT = "catalogue_conflict"  # 目录数据有冲突，未写入
    HOSPITAL_REQUIRED = "hospital_required"  # 请指定医疗机构编码 hospital
    INVALID_LINES = "invalid_lines"  # 检查请求有误
    LINES_REQUIRED = "lines_required"  # lines 应为非空列表
    MAPPING_CONFLICT = "mapping_conflict"  # 对码数据有冲突，未写入
    TOO_MANY_LINES = "too_many_lines"  # 一次最多检查 100000 行
    UNKNOWN_ITEM = "unknown_item"  # 目录中没有编码 …
    UNKNOWN_PARENT = "unknown_parent"  # 扩展码 … 的上级 WHO 编码未知
    VERSION_CONFLICT = "version_conflict"
