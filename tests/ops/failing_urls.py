"""A URL configuration with a view that fails, for the error-page test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-internal-detail /etc/dae/keys DAE_SECRET_KEY")


urlpatterns = [path("boom", broken, name="boom")]
