from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.BatchList.as_view(), name="batch_list"),
    path("new/", views.batch_new, name="batch_new"),
    path("<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/errors.xlsx", views.batch_report, name="batch_report"),
    path("templates/<str:kind>.csv", views.kind_template, name="kind_template"),
    path("examples/<str:kind>/", views.kind_example, name="kind_example"),
]
