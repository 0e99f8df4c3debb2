"""Error codes of the fund app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    APPROVAL_REQUIRED = "approval_required"  # 请填写审批文号
    CLEARING_EXISTS = "clearing_exists"  # 该…已于 … 记录（退还 … 元），不能重复记录
    FUNDS_NOT_ENTERED = "funds_not_entered"  # … 年度筹集资金尚未录入，且账上没有上年第四季度支出，无法测…
    FUND_YEAR_EXISTS = "fund_year_exists"  # … … 年度筹集资金已录入（… 元）；如需变更请填写变更原因
    INCOME_SHORTFALL = "income_shortfall"  # 收入户存款余额 … 元，不足划转 … 元
    INVALID_CONTRACT = "invalid_contract"  # 合同起始日和终止日须同时填写
    INVALID_LEVELS = "invalid_levels"  # 预警线须满足 0 ≤ 黄色（…%）≤ 红色（…%）≤ 100
    INVALID_PURPOSE = "invalid_purpose"  # 不支持的用途：…
    INVALID_QUARTER = "invalid_quarter"  # 季度应为 1 到 4
    NO_CONTRACT_DATES = "no_contract_dates"  # 该基金年度未填写合同起止日期，无法做合同期满清算
    REPAY_TOO_MUCH = "repay_too_much"  # 归还金额 … 元超过未归还的临时周转金 … 元
    REQUEST_NOT_DRAFT = "request_not_draft"  # … 年第 … 季度用款申请已…，不能重新测算
    REQUEST_NOT_SUBMITTED = "request_not_submitted"  # 用款申请尚未提交，不能登记拨款到账
    REQUEST_ZERO = "request_zero"  # 申请金额为零，无需提交
    RISK_SHORTFALL = "risk_shortfall"  # 风险调节基金余额 … 元，不足动用 … 元
    RISK_USE_DECIDED = "risk_use_decided"  # 该申请…，不能再审批
    SELF_APPROVAL = "self_approval"  # 申请人不能审批自己的申请，两级审批须由不同的人进行
    SLIP_REQUIRED = "slip_required"  # 请填写银行回单号
    SPENDING_SHORTFALL = "spending_shortfall"  # 支出户存款余额不足，还差 … 元；请先划转资金或借入临时周转…
    WRONG_POST = "wrong_post"  # 该申请须先由管理岗审批
