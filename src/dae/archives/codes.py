"""Error codes of the archives app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_ARCHIVED = "archive_already_archived"  # 只有检测未通过的档案可以重新检测
    APPROVER_POST = "archive_approver_post"  # 销毁清册须由管理岗和医保局监督审批
    CHECKS_FAILED = "archive_checks_failed"
    HELD = "archive_item_held"  # 档案 … 因…被冻结，不能销毁
    LIST_EMPTY = "archive_destruction_empty"  # 请选择要销毁的档案
    LIST_REGION = "archive_destruction_region"  # 档案 … 不属于所选统筹区
    LIST_STATE = "archive_destruction_state"  # 该冻结已解除
    LOAN_NOT_ACTIVE = "archive_loan_not_active"
    LOAN_OWN = "archive_loan_own_request"  # 不能审批本人的借阅申请
    LOAN_PERIOD = "archive_loan_period"  # 借阅天数应为 1 到 … 天
    LOAN_STATE = "archive_loan_state"  # 该借阅申请已处理
    NOT_ARCHIVED = "archive_not_archived"  # 只能借阅已归档的档案
    NOT_CLOSED = "archive_not_closed"  # 业务对象尚未办结或已不存在，不能归档
    NOT_DUE = "archive_not_due_for_destruction"  # 档案 … 尚未到保管期满，不能销毁
    PACKAGE_EMPTY = "archive_package_empty"  # 请选择已归档的档案
    RETENTION = "archive_retention"  # 保管期限应为 永久 / 定期30年 / 定期10年
    UNKNOWN_KIND = "archive_unknown_kind"  # 未知的档案类型：…
