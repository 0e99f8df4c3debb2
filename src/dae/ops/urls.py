from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("healthz", views.health, name="health"),
    path("readyz", views.ready, name="ready"),
]
