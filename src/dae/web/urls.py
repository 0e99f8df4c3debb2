from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/", views.EventList.as_view(), name="events"),
    path("access-log/", views.AccessLogList.as_view(), name="access_log"),
    path("jobs/", views.JobList.as_view(), name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
]
