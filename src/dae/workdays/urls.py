from django.urls import path

from . import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("overrides/", views.OverrideList.as_view(), name="override_list"),
    path("overrides/set/", views.override_set, name="override_set"),
    path("overrides/remove/", views.override_remove, name="override_remove"),
    path("years/confirm/", views.year_confirm, name="year_confirm"),
]
