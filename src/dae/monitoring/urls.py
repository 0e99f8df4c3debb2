from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("overview/", views.overview, name="overview"),
    path("admissions/", views.AdmissionList.as_view(), name="admission_list"),
    path("admissions/new/", views.admission_new, name="admission_new"),
    path("admissions/<int:pk>/", views.admission_detail, name="admission_detail"),
    path("admissions/<int:pk>/discharge/", views.admission_discharge, name="admission_discharge"),
    path("admissions/<int:pk>/link/", views.admission_link, name="admission_link"),
    path("admissions/<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("assignments/", views.AssignmentList.as_view(), name="assignment_list"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("handovers/", views.HandoverList.as_view(), name="handover_list"),
    path("handovers/new/", views.handover_new, name="handover_new"),
    path("opinions/", views.OpinionList.as_view(), name="opinion_list"),
    path("opinions/new/", views.opinion_new, name="opinion_new"),
    path("opinions/<int:pk>/read/", views.opinion_read, name="opinion_read"),
    path("statistics/", views.statistics, name="statistics"),
]
