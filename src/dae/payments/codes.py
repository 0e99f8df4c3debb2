"""Error codes of the payments app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    BAD_ACTION = "bad_action"  # 未知操作：…
    BAD_RESULT_FILE = "bad_result_file"  # 回盘文件第 … 行 …：…（共 … 处问题）
    CONTRADICTING_RESULT = "contradicting_result"
    FILE_CHANGED = "file_changed"  # 批次 … 的付款文件与已导出的不一致，拒绝重新生成
    MISSING_COLUMNS = "missing_columns"  # 回盘文件缺少列：…
    NOTHING_TO_PAY = "nothing_to_pay"  # 没有可支付的款项
    NOT_EXPORTED = "not_exported"  # 批次 … 尚未导出付款文件，不能导入回盘
    NOT_SENT = "not_sent"  # 指令状态为“…”，只有已发送待结果的指令可以人工查证
    NO_BANK_ACCOUNT = "no_bank_account"  # 以下医疗机构未登记开户银行或账号，不能制单：…
    NO_DOCUMENT = "no_document"  # 请填写确认文书编号
    NO_SERIAL = "no_serial"  # 支付成功须填写银行流水号
    OVERDRAFT = "overdraft"  # 支出户余额不足：本批 … 元，支付后将透支 … 元；请先划转…
