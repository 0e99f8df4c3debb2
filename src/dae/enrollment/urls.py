from django.urls import path

from . import views

app_name = "enrollment"

urlpatterns = [
    path("persons/", views.PersonList.as_view(), name="person_list"),
    path("persons/<str:psn_no>/", views.person_detail, name="person_detail"),
    path("enrolments/<int:pk>/correct/", views.enrolment_correct, name="enrolment_correct"),
    path("units/", views.UnitList.as_view(), name="unit_list"),
]
