from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.PendingList.as_view(), name="pending_list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("thresholds/", views.thresholds, name="thresholds"),
]
