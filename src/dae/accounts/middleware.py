"""Applies the permission matrix to every request, pages and API alike, before the view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from dae.core.access import record_refused
from dae.core.errors import PermissionDenied

from .permissions import rule_for

# Routes outside the application's URL names (static files in development) pass untouched.
_UNNAMED_PREFIXES = ("/static/",)


class PermissionMatrixMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith(_UNNAMED_PREFIXES):
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        rule = rule_for(view_name)
        if rule is not None and rule.public:
            return None
        is_api = request.path.startswith("/api/")
        user = request.user
        if not user.is_authenticated:
            if is_api:
                return JsonResponse({"code": "not_authenticated", "message": "请先登录", "details": None}, status=401)
            return redirect_to_login(request.get_full_path())
        if rule is None or not rule.allows(getattr(user, "post", ""), request.method or "GET"):
            record_refused(request)
            error = PermissionDenied()
            if is_api:
                return JsonResponse(error.as_dict(), status=error.status)
            return render(request, "web/error.html", {"error": error}, status=error.status)
        return None
