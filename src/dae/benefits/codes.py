"""Error codes of the benefits app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    DUPLICATE_VERSION = "duplicate_version"  # 版本号 … 已存在
    EFFECTIVE_IN_PAST = "effective_in_past"  # 生效日期不能早于今天：已计算的结算不会被追溯改变
    EFFECTIVE_TOO_EARLY = "effective_too_early"  # 生效日期必须晚于当前版本的生效日期 …
    NO_PUBLISHED_VERSION = "no_published_version"  # 该规则集尚无已发布版本
    RULESET_IDENTITY = "ruleset_identity"  # 规则集编号与统筹区不可在新版本中更改
    RULESET_INVALID = "ruleset_invalid"  # 规则文本缺少顶层字段 …
    RULESET_YAML = "ruleset_yaml"
    TRIAL_INPUT_INVALID = "trial_input_invalid"
    UPLOAD_NOT_JSON = "upload_not_json"
    UPLOAD_TOO_LARGE = "upload_too_large"
    VERSION_PUBLISHED = "version_published"  # 已发布的规则版本不可修改，请新建版本
