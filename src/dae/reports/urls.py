from django.urls import path

from . import evaluation_views, signoff_views, views

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
    path("evaluation/", evaluation_views.evaluation, name="evaluation"),
    path("evaluation/compute/", evaluation_views.evaluation_compute, name="evaluation_compute"),
    path("evaluation/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation_detail"),
    path("evaluation/<int:pk>/review/", evaluation_views.evaluation_review, name="evaluation_review"),
    path("evaluation/<int:pk>/sign/", evaluation_views.evaluation_sign, name="evaluation_sign"),
    path("evaluation/<int:pk>/publish/", evaluation_views.evaluation_publish, name="evaluation_publish"),
    path("evaluation/scores/<int:pk>/adjust/", evaluation_views.evaluation_adjust, name="evaluation_adjust"),
    path("work/", views.work, name="work"),
    path("exports/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("analysis/", signoff_views.report_list, name="report_list"),
    path("analysis/<int:pk>/", signoff_views.report_detail, name="report_detail"),
    path("analysis/<int:pk>/check/", signoff_views.report_check, name="report_check"),
    path("analysis/<int:pk>/approve/", signoff_views.report_approve, name="report_approve"),
    path("analysis/<int:pk>/submit/", signoff_views.report_submit, name="report_submit"),
    path("analysis/<int:pk>/correct/", signoff_views.report_correct, name="report_correct"),
]
