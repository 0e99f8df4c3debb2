"""Error codes of the forecast app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALERT_STATE = "forecast_alert_state"
    BAD_THRESHOLD = "forecast_bad_threshold"  # 未知的预警指标
    BUDGET_EXISTS = "forecast_budget_exists"  # 该年度已有预算，请在现有预算上修订
    BUDGET_FROZEN = "forecast_budget_frozen"  # 预算已批准并冻结；如需调整请发起修订（新版本）
    NO_HISTORY = "forecast_no_history"  # 该统筹区尚无结算数据，无法预测
    SIMULATION_FAILED = "simulation_failed"
