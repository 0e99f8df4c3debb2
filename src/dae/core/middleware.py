"""Renders a ``DaeError`` raised by a page view as a page with the message, with the error's status; a 404 on a
route that names an object is recorded in the access log when the view did not record it itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .access import record_refused, record_unlogged_not_found
from .errors import DaeError


class ErrorPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        record_unlogged_not_found(request, response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DaeError):
            return None
        if exc.status == 403:
            record_refused(request)
        if request.path.startswith("/api/"):
            return JsonResponse(exc.as_dict(), status=exc.status)
        return render(request, "web/error.html", {"error": exc}, status=exc.status)
