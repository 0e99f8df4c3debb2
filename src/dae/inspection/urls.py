from django.urls import path

from .views import documents, inspections, investigations, samples

app_name = "inspection"

urlpatterns = [
    path("samples/", samples.SampleList.as_view(), name="sample_list"),
    path("samples/draw/", samples.sample_draw, name="sample_draw"),
    path("samples/settings/", samples.sample_settings, name="sample_settings"),
    path("samples/<int:pk>/", samples.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/complete/", samples.sample_complete, name="sample_complete"),
    path("items/<int:pk>/", samples.item_detail, name="item_detail"),
    path("items/<int:pk>/documents/", samples.item_document, name="item_document"),
    path("documents/<int:pk>/", documents.document, name="document"),
    path("inspections/", inspections.InspectionList.as_view(), name="inspection_list"),
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/findings/", inspections.inspection_finding_add, name="inspection_finding_add"),
    path("inspections/<int:pk>/documents/", inspections.inspection_document, name="inspection_document"),
    path("inspections/<int:pk>/submit/", inspections.inspection_submit, name="inspection_submit"),
    path("inspections/<int:pk>/return/", inspections.inspection_return, name="inspection_return"),
    path("inspections/<int:pk>/confirm/", inspections.inspection_confirm, name="inspection_confirm"),
    path("findings/<int:pk>/remove/", inspections.finding_remove, name="finding_remove"),
    path("investigations/", investigations.InvestigationList.as_view(), name="investigation_list"),
    path("investigations/new/", investigations.investigation_new, name="investigation_new"),
    path("investigations/stats/", investigations.investigation_stats, name="investigation_stats"),
    path("investigations/<int:pk>/", investigations.investigation_detail, name="investigation_detail"),
    path("investigations/<int:pk>/assign/", investigations.investigation_assign, name="investigation_assign"),
    path("investigations/<int:pk>/result/", investigations.investigation_result, name="investigation_result"),
    path("investigations/<int:pk>/feedback/", investigations.investigation_feedback, name="investigation_feedback"),
]
