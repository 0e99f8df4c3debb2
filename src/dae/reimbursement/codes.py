"""Error codes of the reimbursement app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_APPROVED = "already_approved"  # 已审批的申请不能在窗口撤销，请按结算撤销办理
    CLAIM_INVALID = "claim_invalid"  # 申请信息有 … 处错误：…
    CLAIM_NOT_COMPUTABLE = "claim_not_computable"
    FEE_FILE_EMPTY = "fee_file_empty"  # 费用明细文件为空，没有表头
    FEE_FILE_FORMAT = "fee_file_format"  # 费用明细文件应为 CSV 或 Excel (.xlsx)
    FEE_FILE_INVALID = "fee_file_invalid"  # 费用明细文件的表头有误
    FEE_FILE_REQUIRED = "fee_file_required"
    FEE_FILE_TOO_LARGE = "fee_file_too_large"  # 费用明细文件过大（上限 5 MB）
    FEE_LINES_INVALID = "fee_lines_invalid"  # 费用明细有 … 处错误
    FOUR_EYES = "four_eyes"
    MATERIALS_CLOSED = "materials_closed"  # 状态“…”的申请不能再修改材料
    MATERIALS_INCOMPLETE = "materials_incomplete"  # 材料不全，时限暂停，不能计算：缺…
    NOT_COVERED = "not_covered"
    NOT_EDITABLE = "not_editable"  # 状态“…”的申请不能修改
    NO_HOSPITAL = "no_hospital"  # 医疗机构编码 … 不存在
    NO_PERSON = "no_person"  # 人员编号 … 不存在或不在您的统筹区
    PAYOUT_CHANGED = "payout_changed"
    PERSON_FIXED = "person_fixed"  # 不能更改申请的参保人；请撤销本申请后重新受理
    REGION_CHANGED = "region_changed"  # 参保地统筹区与原申请不同，请撤销后重新受理
    SETTLEMENT_EXISTS = "settlement_exists"  # 结算ID … 已存在
    UNKNOWN_MATERIAL = "unknown_material"  # 未知的材料项：…
