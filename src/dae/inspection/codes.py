"""Error codes of the inspection app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    FILE_MISSING = "file_missing"  # 附件文件已不存在，请联系信息技术岗
    HAS_DOCUMENTS = "has_documents"  # 该问题已有附件，不能删除
    INVALID_ASSIGNEE = "invalid_assignee"  # 承办人不正确
    INVALID_INSPECTORS = "invalid_inspectors"  # 巡查人员须为本统筹区在岗的稽核、审核或管理人员
    INVALID_OWNER = "invalid_owner"  # 附件须属于一份抽样病历或一次现场巡查
    INVALID_RATIO = "invalid_ratio"  # …须大于 0 且不超过 100（最多两位小数）
    INVALID_REVIEW = "invalid_review"  # 复审记录有误
    INVALID_SEED = "invalid_seed"  # 随机种子须为 0 到 … 之间的整数
    ITEMS_PENDING = "items_pending"  # 还有 … 份病历未复审，不能完成
    NOT_ANSWERED = "not_answered"  # 须先登记协查结果，且尚未反馈
    NOT_OPEN = "not_open"  # 已出结果的协查不能再分派
    NOT_SUBMITTED = "not_submitted"  # 只有已提交的巡查可以退回
    NO_ASSIGNEE = "no_assignee"  # 请选择承办人或承办机构
    NO_INSPECTORS = "no_inspectors"  # 请至少选择一名巡查人员（通常为两人）
    NO_SUBJECT = "no_subject"  # 请填写协查对象：结算ID或人员编号
    OWN_INSPECTION = "own_inspection"  # 巡查人员不能确认本人参与的巡查
    SAMPLE_COMPLETED = "sample_completed"  # 该抽样复审已完成，不能再上传附件
    SAMPLE_EXISTS = "sample_exists"  # 统筹区 … … 已抽样（…），每月只抽一次
    SETTINGS_CHANGED = "settings_changed"  # 抽样参数刚被他人修改，请刷新后重试
    SUBJECT_MISMATCH = "subject_mismatch"  # 人员编号 … 与结算 … 的参保人不一致
    TOO_LONG = "too_long"  # …不能超过 … 字
    UNKNOWN_FINDING = "unknown_finding"  # 该巡查没有这个问题
    UNKNOWN_SETTLEMENT = "unknown_settlement"  # 结算 … 不存在或不属于统筹区 …
