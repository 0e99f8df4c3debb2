from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("hospitals/", views.HospitalList.as_view(), name="hospital_list"),
    path("hospitals/<str:code>/", views.hospital_detail, name="hospital_detail"),
]
