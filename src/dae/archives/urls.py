from django.urls import path

from . import views

app_name = "archives"

urlpatterns = [
    path("", views.Catalogue.as_view(), name="catalogue"),
    path("sweep/", views.sweep, name="sweep"),
    path("package/", views.package, name="package"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/retry/", views.item_retry, name="item_retry"),
    path("items/<int:pk>/hold/", views.item_hold, name="item_hold"),
    path("items/<int:pk>/read/", views.item_read, name="item_read"),
    path("items/<int:pk>/files/<int:seq>/pages/<int:number>.png", views.page, name="page"),
    path("items/<int:pk>/borrow/", views.loan_request, name="loan_request"),
    path("holds/<int:pk>/release/", views.hold_release, name="hold_release"),
    path("loans/", views.LoanRegister.as_view(), name="loan_list"),
    path("loans/mine/", views.my_loans, name="my_loans"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/decide/", views.loan_decide, name="loan_decide"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("appraisal/", views.appraisal, name="appraisal"),
    path("destructions/", views.DestructionLists.as_view(), name="destruction_list"),
    path("destructions/<int:pk>/", views.destruction_detail, name="destruction_detail"),
    path("destructions/<int:pk>/approve/", views.destruction_approve, name="destruction_approve"),
    path("destructions/<int:pk>/execute/", views.destruction_execute, name="destruction_execute"),
    path("retention/", views.retention, name="retention"),
    path("logs/", views.logs, name="logs"),
]
