from django.urls import path

from . import views

app_name = "reimbursement"

urlpatterns = [
    path("", views.Queue.as_view(), name="queue"),
    path("new/", views.register, name="register"),
    path("fee-template.csv", views.fee_template, name="fee_template"),
    path("mine/", views.mine, name="mine"),
    path("settlements/<str:setl_id>/explanation/", views.settlement_explain, name="settlement_explain"),
    path("<str:number>/", views.claim_detail, name="claim_detail"),
    path("<str:number>/edit/", views.edit, name="edit"),
    path("<str:number>/materials/", views.materials, name="materials"),
    path("<str:number>/compute/", views.compute, name="compute"),
    path("<str:number>/check/", views.check, name="check"),
    path("<str:number>/approve/", views.approve, name="approve"),
    path("<str:number>/return/", views.return_claim, name="return"),
    path("<str:number>/reject/", views.reject, name="reject"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
    path("<str:number>/receipt.pdf", views.receipt, name="receipt"),
]
