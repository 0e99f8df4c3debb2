"""Pages of fund forecasting and warnings (基金预测预警), by noun: forecasts, warnings (and their thresholds),
budgets, the policy simulation and its saved scenarios. Input is read by ``core.inputs``; each post calls one
action; who may do what comes from the permission matrix (``can``)."""

from .budgets import BudgetList, budget_detail, budget_list
from .common import yuan
from .forecasts import forecast_page
from .scenarios import ScenarioList, scenario_detail, scenario_list
from .simulation import scenario_pdf, simulation_export, simulation_page, simulation_pdf
from .warnings import AlertList, ThresholdList, alert_detail, thresholds

__all__ = ["AlertList", "BudgetList", "ScenarioList", "ThresholdList", "alert_detail", "budget_detail", "budget_list",
           "forecast_page", "scenario_detail", "scenario_list", "scenario_pdf", "simulation_export", "simulation_page",
           "simulation_pdf", "thresholds", "yuan"]
