"""The outcome of one action on a page: success or the refusal's message shown to the user, never swallowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from dae.core.errors import DaeError


def act_on_page(request: HttpRequest, run: Callable[[], Any], done: str) -> Any:
    """Run one action; a refusal (``DaeError``) is shown on the page and ``None`` returned (the action's transaction
    wrote nothing); on success ``done`` is shown and the action's result returned."""
    try:
        result = run()
    except DaeError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return result
