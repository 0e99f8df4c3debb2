"""Error codes of the bank app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_CLOSED = "already_closed"  # 该日刚由另一项操作日结，请刷新后查看
    AMOUNT_MISMATCH = "amount_mismatch"
    BAD_STATEMENT = "bad_statement"  # 对账单有 … 行错误，未导入任何数据
    BAD_WINDOW = "bad_window"  # 匹配日期范围须在 0 到 31 天之间
    CLOSE_IN_ORDER = "close_in_order"  # 请先日结 …：该日有资金收付且尚未日结，日结须按日期顺序进行
    DUPLICATE_FILE = "duplicate_file"
    DUPLICATE_LINE = "duplicate_line"  # 重复流水不参与匹配
    ITEM_MATCHED = "item_matched"  # 该银行流水已匹配，不是未达账项
    LEG_MATCHED = "leg_matched"  # 该账面分录已与银行流水 … 匹配
    LINE_MATCHED = "line_matched"  # 银行流水 … 已匹配，请先撤销原匹配
    MATCHING_BUSY = "matching_busy"  # 该账户正在进行另一项对账操作，请稍后重试
    NOT_CASH_ACCOUNT = "not_cash_account"  # 银行存款科目应为 …，不能是“…”
    NOT_MANUAL = "not_manual"  # 只能撤销手工匹配；自动匹配由对账规则确定
    NOT_RECONCILED = "not_reconciled"  # … … 有资金收付，但尚未导入覆盖该日的银行对账单（请先导入…
    NO_DAY = "no_day"  # 请选择要日结的日期
    NO_ITEM = "no_item"  # 请选择要备注的未达账项
    OTHER_ACCOUNT = "other_account"  # 账面分录须与银行流水属于同一统筹区、同一银行存款科目
