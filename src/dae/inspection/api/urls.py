"""The inspection API's routes under ``/api/v1/inspection/…`` (included by ``dae.urls``)."""

from __future__ import annotations

from django.urls import path

from .inspections import (
    InspectionConfirm,
    InspectionDetail,
    InspectionDocuments,
    InspectionFindings,
    InspectionReturn,
    Inspections,
    InspectionSubmit,
)
from .investigations import (
    InvestigationAssign,
    InvestigationDetail,
    InvestigationFeedback,
    InvestigationResult,
    Investigations,
    InvestigationStats,
)
from .samples import (
    SampleComplete,
    SampleDetail,
    SampleItemDetail,
    SampleItemDocuments,
    SampleReplay,
    Samples,
    SamplingSettingsView,
)

api_urlpatterns = [
    path("inspection/samples", Samples.as_view(), name="inspection-samples"),
    path("inspection/samples/<int:pk>", SampleDetail.as_view(), name="inspection-sample-detail"),
    path("inspection/samples/<int:pk>/replay", SampleReplay.as_view(), name="inspection-sample-replay"),
    path("inspection/samples/<int:pk>/complete", SampleComplete.as_view(), name="inspection-sample-complete"),
    path("inspection/sample-items/<int:pk>", SampleItemDetail.as_view(), name="inspection-sample-item"),
    path(
        "inspection/sample-items/<int:pk>/documents",
        SampleItemDocuments.as_view(),
        name="inspection-sample-item-documents",
    ),
    path("inspection/settings", SamplingSettingsView.as_view(), name="inspection-settings"),
    path("inspection/inspections", Inspections.as_view(), name="inspection-inspections"),
    path("inspection/inspections/<int:pk>", InspectionDetail.as_view(), name="inspection-inspection-detail"),
    path(
        "inspection/inspections/<int:pk>/findings", InspectionFindings.as_view(), name="inspection-inspection-findings"
    ),
    path(
        "inspection/inspections/<int:pk>/documents",
        InspectionDocuments.as_view(),
        name="inspection-inspection-documents",
    ),
    path("inspection/inspections/<int:pk>/submit", InspectionSubmit.as_view(), name="inspection-inspection-submit"),
    path("inspection/inspections/<int:pk>/return", InspectionReturn.as_view(), name="inspection-inspection-return"),
    path("inspection/inspections/<int:pk>/confirm", InspectionConfirm.as_view(), name="inspection-inspection-confirm"),
    path("inspection/investigations", Investigations.as_view(), name="inspection-investigations"),
    path("inspection/investigations/stats", InvestigationStats.as_view(), name="inspection-investigation-stats"),
    path("inspection/investigations/<int:pk>", InvestigationDetail.as_view(), name="inspection-investigation-detail"),
    path(
        "inspection/investigations/<int:pk>/assign",
        InvestigationAssign.as_view(),
        name="inspection-investigation-assign",
    ),
    path(
        "inspection/investigations/<int:pk>/result",
        InvestigationResult.as_view(),
        name="inspection-investigation-result",
    ),
    path(
        "inspection/investigations/<int:pk>/feedback",
        InvestigationFeedback.as_view(),
        name="inspection-investigation-feedback",
    ),
]
