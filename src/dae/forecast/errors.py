"""Error codes of forecasting and warnings."""

from enum import StrEnum


class ErrorCode(StrEnum):
    NO_HISTORY = "forecast_no_history"
    BAD_THRESHOLD = "forecast_bad_threshold"
    ALERT_STATE = "forecast_alert_state"
    BUDGET_FROZEN = "forecast_budget_frozen"
    BUDGET_EXISTS = "forecast_budget_exists"
