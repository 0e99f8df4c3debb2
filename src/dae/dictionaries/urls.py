from django.urls import path

from . import views

app_name = "dictionaries"

urlpatterns = [
    path("", views.codelist_list, name="codelist_list"),
    path("<str:key>/", views.codelist_detail, name="codelist_detail"),
]
