from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("hospitals/", views.HospitalList.as_view(), name="hospital_list"),
    path("hospitals/<str:code>/", views.hospital_detail, name="hospital_detail"),
    path("hospitals/<str:code>/edit/", views.hospital_edit, name="hospital_edit"),
    path("items/", views.ItemList.as_view(), name="item_list"),
    path("items/<str:med_list_codg>/", views.item_detail, name="item_detail"),
    path("items/<str:med_list_codg>/revise/", views.item_revise, name="item_revise"),
    path("mappings/", views.MappingList.as_view(), name="mapping_list"),
    path("mappings/<int:pk>/", views.mapping_detail, name="mapping_detail"),
    path("mapping-check/", views.mapping_check, name="mapping_check"),
    path("diagnoses/", views.DiagnosisList.as_view(), name="diagnosis_list"),
    path("diagnoses/load-icd10/", views.diagnosis_load, name="diagnosis_load"),
    path("diagnoses/<str:code>/", views.diagnosis_detail, name="diagnosis_detail"),
]
