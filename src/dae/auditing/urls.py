from django.urls import path

from . import views

app_name = "auditing"

urlpatterns = [
    path("findings/", views.FindingList.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("findings/<int:pk>/confirm/", views.finding_confirm, name="finding_confirm"),
    path("findings/<int:pk>/accept/", views.finding_accept, name="finding_accept"),
    path("findings/<int:pk>/appeal/", views.finding_appeal, name="finding_appeal"),
    path("findings/<int:pk>/settle/", views.finding_settle, name="finding_settle"),
    path("findings/<int:pk>/documents/<int:doc>/", views.finding_document, name="finding_document"),
    path("runs/", views.RunList.as_view(), name="run_list"),
    path("runs/start/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/replay/", views.run_replay, name="run_replay"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<str:rule_id>/", views.rule_detail, name="rule_detail"),
    path("check/", views.check_page, name="check"),
    path("manual-claims/<int:pk>/check/", views.manual_claim_check, name="manual_claim_check"),
    path("feedback/", views.feedback_list, name="feedback_list"),
]
