from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("settlements/", views.SettlementList.as_view(), name="settlement_list"),
    path("settlements/<str:setl_id>/", views.settlement_detail, name="settlement_detail"),
    path("settlements/<str:setl_id>/decide/", views.settlement_decide, name="settlement_decide"),
    path("mine/", views.MySettlements.as_view(), name="my_settlements"),
    path("declarations/", views.DeclarationList.as_view(), name="declaration_list"),
    path("declarations/new/", views.declaration_new, name="declaration_new"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration_detail"),
    path("adjustments/", views.AdjustmentList.as_view(), name="adjustment_list"),
    path("feedback.csv", views.feedback_export, name="feedback_export"),
]
