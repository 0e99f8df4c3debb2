"""Template context for the shell: navigation for the user's post and the current section."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .nav import navigation_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"navigation": navigation_for(user.post), "current_path": request.path}
