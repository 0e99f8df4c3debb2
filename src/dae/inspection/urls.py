from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("samples/", views.SampleList.as_view(), name="sample_list"),
    path("samples/draw/", views.sample_draw, name="sample_draw"),
    path("samples/settings/", views.sample_settings, name="sample_settings"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/complete/", views.sample_complete, name="sample_complete"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/documents/", views.item_document, name="item_document"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("inspections/", views.InspectionList.as_view(), name="inspection_list"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/findings/", views.inspection_finding_add, name="inspection_finding_add"),
    path("inspections/<int:pk>/documents/", views.inspection_document, name="inspection_document"),
    path("inspections/<int:pk>/submit/", views.inspection_submit, name="inspection_submit"),
    path("inspections/<int:pk>/return/", views.inspection_return, name="inspection_return"),
    path("inspections/<int:pk>/confirm/", views.inspection_confirm, name="inspection_confirm"),
    path("findings/<int:pk>/remove/", views.finding_remove, name="finding_remove"),
    path("investigations/", views.InvestigationList.as_view(), name="investigation_list"),
    path("investigations/new/", views.investigation_new, name="investigation_new"),
    path("investigations/stats/", views.investigation_stats, name="investigation_stats"),
    path("investigations/<int:pk>/", views.investigation_detail, name="investigation_detail"),
    path("investigations/<int:pk>/assign/", views.investigation_assign, name="investigation_assign"),
    path("investigations/<int:pk>/result/", views.investigation_result, name="investigation_result"),
    path("investigations/<int:pk>/feedback/", views.investigation_feedback, name="investigation_feedback"),
]
