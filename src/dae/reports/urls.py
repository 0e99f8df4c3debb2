from django.urls import path

from . import signoff_views, views

app_name = "reports"

urlpatterns = [
    path("", views.brief, name="brief"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("monthly/", views.monthly, name="monthly"),
    path("pivot/", views.pivot, name="pivot"),
    path("pivot/views/", views.view_save, name="view_save"),
    path("pivot/views/<int:pk>/delete/", views.view_delete, name="view_delete"),
    path("details/", views.DetailList.as_view(), name="details"),
    path("publication/", views.PublicationList.as_view(), name="publication"),
    path("definitions/", views.definitions, name="definitions"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("work/", views.work, name="work"),
    path("analysis/", signoff_views.report_list, name="report_list"),
    path("analysis/<int:pk>/", signoff_views.report_detail, name="report_detail"),
    path("analysis/<int:pk>/check/", signoff_views.report_check, name="report_check"),
    path("analysis/<int:pk>/approve/", signoff_views.report_approve, name="report_approve"),
    path("analysis/<int:pk>/submit/", signoff_views.report_submit, name="report_submit"),
    path("analysis/<int:pk>/correct/", signoff_views.report_correct, name="report_correct"),
]
