from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("reconciliations/", views.ReconciliationList.as_view(), name="reconciliation_list"),
    path("reconciliations/run/", views.reconciliation_run, name="reconciliation_run"),
    path("reconciliations/<int:pk>/", views.reconciliation_detail, name="reconciliation_detail"),
    path("reconciliations/<int:pk>/pull/", views.settlement_pull, name="settlement_pull"),
    path("differences/<int:pk>/resolve/", views.difference_resolve, name="difference_resolve"),
    path("outbox/", views.OutboundList.as_view(), name="outbound_list"),
    path("outbox/deliver/", views.deliver, name="deliver"),
    path("outbox/<int:pk>/", views.outbound_detail, name="outbound_detail"),
    path("calls/", views.CallList.as_view(), name="call_list"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("person/", views.person_query, name="person_query"),
]
