"""Error codes of the reports app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_DIMENSION = "reports_bad_dimension"  # 分组维度不适用于该指标
    BAD_FORMAT = "reports_bad_format"  # 导出任务没有发起人
    BAD_INDICATOR = "reports_bad_indicator"  # 未知的统计指标: …
    BAD_PERIOD = "reports_bad_period"  # 运行分析报告的统计期为月、季度或年度
    FROZEN = "reports_frozen"  # 该年度考核已…, 不能重新计算
    NO_REGION = "reports_no_region"  # 只能计算本人所辖统筹区的考核
    SAME_PERSON = "reports_same_person"  # 签发人不能是调整或复核考核得分的人
    TOO_MANY_VIEWS = "reports_too_many_views"  # 最多保存 … 个视图, 请先删除不用的
    WRONG_STEP = "reports_wrong_step"  # 考核当前状态为 …, 不能执行此步骤
