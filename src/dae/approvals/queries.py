from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dae.core.scoping import access_by_id

from .models import PendingAction


def access_pending_by_id(request: HttpRequest, pk: Any) -> PendingAction:
    return access_by_id(PendingAction, request, pk)
