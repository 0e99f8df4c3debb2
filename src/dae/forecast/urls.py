from django.urls import path

from . import views

app_name = "forecast"

urlpatterns = [
    path("", views.forecast_page, name="forecast"),
    path("alerts/", views.AlertList.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("thresholds/", views.thresholds, name="thresholds"),
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("simulation/", views.simulation_page, name="simulation"),
    path("simulation/export/", views.simulation_export, name="simulation_export"),
    path("simulation/pdf/", views.simulation_pdf, name="simulation_pdf"),
    path("scenarios/", views.scenario_list, name="scenario_list"),
    path("scenarios/<int:pk>/", views.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:pk>/pdf/", views.scenario_pdf, name="scenario_pdf"),
]
