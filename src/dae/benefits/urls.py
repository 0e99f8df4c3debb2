from django.urls import path

from . import trial_views, views

app_name = "benefits"

urlpatterns = [
    path("rulesets/", views.RuleSetList.as_view(), name="ruleset_list"),
    path("rulesets/<str:code>/", views.ruleset_detail, name="ruleset_detail"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("trial/", trial_views.trial, name="trial"),
    path("trial/pdf/", trial_views.trial_pdf, name="trial_pdf"),
]
