from django.urls import path

from . import views

app_name = "fund"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("years/", views.year_list, name="year_list"),
    path("years/<int:pk>/", views.year_detail, name="year_detail"),
    path("years/<int:pk>/funds/", views.year_funds, name="year_funds"),
    path("years/<int:pk>/levels/", views.year_levels, name="year_levels"),
    path("years/<int:pk>/clearing/<str:kind>/", views.clearing, name="clearing"),
    path("years/<int:pk>/clearing/<str:kind>/print/", views.clearing_print, name="clearing_print"),
    path("years/<int:pk>/clearing/<str:kind>/pdf/", views.clearing_pdf, name="clearing_pdf"),
    path("years/<int:pk>/clearing/<str:kind>/record/", views.clearing_record, name="clearing_record"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/adjust/", views.request_adjust, name="request_adjust"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request_submit"),
    path("requests/<int:pk>/receive/", views.request_receive, name="request_receive"),
    path("requests/<int:pk>/print/", views.request_print, name="request_print"),
    path("requests/<int:pk>/pdf/", views.request_pdf, name="request_pdf"),
    path("entries/", views.EntryList.as_view(), name="entry_list"),
    path("entries/new/<str:kind>/", views.entry_new, name="entry_new"),
    path("revolving/", views.revolving, name="revolving"),
    # risk-adjustment fund (风险调节基金)
    path("risk/", views.risk, name="risk"),
    path("risk/rule/", views.risk_rule, name="risk_rule"),
    path("risk/uses/new/", views.risk_use_new, name="risk_use_new"),
    path("risk/uses/<int:pk>/decide/", views.risk_use_decide, name="risk_use_decide"),
]
