from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("settlements/", views.SettlementList.as_view(), name="settlement_list"),
    path("settlements/<str:setl_id>/", views.settlement_detail, name="settlement_detail"),
    path("mine/", views.MySettlements.as_view(), name="my_settlements"),
]
