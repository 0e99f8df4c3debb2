from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("statements/", views.StatementList.as_view(), name="statement_list"),
    path("statements/build/", views.statement_build, name="statement_build"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="statement_approve"),
    path("batches/", views.BatchList.as_view(), name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/file/", views.batch_file, name="batch_file"),
    path("deductions/", views.DeductionList.as_view(), name="deduction_list"),
    path("deductions/new/", views.deduction_new, name="deduction_new"),
]
